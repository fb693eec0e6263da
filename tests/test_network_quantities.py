"""network:forward: the whole network as one formula, for a given number of layers."""

import pytest

from check import check_answer
from derive.errors import ParseError

THREE = {"layers": 3}


@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        ("O(W_3 g(W_2 g(W_1 x + b_1) + b_2) + b_3)", True, ""),
        ("O(b_3 + W_3 g(b_2 + W_2 g(b_1 + W_1 x)))", True, ""),
        ("O(W_3 g(W_2 g(W_1 x + b_1)) + b_3)", False, "bias b_2"),
        ("O(W_3 g(W_2 g(W_1 x)))", False, "biases"),
        ("O(g(W_2 g(W_1 x + b_1) + b_2) W_3 + b_3)", False, "order"),
        ("O(W_3 g(W_1 g(W_2 x + b_1) + b_2) + b_3)", False, ""),
    ],
)
def test_network_forward(answer, correct, diagnosis):
    verdict = check_answer("network:forward", answer, params=THREE)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


def test_network_forward_layers():
    assert check_answer("network:forward", "O(W_3 g(W_2 g(W_1 x + b_1) + b_2) + b_3)").correct
    assert check_answer("network:forward", "O(W_1 x + b_1)", params={"layers": 1}).correct
    with pytest.raises(ParseError, match="layers"):
        check_answer("network:forward", "O(W_1 x + b_1)", params={"layers": 0})
