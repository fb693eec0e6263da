"""One-layer models and the squared-error losses: logistic and softmax regression's weight
gradients (indices checked as written), mse:loss, batch:se-loss."""

import pytest

from check import check_answer
from derive.errors import ParseError


@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        ("(y^* - y) x_i", True, ""),
        (r"\left(\frac{y^* - y}{y^*(1 - y^*)} \right) (y^*(1 - y^*)) x_i", True, ""),
        (r"\frac{\partial L}{\partial w_i} = (y^* - y) x_i", True, ""),
        ("(y - y^*) x_i", False, "sign"),
        ("(y^* - y)", False, "missing"),
        ("(y^* - y) y^*(1 - y^*) x_i", False, "extra factor"),
        # the question is ∂L/∂w_i: another index is wrong, never renamed to i
        ("(y^* - y) x_j", False, "wrong index"),
        ("(p - y) x_k", False, "wrong index"),
    ],
)
def test_logreg_dw(answer, correct, diagnosis):
    verdict = check_answer("logreg:dw", answer)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


def test_logreg_dw_over_an_unknown_batch_form_is_refused_not_misread():
    with pytest.raises(ParseError, match="batch"):
        check_answer(
            "logreg:dw",
            r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}",
            params={"batch": "mean"},
        )


@pytest.mark.parametrize(
    ("answer", "correct", "diagnosis"),
    [
        (r"(\hat{y}_3 - y_3) \times x_1", True, ""),
        (r"\delta_3 \times a_1", True, ""),
        (r"(\hat{y}_1 - y_1) \times x_3", False, "transposed"),
        (r"(y_3 - \hat{y}_3) \times x_1", False, "sign"),
        (r"\hat{y}_3 - y_3", False, "missing the factor x_j"),
    ],
)
def test_softmax_regression_entry(answer, correct, diagnosis):
    verdict = check_answer("softmax-regression:dW", answer, params={"entry": [3, 1]})
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


def test_softmax_regression_general_entry_keeps_its_indices():
    assert check_answer("softmax-regression:dW", r"(\hat{y}_i - y_i) x_j").correct is True
    assert check_answer("softmax-regression:dW", r"(\hat{y}_j - y_j) x_i").correct is False


@pytest.mark.parametrize(
    ("quantity", "answer", "correct", "diagnosis"),
    [
        ("mse:loss", r"\frac{1}{2} \sum_{j} (y_j^* - y_j)^2", True, ""),
        ("mse:loss", r"0.5 \sum_{j=1}^{J} (y_j - y_j^*)^2", True, ""),
        ("mse:loss", r"\sum_{j=1}^J (y_j - y_j^*)^2", False, "factor"),
        ("batch:se-loss", r"\frac{1}{n} \sum_{i=1}^n (y_i - \hat{y}_i)^2", True, ""),
        ("batch:se-loss", r"\frac{1}{n} \sum_{i=1}^{n} (\hat{y}_i - y_i)^2", True, ""),
        ("batch:se-loss", r"\sum_{i=1}^n (y_i - \hat{y}_i)^2", False, "1/m"),
    ],
)
def test_squared_error_losses(quantity, answer, correct, diagnosis):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")
    if correct:
        assert "judged for" in verdict.method  # the sizes the symbolic sum was judged at


@pytest.mark.parametrize(
    ("answer", "params", "correct", "diagnosis"),
    [
        ("a_j + 0", {}, True, ""),
        ("a_j^{l-1}", {}, True, ""),
        ("a_i", {}, False, "wrong index"),
        ("w_{ij}", {}, False, "wrong variable"),
        ("a_j^{l}", {}, False, "layer"),  # the input is the layer below's
        # notes 001: ∂z_j/∂w_ji (to j from i) is a_i
        ("a_i^{l-1}", {"entry": ["j", "i"]}, True, ""),
        ("a_j^{l-1}", {"entry": ["j", "i"]}, False, "wrong index"),
        ("w_{ji}^l", {"entry": ["j", "i"]}, False, "wrong variable"),
    ],
)
def test_dz_dw(answer, params, correct, diagnosis):
    verdict = check_answer("dense:dz/dW", answer, params=params)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


@pytest.mark.parametrize(
    ("quantity", "params", "answer", "correct", "diagnosis"),
    [
        ("linreg:dw", {}, r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}", True, ""),
        (
            "linreg:dw",
            {},
            r"\sum_{i=1}^{m} \hat{y}^{(i)} x_j^{(i)} - \sum_{i=1}^{m} y^{(i)} x_j^{(i)}",
            True,
            "",
        ),
        ("linreg:dw", {}, r"\sum_{i=1}^m (y^{(i)} - \hat{y}^{(i)}) x_j^{(i)}", False, "sign"),
        ("linreg:dw", {}, r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})", False, "missing"),
        ("linreg:dw", {}, r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)}) x_k^{(i)}", False, ""),
        (
            "logreg:dw",
            {"batch": "sum"},
            r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}",
            True,
            "",
        ),
        (
            "logreg:dw",
            {"batch": "sum"},
            r"\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)}) \hat{y}^{(i)} (1 - \hat{y}^{(i)}) x_j^{(i)}",
            False,
            "extra factor",
        ),
    ],
)
def test_gradients_over_examples_labelled_by_superscripts(
    quantity, params, answer, correct, diagnosis
):
    verdict = check_answer(quantity, answer, params=params)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")
