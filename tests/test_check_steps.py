"""Mode 2: derivations judged line by line, including the damaged lines of the seed notes."""

import pathlib

import pytest

from check.steps import check_steps
from derive.errors import ParseError

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples" / "check"


def test_valid_derivation():
    report = check_steps((EXAMPLES / "sigmoid_bce.txt").read_text())
    assert report.valid and report.final_correct and report.exit_code == 0
    assert report.expected == "p − y"


def test_seed002_damaged_sigmoid_derivative():
    report = check_steps((EXAMPLES / "seed002_sigmoid_damaged.txt").read_text())
    wrong = report.first_wrong
    assert wrong is not None and wrong.number == 6 and report.exit_code == 1
    assert wrong.counterexample and "not its derivative" in wrong.diagnosis
    assert report.final_correct is False


def test_sign_error_step_and_json_shape():
    text = "L = -y*log(p) - (1-y)*log(1-p)\np = sigma(z)\n\\frac{\\partial L}{\\partial z}\n"
    text += "= p - y\n= y - p\n"
    report = check_steps(text)
    assert [line.valid for line in report.lines] == [True, False]
    assert "sign error" in report.lines[1].diagnosis
    data = report.to_dict()
    assert data["first_wrong_line"] == 5 and data["valid"] is False


def test_same_line_continuation_and_latex_operator():
    report = check_steps(r"\frac{d}{dz}\left(z^2\right) = 2z")
    assert report.valid and report.final_correct


@pytest.mark.parametrize(
    "text",
    ["", "d/dz (z^2)", "d/dz (z^2)\n= __import__('os')", "dL/dz\n= 1", "d/dz (z)\nz + 1",
     "d/dz (z^2)\n= ().__class__"],
)  # fmt: skip
def test_bad_files(text):
    with pytest.raises(ParseError):
        check_steps(text)
