"""The grid check of a softmax layer's Δ on rows of logits (codegen/certify_rows.py): the
lecture's P − Y fails where the top p is near 1, its row rewrite passes, in both dtypes."""

import numpy as np
import pytest
import sympy as sp

from codegen import certify, certify_rows, stability
from codegen.generate import generate, load_module
from codegen.rewrites import note, softmax_complement
from codegen.softmax_rows import softmax_minus_target

P, Y = sp.IndexedBase("P"), sp.IndexedBase("Y")
n, i, k = sp.symbols("n i k", integer=True, positive=True)
DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_p_minus_y_fails_the_rows_and_its_rewrite_passes(dtype):
    naive = P[n, i] - Y[n, i]
    bad = certify_rows.check(naive, dtype)
    assert not bad.ok and bad.bad > 0
    assert "[8, " in bad.failures[0]  # 1 − p ≈ 1e-4 at z = 8 already loses digits
    line, certificate, notes = certify_rows.certified(naive, dtype)
    assert line == softmax_minus_target(P[n, i], Y[n, i])
    assert certificate.ok and certificate.points == 3 * 3 * len(certify.Z_GRID)
    assert certificate.worst < 0.5  # well inside the tolerance, not at its edge
    assert notes == (note(softmax_complement),)


def test_rows_reach_a_thousand_with_each_one_hot_target():
    Z, targets = certify_rows.rows("float64")
    assert np.abs(Z).max() == 1000
    assert np.all(targets.sum(axis=1) == 1) and targets.sum(axis=0).tolist() == [len(Z) / 3] * 3


def test_a_line_reading_the_whole_row_is_not_certified_here():
    row = P[n, i] * (P[n, i] - Y[n, i] - sp.Sum(P[n, k] ** 2, (k, 1, sp.Symbol("K"))))
    with pytest.raises(certify.NotCertifiable):
        certify_rows.check(row, "float64")
    _, checked = stability.output_delta(row, None, "float64", "output")
    assert checked.certificate is None and "softmax rows" in checked.skipped


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_softmax_module_states_the_certificate_and_matches_in_its_dtype(dtype):
    spec = {
        "name": "rows",
        "inputs": 1,
        "dtype": dtype,
        "layers": [],
        "output": {"units": 3, "activation": "softmax", "loss": "cross-entropy"},
    }
    source, warnings = generate(spec)
    assert not warnings
    assert (
        "output: Δ = ∂ℓ/∂z (softmax-ce) on softmax rows of 3 logits: accurate at 603 points"
        in source
    )
    assert "delta1 = softmax_minus_target(A1, Y) / m" in source
    module = load_module(spec)
    Z = np.array([[30.0, -11.9, 8.8]], dtype=dtype)  # 1 − p ≈ 6e-10 at the target
    params = {"W1": Z.reshape(3, 1).copy(), "b1": np.zeros(3, dtype=dtype)}
    _, grads = module.gradients(params, np.ones((1, 1), dtype=dtype), np.eye(3, dtype=dtype)[:1])
    complement = np.exp(-11.9 - 30) + np.exp(8.8 - 30)
    want = np.array([-complement, np.exp(-11.9 - 30), np.exp(8.8 - 30)]) / (1 + complement)
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(grads["b1"], want, rtol=100 * eps * 30, atol=0)
