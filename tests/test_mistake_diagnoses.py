"""The notes' typical mistakes named (tests/fixtures/notes/*.toml), and the rewritings the
checker reads: Leibniz's chain rule df/dg dg/dx, a sum written with … up to D."""

import pytest

from check import check_answer
from derive.errors import ParseError


def _incorrect(quantity, answer, **params):
    verdict = check_answer(quantity, answer, params=params)
    assert verdict.correct is False, verdict
    return verdict.diagnosis or ""


def test_a_term_of_the_loss_for_its_derivative():
    # note 000: ∂L/∂w_1 of L = w_1² + w_2² answered with the term w_1² itself
    said = _incorrect("derivative", "w_1^2", of="w_1^2 + w_2^2", wrt="w_1")
    assert "term w_1² of the expression itself, not its derivative" in said


def test_the_whole_expression_is_still_named():
    said = _incorrect("derivative", "w_1^2 + w_2^2", of="w_1^2 + w_2^2", wrt="w_1")
    assert said.startswith("that is the expression itself")


def test_inner_product_for_the_elementwise_product():
    # note 002: (ε^(3))ᵀ g′(Z^(3)) is a number where ε ⊙ g′(Z) belongs
    said = _incorrect("output:delta", "(\\epsilon^{(3)})^T g'(Z^{(3)})")
    assert "inner product (a number), not a vector" in said
    assert "transpose" in said


def test_the_weight_gradients_factor_kept_for_the_bias():
    # note 004: ∇_{a_k} L h_{k-1}ᵀ is ∂L/∂W; the bias gradient has no h_{k-1}ᵀ
    said = _incorrect(
        "dense:db", "\\nabla_{a_k} \\mathcal{L}(\\theta) h_{k-1}^T", layer_index="subscript"
    )
    assert "an extra factor hᵀ: δ alone is the result" in said


def test_the_factor_named_is_the_one_left_over():
    # Wᵀ δ (∂L/∂h) for ∂L/∂b = δ: the Wᵀ is the extra factor
    assert _incorrect("dense:db", "W^T \\delta").endswith(
        "an extra factor Wᵀ: δ alone is the result"
    )


def test_no_extra_factor_when_neither_factor_is_the_result():
    said = _incorrect("dense:dh", "\\delta h^T")  # neither δ nor hᵀ is Wᵀ δ
    assert "wrong shape" in said and "extra factor" not in said


def test_a_softmax_jacobian_entry_for_the_loss_gradient():
    # note 004: ŷ_i(𝟙(ℓ = i) − ŷ_i) is ∂ŷ_ℓ/∂a_{L,i} with ŷ_i for ŷ_ℓ, not ∂L/∂a_{L,i}
    said = _incorrect(
        "softmax-ce", "\\hat{y}_i(\\mathbb{1}_{(\\ell=i)} - \\hat{y}_i)", target="class ell"
    )
    assert "an entry of the softmax Jacobian" in said
    assert "wrong index: p_i where p_{ℓ} belongs" in said


def test_the_softmax_jacobian_entry_itself():
    said = _incorrect(
        "softmax-ce", "\\hat{y}_\\ell(\\mathbb{1}_{(\\ell=i)} - \\hat{y}_i)", target="class ell"
    )
    assert "wrong variable" in said and "wrong index" not in said


@pytest.mark.parametrize(
    "answer",
    [
        "\\frac{df}{dg} \\frac{dg}{dx}",  # note 001: Leibniz's chain rule
        "\\frac{dg}{dx} \\frac{df}{dg}",
        "\\frac{df}{dx}",  # f = f(g(x)) differentiated by x
    ],
)
def test_leibniz_chain_rule(answer):
    assert check_answer("chain:composite", answer).correct is True


def test_leibniz_with_a_factor_missing():
    said = _incorrect("chain:composite", "\\frac{df}{dg}")
    assert "missing the inner derivative g′(x)" in said


def test_a_differential_of_something_else_is_not_leibniz():
    with pytest.raises(ParseError):
        check_answer("chain:composite", "\\frac{dh}{dx}")


@pytest.mark.parametrize(
    "answer",
    [
        "\\mathcal{A}(w_1x_1 + w_2x_2 + \\dots + w_Dx_D)",  # note 003, spaces lost
        "\\mathcal{A}(w_1 x_1 + w_2 x_2 + \\dots + w_D x_D)",
    ],
)
def test_sum_with_dots_up_to_d(answer):
    assert check_answer("logreg:forward", answer, params={"bias": False}).correct is True


def test_subscripts_run_together_split_only_before_another_subscript():
    # w_Dx_D is w_D x_D (as TeX reads it): a subscript cannot carry a subscript
    assert check_answer("derivative", "x_D", params={"of": "w_Dx_D", "wrt": "w_D"}).correct
    with pytest.raises(ParseError, match="cannot tell what '…' stands for"):
        check_answer(
            "logreg:forward", "\\mathcal{A}(w_1x_1 + \\dots + w_Dx_1)", params={"bias": False}
        )


def test_the_activation_of_the_weights_alone():
    # note 003: y* = 𝒜(wᵀx), 𝒜 one of sigmoid, tanh, ReLU; 𝒜(w) x applies it to w alone
    verdict = check_answer(
        "logreg:forward", "\\mathcal{A}(\\mathbf{w}) \\mathbf{x}", params={"bias": False}
    )
    assert verdict.correct is False
    assert "𝒜 read as σ" in verdict.read_as
    assert "σ(w)ᵀx where σ(wᵀx) belongs" in verdict.diagnosis


@pytest.mark.parametrize(
    "answer", ["\\sigma(\\mathbf{w} \\cdot \\mathbf{x})", "\\mathcal{A}(\\mathbf{x}^T \\mathbf{w})"]
)
def test_two_vectors_multiplied_are_their_inner_product(answer):
    assert check_answer("logreg:forward", answer, params={"bias": False}).correct is True


def test_entries_with_a_free_index_are_not_summed():
    # σ(w_i x_i) is entry i of a vector (or Einstein's sum): not decided either way
    for answer in ("\\sigma(w_i x_i)", "\\sigma(w_i) x_i"):
        assert check_answer("logreg:forward", answer, params={"bias": False}).correct is None


def test_sigma_of_each_term_named_through_a_product_of_exponentials():
    # a candidate with an unexpanded Π_l (w_l at a symbolic index) no longer stops the others
    verdict = check_answer("logreg:forward", "\\sum_i \\sigma(w_i x_i)", params={"bias": False})
    assert verdict.correct is False
    assert verdict.diagnosis.startswith("σ of each term")
