"""Every registered derivation verifies: new entries are tested without new test code."""

import pytest

from derive import registry


def test_lecture_derivations_are_registered():
    names = registry.names()
    # registration order follows import order, so only membership is tested here
    for name in ["softmax-ce", "sigmoid-bce", "mse", "chain-rule"]:
        assert name in names


@pytest.mark.parametrize("name", registry.names())
def test_every_derivation_verifies(name):
    derivation = registry.get(name)
    assert derivation.verified
    assert derivation.chains and derivation.steps
    for step in derivation.steps:
        assert step.verified_by, f"{name}: step '{step.why}' has no proof"
    assert derivation.checks, f"{name}: no independent cross-check"
    for check in derivation.checks:
        assert check.passed, f"{name}: {check.name}: {check.detail}"
