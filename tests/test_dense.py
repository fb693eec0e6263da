"""derive.builtins.dense: the dense layer and the mini-batch form.

Symbolic: each result equals an expression built here independently. Numeric: the results,
evaluated at concrete values, agree with central differences of a NumPy forward pass written
here (the project's evaluator is not used).
"""

import numpy as np
import pytest
import sympy as sp

from derive import registry
from derive.builtins.dense import Delta, H, g, zprev
from derive.symbols import L, Wm, bv, deltav, hv, i, j, k, m, n_in, n_out

n = sp.Symbol("n", integer=True, positive=True)  # the example index of the batch

N_OUT, N_IN, M = 3, 2, 4
EPS = 1e-6


DW = sp.Derivative(L, Wm[i, j])
DB = sp.Derivative(L, bv[i])
DH = sp.Derivative(L, hv[j])
DZPREV = sp.Derivative(L, zprev[j])


def chain(name, lhs):
    """The chain of a registered derivation that computes ``lhs`` (titles are for display)."""
    (found,) = [c for c in registry.get(name).chains if c.lhs == lhs]
    return found


def same(a, b):
    """Structurally equal, or equal after simplification."""
    return a == b or sp.simplify(a - b) == 0


# --- symbolic: the results are the textbook formulas ----------------------------------------


def test_dense_verifies():
    dense = registry.get("dense")
    assert dense.verified
    assert all(check.passed for check in dense.checks)
    # two independent cross-checks (direct, finite differences) per result
    assert len(dense.checks) == 2 * len(dense.chains)


def test_weight_gradient_is_delta_h_transpose():
    weights = chain("dense", DW)
    assert weights.result == deltav[i] * hv[j]


def test_bias_gradient_is_delta():
    biases = chain("dense", DB)
    assert biases.result == deltav[i]


def test_input_gradient_is_w_transpose_delta():
    layer_input = chain("dense", DH)
    assert same(layer_input.result, sp.Sum(Wm[k, j] * deltav[k], (k, 1, n_out)))


def test_delta_of_the_layer_below_multiplies_by_g_prime():
    below = chain("dense", DZPREV)
    expected = sp.Sum(Wm[k, j] * deltav[k], (k, 1, n_out)) * sp.Derivative(g(zprev[j]), zprev[j])
    assert same(below.result, expected)


def test_matrix_forms():
    texts = {c.lhs: c.matrix_form_text for c in registry.get("dense").chains}
    assert texts == {DW: "δ hᵀ", DB: "δ", DH: "Wᵀ δ", DZPREV: "(Wᵀ δ) ⊙ g′(z_prev)"}
    assert chain("dense", DW).matrix_form == r"\delta h^{\top}"


def test_batch_weight_gradient_is_the_mean_over_examples():
    weights = chain("batch", DW)
    assert same(weights.result, sp.Sum(Delta[n, i] * H[n, j], (n, 1, m)) / m)
    assert weights.matrix_form_text == "(1/m) Δᵀ H"


def test_batch_bias_gradient_is_the_mean_over_examples():
    biases = chain("batch", DB)
    assert same(biases.result, sp.Sum(Delta[n, i], (n, 1, m)) / m)
    assert biases.matrix_form_text.startswith("(1/m) Σ_n Δ_n")


def test_batch_verifies_with_its_one_over_m_once():
    batch = registry.get("batch")
    assert batch.verified and all(check.passed for check in batch.checks)
    for c in (chain("batch", DW), chain("batch", DB)):
        # 1/m appears exactly once in each parameter gradient: as a factor outside the sum
        assert c.result.as_coeff_Mul()[0] == 1
        assert sp.Pow(m, -1) in sp.Mul.make_args(c.result)


# --- numeric: an independent NumPy forward pass and finite differences -----------------------


@pytest.fixture(scope="module")
def layer():
    """W (3×2), h, b and the upstream loss L(z) = Σ a_k z_k + ½ c_k z_k², in NumPy."""
    rng = np.random.default_rng(2024)
    return {
        "W": rng.normal(size=(N_OUT, N_IN)),
        "h": rng.normal(size=N_IN),
        "b": rng.normal(size=N_OUT),
        "a": rng.normal(size=N_OUT),
        "c": rng.normal(size=N_OUT),
        "zprev": rng.normal(size=N_IN),
    }


