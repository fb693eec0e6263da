"""derive.verify: definitions, concrete instances, equality checks, and verify() on wrong steps."""

import copy

import pytest
import sympy as sp

from derive import crosscheck, registry
from derive.builtins.dense import Delta, H, dense_domain, zprev
from derive.builtins.softmax import softmax_domain, softmax_entry
from derive.errors import DerivationError
from derive.functions import sigmoid
from derive.losses import CROSS_ENTROPY
from derive.model import Chain, Derivation, Domain, Step
from derive.symbols import K, L, Wm, bv, deltav, hv, i, j, k, l, m, n_in, n_out, pv, yv, z, zv
from derive.verify import (
    apply_definitions,
    check_equal,
    concrete,
    differ_at_random_points,
    expand_sum,
    instances,
    numeric_equal,
    symbolic_equal,
    verify,
)

a = sp.IndexedBase("a")
q = sp.IndexedBase("q")
x = sp.Symbol("x", real=True)
A, B, C = sp.symbols("A B C", real=True)
n = sp.Symbol("n", integer=True, positive=True)
g = sp.Function("g")

# verify.concrete caches by id(domain) without holding the domain (see
# test_a_new_domain_at_a_reused_address_is_not_served_stale_results): keep every domain a test
# builds alive, so one test's freed domain cannot hand its cached expansions to the next.
_KEEP_ALIVE: list = []


def keep(obj):
    _KEEP_ALIVE.append(obj)
    return obj


# --- apply_definitions -----------------------------------------------------------------------


def test_a_chain_of_definitions_resolves_in_one_call():
    definitions = {A: B + 1, B: 2 * C, C: sp.exp(x)}
    assert apply_definitions(A, definitions) == 2 * sp.exp(x) + 1
    assert apply_definitions(A * B, definitions) == 2 * sp.exp(x) * (2 * sp.exp(x) + 1)


def test_no_definitions_returns_the_expression_itself():
    expr = A + sp.Sum(pv[k], (k, 1, K))
    assert apply_definitions(expr, {}) is expr


def test_indexed_definitions_are_functions_of_the_index():
    definitions = {pv: softmax_entry}
    got = apply_definitions(pv[j], definitions)
    # the definition's summation variable is renamed apart (a fresh Dummy), so compare up to it
    assert got.dummy_eq(sp.exp(zv[j]) / sp.Sum(sp.exp(zv[l]), (l, 1, K)))
    # an IndexedBase defined through another: q_a = 2 p_a, p_a = e^{z_a}
    chained = {q: lambda r: 2 * pv[r], pv: lambda r: sp.exp(zv[r])}
    assert apply_definitions(q[i] + q[2], chained) == 2 * sp.exp(zv[i]) + 2 * sp.exp(zv[2])


def test_definitions_reach_inside_sums_and_derivatives():
    definitions = {pv: lambda r: sp.exp(zv[r]), L: -sp.Sum(yv[k] * sp.log(pv[k]), (k, 1, K))}
    got = apply_definitions(sp.Derivative(L, zv[i]), definitions)
    assert got == sp.Derivative(-sp.Sum(yv[k] * sp.log(sp.exp(zv[k])), (k, 1, K)), zv[i])


def test_an_undefined_function_is_defined_by_a_lambda():
    t = sp.Dummy("t")
    definitions = {g: sp.Lambda(t, sp.tanh(t)), A: 3 * x}
    assert apply_definitions(g(zv[1]) + 1, definitions) == sp.tanh(zv[1]) + 1
    # the argument is resolved too
    assert apply_definitions(g(A), definitions) == sp.tanh(3 * x)


def test_the_indexed_base_itself_is_not_replaced():
    definitions = {pv: lambda r: sp.exp(zv[r])}
    assert apply_definitions(pv, definitions) == pv


def test_a_self_referential_definition_is_reported():
    with pytest.raises(DerivationError, match="do not terminate"):
        apply_definitions(A, {A: A + 1})


