"""`check steps` on derivations in free indices (note 004's ŷ_ℓ and a_{Li})."""

import pytest

from check.steps import check_steps
from derive.errors import ParseError

SOFTMAX = r"\hat{y}_\ell = \frac{e^{a_{L\ell}}}{\sum_{i'} e^{a_{Li'}}}" + "\n"
START = r"\frac{\partial}{\partial a_{Li}} - \log \hat{y}_{\ell}" + "\n"


def test_output_units_in_free_indices_are_valid():
    report = check_steps(
        SOFTMAX + START + r"= \frac{-1}{\hat{y}_{\ell}} \left( \mathbb{1}_{(\ell=i)} \hat{y}_{\ell}"
        r" - \hat{y}_{\ell} \hat{y}_{i} \right)" + "\n" + r"= \hat{y}_i - \mathbb{1}_{(\ell=i)}"
    )
    assert [line.valid for line in report.lines] == [True, True], report.to_text()
    assert report.final_correct is True
    assert any("free indices" in r for r in report.readings)


def test_index_slip_is_wrong_at_the_instance_that_shows_it():
    report = check_steps(SOFTMAX + START + r"= -(\mathbb{1}_{(\ell=i)} - \hat{y}_{\ell})")
    wrong = report.first_wrong
    assert wrong is report.lines[0] and report.final_correct is False
    assert wrong.counterexample["at"]["i"] != wrong.counterexample["at"]["ℓ"]
    assert "at i = 1, ℓ = 2" in wrong.method


def test_a_wrong_line_at_equal_indices_only_is_wrong():
    """ŷ_i − 1 is right at ℓ = i only: judged at every pattern, so it is caught."""
    report = check_steps(SOFTMAX + START + r"= \hat{y}_i - 1")
    assert report.first_wrong is report.lines[0]
    assert "ℓ = 2" in report.first_wrong.method


def test_an_entry_singled_out_makes_every_assignment_judged():
    text = (
        r"q_k = \frac{e^{z_k}}{\sum_{j} e^{z_j}}" + "\n"
        r"\frac{\partial q_1}{\partial z_i}" + "\n"
        r"= q_1 (\mathbb{1}_{(i=1)} - q_i)" + "\n"
    )
    report = check_steps(text)
    assert report.valid and report.final_correct, report.to_text()
    assert any("at every i in 1 … 3" in r and "stand for all" not in r for r in report.readings)
    bad = check_steps(text.replace(r"\mathbb{1}_{(i=1)}", r"\mathbb{1}_{(i=2)}"))
    assert bad.first_wrong is bad.lines[0]


def test_too_many_free_indices_is_one_line():
    text = "d/dx_i (x_j x_k x_m x_n)\n= 0\n"
    with pytest.raises(ParseError, match="too many free indices"):
        check_steps(text.replace("x_j", "x_{1j}"))
