"""`check steps` on the lecture notes' own derivations, in their notation (examples/check/notes)."""

import pathlib

import pytest

from check.steps import check_steps
from derive.errors import ParseError

NOTES = pathlib.Path(__file__).parent.parent / "examples" / "check" / "notes"


@pytest.mark.parametrize("path", sorted(NOTES.glob("*.txt")), ids=lambda p: p.stem)
def test_notes_derivation_is_valid(path):
    report = check_steps(path.read_text())
    assert [line.valid for line in report.lines] == [True] * len(report.lines), report.to_text()
    assert report.final_correct is True and report.exit_code == 0


def _softmax_ce(last: str, assume: bool = True) -> str:
    text = (NOTES / "softmax_ce_000.txt").read_text()
    if not assume:
        text = text.replace("assume y one-hot\n", "")
    return text.replace("= q_1 - y_1", last)


def test_one_hot_inferred_from_the_cross_entropy_loss():
    report = check_steps(_softmax_ce("= q_1 - y_1", assume=False))
    assert report.valid and report.final_correct
    assert "inferred" in report.lines[-1].method and "inferred" in report.assumptions[0]


def test_ocr_lost_minus_is_wrong_with_its_diagnosis():
    report = check_steps(_softmax_ce("= q_1 y_1"))
    assert report.first_wrong is report.lines[-1] and report.final_correct is False
    assert "lost minus sign" in report.lines[-1].diagnosis


def test_circular_definitions_are_one_line():
    text = "p = 1/(1+e^{-L})\nL = -(y log(p) + (1-y) log(1-p))\ndL/dz\n= p - y\n"
    with pytest.raises(ParseError, match="circular definitions: p → L → p"):
        check_steps(text)


def test_layer_superscript_beside_the_loss_is_not_a_cycle():
    text = "p = 1/(1+e^{-z^{L+1}})\nL = -(y log(p) + (1-y) log(1-p))\n"
    report = check_steps(text + "\\frac{dL}{dz^{L+1}}\n= p - y\n")
    assert report.valid and report.final_correct


def test_variable_with_a_digit_is_one_name():
    report = check_steps("q1 = z1^2\nd/dz1 (q1)\n= 2 z1\n")
    assert report.valid and report.final_correct
    wrong = check_steps("q1 = z1^2\nd/dz1 (q1)\n= 1\n")  # 1·q1 would differentiate to 0
    assert wrong.first_wrong is not None


def test_heaviside_is_relu_derivative_and_product_reading_is_tried():
    assert check_steps("d/dz (relu(z))\n= H(z)\n").valid
    report = check_steps("H = 2\nd/dz (H z)\n= H(1)\n")  # H defined: H(1) is H times 1
    assert report.valid and "H times" in report.lines[0].method


def test_square_or_layer_both_readings():
    report = check_steps("h = sigma(z)\nd/dz (h)\n= h(1-h)\n= h - h^2\n")
    assert report.valid  # h^2 is h squared here
    wrong = check_steps("h = sigma(z)\nd/dz (h)\n= h^2\n")
    assert wrong.first_wrong is not None and "layer index" in wrong.lines[0].method
