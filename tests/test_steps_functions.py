"""`check steps` with functions the file never defines (the notes' activation g) and the
notes' δ recurrence (δ^l_j = ∂L/∂z^l_j)."""

import pathlib

from check.steps import check_steps

NOTES = pathlib.Path(__file__).parent.parent / "examples" / "check" / "notes"
SQUARE = "a = g(z)\n\\frac{d}{dz} a^2\n= 2 a g'(z)\n"


def test_an_undefined_g_is_any_function():
    report = check_steps(SQUARE + "= 2 g(z) g'(z)\n")
    assert report.valid and report.final_correct, report.to_text()
    assert any("g is not defined: read as any function" in r for r in report.readings)


def test_a_line_true_only_for_the_logistic_g_is_undecided_not_wrong():
    report = check_steps(SQUARE + "= 2 g(z)^2 (1 - g(z))\n")
    last = report.lines[-1]
    assert last.valid is None and report.first_wrong is None
    assert "only if g is σ" in last.method


def test_a_line_wrong_for_every_g_is_wrong():
    report = check_steps(SQUARE + "= 2 g(z)^2 g'(z)\n")
    assert report.first_wrong is report.lines[-1] and report.final_correct is False


def test_the_delta_recurrence_of_the_notes_is_valid():
    report = check_steps((NOTES / "delta_recurrence_001.txt").read_text())
    assert report.valid and report.final_correct, report.to_text()
    assert any("δ^(l)_j read as ∂L/∂z^(l)_j" in r for r in report.readings)


def test_the_delta_recurrence_without_its_sum_is_wrong():
    text = (NOTES / "delta_recurrence_001.txt").read_text()
    text = text.replace(
        r"= \sum_k \delta_k^{l+1} w_{kj}^{l+1} g'(z_j^l)",
        r"= \delta_j^{l+1} w_{jj}^{l+1} g'(z_j^l)",
    )
    report = check_steps(text)
    assert report.first_wrong is report.lines[-1] and report.final_correct is False
