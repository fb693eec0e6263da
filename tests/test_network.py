"""derive/network.py: ``derive mlp`` of 3, 5 and 8 layers of relu, leaky_relu and tanh is
verified (each line on the same network at width 3, the weights drawn at the scale that keeps
z of order 1), and a wrong line is still found."""

import numpy as np
import pytest

from derive import network
from derive.builtins import mlp as mlp_builder
from derive.errors import DerivationError
from derive.verify import verify

KINDS = ["relu", "leaky_relu", "tanh", "mixed"]


def options(depth: int, kind: str, width: int = 16) -> tuple[str, str]:
    cycle = ("relu", "leaky_relu", "tanh") if kind == "mixed" else (kind,)
    layers = ",".join(["4", *[str(width)] * (depth - 1), "3"])
    hidden = ",".join(cycle[n % len(cycle)] for n in range(depth - 1))
    return layers, hidden


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("depth", [3, 5, 8])
def test_deep_networks_are_verified(depth, kind):
    derivation = network.mlp_from_options(*options(depth, kind), None, None)
    assert derivation.verified and all(check.passed for check in derivation.checks)
    steps = [step for chain in derivation.chains for step in chain.steps]
    assert steps and all(step.verified_by for step in steps)
    narrow = "-".join(["3"] * depth + ["3"])
    assert f"the same line on the {narrow} network" in steps[0].verified_by


def test_the_network_checked_has_the_same_layers_at_most_three_wide():
    net = mlp_builder.Network((4, 64, 16, 2), ("relu", "tanh"), "softmax", "cross-entropy")
    small = network.narrow(net)
    assert small.sizes == (3, 3, 3, 2) and small.hidden == net.hidden
    assert network.narrow(small) == small  # small networks are verified as they are


def test_a_wrong_line_of_a_deep_network_is_found():
    net = network.narrow(
        mlp_builder.Network(
            (4, *[16] * 7, 3),
            ("relu", "leaky_relu", "tanh") * 2 + ("relu",),
            "softmax",
            "cross-entropy",
        )
    )
    derivation = mlp_builder.build(net, _activations(net))
    for domain in {id(c.domain): c.domain for c in derivation.chains if c.domain}.values():
        domain.samplers.update(network.weight_samplers(net.sizes))
    middle = derivation.chains[len(derivation.chains) // 2]
    middle.steps[-1].rhs = middle.steps[-1].rhs * (1 + 1e-5)
    with pytest.raises(DerivationError):
        verify(derivation)


def test_weights_are_drawn_with_variance_one_over_fan_in():
    samplers = network.weight_samplers((4, 16, 3))
    draws = samplers[mlp_builder.layer("W", 2)](np.random.default_rng(0), 4000, (3, 16))
    assert abs(draws.var() * 16 - 1) < 0.05 and np.abs(draws).max() <= (3 / 16) ** 0.5


def _activations(net):
    from derive.custom import activation_from_name_or_expression

    acts = [activation_from_name_or_expression(name) for name in net.hidden]
    return {act.name: act for act in acts}


def test_progress_is_told_about_every_chain_verified():
    seen = []

    def progress(chains):
        for chain in chains:
            seen.append(chain)
            yield chain

    derivation = network.mlp_from_options(*options(3, "mixed"), None, None, progress=progress)
    assert derivation.verified and len(seen) == len(derivation.chains)


def test_the_command_shows_a_bar_only_on_a_terminal(monkeypatch):
    import io
    import sys

    from backprop.commands import derive_cmd

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert derive_cmd._progress_bar() is None
