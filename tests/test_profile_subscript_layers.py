"""Note 004's notation: layers as subscripts (a_i = b_i + W_i h_{i-1}, W_L h_{L-1})."""

import pytest

from check import check_answer
from derive.errors import ParseError
from derive.language import profiles

SUB = {"layer_index": "subscript"}


def test_the_subscript_layer_profile_names_its_layer_letters():
    profile = profiles.get("preactivation-a-subscript-layers")
    assert {"i", "k", "t"} <= profile.layer_letters
    assert profiles.default_profile().layer_letters == frozenset({"l", "L"})


@pytest.mark.parametrize(
    "text",
    ["b_i + W_i h_{i-1}", "W_i h_{i-1} + b_i", "b_i + W_i \\cdot h_{i-1}", "W_k h_{k-1} + b_k"],
)
def test_pre_activation_with_subscript_layers_is_correct_and_says_how_it_was_read(text):
    verdict = check_answer("dense:z", text, params=SUB)
    assert verdict.correct is True
    assert "read as W of layer" in verdict.read_as


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("b_i + W_i h_i", "one layer below"),  # h of the same layer: the wrong layer
        ("W_i h_{i-1}", "bias"),
        ("b_i + W_i^T h_{i-1}", "transpose"),
    ],
)
def test_subscript_layer_mistakes_are_wrong_with_their_diagnosis(text, said):
    verdict = check_answer("dense:z", text, params=SUB)
    assert verdict.correct is False
    assert said in (verdict.diagnosis or "")


def test_without_the_question_saying_so_i_is_an_index_not_a_layer():
    with pytest.raises(ParseError):
        check_answer("dense:z", "b_i + W_i h_{i-1}")


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        ("dense:db", "\\nabla_{a_k} \\mathcal{L}(\\theta)"),
        ("dense:db", "\\nabla_{\\mathbf{a_k}} \\mathscr{L}(\\theta)"),
        ("dense:dW", "\\nabla_{a_k} \\mathcal{L}(\\theta) h_{k-1}^T"),
        ("dense:dh", "(W_{i+1})^T \\nabla_{a_{i+1}} \\mathcal{L}(\\theta)"),
        ("dense:dz", "\\nabla_{h_i} \\mathcal{L}(\\theta) \\odot g'(a_i)"),
    ],
)
def test_gradients_of_the_loss_of_theta_are_read_as_delta(quantity, text):
    verdict = check_answer(quantity, text, params=SUB)
    assert verdict.correct is True, verdict.read_as


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        ("dense:dW", "\\nabla_{a_k} \\mathcal{L}(\\theta) h_{k}^T"),  # h of the same layer
        ("dense:dW", "h_{k-1} (\\nabla_{a_k} \\mathcal{L}(\\theta))^T"),
        ("dense:dz", "\\nabla_{h_{k-1}} \\mathcal{L}(\\theta) \\odot g'(a_{k})"),
    ],
)
def test_wrong_layers_and_orders_with_the_loss_gradient_are_wrong(quantity, text):
    assert check_answer(quantity, text, params=SUB).correct is False


def test_the_questions_letter_layer_rules_out_the_layer_below():
    """∇_{h_i} L is (W_{i+1})ᵀ ∇_{a_{i+1}} L; (W_i)ᵀ ∇_{a_i} L is ∇_{h_{i-1}} L."""
    asked = {**SUB, "layer": "i"}
    right = "(W_{i+1})^T \\nabla_{a_{i+1}} \\mathcal{L}(\\theta)"
    assert check_answer("dense:dh", right, params=asked).correct is True
    below = "(W_{i})^T \\nabla_{a_{i}} \\mathcal{L}(\\theta)"
    assert check_answer("dense:dh", below, params=asked).correct is False
    assert check_answer("dense:dh", below, params=SUB).correct is True  # no layer asked


def test_an_entry_of_a_is_an_entry_of_delta_not_the_vector():
    """∇_{a_j^L} L is ∂L/∂a_j^L: entry j of δ where a is the pre-activation (said so)."""
    verdict = check_answer("dense:db", "\\nabla_{a_j^L} L")
    assert verdict.correct is True and "a the pre-activation" in verdict.read_as
    assert "δ_j" in verdict.read_as or "δ_i" in verdict.read_as


def test_a_is_the_pre_activation_where_layers_are_subscripts():
    assert check_answer("dense:h", "g(a_i)", params=SUB).correct is True
    assert check_answer("dense:h", "g'(a_i)", params=SUB).correct is False
