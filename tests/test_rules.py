"""derive.rules: each rewrite rule on small hand-built SymPy inputs, with exact expected outputs."""

import time

import pytest
import sympy as sp

from derive import rules
from derive.functions import sigmoid
from derive.symbols import K, h, i, j, k, l, m, n_in, n_out, pv, yv, z, zv

a = sp.IndexedBase("a")
b = sp.IndexedBase("b")
c = sp.Symbol("c", real=True)
n = sp.Symbol("n", integer=True, positive=True)
delta = sp.KroneckerDelta
S = sp.Sum(sp.exp(zv[l]), (l, 1, K))  # the softmax partition function Σ_l e^{z_l}


# --- split_sums ------------------------------------------------------------------------------


def test_split_sums_takes_a_sum_of_terms_apart_and_constants_out():
    got = rules.split_sums(sp.Sum(c * a[k] + b[k], (k, 1, K)))
    assert got == c * sp.Sum(a[k], (k, 1, K)) + sp.Sum(b[k], (k, 1, K))


def test_split_sums_expands_products_before_splitting():
    got = rules.split_sums(sp.Sum(pv[i] * (a[k] - yv[k]), (k, 1, K)))
    assert got == pv[i] * sp.Sum(a[k], (k, 1, K)) - pv[i] * sp.Sum(yv[k], (k, 1, K))


def test_split_sums_keeps_a_multi_limit_sum_together():
    got = rules.split_sums(sp.Sum(c * a[k, n], (k, 1, K), (n, 1, m)))
    assert got == c * sp.Sum(a[k, n], (k, 1, K), (n, 1, m))


def test_split_sums_counts_the_limits_a_term_does_not_depend_on():
    # Σ_{k,n} c a_k = m · c · Σ_k a_k: n is not in the term, so it contributes its length m
    got = rules.split_sums(sp.Sum(c * a[k], (k, 1, K), (n, 1, m)))
    assert got == m * c * sp.Sum(a[k], (k, 1, K))


def test_split_sums_of_a_term_free_of_every_variable_is_count_times_term():
    assert rules.split_sums(sp.Sum(c, (k, 1, K))) == K * c
    assert rules.split_sums(sp.Sum(c, (k, 1, K), (n, 1, m))) == K * m * c
    # a shifted range: k = 2..K has K - 1 terms
    assert rules.split_sums(sp.Sum(pv[i], (k, 2, K))) == (K - 1) * pv[i]


def test_split_sums_leaves_expressions_without_sums_alone():
    expr = c * a[i] + sp.exp(zv[j])
    assert rules.split_sums(expr) == expr


# --- eliminate_deltas ------------------------------------------------------------------------


def test_a_single_delta_picks_its_term():
    assert rules.eliminate_deltas(sp.Sum(a[k] * delta(k, i), (k, 1, K))) == a[i]
    # either argument order
    assert rules.eliminate_deltas(sp.Sum(a[k] * delta(i, k), (k, 1, K))) == a[i]


def test_two_deltas_in_a_double_sum_pick_both_indices():
    nested = sp.Sum(sp.Sum(a[k, n] * delta(k, i) * delta(n, j), (k, 1, n_out)), (n, 1, n_in))
    assert rules.eliminate_deltas(nested) == a[i, j]
    multi = sp.Sum(a[k, n] * delta(k, i) * delta(n, j), (k, 1, n_out), (n, 1, n_in))
    assert rules.eliminate_deltas(multi) == a[i, j]


def test_a_delta_on_one_limit_of_a_multi_limit_sum_keeps_the_other():
    got = rules.eliminate_deltas(sp.Sum(a[k, n] * delta(k, i), (k, 1, K), (n, 1, m)))
    assert got == sp.Sum(a[i, n], (n, 1, m))


def test_a_delta_between_two_summation_variables_makes_the_diagonal():
    got = rules.eliminate_deltas(sp.Sum(a[k, n] * delta(k, n), (k, 1, K), (n, 1, K)))
    assert got == sp.Sum(a[n, n], (n, 1, K))


def test_a_delta_with_neither_index_summed_stays():
    expr = sp.Sum(a[k] * delta(i, j), (k, 1, K))
    assert rules.eliminate_deltas(expr) == expr


def test_eliminate_deltas_only_touches_terms_with_a_delta():
    got = rules.eliminate_deltas(sp.Sum(a[k] * delta(k, i) + b[k], (k, 1, K)))
    assert got == a[i] + sp.Sum(b[k], (k, 1, K))


def test_eliminate_deltas_keeps_a_constant_factor():
    assert rules.eliminate_deltas(2 * c * sp.Sum(a[k] * delta(i, k), (k, 1, K))) == 2 * c * a[i]


# --- one_hot_sums ----------------------------------------------------------------------------


def test_one_hot_sum_is_one():
    assert rules.one_hot_sums(pv[i] * sp.Sum(yv[k], (k, 1, K)) - yv[i], yv) == pv[i] - yv[i]


def test_one_hot_sums_only_replaces_plain_sums_of_y():
    weighted = sp.Sum(yv[k] * pv[k], (k, 1, K))
    other = sp.Sum(pv[k], (k, 1, K))
    partial = sp.Sum(yv[i], (k, 1, K))  # y_i does not run over the summation index
    two_limits = sp.Sum(yv[k], (k, 1, K), (n, 1, m))
    for expr in [weighted, other, partial, two_limits]:
        assert rules.one_hot_sums(expr, yv) == expr


# --- recognise_softmax -----------------------------------------------------------------------


