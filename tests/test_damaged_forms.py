"""OCR-damaged formulas of the lecture notes judged as written, with a diagnosis naming the
damage (corpus entries of tests/fixtures/notes/*.toml, kind damaged, and their mistakes)."""

import pytest
import sympy as sp

from check import check_answer
from check.damage import damage_diagnosis, foreign_variables
from check.update_rule import grad_v, rate, theta_v
from derive.errors import ParseError
from derive.render.printer import latex, text

W_LOSS = {"of": "w_1^2 + w_2^2"}  # note 000's L(w_1, w_2), printed w_{21} + w_{22}


@pytest.mark.parametrize(
    "quantity, answer, params, said",
    [
        # note 000, line 142: w_1^2 + w_2^2 printed as w_{21} + w_{22}
        ("forward", "w_{21} + w_{22}", W_LOSS, "superscript read as a subscript"),
        ("forward", "w_{21} + w_{22}", W_LOSS, "w_{21} where w_1² belongs"),
        ("forward", "2w_1 + 2w_2", W_LOSS, "2w_1 where w_1² belongs"),
        ("forward", "2w_1 + 2w_2", W_LOSS, "power printed as a factor"),
        # note 000, line 503: the update of w_{11}^3 with ∂L/∂w_1^3 (its subscript damaged)
        (
            "update-rule",
            "w_{11}^3 - \\alpha .  \\frac{\\partial L}{\\partial w_{1}^3}",
            {"parameter": "w_{11}^3"},
            "∂L/∂θ_1 where ∂L/∂θ_{11} belongs",
        ),
    ],
)
def test_damaged_judged_incorrect_with_the_damage_named(quantity, answer, params, said):
    verdict = check_answer(quantity, answer, params=params)
    assert verdict.correct is False
    assert said in verdict.diagnosis
    assert "wrong variable" in verdict.diagnosis


@pytest.mark.parametrize(
    "answer", ["w_1^2 + w_2^2", "w_1 w_1 + w_2 w_2", "w_2^2 + w_1^2"]
)  # fmt: skip
def test_the_loss_written_right_is_still_correct(answer):
    assert check_answer("forward", answer, params=W_LOSS).correct is True


def test_the_update_rule_with_matching_entries_is_correct():
    rule = "w_{11}^3 - \\alpha .  \\frac{\\partial L}{\\partial w_{11}^3}"
    assert check_answer("update-rule", rule).correct is True


def test_the_indexed_gradient_prints_as_a_derivative():
    """θ_{11} − α G_1 reads θ_{11} − α ∂L/∂θ_1, as the scalar θ − α ∂L/∂θ does."""
    step = theta_v[11] - rate * grad_v[1]
    assert text(step) == "θ_{11} − α (∂L/∂θ_1)"
    assert latex(step) == r"\theta_{11} - \alpha \frac{\partial L}{\partial \theta_{1}}"
    verdict = check_answer(
        "update-rule", "w_{11}^3 - \\alpha \\frac{\\partial L}{\\partial w_{1}^3}"
    )
    assert "∂L/∂θ_1" in verdict.read_as and "G" not in verdict.read_as


def test_foreign_variables_are_only_the_ones_the_result_cannot_have():
    w, x = sp.IndexedBase("w"), sp.Symbol("x", real=True)
    i = sp.Symbol("i", integer=True)
    assert foreign_variables(w[21] + w[2], w[1] ** 2 + w[2] ** 2) == [w[21]]
    assert foreign_variables(w[3] * x, w[i] * x) == []  # w_3 is an entry of w_i
    assert foreign_variables(w[1] + x, w[1]) == [x]


def test_no_damage_named_where_there_is_none():
    w = sp.IndexedBase("w")
    assert damage_diagnosis(3 * w[1] + w[2], w[1] ** 2 + w[2] ** 2) is None  # same variables
    assert "which the result does not use" in damage_diagnosis(w[5], w[1] ** 2)


SUBSCRIPT_LAYERS = {"layer_index": "subscript", "layer": "t-1"}  # note 004's ∇_{h_{t-1}} L


def test_a_stray_layer_letter_beside_a_lettered_layer_is_the_wrong_layer():
    """note 004, line 2796: W_k garbled into W_h beside ∇_{a_t}: W of "layer h", not of t."""
    answer = "W_h^T(\\nabla_{a_t} \\mathscr{L}(\\theta))"
    verdict = check_answer("dense:dh", answer, params=SUBSCRIPT_LAYERS)
    assert verdict.correct is False
    assert "layer" in verdict.diagnosis
    assert "W_h read as W of layer h" in verdict.read_as
    rewriting = "W_t^T(\\nabla_{a_t}\\mathscr{L}(\\theta))"
    assert check_answer("dense:dh", rewriting, params=SUBSCRIPT_LAYERS).correct is True


def test_a_stray_layer_letter_alone_stays_unread():
    with pytest.raises(ParseError, match="'W_h' is not matrix notation"):
        check_answer("dense:dh", "W_h^T \\delta", params=SUBSCRIPT_LAYERS)


def test_the_recaps_s_is_delta():
    """note 002, line 863: e^{(k)} = W^T s^{(k+1)} with s^{(k)} = g'(z) ⊙ e^{(k)} (line 865):
    the recap names ∂J/∂z s, so the formula as printed is correct, and the reading says so."""
    verdict = check_answer("dense:dh", "W^T s^{(k+1)}")
    assert verdict.correct is True
    assert "s read as δ" in verdict.read_as
    assert check_answer("dense:dh", "W s^{(k+1)}").correct is False


def test_s_without_a_layer_label_stays_unknown():
    with pytest.raises(ParseError, match="unknown name 's'"):
        check_answer("dense:dh", "W^T s")


def test_a_function_of_a_layer_with_its_argument_lost():
    """note 002, line 622: e^{(l)} = g^{(l+1)} · w^{(l+1)}, δ garbled into g: as written the
    activation of layer l + 1 without its argument, g(z^{(l+1)}), where δ^{(l+1)} belongs."""
    verdict = check_answer("scalar-chain:e", "g^{(l+1)} \\cdot w^{(l+1)}")
    assert verdict.correct is False
    assert "argument lost" in verdict.read_as
    assert "g(z⁽l⁺¹⁾_1) where δ⁽l⁺¹⁾_1 belongs" in verdict.diagnosis
    assert check_answer("scalar-chain:e", "\\delta^{(l+1)} \\cdot w^{(l+1)}").correct is True


def test_a_lost_argument_without_a_z_of_its_layer_is_refused_precisely():
    with pytest.raises(ParseError, match=r"write g\(z\^\{\(l\)\}\).*g\^\{\(l\)\} has lost"):
        check_answer("logreg:forward", "g^{(l)} + 1")


def test_a_numbered_label_is_no_lost_argument():
    """g^{(1)} may be the first derivative (f^{(n)}): refused as before, never guessed."""
    with pytest.raises(ParseError, match="function 'g' needs an argument at column"):
        check_answer("sigmoid", "g^{(1)}")
