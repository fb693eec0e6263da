"""Mini-batch quantities with examples as columns: dH = Wᵀ DZ (per example, no 1/m) and the
softmax-ce output DZ = P − Y."""

import pytest

from check import check_answer
from derive.errors import ParseError

COLUMNS = {"layout": "columns"}


@pytest.mark.parametrize(
    ("quantity", "answer", "correct", "diagnosis"),
    [
        ("batch:dH", "(W^{l+1})^T .  DZ^{l+1}", True, ""),
        ("batch:dH", "(W^{l+1})^T DZ^{l+1}", True, ""),
        ("batch:dH", "DZ^{l+1} W^{l+1}", False, "transpose"),
        ("batch:dH", r"\frac{1}{m} (W^{l+1})^T DZ^{l+1}", False, "1/m"),
        ("batch:dH", "(W^{l-1})^T DZ^{l-1}", False, "layer"),
        ("batch:delta-out", "P - Y", True, ""),
        ("batch:delta-out", "Y - P", False, "sign"),
    ],
)
def test_batch_columns(quantity, answer, correct, diagnosis):
    verdict = check_answer(quantity, answer, params=COLUMNS)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


def test_batch_dh_needs_the_columns_layout():
    with pytest.raises(ParseError, match="columns"):
        check_answer("batch:dH", "W^T DZ")


@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        (r"dH^l \otimes \sigma'(Z^l)", True, ""),
        (r"dH^l \odot \sigma(Z^l)(1-\sigma(Z^l))", True, ""),  # elementwise between n × m
        (r"dH^l * \sigma(Z^l) * (1-\sigma(Z^l))", True, ""),
        (r"dH^l \otimes \sigma(Z^l)", False, "σ itself"),
        (r"dH^l (1-\sigma(Z^l))", False, ""),
    ],
)
def test_batch_delta_with_a_sigmoid(answer, correct, diagnosis):
    params = {**COLUMNS, "activation": "sigmoid"}
    verdict = check_answer("batch:delta", answer, params=params)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")
