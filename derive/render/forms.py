"""How the notes write expressions, as rules shared by the LaTeX and the Unicode printer.

Names: ``n_in`` is n with subscript "in", ``zprev`` is z_prev, an entry's base ``W3`` carries the
layer number 3 as a superscript. Products: numbers, then plain factors, then function values,
then parenthesised sums, then log, then big operators (Σ, ∂). Sums: a positive term first.
Derivatives: ∂ for entries or several variables, d for one plain symbol, g' for an undefined
function of its own argument.
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.summations import Sum
from sympy.core.function import AppliedUndef
from sympy.printing.conventions import split_super_sub
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from derive.render import notation


def split_name(name: str) -> tuple[str, list[str], list[str]]:
    """(base, superscripts, subscripts) of a symbol name.

    >>> split_name("n_in"), split_name("zprev"), split_name("W^l")
    (('n', [], ['in']), ('z', [], ['prev']), ('W', ['l'], []))
    """
    base, supers, subs = split_super_sub(name)
    for suffix in notation.NAME_SUFFIXES:
        if not supers and not subs and base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)], [], [suffix]
    return base, list(supers), list(subs)


# layer-index styles (one per document): "(l)" W^{(3)}, "[l]" W^{[3]}, "l" W^3, "subscript" W_3
LAYER_LABELS = {"(l)": "({})", "[l]": "[{}]", "l": "{}", "subscript": None}


def indexed_name(indexed: sp.Indexed, layer: str = "(l)") -> tuple[str, list[str], list[str]]:
    """(base, superscripts, subscripts) of an entry's base; a trailing layer number is a
    superscript in the ``layer`` style (one of ``LAYER_LABELS``), or the first subscript.

    >>> indexed_name(sp.IndexedBase("W3")[1, 2]), indexed_name(sp.IndexedBase("zprev")[1])
    (('W', ['(3)'], []), ('z', [], ['prev']))
    >>> indexed_name(sp.IndexedBase("W3")[1, 2], "subscript")
    ('W', [], ['3'])
    """
    base, supers, subs = split_name(indexed.base.label.name)
    numbers, others = [s for s in subs if s.isdigit()], [s for s in subs if not s.isdigit()]
    label = LAYER_LABELS[layer]
    if label is None:
        return base, supers, [*numbers, *others]
    return base, [*supers, *(label.format(n) for n in numbers)], others


def gradient_base(indexed: sp.Indexed) -> sp.Indexed | None:
    """The entry whose gradient ``indexed`` is (dh2[j] → h2[j]), or None for other names.

    >>> gradient_base(sp.IndexedBase("dh2")[1]), gradient_base(sp.IndexedBase("delta2")[1])
    (h2[1], None)

    A base that says which entries it is the gradient of (``gradient_of``, an IndexedBase: the
    update rule's ∂L/∂θ_i) gives that entry.
    """
    of = getattr(indexed.base, "gradient_of", None)
    if isinstance(of, sp.IndexedBase):
        return of[indexed.indices]
    name = indexed.base.label.name
    base, _, _ = split_name(name)
    prefix = notation.GRADIENT_PREFIX
    if not (base.startswith(prefix) and len(base) == len(prefix) + 1 and base[-1].isalpha()):
        return None
    return sp.IndexedBase(name[len(prefix) :])[indexed.indices]


def is_short_index(index: sp.Basic) -> bool:
    """Indices written side by side without commas: one-letter symbols and single digits."""
    if isinstance(index, sp.Symbol):
        return len(index.name) == 1
    return bool(index.is_Integer and 0 <= index < 10)


BIG_OPERATOR_RANK = 5


def factor_rank(factor: sp.Basic) -> int:
    """Position class of a factor in a product (see the module docstring)."""
    if factor.is_Number:
        return 0
    if isinstance(factor, sp.Pow):
        return factor_rank(factor.base)
    if isinstance(factor, (Sum, sp.Derivative, sp.Integral)):
        return BIG_OPERATOR_RANK
    if isinstance(factor, sp.log):  # written like an operator: (1 − y) log(1 − p)
        return 4
    if isinstance(factor, (sp.Add, sp.Piecewise)):
        return 3
    if isinstance(factor, sp.Function) and not isinstance(factor, (sp.KroneckerDelta, sp.exp)):
        return 2
    return 1


def ordered_factors(expr: sp.Mul) -> list[sp.Basic]:
    """The factors of a product in reading order (stable within each rank)."""
    return sorted(expr.as_ordered_factors(), key=factor_rank)


def split_big_operators(numer: sp.Basic, denom: sp.Basic) -> tuple[sp.Basic, sp.Basic] | None:
    """(small part, big operators) when a fraction reads better as (small/denom)·Σ…, else None.

    (Σ_n x_n)/m becomes (1/m) Σ_n x_n; a fraction whose denominator holds a sum stays a fraction.
    """
    if denom.has(Sum):
        return None
    factors = sp.Mul.make_args(numer)
    big = [f for f in factors if factor_rank(f) == BIG_OPERATOR_RANK]
    if not big:
        return None
    small = [f for f in factors if factor_rank(f) != BIG_OPERATOR_RANK]
    return sp.Mul(*small), (sp.Mul(*big, evaluate=False) if len(big) > 1 else big[0])


def positive_first(terms: list[sp.Basic]) -> list[sp.Basic]:
    """Terms of a sum with the first positive one moved to the front: ŷ − y rather than −y + ŷ."""
    for n, term in enumerate(terms):
        if not term.could_extract_minus_sign():
            return [term, *terms[:n], *terms[n + 1 :]]
    return terms


def needs_body_parens(body: sp.Basic) -> bool:
    """Whether the body of a Σ (or the operand of ∂/∂x) must be parenthesised."""
    return precedence_traditional(body) < PRECEDENCE["Mul"] or body.could_extract_minus_sign()


def is_fraction(expr: sp.Basic) -> bool:
    """A positive quotient a/b, which is visually grouped in LaTeX."""
    return (
        isinstance(expr, (sp.Mul, sp.Pow))
        and sp.fraction(expr, exact=True)[1] != 1
        and not expr.could_extract_minus_sign()
    )


def is_plain_mul(expr: sp.Mul) -> bool:
    """False for unevaluated products like 1·x or x·2, which SymPy prints verbatim."""
    args = expr.args
    return not (args[0] is sp.S.One or any(isinstance(a, sp.Number) for a in args[1:]))


def derivative_parts(expr: sp.Derivative) -> tuple[bool, int]:
    """(partial?, total order) of a derivative.

    ∂ when a variable is an entry z_i, when there are several variables, or when a function
    of several arguments is differentiated (f(r, θ)); d for one plain symbol otherwise.
    """
    variables = [v for v, _ in expr.variable_count]
    partial = (
        len(variables) > 1
        or not all(isinstance(v, sp.Symbol) for v in variables)
        or any(len(f.args) > 1 for f in expr.expr.atoms(AppliedUndef))
    )
    return partial, sum(int(n) for _, n in expr.variable_count)


def leibniz_operand(inner: sp.Basic) -> sp.Basic | None:
    """What goes on top of ∂·/∂x: a symbol, an entry, or an undefined function of symbols (f)."""
    if isinstance(inner, (sp.Symbol, sp.Indexed)):
        return inner
    if isinstance(inner, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in inner.args):
        return sp.Symbol(inner.func.__name__)
    return None


def is_prime_form(expr: sp.Derivative) -> bool:
    """g'(x): an undefined function differentiated by its own single argument."""
    inner = expr.expr
    return (
        isinstance(inner, AppliedUndef)
        and len(inner.args) == 1
        and len(expr.variable_count) == 1
        and expr.variable_count[0][0] == inner.args[0]
    )


def prime_at_point(subs: sp.Subs) -> tuple | None:
    """(function name, point) of g′ evaluated at a point (``Subs(g′(ξ), ξ, v)``), else None."""
    inner, variables, points = subs.args
    if (
        len(variables) == 1
        and isinstance(inner, sp.Derivative)
        and is_prime_form(inner)
        and inner.expr.args[0] == variables[0]
    ):
        return inner.expr.func.__name__, points[0]
    return None


def heaviside_at_zero(expr: sp.Heaviside) -> sp.Basic:
    """H(0) of a Heaviside step: its second argument, SymPy's default 1/2 when absent."""
    return expr.args[1] if len(expr.args) > 1 else sp.S.Half