def test_a_defined_symbol_with_a_bound_index_inside_a_sum_over_the_same_name():
    # S = Σ_l e^{z_l} substituted inside Σ_l e^{z_l} / S: the inner l is bound, so the sum is 1
    S = sp.Symbol("S_partition", positive=True)
    domain = keep(Domain(definitions={S: sp.Sum(sp.exp(zv[l]), (l, 1, K))}, sizes={K: [2, 3, 4]}))
    ok, detail = numeric_equal(sp.Sum(sp.exp(zv[l]) / S, (l, 1, K)), sp.Integer(1), domain)
    assert ok, detail
    ok, detail = numeric_equal(sp.Sum(sp.exp(zv[l]) / S, (l, 1, K)), sp.Integer(2), domain)
    assert not ok


def test_softmax_probabilities_sum_to_one_through_their_definition():
    # p_a's definition sums over l; summing p_l over l must not capture it
    domain = keep(softmax_domain(with_loss=False))
    ok, detail = check_equal(sp.Sum(pv[l], (l, 1, K)), sp.Integer(1), domain)
    assert ok, detail


def test_no_capture_when_an_indexed_definition_sums_over_the_callers_index():
    # z_r = Σ_l W_rl h_l + b_r, written the way a builder naturally writes it (bound l)
    def pre_activation(row):
        return sp.Sum(Wm[row, l] * hv[l], (l, 1, n_in)) + bv[row]

    domain = keep(
        Domain(
            definitions={deltav: pre_activation},
            sizes={n_out: [2, 3], n_in: [3, 2]},
        )
    )
    # renaming a bound index never changes a sum: Σ_l δ_l = Σ_k δ_k
    ok, detail = numeric_equal(
        sp.Sum(deltav[l], (l, 1, n_out)), sp.Sum(deltav[k], (k, 1, n_out)), domain
    )
    assert ok, detail


# --- expand_sum ------------------------------------------------------------------------------


def test_expand_sum_writes_out_integer_bounds():
    assert expand_sum(sp.Sum(a[k], (k, 1, 3))) == a[1] + a[2] + a[3]
    assert expand_sum(sp.Sum(k * a[k], (k, 2, 3))) == 2 * a[2] + 3 * a[3]
    assert expand_sum(sp.Sum(a[k], (k, 1, 1))) == a[1]


def test_expand_sum_writes_out_every_limit():
    got = expand_sum(sp.Sum(a[k, n], (k, 1, 2), (n, 1, 3)))
    assert got == sum(a[r, s] for r in (1, 2) for s in (1, 2, 3))


def test_expand_sum_leaves_symbolic_bounds_alone():
    s = sp.Sum(a[k], (k, 1, K))
    assert expand_sum(s) is s
    mixed = sp.Sum(a[k, n], (k, 1, 2), (n, 1, m))
    assert expand_sum(mixed) is mixed


def test_expand_sum_keeps_an_inner_sum_over_another_index():
    b = sp.IndexedBase("b")
    got = expand_sum(sp.Sum(b[k] * sp.Sum(a[k, n], (n, 1, 2)), (k, 1, 2)))
    want = b[1] * sp.Sum(a[1, n], (n, 1, 2)) + b[2] * sp.Sum(a[2, n], (n, 1, 2))
    assert got.doit() == want.doit()  # inner summation variables are renamed apart


def test_expand_sum_of_a_sum_whose_inner_sum_reuses_the_bound_name():
    inner = sp.Sum(sp.exp(zv[l]), (l, 1, 3))
    got = expand_sum(sp.Sum(sp.exp(zv[l]) / inner, (l, 1, 3)))
    assert sp.simplify(got.doit()) == 1


# --- instances -------------------------------------------------------------------------------


def test_instances_pair_size_lists_position_by_position():
    domain = Domain(sizes={n_out: [2, 3], n_in: [3, 2]}, indices={i: n_out, j: n_in})
    found = list(instances(domain, {i, j, n_out, n_in}))
    pairs = {(s[n_out], s[n_in]) for s in found}
    assert pairs == {(2, 3), (3, 2)}  # not the product (2, 2), (3, 3)


