"""Generated modules run without NumPy's floating-point warnings (issue 13).

np.where(c, a, b) computes both a and b everywhere: a branch the condition does not take must
not overflow either (ELU's expm1(z) at z = 1000). Each activation of the registry, in a hidden
layer, forward, backward and one training step, at |z| up to 1000 with RuntimeWarnings as
errors, in float64 and float32. A point where the exact g(z) or g′(z) is itself beyond the
dtype (e^1000) is left out: there inf, and its warning, is the right answer.
"""

import functools
import warnings

import numpy as np
import pytest
import sympy as sp
import torch_oracles as oracles
from sympy.codegen.cfunctions import expm1

from codegen import branches, certify, exact, rewrites, stable
from codegen.generate import load_module
from derive import rulebook
from derive.symbols import z

NAMES = list(rulebook.activations())
POINTS = np.concatenate(list(oracles.SCALES.values()))


def _representable(act, dtype) -> np.ndarray:
    """Where g and g′ are finite in dtype (mpmath, no overflow of its own)."""
    forms = (act.expr, sp.diff(act.expr, z))
    values = [[float(exact.evaluate(f, {z: float(v)}, 30)) for v in POINTS] for f in forms]
    return np.all(np.abs(values) <= np.finfo(dtype).max, axis=0)


@functools.cache
def _module(name, units, dtype):
    spec = {
        "name": "probe",
        "inputs": 1,
        "dtype": dtype,
        "layers": [{"units": units, "activation": oracles.spelled(name)}],
        "output": {"units": 1, "activation": "identity", "loss": "p*y"},
    }
    return load_module(spec)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", NAMES)
def test_generated_activation_runs_without_warnings(name, dtype):
    points = POINTS[_representable(rulebook.activations()[name], dtype)].astype(dtype)
    n = len(points)
    module = _module(name, n, dtype)
    params = {
        "W1": points.reshape(n, 1).copy(),
        "b1": np.zeros(n, dtype),
        "W2": np.ones((1, n), dtype),
        "b2": np.zeros(1, dtype),
    }
    X, Y = np.ones((1, 1), dtype), np.ones((1, 1), dtype)
    # NumPy's floating-point errors (not underflow) as RuntimeWarnings, raised as errors
    with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("error", RuntimeWarning)
        module.predict(params, X)
        module.gradients(params, X, Y)
        module.train(params, X, Y, epochs=1, batch_size=1, learning_rate=0.0)


Z = sp.IndexedBase("Z")
N, I = sp.symbols("n i", integer=True)


def test_an_untaken_branch_that_overflows_is_found_and_masked():
    """ELU as derived warns on the grid (expm1(1000) in the branch z > 0 does not take); its
    masked form does not, and has the same certificate."""
    x = Z[N, I]
    elu = sp.Piecewise((x, x > 0), (expm1(x), True))
    assert certify.warns(elu, "float64", {})
    masked = branches.taken_branches(elu)
    assert masked == sp.Piecewise((x, x > 0), (expm1(sp.Min(x, 0)), True))
    assert not certify.warns(masked, "float64", {})
    for dtype in ("float32", "float64"):
        assert certify.check(masked, dtype, {}).ok


def test_the_quiet_form_is_what_certification_returns():
    x = z
    line, certificate, notes = rewrites.certified(
        sp.Piecewise((x, x > 0), (expm1(x), True)), "float64", {}
    )
    assert certificate.ok and not certify.warns(line, "float64", {})
    assert rewrites.note(branches.taken_branches) in notes


def test_a_true_overflow_is_not_clamped_away():
    """e^z at z = 1000 is inf exactly: no rewrite may make it finite to silence NumPy."""
    line, certificate, _ = rewrites.certified(sp.exp(z), "float64", {})
    assert line == sp.exp(z) and certificate.ok


def test_float32_caps_the_exponent_below_its_own_overflow():
    """e^690 overflows float32 (its limit is about e^88): TanhExp there takes e^{min(z, 80)}."""
    line, certificate, _ = rewrites.certified(z * sp.tanh(sp.exp(z)), "float32", {})
    assert certificate.ok and line.has(stable.exp_clamped_single)
    assert not certify.warns(line, "float32", {})
