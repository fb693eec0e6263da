"""Every registered derivation verifies: new entries are tested without new test code."""

import os
import subprocess
import sys

import pytest

from derive import registry
from derive.activations import ACTIVATIONS
from derive.builtins.activation import output_form_of

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ENV = {**os.environ, "PYTHONPATH": _ROOT}


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


def test_a_derivation_is_built_once_and_memoised_on_its_entry():
    entry = next(e for e in registry.entries() if e.name == "tanh")
    source = registry.source("tanh")  # built, as a composite derivation takes it
    verified = registry.get("tanh")
    assert verified is source is entry.built and verified.verified
    assert registry.get("tanh") is verified and registry.source("tanh") is verified


def test_only_the_builder_modules_up_to_the_asked_for_one_are_imported():
    code = (
        "import sys\nfrom derive import registry\nregistry.get('sigmoid')\n"
        "print(' '.join(m for m in sys.modules if m.startswith('derive.builtins.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_ENV, timeout=120
    )
    assert out.stdout.split() == ["derive.builtins.activation"], out.stderr
