"""Stable primitives: each rewrite is an identity, each derivative is the definition's, and the
printed NumPy stays finite where the naive formula overflows."""

import warnings

import numpy as np
import pytest
import sympy as sp

from codegen import stable
from codegen.stable import (
    NUMPY_HELPERS,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
    stabilise,
)
from derive.builtins.softmax import softmax_entry
from derive.numeric import evaluate
from derive.symbols import K, i, j, k, l, zv

x = sp.Symbol("x", real=True)
POINTS = {x: np.linspace(-6.0, 6.0, 25)}


def same_values(a, b, values=POINTS):
    return np.allclose(evaluate(a, values), evaluate(b, values), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "rule, naive, stable_form",
    [
        (stable.softplus_from_log, sp.log(1 + sp.exp(x)), softplus(x)),
        (stable.sigmoid_from_exp, 1 / (1 + sp.exp(-x)), sigmoid(x)),
        (stable.sigmoid_from_exp, (1 + sp.exp(x)) ** -2, sigmoid(-x) ** 2),
        (stable.sigmoid_absorbs_exp, sp.exp(x) * sigmoid(-x), sigmoid(x)),
        (stable.log_sigmoid, sp.log(sigmoid(x)), -softplus(-x)),
        (stable.log_one_minus_sigmoid, sp.log(1 - sigmoid(x)), -softplus(x)),
    ],
    ids=lambda v: v.__name__ if callable(v) and not isinstance(v, sp.Basic) else None,
)
def test_each_rule_rewrites_to_an_equal_stable_form(rule, naive, stable_form):
    assert rule(naive) == stable_form
    assert same_values(naive, stable_form)


def test_log_of_a_softmax_entry_becomes_z_minus_logsumexp():
    entry = stable.softmax_from_exp(softmax_entry(k))
    assert entry == softmax(zv[k], sp.Tuple(k, 1, K))
    rewritten = stable.log_softmax_from_log(sp.log(entry))
    assert rewritten == log_softmax(zv[k], sp.Tuple(k, 1, K))
    assert rewritten.definition() == zv[k] - logsumexp(zv[l], sp.Tuple(l, 1, K))


def test_rules_work_inside_larger_expressions():
    """The pitfall of after-the-fact pattern matching: something sitting in between."""
    y = sp.Symbol("y", real=True)
    bce = -y * sp.log(sigmoid(x)) - (1 - y) * sp.log(1 - sigmoid(x))
    assert stabilise(bce) == y * softplus(-x) + (1 - y) * softplus(x)
    mish_slope = sp.diff(x * sp.tanh(sp.log(1 + sp.exp(x))), x)
    stable_slope = stabilise(mish_slope)
    assert not stable_slope.has(sp.exp) and same_values(mish_slope, stable_slope)


def test_stabilise_reports_the_rules_it_used():
    fired = []
    stabilise(sp.log(sigmoid(x)) + sp.log(1 - sigmoid(x)), fired)
    assert fired == [stable.log_sigmoid, stable.log_one_minus_sigmoid]
    assert [stable.note(rule) for rule in fired] == [
        "log σ(x) → −softplus(−x)",
        "log(1 − σ(x)) → −softplus(x)",
    ]


def test_primitives_carry_the_derivatives_of_their_definitions():
    assert sp.diff(softplus(x), x) == sigmoid(x)
    row = logsumexp(zv[l], sp.Tuple(l, 1, K))
    slope = sp.diff(row, zv[i]).subs(K, 4).doit()
    softmax_i = softmax_entry(i).subs(K, 4).doit()
    values = {zv[n]: np.array([0.3 * n - 0.5]) for n in range(1, 5)}
    for n in range(1, 5):
        assert np.allclose(
            evaluate(slope.subs(i, n), values), evaluate(softmax_i.subs(i, n), values)
        )


def test_row_functions_bind_or_keep_their_index():
    assert logsumexp(zv[l], sp.Tuple(l, 1, K)).free_symbols == {zv.label, K}
    assert i in log_softmax(zv[i], sp.Tuple(i, 1, K)).free_symbols
    row = sp.Tuple(j, 1, K)
    assert softmax(zv[j], row).definition() == sp.exp(log_softmax(zv[j], row))
    assert softmax(zv[j], row).rewrite(sp.exp) == sp.exp(zv[j]) / sp.Sum(sp.exp(zv[l]), (l, 1, K))


def _helper_module(name) -> dict:
    """The namespace the helper's source defines (its function and any constants)."""
    namespace = {"np": np}
    exec(NUMPY_HELPERS[name], namespace)  # noqa: S102 - our own source
    return namespace


def _helper(name):
    return _helper_module(name)[name]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_helpers_are_finite_and_quiet_at_huge_arguments(dtype):
    logits = np.array([[1000.0, 0.0, -1.0], [-1000.0, -999.0, 5.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            row = _helper("logsumexp")(logits)
            probabilities = _helper("sigmoid")(logits)
            saturated = _helper("tanh")(logits)
    assert row.dtype == dtype and probabilities.dtype == dtype and saturated.dtype == dtype
    assert saturated[0, 0] == 1 and saturated[1, 0] == -1 and saturated[1, 1] == -1
    assert np.allclose(row, [1000.0, 5.0], rtol=1e-6)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert probabilities[0, 0] == 1 and probabilities[1, 0] == 0


def test_helpers_agree_with_the_naive_formulas_where_those_are_fine():
    Z = np.random.default_rng(0).normal(0, 3, size=(8, 5))
    assert np.allclose(_helper("logsumexp")(Z), np.log(np.exp(Z).sum(axis=1)), rtol=1e-14)
    assert np.allclose(_helper("sigmoid")(Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)


@pytest.mark.parametrize("vectorised", [False, True], ids=["exp-form", "np.tanh"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_helper_matches_np_tanh_in_place_and_aliased(dtype, vectorised):
    """Within a few ε of np.tanh everywhere (absolute), written into out, even when out is Z,
    by either route (np.tanh where NumPy's loop is SIMD, else the exp form)."""
    namespace = _helper_module("tanh")
    namespace["_VECTORISED_TANH"] = {"f": vectorised, "d": vectorised}
    tanh = namespace["tanh"]
    Z = np.linspace(-30, 30, 20_001).astype(dtype)
    exact = np.tanh(Z.astype(np.float64))
    out = np.empty_like(Z)
    assert tanh(Z, out=out) is out
    assert np.max(np.abs(out - exact)) <= 4 * np.finfo(dtype).eps
    aliased = Z.copy()
    tanh(aliased, out=aliased)
    np.testing.assert_array_equal(aliased, out)
    assert np.all(np.abs(out) <= 1) and tanh(np.zeros(3, dtype))[0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise"):
            assert list(tanh(np.array([-1000.0, 1000.0], dtype))) == [-1, 1]


def test_tanh_takes_np_tanh_exactly_where_numpy_dispatches_a_simd_loop():
    chosen = _helper_module("tanh")["_VECTORISED_TANH"]
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:  # NumPy 1.x cannot say: always the exp form
        assert chosen == {"f": False, "d": False}
        return
    loops = opt_func_info(func_name="^tanh$")["tanh"]
    for char in "fd":
        assert chosen[char] == (not loops[char * 2]["current"].startswith("baseline"))
