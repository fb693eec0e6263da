"""ℓ, the true class (notes 004), and 𝟙 of an index equality (𝟙[i = j], 𝟙_{(i=ℓ)}).

The notes write the one-hot target as 𝟙_{(i=ℓ)} or e(ℓ): ∂L/∂ŷ_i = −𝟙_{(i=ℓ)}/ŷ_ℓ and
∂L/∂a_{L,i} = −(𝟙_{(ℓ=i)} − f(x)_i).  Those are the results with y_k = 𝟙(k = ℓ).
"""

from __future__ import annotations

import pytest

from check.answer import check_answer
from derive.errors import ParseError

CLASS = {"target": "class ell"}


@pytest.mark.parametrize(
    "answer",
    [
        r"-\frac{\mathbb{1}_{(i=\ell)}}{\hat{y}_{\ell}}",  # note 004, line 1813
        r"-\frac{\mathbb{1}_{(\ell=i)}}{\hat{y}_\ell}",
        r"-\frac{y_i}{\hat{y}_i}",
        r"-\frac{e(\ell)_i}{\hat{y}_i}",
        "-1[i = ℓ]/ŷ_ℓ",
    ],
)
def test_loss_gradient_at_the_true_class_is_read(answer):
    verdict = check_answer("ce:dp", answer, params=CLASS)
    assert verdict.correct is True
    assert "ℓ" in verdict.quantity


@pytest.mark.parametrize(
    "answer, diagnosis",
    [
        (r"\frac{\mathbb{1}_{(i=\ell)}}{\hat{y}_{\ell}}", "sign"),
        (r"-\mathbb{1}_{(i=\ell)} \hat{y}_{\ell}", None),
        (r"-\frac{1}{\hat{y}_{\ell}}", None),  # true only at i = ℓ
    ],
)
def test_mistakes_at_the_true_class_are_wrong(answer, diagnosis):
    verdict = check_answer("ce:dp", answer, params=CLASS)
    assert verdict.correct is False
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_entry_at_the_true_class_is_its_own_question():
    """Line 1772: = −1/ŷ_ℓ if i = ℓ (the entry i = ℓ asked for)."""
    asked = {**CLASS, "entry": ["ell"]}
    assert check_answer("ce:dp", r"-\frac{1}{\hat{y}_{\ell}}", params=asked).correct is True
    assert check_answer("ce:dp", r"-\log \hat{y}_{\ell}", params=asked).correct is False


@pytest.mark.parametrize(
    "answer, correct",
    [
        (r"-(\mathbb{1}_{(\ell=i)} - f(\mathbf{x})_{i})", True),  # line 1998
        (
            r"\frac{-1}{\hat{y}_{\ell}} \left( \mathbb{1}_{(\ell=i)} \hat{y}_{\ell} - \hat{y}_{\ell} \hat{y}_{i} \right)",
            True,
        ),  # noqa: E501
        (r"\hat{y}_i - \mathbb{1}_{(\ell=i)}", True),
        (r"-(e(\ell)_i - \hat{y}_i)", True),
        (r"\mathbb{1}_{(\ell=i)} - \hat{y}_{i}", False),
        (r"-(\mathbb{1}_{\ell=i} - \hat{y}_{\ell})", False),  # line 2001's index slip
    ],
)
def test_softmax_ce_at_the_true_class(answer, correct):
    assert check_answer("softmax-ce", answer, params=CLASS).correct is correct


def test_an_answer_naming_the_true_class_needs_no_parameter():
    assert check_answer("softmax-ce", "p_i - 1[i = ℓ]").correct is True
    assert check_answer("softmax-ce", "p_i - y_i").correct is True  # the plain one still


def test_true_class_is_refused_for_a_quantity_without_a_target():
    with pytest.raises(ParseError, match="no one-hot target"):
        check_answer("sigmoid", "p(1-p)", params=CLASS)


@pytest.mark.parametrize(
    "answer, correct",
    [
        ("p_i·(𝟙[i = j] − p_j)", True),  # the tool's own rendering of the softmax Jacobian
        (r"p_{i} \left(\mathbb{1}\left[i = j\right] - p_{j}\right)", True),
        (r"p_i(\mathbb{1}_{i=j} - p_j)", True),
        ("p_i*(1[i != j] - p_j)", False),
        (r"q_i(\mathbb{1}_{i \neq j} - q_j)", False),
    ],
)
def test_indicator_of_an_index_equality_is_the_kronecker_delta(answer, correct):
    assert check_answer("softmax", answer).correct is correct
    assert check_answer("softmax:jacobian", answer).correct is correct


def test_indicator_of_a_real_equality_stays_a_condition():
    verdict = check_answer("relu", "1[z = 0]")
    assert verdict.correct is False


def test_entry_of_a_function_that_is_not_a_vector_is_refused():
    with pytest.raises(ParseError, match="not a vector"):
        check_answer("sigmoid", "sigma(z)_i")


def test_the_indicator_left_out_is_named():
    """−1/ŷ_ℓ for ∂L/∂ŷ_i = −𝟙(i = ℓ)/ŷ_i (note 004): right for i = ℓ only."""
    from check.answer import check_answer

    verdict = check_answer("ce:dp", r"-\frac{1}{\hat{y}_{\ell}}")
    assert verdict.correct is False
    assert "missing factor 𝟙[ℓ = i]" in verdict.diagnosis


def test_the_loss_itself_at_the_true_class():
    from check.answer import check_answer

    verdict = check_answer("ce:dp", r"-\log \hat{y}_{\ell}")
    assert verdict.correct is False and "the loss itself" in verdict.diagnosis


def test_the_loss_at_the_true_class():
    """note 004: L = −Σ_c y_c log ŷ_c is −log ŷ_ℓ with y one-hot at ℓ."""
    from check.answer import check_answer

    assert check_answer("ce:loss", r"-\log \hat{y}_{\ell}").correct
    wrong = check_answer("ce:loss", r"\log \hat{y}_{\ell}")
    assert wrong.correct is False and "sign" in wrong.diagnosis
