"""derive/network_check.py: one vectorised forward pass checks every line of a network's
recurrence, each on its own: a wrong line of any kind, at any layer, even at one entry, fails."""

import pytest
import sympy as sp

from derive import network
from derive.builtins import mlp as mlp_builder
from derive.custom import activation_from_name_or_expression
from derive.errors import DerivationError
from derive.network_check import verify_network
from derive.symbols import i, j

DEEP = ("relu", "leaky_relu", "tanh") * 2 + ("relu",)


def _prepared(sizes, hidden, output="softmax", loss="cross-entropy"):
    net = mlp_builder.Network(sizes, hidden, output, loss)
    acts = {name: activation_from_name_or_expression(name) for name in hidden}
    acts = {act.name: act for act in acts.values()}
    derivation = mlp_builder.build(net, acts)
    samplers = network.weight_samplers(net.sizes)
    for domain in {id(c.domain): c.domain for c in derivation.chains if c.domain}.values():
        domain.samplers.update(samplers)
    return derivation, net, acts


def test_every_line_of_a_deep_network_is_verified_in_one_pass():
    derivation, net, acts = _prepared((3, *[3] * 7, 3), DEEP)
    verify_network(derivation, net, acts)
    steps = [step for chain in derivation.chains for step in chain.steps]
    assert len(steps) == len(derivation.chains) == 4 * net.depth - 1
    assert all("one vectorised forward pass" in step.verified_by for step in steps)


@pytest.mark.parametrize("kind", ["delta", "dW", "db", "dh"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_wrong_line_of_each_kind_and_depth_fails(kind, where):
    derivation, net, acts = _prepared((3, *[3] * 7, 3), DEEP)
    lines = [chain for chain in derivation.chains if chain.kind == kind]
    chain = {"first": lines[0], "middle": lines[len(lines) // 2], "last": lines[-1]}[where]
    chain.steps[-1].rhs = chain.steps[-1].rhs * (1 + 1e-5)
    with pytest.raises(DerivationError, match="does not equal"):
        verify_network(derivation, net, acts)


def test_a_line_wrong_at_one_entry_only_fails():
    derivation, net, acts = _prepared((3, 3, 3, 3, 3), ("tanh", "relu", "tanh"))
    chain = next(c for c in derivation.chains if c.kind == "dW" and c.layer == 2)
    chain.steps[-1].rhs += 1e-4 * sp.KroneckerDelta(i, 3) * sp.KroneckerDelta(j, 2)
    with pytest.raises(DerivationError, match="'i': 3, 'j': 2"):
        verify_network(derivation, net, acts)


def test_a_transposed_weight_in_the_backward_line_fails():
    derivation, net, acts = _prepared((3, 3, 3, 3), ("tanh", "tanh"))
    chain = next(c for c in derivation.chains if c.kind == "dh")
    W = mlp_builder.layer("W", chain.layer + 1)
    chain.steps[-1].rhs = chain.steps[-1].rhs.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == W,
        lambda e: W[e.indices[1], e.indices[0]],
    )
    with pytest.raises(DerivationError):
        verify_network(derivation, net, acts)


@pytest.mark.parametrize(
    "output, loss",
    [("sigmoid", "binary-cross-entropy"), ("identity", "mse"), ("sigmoid", "mse")],
)
def test_other_outputs_and_a_user_activation_are_verified(output, loss):
    derivation, net, acts = _prepared((3, 3, 3, 2), ("sigmoid", "z**3/3 + z"), output, loss)
    verify_network(derivation, net, acts)
    assert all(step.verified_by for chain in derivation.chains for step in chain.steps)