def test_two_exponentials_over_the_partition_squared_are_two_probabilities():
    got = rules.recognise_softmax(sp.exp(zv[j]) * sp.exp(zv[k]) / S**2, zv, pv)
    assert got == pv[j] * pv[k]


def test_one_exponential_over_the_partition_is_a_probability():
    assert rules.recognise_softmax(sp.exp(zv[i]) / S, zv, pv) == pv[i]
    assert rules.recognise_softmax(-3 * c * sp.exp(zv[i]) / S, zv, pv) == -3 * c * pv[i]


def test_more_exponentials_than_partitions_keeps_the_extra_exponential():
    got = rules.recognise_softmax(sp.exp(zv[i]) * sp.exp(zv[j]) / S, zv, pv)
    assert got == pv[i] * sp.exp(zv[j])


def test_more_partitions_than_exponentials_keeps_a_partition():
    assert rules.recognise_softmax(sp.exp(zv[i]) / S**2, zv, pv) == pv[i] / S


def test_the_softmax_jacobian_numerator_terms_are_recognised():
    raw = sp.exp(zv[i]) * delta(i, j) / S - sp.exp(zv[i]) * sp.exp(zv[j]) / S**2
    assert rules.recognise_softmax(raw, zv, pv) == pv[i] * delta(i, j) - pv[i] * pv[j]


def test_exponentials_that_are_not_softmax_stay():
    other_vector = sp.exp(a[i]) / S  # e^{a_i}, not e^{z_i}
    no_partition = sp.exp(zv[i]) * sp.exp(zv[j])
    other_sum = sp.exp(zv[i]) / sp.Sum(sp.exp(a[l]), (l, 1, K))
    scaled = sp.exp(2 * c * zv[i]) / S  # e^{2c z_i}: not one z entry
    for expr in [other_vector, no_partition, other_sum, scaled, sp.exp(zv[i])]:
        assert rules.recognise_softmax(expr, zv, pv) == expr


def test_a_repeated_exponential_is_a_squared_probability():
    assert rules.recognise_softmax(sp.exp(zv[i]) * sp.exp(zv[i]) / S**2, zv, pv) == pv[i] ** 2


# --- output_form -----------------------------------------------------------------------------


def output_form_of(activation):
    return rules.output_form(sp.diff(activation, z), activation, z, h)


def test_sigmoid_output_form_is_h_one_minus_h():
    assert output_form_of(1 / (1 + sp.exp(-z))) == h * (1 - h)


def test_tanh_output_form_is_one_minus_h_squared():
    assert output_form_of(sp.tanh(z)) == 1 - h**2


def test_softplus_output_form_is_one_minus_exp_minus_h():
    assert output_form_of(sp.log(1 + sp.exp(z))) == 1 - sp.exp(-h)


def test_identity_output_form_is_one():
    assert output_form_of(z) == 1


def test_exp_output_form_is_h():
    assert output_form_of(sp.exp(z)) == h


def test_swish_has_no_output_form_and_gives_up_quickly():
    start = time.perf_counter()
    assert output_form_of(z / (1 + sp.exp(-z))) is None
    assert output_form_of(z * sigmoid(z)) is None
    assert time.perf_counter() - start < 2.0


def test_output_form_of_an_unrelated_derivative_is_a_function_of_h_only():
    # the derivative need not be the activation's: d/dz of something else, expressed via h
    got = rules.output_form(2 * sp.exp(z), sp.exp(z), z, h)
    assert got == 2 * h


# --- tidy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "messy, tidy",
    [
        (-h * (h - 1), h * (1 - h)),  # the sign goes into the factor: h(1 − h)
        (h - h**2, h * (1 - h)),
        ((1 - h) * (1 + h), 1 - h**2),  # expanded is shorter than factored
        (2 * pv[i] - 2 * yv[i], sp.Mul(2, pv[i] - yv[i], evaluate=False)),  # 2(p_i − y_i)
        ((h**2 - 1) / (h - 1), h + 1),
        (sp.Integer(0), sp.Integer(0)),
    ],
)
def test_tidy_picks_the_readable_form(messy, tidy):
    assert rules.tidy(messy) == tidy


def test_tidy_does_not_change_the_value():
    messy = sp.exp(z) / (1 + sp.exp(z)) ** 2 + sp.tanh(z) ** 2
    tidied = rules.tidy(messy)
    for value in [-2.0, -0.3, 0.0, 0.7, 3.0]:
        assert float((messy - tidied).subs(z, value)) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "polynomial",
    [-h * (h - 1), (1 - h) * (1 + h), (h + 1) ** 3, 2 * h - 2 * c, (h - c) ** 2 * (h + c) / 4],
)
def test_tidy_of_a_polynomial_is_what_simplify_first_would_give(polynomial):
    # tidy() skips simplify() for polynomials: expand and factor give one form per polynomial
    assert rules.is_rational_polynomial(polynomial)
    simplified = sp.simplify(polynomial)
    assert sp.srepr(rules.tidy(polynomial)) == sp.srepr(rules.tidy(simplified))


def test_only_rational_polynomials_skip_simplify():
    assert not rules.is_rational_polynomial(sp.sqrt(2) * h)
    assert not rules.is_rational_polynomial(sp.pi * h)
    assert not rules.is_rational_polynomial(h / (1 + h))
    assert not rules.is_rational_polynomial(sigmoid(z) * (1 - sigmoid(z)))
    assert not rules.is_rational_polynomial(sp.Integer(3))