def test_instances_repeat_the_shorter_size_list_last_value():
    domain = Domain(sizes={K: [2, 3, 4], m: [5]}, indices={})
    found = list(instances(domain, {K, m}))
    assert [(s[K], s[m]) for s in found] == [(2, 5), (3, 5), (4, 5)]


def test_instances_give_every_free_index_a_value_in_its_range():
    domain = Domain(sizes={n_out: [2, 3], n_in: [3, 2]}, indices={i: n_out, j: n_in})
    for subs in instances(domain, {i, j, n_out, n_in}):
        assert 1 <= subs[i] <= subs[n_out]
        assert 1 <= subs[j] <= subs[n_in]
        assert isinstance(subs[i], sp.Integer) and isinstance(subs[j], sp.Integer)


def test_instances_cover_tiny_ranges_completely():
    domain = Domain(sizes={K: [2]}, indices={i: K})
    found = {int(s[i]) for s in instances(domain, {i, K})}
    assert found == {1, 2}


def test_larger_ranges_get_a_random_and_an_equal_assignment_per_size():
    domain = Domain(sizes={K: [2, 3, 4]}, indices={i: K, j: K})
    found = [(int(s[K]), int(s[i]), int(s[j])) for s in instances(domain, {i, j, K})]
    for size in (2, 3, 4):
        pairs = [(a, b) for k, a, b in found if k == size]
        assert 2 <= len(pairs) <= 3 and any(a == b for a, b in pairs)


def test_instances_always_include_equal_indices():
    # Kronecker deltas only show up when i = j: every size must try such a pair
    domain = Domain(sizes={K: [3, 4, 5, 6]}, indices={i: K, j: K})
    for size in (3, 4, 5, 6):
        chosen = [s for s in instances(domain, {i, j, K}) if s[K] == size]
        assert chosen
        assert any(s[i] == s[j] for s in chosen), f"K={size}: {chosen}"


def test_instances_skip_sizes_the_expression_does_not_use():
    domain = Domain(sizes={K: [2, 3], m: [4, 5]}, indices={i: K})
    found = list(instances(domain, {i}))  # i is bounded by K, nothing uses m
    assert {s[K] for s in found} == {2, 3}
    assert all(m not in s for s in found)


def test_instances_honour_a_size_override():
    domain = Domain(sizes={K: [2, 3, 4, 5]}, indices={i: K})
    found = list(instances(domain, {i, K}, {K: [7]}))
    assert {s[K] for s in found} == {7}
    assert all(1 <= s[i] <= 7 for s in found)


def test_an_expression_without_sizes_is_one_instance():
    assert list(instances(Domain(), {x})) == [{}]


# --- symbolic_equal, numeric_equal, check_equal ----------------------------------------------

SIGMA = 1 / (1 + sp.exp(-z))


def test_symbolic_equal_proves_true_identities():
    assert symbolic_equal(pv[i] - yv[i], pv[i] - yv[i]) == "symbolic: identical"
    assert symbolic_equal((z + 1) ** 2, z**2 + 2 * z + 1) == "symbolic: expand(lhs - rhs) = 0"
    proof = symbolic_equal(sp.diff(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)))
    assert proof.startswith("symbolic:")
    assert symbolic_equal(sp.diff(SIGMA, z), SIGMA * (1 - SIGMA)).startswith("symbolic:")


def test_symbolic_equal_never_proves_a_false_identity():
    assert symbolic_equal(pv[i] - yv[i], pv[i] + yv[i]) == ""
    assert symbolic_equal(sp.diff(SIGMA, z), SIGMA * (1 + SIGMA)) == ""


def test_symbolic_equal_leaves_derivatives_to_the_numeric_check():
    assert symbolic_equal(sp.Derivative(SIGMA, z), SIGMA * (1 - SIGMA)) == ""


def test_numeric_equal_on_true_and_false_identities():
    domain = Domain(samplers={})
    ok, detail = numeric_equal(sp.Derivative(SIGMA, z), SIGMA * (1 - SIGMA), domain)
    assert ok and detail.startswith("numeric:")
    ok, detail = numeric_equal(sp.Derivative(SIGMA, z), SIGMA * (1 + SIGMA), domain)
    assert not ok and "previous line" in detail


