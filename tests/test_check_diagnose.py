"""Each diagnosis fires on the mistake it names."""

import pytest

from check.answer import check_answer

CASES = [
    ("softmax-ce", "y_i - p_i", "sign error"),
    ("mse", "2(yhat - y)", "factor: the answer is 2 times"),
    ("sigmoid-bce", "(p - y)/2", "½ times"),
    ("softmax-ce", "q_1 y_1", "lost minus sign"),
    ("softmax-ce", "y_1 - y_1", "prediction p is written as the target y"),
    ("sigmoid-bce", "p", "missing term"),
    ("sigmoid-bce", "p - y + z", "extra term z"),
    ("sigmoid-bce", "p + y", "sign error in the term"),
    ("sigmoid", "z(1 - z)", "wrong variable: z where h belongs"),
    ("sigmoid-bce", "(p-y)/(p(1-p))", "∂L/∂p"),
    ("dense:dW", "delta_j h_i", "transposed"),
    ("dense:dW", "h delta^T", "transposed"),
    ("dense:dh", "delta^T W", "transposed"),
    ("dense:dh", "W delta", "missing transpose: Wᵀ δ fits"),
    ("dense:dh", "h W", "wrong order of a matrix product"),
]


@pytest.mark.parametrize("quantity, answer, fragment", CASES)
def test_diagnosis(quantity, answer, fragment):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is False
    assert verdict.diagnosis and fragment in verdict.diagnosis, verdict.diagnosis
