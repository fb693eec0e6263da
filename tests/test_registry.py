"""Every registered derivation verifies: new entries are tested without new test code."""

import pytest

from derive import registry
from derive.activations import ACTIVATIONS
from derive.builtins.activation import output_form_of


def test_lecture_derivations_are_registered():
    names = registry.names()
    # registration order follows import order, so only membership is tested here
    for name in ["softmax-ce", "sigmoid-bce", "mse", "chain-rule"]:
        assert name in names


@pytest.mark.parametrize("name", registry.names())
def test_every_derivation_verifies(name):
    derivation = registry.get(name)
    assert derivation.verified
    assert derivation.chains and derivation.all_steps()
    for key, steps in derivation.steps.items():
        for step in steps:
            assert step.verified_by, f"{name}: {key}: step '{step.why}' has no proof"
    assert derivation.checks, f"{name}: no independent cross-check"
    for check in derivation.checks:
        assert check.passed, f"{name}: {check.name}: {check.detail}"


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_reused_output_forms_are_the_activation_derivations_own(name):
    # sigmoid-bce, mse, mlp and user-defined losses take g′ in output form from output_form_of
    # rather than from a built derivation: it must be the very result keyed slope_h
    in_output, _ = output_form_of(ACTIVATIONS[name])
    results = registry.get(name).results
    assert ("slope_h" in results) == (in_output is not None)
    if in_output is not None:
        assert results["slope_h"].rhs is in_output