def test_softmax_cross_entropy_gradient_true_and_false():
    domain = keep(softmax_domain(with_loss=True))
    ok, detail = check_equal(sp.Derivative(L, zv[i]), pv[i] - yv[i], domain)
    assert ok and "y one-hot" in detail
    ok, _ = check_equal(sp.Derivative(L, zv[i]), pv[i] + yv[i], domain)
    assert not ok
    ok, _ = numeric_equal(pv[i] - yv[i], pv[i] + yv[i], domain)
    assert not ok


def test_numeric_equal_uses_the_domain_assumptions():
    # Σ_k y_k = 1 holds only because the domain samples y one-hot
    domain = keep(softmax_domain(with_loss=True))
    assert numeric_equal(sp.Sum(yv[k], (k, 1, K)), sp.Integer(1), domain)[0]
    assert not numeric_equal(sp.Sum(yv[k], (k, 1, K)), sp.Integer(1), Domain(sizes={K: [3]}))[0]


def test_a_difference_only_on_the_diagonal_is_found():
    # δ_ij p_i - p_i p_j and -p_i p_j differ only when i = j
    domain = keep(softmax_domain(with_loss=False))
    jacobian = sp.KroneckerDelta(i, j) * pv[i] - pv[i] * pv[j]
    assert check_equal(sp.Derivative(pv[i], zv[j]), jacobian, domain)[0]
    assert not check_equal(sp.Derivative(pv[i], zv[j]), -pv[i] * pv[j], domain)[0]


def test_a_difference_only_at_larger_sizes_is_found():
    # equal for K <= 3, different for K = 4: every size in the domain is tried
    domain = keep(Domain(sizes={K: [2, 3, 4]}, indices={}))
    capped = sp.Sum(a[k], (k, 1, sp.Min(K, 3)))
    assert not numeric_equal(sp.Sum(a[k], (k, 1, K)), capped, domain)[0]


def test_a_new_domain_at_a_reused_address_is_not_served_stale_results():
    F = sp.Symbol("F_stale", real=True)
    for _ in range(200):
        first = Domain(definitions={F: x**3})
        assert check_equal(F, x**3, first)[0]
        address = id(first)
        del first
        second = Domain(definitions={F: x**2})
        if id(second) == address:
            break
        keep(second)
    else:
        pytest.skip("the interpreter never reused a domain's address")
    ok, detail = check_equal(F, x**2, second)
    assert ok, detail


def test_concrete_substitutes_definitions_sizes_and_indices():
    domain = keep(softmax_domain(with_loss=False))
    got = concrete(pv[i], domain, {K: 2, i: sp.Integer(2)})
    assert got == sp.exp(zv[2]) / (sp.exp(zv[1]) + sp.exp(zv[2]))


# --- verify: wrong steps are caught ----------------------------------------------------------

# chains are found by what they compute; their titles are display text
DZ = sp.Derivative(L, zv[i])
DW = sp.Derivative(L, Wm[i, j])
DB = sp.Derivative(L, bv[i])
DH = sp.Derivative(L, hv[j])
DZPREV = sp.Derivative(L, zprev[j])


def unverified_copy(name: str):
    """Deep copies of a registered derivation's chains and domain, every proof mark cleared."""
    original = registry.get(name)
    chains, domain = copy.deepcopy((original.chains, original.domain))
    for step in (s for chain in chains for s in chain.steps):
        step.verified_by = ""
    return keep(chains), keep(domain)


def with_wrong_step(name: str, which, number: int, rhs: sp.Expr) -> Derivation:
    """An unverified copy of the registry's derivation with step ``number`` of one chain
    replaced; ``which`` is the chain's title or its left-hand side. The copy shares nothing
    mutable with the original."""
    original = registry.get(name)
    chains, domain = unverified_copy(name)
    (chain,) = [c for c in chains if which in (c.title, c.lhs)]
    assert chain.steps[number - 1].rhs != rhs
    chain.steps[number - 1].rhs = rhs
    return keep(
        Derivation(
            name, original.title, original.summary, chains, domain, conventions=[], verified=False
        )
    )