def loss(W, h, b, a, c):
    z = W @ h + b
    return float(np.sum(a * z + 0.5 * c * z**2))


def central(f, x):
    """Central differences of the scalar function f at the array x (same shape as x)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += EPS
        minus[index] -= EPS
        grad[index] = (f(plus) - f(minus)) / (2 * EPS)
    return grad


def numbers(expr, arrays, sizes):
    """expr with concrete sizes and every Indexed entry replaced by the given array's value."""
    expr = expr.xreplace(sizes).doit()
    swap = {}
    for atom in expr.atoms(sp.Indexed):
        array = arrays[atom.base]
        swap[atom] = sp.Float(array[tuple(int(ix) - 1 for ix in atom.indices)], 30)
    return float(expr.xreplace(swap))


def as_matrix(expr, shape, arrays, sizes, indices=(i, j)):
    out = np.zeros(shape)
    for index in np.ndindex(shape):
        subs = {ix: sp.Integer(v + 1) for ix, v in zip(indices, index, strict=False)}
        out[index] = numbers(expr.xreplace(subs), arrays, sizes)
    return out


def test_delta_h_transpose_agrees_with_finite_differences(layer):
    W, h, b, a, c = (layer[key] for key in "W h b a c".split())
    delta = a + c * (W @ h + b)  # ∂L/∂z, by hand
    arrays = {deltav: delta, hv: h, Wm: W}
    sizes = {n_out: N_OUT, n_in: N_IN}

    dW = as_matrix(chain("dense", DW).result, (N_OUT, N_IN), arrays, sizes)
    np.testing.assert_allclose(dW, central(lambda w: loss(w, h, b, a, c), W), rtol=1e-7)

    db = as_matrix(chain("dense", DB).result, (N_OUT,), arrays, sizes)
    np.testing.assert_allclose(db, central(lambda v: loss(W, h, v, a, c), b), rtol=1e-7)

    dh = as_matrix(chain("dense", DH).result, (N_IN,), arrays, sizes, indices=(j,))
    np.testing.assert_allclose(dh, central(lambda v: loss(W, v, b, a, c), h), rtol=1e-7)


def test_delta_of_the_layer_below_agrees_with_finite_differences(layer):
    W, b, a, c, zp = (layer[key] for key in "W b a c zprev".split())
    h = np.tanh(zp)
    delta = a + c * (W @ h + b)
    expr = chain("dense", DZPREV).result.replace(g, sp.tanh)
    arrays = {deltav: delta, Wm: W, zprev: zp}
    got = as_matrix(expr, (N_IN,), arrays, {n_out: N_OUT}, indices=(j,))
    want = central(lambda v: loss(W, np.tanh(v), b, a, c), zp)
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_batch_gradients_agree_with_finite_differences_of_the_mean_loss(layer):
    rng = np.random.default_rng(7)
    W, b, a, c = (layer[key] for key in "W b a c".split())
    X = rng.normal(size=(M, N_IN))  # examples as rows

    def mean_loss(W, b):
        Z = X @ W.T + b
        return float(np.mean(np.sum(a * Z + 0.5 * c * Z**2, axis=1)))

    Deltas = a + c * (X @ W.T + b)  # Δ_nk = ∂ℓ_n/∂Z_nk, per example (no 1/m)
    arrays = {Delta: Deltas, H: X}
    sizes = {m: M, n_out: N_OUT, n_in: N_IN}
    dW = as_matrix(chain("batch", DW).result, (N_OUT, N_IN), arrays, sizes)
    np.testing.assert_allclose(dW, central(lambda w: mean_loss(w, b), W), rtol=1e-7)
    db = as_matrix(chain("batch", DB).result, (N_OUT,), arrays, sizes)
    np.testing.assert_allclose(db, central(lambda v: mean_loss(W, v), b), rtol=1e-7)
    # and the matrix forms the chains state: (1/m) Δᵀ H and column sums / m
    np.testing.assert_allclose(dW, Deltas.T @ X / M, rtol=1e-12)
    np.testing.assert_allclose(db, Deltas.sum(axis=0) / M, rtol=1e-12)
