"""derive.numeric: the vectorised evaluator against NumPy, and the lazy Definitions."""

import numpy as np
import pytest
import sympy as sp

from derive.functions import relu, sigmoid
from derive.numeric import Definitions, EvaluationError, evaluate

x, y = sp.symbols("x y", real=True)
u = sp.IndexedBase("u")
i, j = sp.symbols("i j", integer=True)

RNG = np.random.default_rng(42)
X = np.concatenate([RNG.uniform(-3, 3, 20), [0.0, -0.0, 1.0, -1.0]])
Y = np.concatenate([RNG.uniform(0.5, 2, 20), [2.0, 0.7, 1.0, 3.0]])
VALUES = {x: X, y: Y}


def np_sigmoid(v):
    return 1 / (1 + np.exp(-v))


@pytest.mark.parametrize(
    "expr, expected",
    [
        (x + y + 3, X + Y + 3),
        (2 * x * y, 2 * X * Y),
        (x - y, X - Y),
        (x / y, X / Y),
        (y**3, Y**3),
        (y ** sp.Rational(1, 2), np.sqrt(Y)),
        (sp.sqrt(y), np.sqrt(Y)),
        (y**x, Y**X),
        (y**-2, Y**-2.0),
        (sp.exp(x), np.exp(X)),
        (sp.log(y), np.log(Y)),
        (sp.tanh(x), np.tanh(X)),
        (sp.cosh(x) * sp.sinh(y), np.cosh(X) * np.sinh(Y)),
        (sp.sin(x) + sp.cos(y), np.sin(X) + np.cos(Y)),
        (sp.Abs(x), np.abs(X)),
        (sigmoid(x), np_sigmoid(X)),
        (relu(x), np.maximum(X, 0.0)),
        (sp.pi * x + sp.E, np.pi * X + np.e),
        (sp.Rational(1, 3) * x, X / 3),
        (sp.Max(x, y, 1), np.maximum(np.maximum(X, Y), 1.0)),
        (sp.Min(x, 0), np.minimum(X, 0.0)),
        (sp.Piecewise((x, x < 0), (x**2, True)), np.where(X < 0, X, X**2)),
        (
            sp.Piecewise((x, (x > 0) & (y > 1)), (2 * x, x > 0), (3 * y, True)),
            np.where((X > 0) & (Y > 1), X, np.where(X > 0, 2 * X, 3 * Y)),
        ),
        (
            sp.Piecewise((y, (x < -1) | (x > 1)), (-y, ~(x > 0)), (x, True)),
            np.where((X < -1) | (X > 1), Y, np.where(~(X > 0), -Y, X)),
        ),
    ],
)
def test_evaluate_matches_numpy(expr, expected):
    got = evaluate(expr, VALUES)
    np.testing.assert_allclose(np.broadcast_to(got, X.shape), expected, rtol=1e-13, atol=1e-15)


def test_a_number_evaluates_to_a_float():
    assert evaluate(sp.Rational(3, 4), {}) == 0.75
    assert evaluate(sp.Integer(-2), VALUES) == -2.0


def test_sigmoid_is_stable_for_large_arguments():
    values = {x: np.array([-800.0, -40.0, 0.0, 40.0, 800.0])}
    got = evaluate(sigmoid(x), values)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, [0.0, np.exp(-40.0) / (1 + np.exp(-40.0)), 0.5, 1.0, 1.0])