def test_softmax_ce_sign_error_in_the_jacobian_is_caught():
    wrong = sp.Sum(-(sp.KroneckerDelta(i, k) + pv[i]) * yv[k], (k, 1, K))
    bad = with_wrong_step("softmax-ce", DZ, 3, wrong)
    with pytest.raises(DerivationError, match="softmax-ce: step 3 of"):
        verify(bad)
    assert not bad.verified


def test_softmax_ce_wrong_result_is_caught():
    bad = with_wrong_step("softmax-ce", DZ, 6, pv[i] + yv[i])
    with pytest.raises(DerivationError, match="step 6"):
        verify(bad)


def test_softmax_ce_wrong_first_step_is_caught():
    # the first step is checked against the left-hand side itself
    wrong = sp.Derivative(CROSS_ENTROPY, zv[j])
    bad = with_wrong_step("softmax-ce", DZ, 1, wrong)
    with pytest.raises(DerivationError, match="step 1"):
        verify(bad)


def test_dense_transposed_product_is_caught():
    assert [c.result for c in registry.get("dense").chains if c.lhs == DW] == [deltav[i] * hv[j]]
    bad = with_wrong_step("dense", DW, 3, deltav[j] * hv[i])
    with pytest.raises(DerivationError, match="dense: step 3 of"):
        verify(bad)


def test_dense_untransposed_weights_are_caught():
    wrong = sp.Sum(Wm[j, k] * deltav[k], (k, 1, n_out))  # W δ instead of Wᵀ δ
    bad = with_wrong_step("dense", DH, 3, wrong)
    with pytest.raises(DerivationError, match="dense: step 3 of"):
        verify(bad)


def test_dense_missing_activation_derivative_is_caught():
    wrong = sp.Sum(Wm[k, j] * deltav[k], (k, 1, n_out))  # δ_prev without g′(z_prev)
    bad = with_wrong_step("dense", DZPREV, 1, wrong)
    with pytest.raises(DerivationError, match="dense: step 1 of"):
        verify(bad)


def test_batch_transposed_product_is_caught():
    wrong = sp.Sum(Delta[n, j] * H[n, i], (n, 1, m)) / m
    bad = with_wrong_step("batch", DW, 3, wrong)
    with pytest.raises(DerivationError, match="batch: step 3 of"):
        verify(bad)


def test_batch_missing_one_over_m_is_caught():
    bad = with_wrong_step("batch", DB, 3, sp.Sum(Delta[n, i], (n, 1, m)))
    with pytest.raises(DerivationError, match="batch: step 3 of"):
        verify(bad)


DW3 = sp.Derivative(L, sp.IndexedBase("W3")[i, j])  # the mlp line ∂L/∂W³


def test_mlp_activation_of_the_wrong_layer_is_caught():
    delta3, h1, h2 = (sp.IndexedBase(name) for name in ("delta3", "h1", "h2"))
    assert [c.result for c in registry.get("mlp").chains if c.lhs == DW3] == [delta3[i] * h2[j]]
    bad = with_wrong_step("mlp", DW3, 1, delta3[i] * h1[j])
    with pytest.raises(DerivationError, match="mlp: step 1 of '∂L/∂W"):
        verify(bad)


def test_mlp_transposed_product_is_caught():
    delta3, h2 = sp.IndexedBase("delta3"), sp.IndexedBase("h2")
    # dW³ is 3 × 2; the transposed product still evaluates (h2_3 through its definition)
    bad = with_wrong_step("mlp", DW3, 1, delta3[j] * h2[i])
    with pytest.raises(DerivationError, match="mlp: step 1 of '∂L/∂W"):
        verify(bad)


# --- verify: cross-checks and the marks it leaves --------------------------------------------


def test_a_wrong_cross_check_claim_fails():
    domain = keep(softmax_domain(with_loss=True))
    bad = Derivation(
        "wrong-claim",
        "",
        "",
        [],
        domain,
        cross_checks=crosscheck.standard(CROSS_ENTROPY, zv[i], pv[i] + yv[i], domain),
    )
    with pytest.raises(DerivationError, match="wrong-claim: cross-check failed"):
        verify(bad)
    assert not bad.verified


