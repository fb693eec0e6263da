"""The softmax_minus_target primitive and its NumPy helper (codegen/softmax_rows.py): P − Y of
softmax rows, measured against mpmath where the row's top p is within ulps of 1."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from codegen.inplace import print_into
from codegen.printer import print_array
from codegen.softmax_rows import SOFTMAX_MINUS_TARGET_SOURCE, softmax_minus_target
from codegen.stable import NUMPY_HELPERS

P, Y = sp.IndexedBase("P"), sp.IndexedBase("Y")
n, i = sp.symbols("n i", integer=True, positive=True)


def _helpers():
    namespace = {"np": np}
    exec(NUMPY_HELPERS["logsumexp"], namespace)  # noqa: S102 - our own source
    exec(SOFTMAX_MINUS_TARGET_SOURCE, namespace)  # noqa: S102
    return namespace


def _exact(Z, Y_rows):
    """p − y of each row with mpmath, at the (rounded) logits Z."""
    out = np.empty(Z.shape)
    with mpmath.workdps(400):
        for r, row in enumerate(Z):
            z = [mpmath.mpf(float(v)) for v in row]
            weights = [mpmath.exp(v - max(z)) for v in z]
            total = mpmath.fsum(weights)
            out[r] = [float(w / total - float(t)) for w, t in zip(weights, Y_rows[r], strict=True)]
    return out


@pytest.mark.parametrize(("dtype", "ulps"), [("float64", 40), ("float32", 40)])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_the_helper_is_accurate_where_p_is_near_one(dtype, ulps, scale):
    rng = np.random.default_rng(0)
    Z = (rng.normal(size=(40, 5)) * scale).astype(dtype)
    Z[:, 0] += scale  # a confident row: its top p within ulps of 1 for scale ≥ 30
    hot = np.eye(5)[rng.integers(0, 5, 40)]
    soft = rng.dirichlet(np.ones(5), 40)
    namespace = _helpers()
    P = np.exp(Z - namespace["logsumexp"](Z)[:, None])
    for targets in (hot.astype(dtype), soft := soft.astype(dtype)):
        got = namespace["softmax_minus_target"](P, targets)
        want = _exact(Z, targets)
        # one-hot: relative to p − y itself; soft targets may cancel, so relative to p + y
        size = np.abs(want) if targets is not soft else np.abs(want + targets) + targets
        # the module's P carries exp's rounding of z − lse: |z|·ε relative, κ in the logits
        eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).tiny
        bound = ulps * eps * (1 + 2 * np.abs(Z.astype(float)).max()) * size + tiny
        assert got.dtype == np.dtype(dtype)
        assert np.all(np.abs(got - want) <= bound), (dtype, scale)


def test_the_naive_difference_is_not_and_out_is_written_in_place():
    Z = np.array([[30.0, -11.9, 8.8], [1000.0, -399.9, 299.8]])
    Y_rows = np.eye(3)[[0, 0]]
    namespace = _helpers()
    P = np.exp(Z - namespace["logsumexp"](Z)[:, None])
    want = _exact(Z, Y_rows)
    naive = P - Y_rows
    assert abs(naive[0, 0] / want[0, 0] - 1) > 1e-8  # 1 − p rounded where p ≈ 1 − 6e-10
    assert naive[1, 0] == 0 and want[1, 0] != 0
    out = np.full_like(P, np.nan)
    result = namespace["softmax_minus_target"](P, Y_rows, out=out)
    assert result is out
    np.testing.assert_allclose(out, want, rtol=1e-13, atol=0)


def test_the_primitive_is_p_minus_y_and_prints_as_the_helper():
    line = softmax_minus_target(P[n, i], Y[n, i])
    assert line.rewrite(sp.exp) == P[n, i] - Y[n, i]
    assert sp.diff(line, P[n, i]) == 1 and sp.diff(line, Y[n, i]) == -1
    assert print_array(line / sp.Symbol("m"), (n, i)) == "softmax_minus_target(P, Y) / m"
    assert print_into(line * sp.Rational(1, 4), (n, i), "D") == (
        "softmax_minus_target(P, Y, out=D)",
        "D *= 1 / 4",
    )
