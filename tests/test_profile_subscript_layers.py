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
