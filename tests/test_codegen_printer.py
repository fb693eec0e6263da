"""Exact output of the index-notation printer: each lowering pattern, and how it composes."""

import numpy as np
import pytest
import sympy as sp

from codegen.printer import IndexPrintingError, NumPyIndexPrinter, print_array
from codegen.stable import log_softmax, logsumexp, softmax, softplus
from derive.functions import relu, sigmoid

D, H, W, b, A, dA, Y, Z, X, C = (sp.IndexedBase(name) for name in "D H W b A dA Y Z X C".split())
n, i, j, k, r, l, m, K = sp.symbols("n i j k r l m K", integer=True, positive=True)
row = sp.Tuple(k, 1, K)


@pytest.mark.parametrize(
    "expr, axes, code",
    [
        # matrix products, with the transposes the axes ask for
        (sp.Sum(D[n, i] * H[n, j], (n, 1, m)), (i, j), "D.T @ H"),
        (sp.Sum(D[r, k] * W[k, j], (k, 1, K)), (r, j), "D @ W"),
        (sp.Sum(H[n, k] * W[i, k], (k, 1, K)) + b[i], (n, i), "H @ W.T + b"),
        (sp.Sum(D[n, i] * H[n, j], (n, 1, m)), (j, i), "H.T @ D"),
        (sp.Sum(W[k, j] * D[k], (k, 1, K)), (j,), "D @ W"),
        (sp.Sum((D[n, k] * A[n, k]) * W[k, j], (k, 1, K)), (n, j), "(A * D) @ W"),
        # one operand summed
        (sp.Sum(D[n, i], (n, 1, m)), (i,), "D.sum(axis=0)"),
        (sp.Sum(D[n, i], (n, 1, m)) / m, (i,), "D.sum(axis=0) / m"),
        (sp.Sum(Y[n, k] * Z[n, k], (k, 1, K)), (n,), "(Y * Z).sum(axis=1)"),
        (sp.Sum(Y[n, k] * Z[n, k], (k, 1, K), (n, 1, m)), (), "(Y * Z).sum()"),
        # other contractions
        (sp.Sum(D[n, k] * A[n, k] * C[k, j], (k, 1, K)), (n, j), "(A * D) @ C"),
        (sp.Sum(D[n, k] * X[n, k, j], (k, 1, K)), (n, j), 'np.einsum("nk,nkj->nj", D, X)'),
        (sp.Sum(D[k] * C[n, k] * W[k, j], (k, 1, K)), (n, j), 'np.einsum("k,nk,kj->nj", D, C, W)'),
        (
            sp.Sum(D[n, i] * H[n, j] * X[n, k], (n, 1, m)),
            (i, j, k),
            'np.einsum("ni,nj,nk->ijk", D, H, X)',
        ),
        # factors free of the summation index leave the sum
        (sp.Sum(W[k, j] * D[n, k], (k, 1, K)) * A[n, j], (n, j), "A * (D @ W)"),
        (-sp.Sum(D[r, k] * W[k, j], (k, 1, K)), (r, j), "-(D @ W)"),
        # elementwise, formatted as ruff formats it
        (dA[n, j] * (1 - A[n, j] ** 2), (n, j), "dA * (1 - A**2)"),
        ((A[n, i] - Y[n, i]) / m, (n, i), "(A - Y) / m"),
        ((1 - A[n, i]) * (A[n, i] - Y[n, i]) * A[n, i] / m, (n, i), "A * (1 - A) * (A - Y) / m"),
        (
            sp.Sum((A[n, k] - Y[n, k]) ** 2, (k, 1, K), (n, 1, m)) / (2 * m),
            (),
            "((A - Y) ** 2).sum() / (2 * m)",
        ),
        (sp.tanh(A[n, j]) ** 2, (n, j), "tanh(A) ** 2"),
        (1 / A[n, j] ** 2, (n, j), "1 / A**2"),
        (sp.sqrt(A[n, j]), (n, j), "np.sqrt(A)"),
        (A[n, j] ** sp.Rational(3, 2), (n, j), "A ** (3 / 2)"),
        (Z[n, j] / 100, (n, j), "Z / 100"),
        (sp.Max(Z[n, j] / 100, Z[n, j]), (n, j), "np.maximum(Z, Z / 100)"),
        (sp.Abs(Z[n, j]), (n, j), "np.abs(Z)"),
        (relu(Z[n, j]), (n, j), "np.maximum(Z, 0)"),
        # relu′ and friends, as comparisons
        (dA[n, j] * sp.Heaviside(A[n, j], 0), (n, j), "dA * (A > 0)"),
        (sp.Heaviside(A[n, j], 1), (n, j), "(A >= 0)"),
        (sp.Heaviside(-99 * Z[n, j] / 100), (n, j), "np.heaviside(-Z, 0.5)"),
        # broadcasting lower-rank operands
        (A[n, j] + b[j], (n, j), "A + b"),
        (A[n, j] + C[n, k], (n, j, k), "A[:, :, None] + C[:, None]"),
        (W[k, j] * D[k], (j, k), "D * W.T"),
        # stable primitives print through their own methods
        (softplus(-Z[n, j]), (n, j), "np.logaddexp(0, -Z)"),
        (sigmoid(Z[n, j]), (n, j), "sigmoid(Z)"),
        (logsumexp(Z[n, l], sp.Tuple(l, 1, K)) - Z[n, i], (n, i), "logsumexp(Z)[:, None] - Z"),
        (softmax(Z[n, i], sp.Tuple(i, 1, K)), (n, i), "np.exp(Z - logsumexp(Z)[:, None])"),
        (
            -sp.Sum(Y[n, k] * log_softmax(Z[n, k], row), (k, 1, K), (n, 1, m)) / m,
            (),
            "-(Y * (Z - logsumexp(Z)[:, None])).sum() / m",
        ),
    ],
)
def test_exact_output(expr, axes, code):
    assert print_array(expr, axes) == code


def test_helpers_are_collected_like_module_imports():
    printer = NumPyIndexPrinter()
    printer.print_array(sigmoid(Z[n, i]) + logsumexp(Z[n, l], sp.Tuple(l, 1, K)), (n, i))
    assert printer.helpers == {"sigmoid", "logsumexp"}


def test_free_indices_must_be_output_axes():
    with pytest.raises(IndexPrintingError, match="free indices j"):
        print_array(D[n, j], (n,))


def test_functions_without_a_numpy_form_are_errors():
    with pytest.raises(IndexPrintingError, match="no NumPy form"):
        print_array(sp.gamma(Z[n, i]), (n, i))
    with pytest.raises(IndexPrintingError, match="no NumPy form"):
        print_array(sp.Function("g")(Z[n, i]), (n, i))


def test_printed_code_computes_the_contraction():
    rng = np.random.default_rng(0)
    arrays = {
        "D": rng.normal(size=(5, 3)),
        "H": rng.normal(size=(5, 4)),
        "W": rng.normal(size=(3, 4)),
    }
    arrays.update(b=rng.normal(size=3), np=np)
    forward = eval(print_array(sp.Sum(H[n, k] * W[i, k], (k, 1, K)) + b[i], (n, i)), arrays)  # noqa: S307
    assert np.allclose(forward, np.einsum("nk,ik->ni", arrays["H"], arrays["W"]) + arrays["b"])
    weights = eval(print_array(sp.Sum(D[n, i] * H[n, j], (n, 1, m)), (i, j)), arrays)  # noqa: S307
    assert np.allclose(weights, np.einsum("ni,nj->ij", arrays["D"], arrays["H"]))
