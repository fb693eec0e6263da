"""dense:h with z written out: g(w_11 h_1 + w_12 h_2 + b_1), note 003's one hidden unit
z_1 = 𝒜(w_11 x_1 + w_21 x_2) (W n_in × n_out there, no bias), and their mistakes."""

import pytest

from check.answer import check_answer
from derive.errors import ParseError

NOTE_003 = {"layout": "n_in x n_out", "entry": [1], "activation": "sigmoid", "bias": False}


@pytest.mark.parametrize(
    ("text", "params", "correct", "diagnosis"),
    [
        (r"\mathcal{A}(w_{11}^{(1)}x_1 + w_{21}^{(1)}x_2)", NOTE_003, True, None),
        (r"\sigma(w_{11}^{(1)} x_1 + w_{21}^{(1)} x_2)", NOTE_003, True, None),
        (r"\mathcal{A}(w_{11}^{(1)}x_1 + w_{12}^{(1)}x_2)", NOTE_003, False, "transposed"),
        (r"g(w_{11} h_1 + w_{12} h_2 + b_1)", {"entry": [1]}, True, None),
        (r"g(w_{11} h_1 + w_{12} h_2)", {"entry": [1]}, False, "forgot the bias"),
        (r"w_{11} h_1 + w_{12} h_2 + b_1", {"entry": [1]}, False, "the activation is missing"),
    ],
)
def test_written_out(text, params, correct, diagnosis):
    verdict = check_answer("dense:h", text, params=params)
    assert verdict.correct is correct, verdict
    assert "z written out" in verdict.read_as
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_a_named_activation_is_not_any_activation():
    with pytest.raises(ParseError):
        check_answer("dense:h", r"tanh(w_{11} h_1 + w_{12} h_2 + b_1)", params={"entry": [1]})


def test_in_out_weights_read_as_matrices_in_a_written_out_sum():
    """W n_in × n_out: w_21 joins input 2 to output 1 (it was read as one index, 21)."""
    params = {"layout": "n_in x n_out", "entry": [1], "bias": False}
    assert check_answer("dense:z", r"w_{11} x_1 + w_{21} x_2", params=params).correct
    assert not check_answer("dense:z", r"w_{11} x_1 + w_{12} x_2", params=params).correct
