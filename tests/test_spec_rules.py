"""A spec's rules resolved once: choices carry the record (or parsed expression) they stand for."""

import pytest

from codegen import derivations
from codegen.spec_rules import OUTPUT_ONLY, SOFTMAX, activation_choice, loss_choice
from derive import rulebook
from derive.errors import SpecError
from derive.functions import sigmoid
from derive.losses import LOSSES
from derive.symbols import p, y, z


def test_a_name_resolves_to_its_record_and_an_expression_is_parsed_once():
    elu = activation_choice("elu", "activation")
    assert (elu.text, elu.rule) == ("elu", rulebook.activations()["elu"])
    assert not elu.is_lecture_rule and activation_choice("tanh", "activation").is_lecture_rule
    custom = activation_choice("  z * sigmoid(z) ", "activation")
    assert (custom.text, custom.rule.expr) == ("z * sigmoid(z)", z * sigmoid(z))


def test_softmax_is_a_choice_without_an_elementwise_rule_and_only_on_the_output():
    assert activation_choice("softmax", "output.activation", OUTPUT_ONLY) is SOFTMAX
    assert SOFTMAX.rule is None
    with pytest.raises(SpecError, match="only available on the output layer"):
        activation_choice("softmax", "layers[0].activation")


def test_equal_choices_share_a_cached_rule_and_a_new_definition_does_not():
    first = activation_choice("z * sigmoid(z)", "a")
    assert first == activation_choice("z * sigmoid(z)", "b")
    assert derivations.activation_rule(first) is derivations.activation_rule(
        activation_choice("z * sigmoid(z)", "c")
    )
    try:
        rulebook.register_activation("twice_softsign", "z / (1 + abs(z))")
        before = activation_choice("twice_softsign", "a")
        rulebook.forget_user_rules()
        rulebook.register_activation("twice_softsign", "2 * z / (1 + abs(z))")
        after = activation_choice("twice_softsign", "a")
    finally:
        rulebook.forget_user_rules()
    assert before.text == after.text and before != after  # a cache keyed by text would be stale
    assert derivations.activation_rule(before).forward != derivations.activation_rule(after).forward


def test_losses_resolve_to_records_or_a_parsed_expression():
    ce = loss_choice("ce", "softmax")
    assert (ce.text, ce.record, ce.is_lecture_loss) == (
        "cross-entropy",
        LOSSES["cross-entropy"],
        True,
    )
    assert loss_choice("cross-entropy", "sigmoid").text == "binary-cross-entropy"
    huber = loss_choice("huber", "identity")
    assert not huber.is_lecture_loss and huber.per_output == huber.record.scalar
    custom = loss_choice("(p - y)^2", "sigmoid")
    assert (custom.text, custom.record, custom.per_output) == ("(p - y)^2", None, (p - y) ** 2)
    with pytest.raises(SpecError, match="needs a softmax output"):
        loss_choice("cross-entropy", "identity")
