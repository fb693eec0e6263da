"""derive.concrete: writing expressions out at an instance, derivatives once, leaves."""

import pytest
import sympy as sp

from derive import registry
from derive.builtins.dense import dense_domain
from derive.builtins.softmax import softmax_domain
from derive.concrete import Writer, differentiate, leaves, written_out
from derive.errors import DerivationError
from derive.substitute import apply_definitions, expand_sum, symbols_through
from derive.symbols import K, L, Wm, bv, hv, i, j, k, n_in, n_out, pv, yv

a = sp.IndexedBase("a")
x = sp.Symbol("x", real=True)
A = sp.Symbol("A", real=True)


def old_route(expr, definitions, sizes, indices):
    """What the Writer replaces: substitute, then sizes, then expand sums, then indices."""
    out = apply_definitions(expr, definitions).xreplace(sizes)
    out = out.replace(lambda e: isinstance(e, sp.Sum), expand_sum).xreplace(indices)
    return out.replace(lambda e: isinstance(e, sp.Sum), expand_sum).doit()


@pytest.mark.parametrize(
    "expr, domain, sizes, indices",
    [
        (pv[i], softmax_domain(with_loss=False), {K: 3}, {i: 2}),
        (L, softmax_domain(with_loss=True), {K: 4}, {}),
        (sp.Sum(pv[k] * yv[k], (k, 1, K)), softmax_domain(with_loss=True), {K: 2}, {}),
        (
            sp.Sum(Wm[k, j] * sp.KroneckerDelta(i, k), (k, 1, n_out)),
            dense_domain(),
            {n_out: 3},
            {i: 2, j: 1},
        ),
        (sp.Derivative(L, Wm[i, j]), dense_domain(), {n_out: 2, n_in: 3}, {i: 1, j: 3}),
        (sp.Derivative(L, bv[i]), dense_domain(), {n_out: 3, n_in: 2}, {i: 3}),
    ],
)
def test_writing_out_gives_the_value_of_substitute_expand_and_differentiate(
    expr, domain, sizes, indices
):
    got = Writer(domain.definitions, sizes).write(expr, indices)
    assert written_out(got)
    assert sp.simplify(got.doit() - old_route(expr, domain.definitions, sizes, indices)) == 0


def test_a_summation_variable_shadows_an_index_of_the_same_name():
    got = Writer({}, {K: 2}).write(a[k] + sp.Sum(a[k], (k, 1, K)), {k: 5})
    assert got.doit() == a[5] + a[1] + a[2]


def test_a_defined_entry_is_written_out_once_per_writer():
    domain = softmax_domain(with_loss=False)
    writer = Writer(domain.definitions, {K: 3})
    first = writer.write(pv[i], {i: 2})
    assert writer.write(pv[j], {j: 2}) is first


def test_symbolic_bounds_are_left_as_a_sum():
    got = Writer({}, {}).write(sp.Sum(a[k], (k, 1, K)))
    assert isinstance(got, sp.Sum) and not written_out(got)


def test_a_self_referring_definition_is_an_error():
    with pytest.raises(DerivationError, match="do not terminate"):
        Writer({A: A + 1}, {}).write(A)


def test_each_derivative_is_taken_once():
    f = Writer(dense_domain().definitions, {n_out: 2, n_in: 2}).write(L)
    first = differentiate(sp.Derivative(f, hv[1]))
    assert differentiate(sp.Derivative(f, hv[1])) is first
    assert sp.simplify(first - sp.diff(f.doit(), hv[1])) == 0


def test_leaves_are_the_entries_and_free_symbols():
    expr = sp.exp(x * a[1]) + a[2] ** 2 + sp.Derivative(a[3] * A, A)
    assert leaves(expr) == {x, A, a[1], a[2], a[3]}
    assert not written_out(expr)
    assert written_out(expr.doit())


@pytest.mark.parametrize("name", registry.names())
def test_symbols_through_definitions_match_substituting_them(name):
    derivation = registry.get(name)
    for chain in derivation.chains:
        domain = chain.domain or derivation.domain
        for line in [chain.lhs] + [step.rhs for step in chain.steps]:
            expected = apply_definitions(line, domain.definitions).atoms(sp.Symbol)
            relevant = set(domain.sizes) | set(domain.indices)
            assert symbols_through(line, domain.definitions) & relevant == expected & relevant