def test_each_cross_check_rejects_a_transposed_claim_and_accepts_the_right_one():
    domain = keep(dense_domain())
    loss = domain.definitions[L]
    for check in (crosscheck.direct, crosscheck.finite_differences):
        assert check(loss, Wm[i, j], deltav[i] * hv[j], domain).passed
        failed = check(loss, Wm[i, j], deltav[j] * hv[i], domain)
        assert failed.passed is False and "expected" in failed.detail


def test_verify_marks_every_step_and_runs_every_check():
    chains, domain = unverified_copy("softmax-ce")
    fresh = keep(
        Derivation(
            "softmax-ce",
            "",
            "",
            chains,
            domain,
            cross_checks=crosscheck.standard(CROSS_ENTROPY, zv[i], chains[0].result, domain),
        )
    )
    assert verify(fresh) is fresh and fresh.verified
    assert fresh.all_steps() and all(
        s.verified_by.startswith(("symbolic:", "numeric:")) for s in fresh.all_steps()
    )
    assert len(fresh.checks) == 2 and all(check.passed for check in fresh.checks)


def test_verify_marks_symbolic_and_numeric_steps_in_one_chain():
    domain = keep(Domain())
    chain = Chain(
        lhs=sp.Derivative(SIGMA, z),
        steps=[
            Step(sp.diff(SIGMA, z), "SymPy"),  # needs the numeric route (lhs is a Derivative)
            Step(sp.diff(SIGMA, z), "the same again"),  # identical
            Step(SIGMA * (1 - SIGMA), "σ(1 − σ)"),  # simplify proves it
        ],
    )
    derivation = Derivation("sigma", "", "", [chain], domain)
    verify(derivation)
    marks = [step.verified_by for step in chain.steps]
    assert marks[0].startswith("numeric:")
    assert marks[1] == "symbolic: identical"
    assert marks[2].startswith("symbolic:")


def test_a_failed_verification_does_not_mark_the_wrong_step():
    domain = keep(Domain())
    chain = Chain(
        lhs=sp.Derivative(SIGMA, z),
        steps=[Step(SIGMA * (1 - SIGMA), "right"), Step(SIGMA * (1 + SIGMA), "wrong")],
    )
    with pytest.raises(DerivationError, match="step 2"):
        verify(Derivation("sigma", "", "", [chain], domain))
    assert chain.steps[1].verified_by == ""


def test_verify_returns_a_verified_derivation_unchanged():
    done = registry.get("sigmoid")
    marks = [step.verified_by for step in done.all_steps()]
    assert verify(done) is done
    assert [step.verified_by for step in done.all_steps()] == marks


def test_every_registered_derivation_has_every_step_marked():
    for name in ["softmax", "softmax-ce", "dense", "batch"]:
        derivation = registry.get(name)
        unmarked = [step.why for step in derivation.all_steps() if not step.verified_by]
        assert not unmarked, f"{name}: {unmarked}"


# --- differ_at_random_points: simplify is skipped only where it cannot succeed -----------------


def test_values_apart_at_random_points_skip_simplify():
    r, theta = sp.symbols("r theta", real=True)
    f = sp.Function("f", real=True)(r, theta)
    assert differ_at_random_points(2 * r * f * sp.sin(theta), 2 * r**2 * sp.sin(theta))
    assert differ_at_random_points(x**2, x)


def test_identities_and_unsampleable_variables_still_go_to_simplify():
    assert not differ_at_random_points(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1))
    assert not differ_at_random_points(sp.exp(-z) / (1 + sp.exp(-z)) ** 2, SIGMA * (1 - SIGMA))
    assert not differ_at_random_points(sp.sqrt(x**2), x)  # differs only for x < 0
    assert not differ_at_random_points((-1) ** n, sp.Integer(1))  # n is an integer: not sampled
    assert not differ_at_random_points(pv[i], yv[i])  # entries: not sampled
    assert not differ_at_random_points(sp.log(x), x)  # not finite for x < 0
    assert symbolic_equal(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1)).startswith("symbolic")
