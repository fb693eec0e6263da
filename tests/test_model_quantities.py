"""The one-unit models themselves: linreg:forward, logreg:forward (bias as w_0 x_0 or b, or
none), wᵀx as an inner product."""

import pytest

from check import check_answer


@pytest.mark.parametrize(
    ("quantity", "answer", "params", "correct", "diagnosis"),
    [
        ("linreg:forward", r"\sum_{i=0}^n w_i x_i^{(j)}", {}, True, ""),
        ("linreg:forward", r"w_0 x_0^{(j)} + \sum_{i=1}^{n} w_i x_i^{(j)}", {}, True, ""),
        ("linreg:forward", r"w^T x + b", {}, True, ""),
        ("linreg:forward", r"\sum_{i=1}^n w_i x_i^{(j)}", {}, False, "bias"),
        ("logreg:forward", r"\sigma(\sum_{i=0}^n w_i x_i^{(j)})", {}, True, ""),
        ("logreg:forward", r"\frac{1}{1 + \exp(-\sum_{i=0}^n w_i x_i^{(j)})}", {}, True, ""),
        ("logreg:forward", r"\sum_{i=0}^n \sigma(w_i x_i^{(j)})", {}, False, "instead of"),
        ("logreg:forward", r"\mathcal{A}(\mathbf{w}^T \mathbf{x})", {"bias": False}, True, ""),
        ("logreg:forward", r"\sigma(\sum_{i=1}^{D} w_i x_i)", {"bias": False}, True, ""),
        ("logreg:forward", r"\sigma(\sum_{i=1}^{D} w_i x_i)", {}, False, "bias"),
        ("logreg:forward", r"w^T x", {"bias": False}, False, ""),
    ],
)
def test_one_unit_models(quantity, answer, params, correct, diagnosis):
    verdict = check_answer(quantity, answer, params=params)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        ("diag(q) - q q^T", True, ""),
        (r"\mathrm{diag}(q) - q q^\top", True, ""),
        (r"diag(q) - q \otimes q", True, ""),
        ("q q^T - diag(q)", False, "sign"),
        ("diag(q)", False, "missing term"),
        ("diag(q) - q^T q", False, ""),
    ],
)
def test_softmax_jacobian_in_matrix_notation(answer, correct, diagnosis):
    verdict = check_answer("softmax:jacobian", answer)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")
