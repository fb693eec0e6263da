"""Update rules, mini-batch sums and the batch mean loss as the lecture notes write them
(corpus entries of tests/fixtures/notes/*.toml): the forms read, their mistakes judged incorrect."""

import pytest

from check import check_answer
from derive.errors import ParseError


@pytest.mark.parametrize(
    "text, correct, diagnosis, read",
    [
        # note 000: layer i written as a superscript letter
        ("W^i-\\alpha .  \\frac{\\partial L}{\\partial W^i}", True, None, "W of layer i"),
        ("W^i - \\alpha dW^i", True, None, "dW of layer i"),
        ("W^i+\\alpha . \\frac{\\partial L}{\\partial W^i}", False, "uphill", "W of layer i"),
        ("W^i - \\alpha dW^j", False, "layer labels do not fit", "layer j"),
        ("W^i - dW^i", False, "learning rate", "layer i"),
        # note 004: θ_t the parameter at step t; ∇θ_t printed without ∇'s subscript
        ("\\theta_t - \\eta \\nabla \\theta_t", True, None, "printed without its subscript"),
        ("\\theta_t + \\eta \\nabla \\theta_t", False, "uphill", "at step t"),
        ("\\theta_t - \\nabla \\theta_t", False, "learning rate", "at step t"),
        ("\\theta_t - \\eta \\nabla_{\\theta} \\mathcal{L}(\\theta_t)", True, None, "step t"),
        ("\\theta_t + \\eta \\nabla_{\\theta} \\mathcal{L}(\\theta_t)", False, "uphill", "step t"),
    ],
)  # fmt: skip
def test_update_rule_forms(text, correct, diagnosis, read):
    verdict = check_answer("update-rule", text)
    assert verdict.correct is correct, verdict.to_text()
    assert read in verdict.read_as
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_a_bare_nabla_is_still_refused_outside_the_update_rule():
    with pytest.raises(ParseError, match="needs a subscript"):
        check_answer("softmax-ce", "\\nabla z")


def test_a_letter_superscript_is_a_layer_only_of_the_parameter_and_its_gradient():
    with pytest.raises(ParseError, match="unknown symbol"):
        check_answer("update-rule", "W - \\alpha^i dW")
