"""The forward quantities: activations and losses themselves, softmax entries, h = g(z)."""

import pytest

from check import check_answer
from derive.errors import ParseError


@pytest.mark.parametrize(
    ("quantity", "answer", "correct"),
    [
        ("sigmoid:forward", r"\frac{e^z}{1 + e^z}", True),
        ("sigmoid:forward", r"\frac{1}{1 + \exp(z)}", False),
        ("tanh:forward", r"2\sigma(2z) - 1", True),
        ("relu:forward", r"\min(z, 0)", False),
        ("bce:loss", r"-(y \log p + (1 - y) \log(1 - p))", True),
        ("bce:loss", r"-p \log y - (1 - p) \log(1 - y)", False),
        ("ce:loss", r"-\sum_{k=1}^{K} y_k \log p_k", True),
        ("dense:h", r"g(z)", True),
        ("dense:h", r"\sigma(z)", True),
    ],
)
def test_forward(quantity, answer, correct):
    assert check_answer(quantity, answer).correct is correct


def test_ce_loss_written_out_for_two_classes_uses_one_hot_and_probabilities():
    # y_2 = 1 − y_1 and p_2 = 1 − p_1: the binary form is the K = 2 cross-entropy
    binary = r"-y_1 \ln p_1 - (1 - y_1) \ln(1 - p_1)"
    assert check_answer("ce:loss", binary, params={"K": 2}).correct is True
    assert check_answer("ce:loss", r"-y_1 \ln p_1 - y_2 \ln p_2", params={"K": 2}).correct


def test_ce_loss_numbered_entries_need_the_number_of_classes():
    with pytest.raises(ParseError, match="number of classes"):
        check_answer("ce:loss", r"-y_1 \ln p_1 - y_2 \ln p_2")


def test_softmax_entry_with_three_classes():
    params = {"K": 3, "entry": [1]}
    right = r"\frac{e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3}}"
    assert check_answer("softmax:forward", right, params=params).correct is True
    wrong = r"\frac{e^{z_1}}{e^{z_2} + e^{z_3}}"
    assert check_answer("softmax:forward", wrong, params=params).correct is False


def test_dense_h_refuses_a_named_activation_for_a_generic_g():
    with pytest.raises(ParseError, match="any activation"):
        check_answer("dense:h", r"\tanh(z)")


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (r"-\sum_{i=1}^K (y_i \ln \hat{y}_i)", True),
        (r"-\sum_i y_i \ln \hat y_i", True),
        (r"-\sum_{c=1}^{k} y_c \log \hat{y}_c", True),  # k: the number of classes (notes 004)
        (r"-\sum_{c=1}^{k} \hat{y}_c \log y_c", False),
        (r"-y^T \log p", True),  # the inner product Σ_k y_k log p_k
        (r"-p^T \cdot log(y)", False),
    ],
)
def test_ce_loss_with_symbolic_limits_is_decided_for_several_k(answer, correct):
    verdict = check_answer("ce:loss", answer)
    assert verdict.correct is correct
    if correct:
        assert "judged for K = 2, 3, 4, 5, 6" in verdict.method


def test_ce_loss_term_by_term_mistakes_are_decided():
    params = {"K": 3}
    wrong = check_answer("ce:loss", "y_1log(p_1) + y_2log(p_2) + y_3log(p_3)", params=params)
    assert wrong.correct is False and "sign" in wrong.diagnosis
    swapped = check_answer("ce:loss", "-(p_1log(y_1) + p_2log(y_2) + p_3log(y_3))", params=params)
    assert swapped.correct is False and "swapped" in swapped.diagnosis


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (r"-\log \hat{y}_{\ell}", True),
        (r"\log \frac{1}{\hat{y}_\ell}", True),
        (r"-\sum_{c=1}^{k} y_c \log \hat{y}_c", True),
        (r"\log \hat{y}_{\ell}", False),
    ],
)
def test_ce_loss_for_the_true_class(answer, correct):
    verdict = check_answer("ce:loss", answer, params={"target": "class ell"})
    assert verdict.correct is correct