def test_heaviside_takes_its_value_at_zero_from_the_second_argument():
    values = {x: np.array([-2.0, 0.0, 3.0])}
    np.testing.assert_array_equal(evaluate(sp.Heaviside(x), values), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(evaluate(sp.Heaviside(x, 0), values), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(evaluate(sp.Heaviside(x, 1), values), [0.0, 1.0, 1.0])


def test_relu_derivative_is_zero_at_zero():
    values = {x: np.array([-1.0, 0.0, 2.0])}
    np.testing.assert_array_equal(evaluate(sp.diff(relu(x), x), values), [0.0, 0.0, 1.0])


def test_kronecker_delta_of_values():
    values = {x: np.array([1.0, 2.0, 3.0]), y: np.array([1.0, 3.0, 3.0])}
    np.testing.assert_array_equal(evaluate(sp.KroneckerDelta(x, y), values), [1.0, 0.0, 1.0])
    # concrete indices are decided by SymPy itself; the evaluator sees 0 or 1
    assert evaluate(sp.KroneckerDelta(i, j).subs({i: 2, j: 2}), {}) == 1.0


def test_indexed_entries_are_atoms():
    values = {u[1]: np.array([1.0, 2.0]), u[2]: np.array([3.0, 5.0])}
    np.testing.assert_allclose(evaluate(u[1] * sp.exp(u[2]), values), [np.exp(3.0), 2 * np.exp(5)])


def test_negative_base_to_a_fractional_power_is_nan_not_an_error():
    got = evaluate(x ** sp.Rational(1, 2), {x: np.array([-1.0, 4.0])})
    assert np.isnan(got[0]) and got[1] == 2.0


def test_a_piecewise_without_a_matching_branch_is_nan():
    got = evaluate(sp.Piecewise((2 * x, x > 0)), {x: np.array([-1.0, 1.0])})
    assert np.isnan(got[0]) and got[1] == 2.0


def test_a_piecewise_with_constant_branches():
    got = evaluate(sp.Piecewise((1, x > 0), (2, True)), {x: np.array([-1.0, 1.0])})
    np.testing.assert_array_equal(got, [2.0, 1.0])


def test_a_function_without_a_numeric_form_is_rewritten_or_rejected():
    # coth has no entry, but rewrites to exponentials
    got = evaluate(sp.coth(x), {x: np.array([0.5, 2.0])})
    np.testing.assert_allclose(got, 1 / np.tanh([0.5, 2.0]))
    with pytest.raises(EvaluationError):
        evaluate(sp.Function("f")(x), {x: np.array([1.0])})


# --- lazy Definitions ------------------------------------------------------------------------

A, B, C = sp.symbols("A B C", real=True)


def test_a_chain_of_definitions_is_evaluated_through():
    definitions = {A: B**2 + 1, B: sp.exp(C), C: 2 * x}
    values = {x: X}
    got = evaluate(A, values, Definitions(definitions, values))
    np.testing.assert_allclose(got, np.exp(2 * X) ** 2 + 1, rtol=1e-13)


def test_indexed_definitions_and_sums_are_evaluated_lazily():
    p = sp.IndexedBase("p")
    l = sp.Symbol("l", integer=True)
    definitions = {p: lambda r: sp.exp(u[r]) / sp.Sum(sp.exp(u[l]), (l, 1, 3))}
    values = {u[r]: RNG.normal(size=5) for r in (1, 2, 3)}
    env = Definitions(definitions, values)
    stacked = np.stack([values[u[r]] for r in (1, 2, 3)])
    softmax = np.exp(stacked) / np.exp(stacked).sum(axis=0)
    np.testing.assert_allclose(evaluate(p[2], values, env), softmax[1], rtol=1e-13)
    total = evaluate(sp.Sum(p[l], (l, 1, 3)), values, env)
    np.testing.assert_allclose(total, np.ones(5), rtol=1e-13)


def test_defined_quantities_are_memoised():
    definitions = {A: sp.exp(x), B: A + A**2}
    values = {x: np.array([0.0, 1.0])}
    env = Definitions(definitions, values)
    first = evaluate(B, values, env)
    np.testing.assert_allclose(first, [2.0, np.e + np.e**2])
    assert A in env.memo and B in env.memo
    # a memoised value is reused, not recomputed: planting another proves it is read back
    env.memo[A] = np.array([10.0, 10.0])
    np.testing.assert_allclose(evaluate(A * 2, values, env), [20.0, 20.0])
    # a fresh environment recomputes from the definitions
    np.testing.assert_allclose(
        evaluate(A * 2, values, Definitions(definitions, values)), [2.0, 2 * np.e]
    )


def test_leaves_are_the_undefined_atoms_an_expression_depends_on():
    p = sp.IndexedBase("p")
    l = sp.Symbol("l", integer=True)
    definitions = {
        A: B + sp.Sum(p[l], (l, 1, 2)),
        B: 3 * x,
        p: lambda r: u[r] * y,
    }
    env = Definitions(definitions, {})
    assert env.leaves(A) == {x, y, u[1], u[2]}
    assert env.leaves(B * C) == {x, C}
    assert env.leaves(sp.Derivative(A, x)) == {x, y, u[1], u[2]}
    assert env.leaves(sp.Integer(3)) == set()


def test_derivative_by_five_point_differences_is_accurate():
    definitions = {A: sp.exp(B), B: 2 * x}
    values = {x: np.linspace(-2.0, 2.0, 9)}
    env = Definitions(definitions, values)
    got = evaluate(sp.Derivative(A, x), values, env)
    np.testing.assert_allclose(got, 2 * np.exp(2 * values[x]), rtol=1e-9, atol=0)


def test_derivative_of_exp_to_1e_9():
    values = {x: np.array([-1.5, 0.0, 0.3, 2.0])}
    env = Definitions({A: sp.exp(x)}, values)
    got = env.derivative(sp.Derivative(A, x))
    np.testing.assert_allclose(got, np.exp(values[x]), rtol=1e-9, atol=0)


def test_derivative_with_respect_to_an_indexed_entry():
    definitions = {A: u[1] ** 3 * u[2]}
    values = {u[1]: np.array([0.5, -1.0]), u[2]: np.array([2.0, 3.0])}
    got = evaluate(sp.Derivative(A, u[1]), values, Definitions(definitions, values))
    np.testing.assert_allclose(got, 3 * values[u[1]] ** 2 * values[u[2]], rtol=1e-9)


def test_a_derivative_the_differences_cannot_take_is_an_error():
    values = {x: np.array([1.0])}
    env = Definitions({A: x**2}, values)
    with pytest.raises(EvaluationError):
        env.derivative(sp.Derivative(A, x, 2))  # second derivative
    with pytest.raises(EvaluationError):
        env.derivative(sp.Derivative(A, y))  # y has no values


def test_differences_across_a_kink_are_marked_not_smooth():
    x = sp.Symbol("x", real=True)
    f = sp.Symbol("f", real=True)
    values = {x: np.array([1e-4, 0.5, -0.7])}
    env = Definitions({f: sp.Max(0, x)}, values)
    got = evaluate(sp.Derivative(f, x), values, env)
    assert np.isnan(got[0])  # |x| < ε: the stencil straddles the kink
    assert np.allclose(got[1:], [1.0, 0.0])


def test_a_kink_with_a_small_slope_jump_is_marked_not_smooth():
    # the kink of 1e-7·max(0, x - c) moves the estimates by ~1e-8: far less than a unit kink,
    # yet enough to fail a check at rtol 1e-7 of a derivative near 0.07 (a deep ReLU unit)
    x = sp.Symbol("x", real=True)
    f = sp.Symbol("f", real=True)
    c = 0.3
    values = {x: np.array([c + 3e-4, c - 1e-3, 0.9])}
    env = Definitions({f: 0.035 * x**2 + sp.Rational(1, 10_000_000) * sp.Max(0, x - c)}, values)
    got = evaluate(sp.Derivative(f, x), values, env)
    assert np.isnan(got[:2]).all()  # the stencils straddle the kink
    assert got[2] == pytest.approx(0.07 * 0.9 + 1e-7, rel=1e-9)


def test_smooth_functions_are_not_marked_across_magnitudes():
    x = sp.Symbol("x", real=True)
    f = sp.Symbol("f", real=True)
    values = {x: np.linspace(-3.0, 3.0, 25)}
    for scale in (1e-6, 1.0, 1e3):
        env = Definitions({f: scale * sp.exp(x) * sp.sin(3 * x)}, values)
        got = evaluate(sp.Derivative(f, x), values, env)
        want = scale * np.exp(values[x]) * (np.sin(3 * values[x]) + 3 * np.cos(3 * values[x]))
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-9 * scale)
