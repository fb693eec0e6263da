"""Every activation of the registry against torch.autograd in float64 (issue 11): the derived
derivative (evaluated exactly) and a generated module's forward and gradient, at |z| ≤ 3,
|z| ≈ 30 and |z| ≈ 1000, relative error ≤ 1e-8 away from kinks (tests/torch_oracles.py)."""

import functools

import numpy as np
import pytest

pytest.importorskip("torch")

import torch_oracles as oracles  # noqa: E402

from derive import rulebook  # noqa: E402
from derive.builtins import activation as activation_builder  # noqa: E402
from derive.symbols import h, z  # noqa: E402

NAMES = list(rulebook.activations())
POINTS = np.concatenate(list(oracles.SCALES.values()))


def test_the_registry_has_at_least_forty_activations():
    assert len(NAMES) >= 40


@functools.cache
def torch_reference(name):
    """(g, g′, where smooth) at POINTS by torch, the record's own reference."""
    act = rulebook.activations()[name]
    function = oracles.activation_reference(act)
    values, slopes = oracles.torch_values_and_slopes(function, POINTS)
    smooth = oracles.smooth(function, POINTS)
    smooth &= np.all([np.abs(POINTS - kink) > 1e-3 for kink in (*act.kinks, np.inf)], axis=0)
    return values, slopes, smooth


@functools.cache
def exact_reference(name):
    """(g, g′) at POINTS in high precision from the record's definition alone (g′ by mpmath's
    numerical differentiation): where torch's float64 is off, the reference."""
    act = rulebook.activations()[name]
    return oracles.exact_values(act.expr, POINTS), oracles.exact_slopes(act.expr, POINTS)


@functools.cache
def derived(name):
    """The derived g′(z), and g′ in terms of h with h = g(z), evaluated at POINTS by mpmath."""
    act = rulebook.activations()[name]
    derivation = activation_builder.build(act)
    forms = [derivation.chains[0].result]
    forms += [chain.result.xreplace({h: act.expr}) for chain in derivation.chains[1:]]
    return [oracles.exact_values(form, POINTS) for form in forms]


def _report(name, scale, what, problems):
    return f"{name} at |z| {scale}: {what}: " + "; ".join(problems[:4])


@pytest.mark.parametrize("scale", list(oracles.SCALES))
@pytest.mark.parametrize("name", NAMES)
def test_derived_derivative_matches_torch(name, scale):
    values, slopes, smooth = torch_reference(name)
    exact_g, exact_slope = exact_reference(name)
    at = _at(scale) & smooth
    in_z, *in_h = derived(name)
    problems = oracles.mismatches(in_z[at], slopes[at], exact_slope[at])
    assert not problems, _report(name, scale, "g′(z) derived", problems)
    for form in in_h:  # g′ written in h = g(z)
        problems = oracles.mismatches(form[at], slopes[at], exact_slope[at])
        assert not problems, _report(name, scale, "g′ in terms of h", problems)
    # the definition against torch's function where torch's float64 is accurate (|z| ≤ 3);
    # beyond, torch's own formulas underflow (gelu(−30) = −0, not −8e−210)
    if scale == "ordinary":
        problems = oracles.mismatches(exact_g[at], values[at])
        assert not problems, _report(name, scale, "g(z), the record's definition", problems)


@pytest.mark.parametrize("scale", list(oracles.SCALES))
@pytest.mark.parametrize("name", NAMES)
def test_generated_module_matches_torch(name, scale):
    values, slopes, smooth = torch_reference(name)
    exact_g, exact_slope = exact_reference(name)
    forward, backward = oracles.generated_activation(name, POINTS)
    at = _at(scale) & smooth
    problems = oracles.mismatches(forward[at], values[at], exact_g[at])
    assert not problems, _report(name, scale, "generated forward h", problems)
    problems = oracles.mismatches(backward[at], slopes[at], exact_slope[at])
    assert not problems, _report(name, scale, "generated ∂L/∂b1 = g′(z)", problems)


def _at(scale):
    sizes = [len(points) for points in oracles.SCALES.values()]
    start = sum(sizes[: list(oracles.SCALES).index(scale)])
    mask = np.zeros(len(POINTS), dtype=bool)
    mask[start : start + len(oracles.SCALES[scale])] = True
    return mask


def test_a_wrong_generated_gradient_would_be_found():
    """The comparison is not vacuous: a slope off by 1e-7 relative is a mismatch."""
    _, slopes, _ = torch_reference("silu")
    assert oracles.mismatches(slopes * (1 + 1e-7), slopes)
    assert not oracles.mismatches(slopes * (1 + 1e-10), slopes)
    assert z in rulebook.activations()["silu"].expr.free_symbols


def test_prelu_is_compared_with_torch_prelu_at_its_weight():
    """F.prelu takes its weight as a tensor: the oracle passes the record's 0.25 as one."""
    import torch

    act = rulebook.activations()["prelu"]
    assert act.reference == "prelu"
    t = torch.tensor([-2.0, 3.0], dtype=torch.float64)
    got = oracles.activation_reference(act)(t)
    assert torch.equal(got, torch.nn.functional.prelu(t, torch.tensor([0.25], dtype=t.dtype)))
    assert got[0].item() == -0.5
