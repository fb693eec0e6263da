"""What codegen takes from derive: the derived results, lifted to a batch, with 1/m folded."""

import pytest
import sympy as sp

import derive
from codegen import derivations
from codegen.derivations import DELTA, ROW, H, P, Y, Z
from codegen.stable import log_softmax, softplus
from derive.activations import ACTIVATIONS
from derive.builtins.mlp import OUTPUT_RULES
from derive.symbols import Wm, bv, i, j, k, m


@pytest.mark.parametrize("pair", sorted(OUTPUT_RULES), ids="+".join)
def test_output_rules_are_derives_results_on_a_batch(pair):
    name, key = OUTPUT_RULES[pair]
    rule = derivations.output_rule(*pair)
    assert rule.source == name
    assert rule.delta == derivations.to_batch(derive.get(name)[key].rhs)
    assert rule.delta.atoms(sp.Indexed) <= {P[ROW, i], Y[ROW, i]}


def test_softmax_ce_and_sigmoid_bce_are_p_minus_y():
    for pair in [("softmax", "cross-entropy"), ("sigmoid", "binary-cross-entropy")]:
        assert derivations.output_rule(*pair).delta == P[ROW, i] - Y[ROW, i]


def test_a_custom_loss_on_a_builtin_output_comes_from_derive_custom_loss():
    rule = derivations.output_rule("sigmoid", "(p - y)**2")
    expected = derive.custom_loss("(p - y)**2", output="sigmoid").result
    assert rule.delta == derivations.to_batch(expected)


def test_mean_is_folded_into_delta_bar():
    rules = derivations.batch_rules()
    assert rules.weights == sp.Sum(DELTA[ROW, i] * H[ROW, j], (ROW, 1, m))
    assert rules.biases == sp.Sum(DELTA[ROW, i], (ROW, 1, m))
    assert not rules.layer_input.has(m) and rules.layer_input.has(Wm[k, j])
    assert rules.pre_activation.has(bv[i]) and rules.pre_activation.has(
        H[ROW, sp.Symbol("l", integer=True, positive=True)]
    )


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_builtin_activation_slopes_are_in_output_form(name):
    rule = derivations.activation_rule(name)
    assert rule.in_output
    assert rule.slope == derive.get(name)["slope_h"].rhs


def test_custom_activations_are_stable_and_cached():
    mish = derivations.activation_rule("z * tanh(log(1 + exp(z)))")
    assert mish.forward.has(softplus) and not mish.forward.has(sp.exp)
    assert not mish.in_output and not mish.slope.has(sp.exp)
    assert mish.relu_like
    assert derivations.activation_rule("z * tanh(log(1 + exp(z)))") is mish
    assert not derivations.activation_rule("tanh").relu_like


def test_losses_are_computed_from_logits_where_the_rewrites_apply():
    ce = derivations.loss_rule("softmax", "cross-entropy")
    assert ce.from_logits and ce.mean.has(log_softmax) and not ce.mean.has(P)
    bce = derivations.loss_rule("sigmoid", "binary-cross-entropy")
    assert bce.from_logits and bce.mean.has(softplus) and bce.mean.has(Z)
    mse = derivations.loss_rule("identity", "mse")
    assert not mse.from_logits and mse.mean.has(P)
    custom_bce = derivations.loss_rule("sigmoid", "-y*log(p) - (1 - y)*log(1 - p)")
    assert custom_bce.mean == bce.mean
