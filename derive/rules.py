"""Rewrite rules SymPy does not apply by itself, each small and tested on its own.

- :func:`split_sums`: Σ (a + b) = Σ a + Σ b, and constants factored out of sums.
- :func:`eliminate_deltas`: Σ_k f(k) δ_{ka} = f(a) for an index a in the summation range.
- :func:`one_hot_sums`: Σ_k y_k = 1 when y is one-hot.
- :func:`recognise_softmax`: e^{z_a} / Σ_l e^{z_l} = p_a.
- :func:`output_form`: an activation's derivative written in its output h = g(z).
"""

from __future__ import annotations

import sympy as sp


def _split_factors(term, variables):
    """(factor free of every summation variable, the rest) of one product term."""
    const, dependent = [], []
    for factor in sp.Mul.make_args(term):
        (dependent if factor.has(*variables) else const).append(factor)
    return sp.Mul(*const), sp.Mul(*dependent)


def _make_sum(function, limits):
    """Σ over the limits that function still depends on; the others contribute their length."""
    count = sp.Integer(1)
    kept = []
    for var, lo, hi in limits:
        if function.has(var):
            kept.append((var, lo, hi))
        else:
            count *= hi - lo + 1
    return count * (sp.Sum(function, *kept) if kept else function)


def split_sums(expr: sp.Basic) -> sp.Basic:
    """Σ (c·a + b) = c·Σ a + Σ b, applied to every sum in expr (SymPy keeps Σ_k Σ_n as one Sum)."""

    def split(s: sp.Sum):
        variables = [limit[0] for limit in s.limits]
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(s.function)):
            const, dependent = _split_factors(term, variables)
            total += const * _make_sum(dependent, s.limits)
        return total

    return expr.replace(lambda e: isinstance(e, sp.Sum), split)


def eliminate_deltas(expr: sp.Basic) -> sp.Basic:
    """Σ_k f(k) δ_{k a} = f(a), assuming the free index a lies in the sum's range.

    Every derivation states its index ranges (i = 1..K), which is what makes this valid; SymPy's
    own ``doit`` returns a Piecewise guarded by the range instead.
    """

    def pick(term, limits):
        """Remove one summation variable from term using a Kronecker delta, if there is one."""
        variables = [limit[0] for limit in limits]
        for factor in sp.Mul.make_args(term):
            if not isinstance(factor, sp.KroneckerDelta):
                continue
            first, second = factor.args
            var = first if first in variables else second if second in variables else None
            if var is None:
                continue
            other = second if var == first else first
            rest = [limit for limit in limits if limit[0] != var]
            return (term / factor).subs(var, other), rest
        return None

    def eliminate(s: sp.Sum):
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(s.function)):
            limits = list(s.limits)
            while (picked := pick(term, limits)) is not None:
                term, limits = picked
            total += _make_sum(term, limits) if limits else term
        return total

    previous = None
    while previous != expr:
        previous = expr
        expr = expr.replace(lambda e: isinstance(e, sp.Sum), eliminate)
    return expr


def one_hot_sums(expr: sp.Basic, y: sp.IndexedBase) -> sp.Basic:
    """Σ_k y_k = 1 (y one-hot, or any probability vector)."""
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Sum)
            and len(e.limits) == 1
            and isinstance(e.function, sp.Indexed)
            and e.function.base == y
            and e.function.indices == (e.limits[0][0],)
        ),
        lambda e: sp.Integer(1),
    )


def recognise_softmax(expr: sp.Basic, z: sp.IndexedBase, p: sp.IndexedBase) -> sp.Basic:
    """Replace e^{z_a} · (Σ_l e^{z_l})^{-n} by p_a · (Σ_l e^{z_l})^{1-n}, pairing every exp."""

    def is_partition(e):
        return (
            isinstance(e, sp.Sum) and len(e.limits) == 1 and e.function == sp.exp(z[e.limits[0][0]])
        )

    def rewrite(term: sp.Mul):
        factors = sp.Mul.make_args(term)
        denominator_power = 0
        partition = None
        numerators = []
        rest = []
        for f in factors:
            base, exponent = (f, sp.Integer(1)) if isinstance(f, sp.exp) else f.as_base_exp()
            if is_partition(base) and exponent.is_integer and exponent < 0:
                denominator_power += -exponent
                partition = base
            elif isinstance(base, sp.exp) and exponent.is_integer and exponent > 0:
                # e^{z_a}, or e^{n z_a} (SymPy merges e^{z_a}·e^{z_a} into e^{2 z_a})
                times, entry = base.args[0].as_coeff_Mul()
                if not (isinstance(entry, sp.Indexed) and entry.base == z and times.is_Integer):
                    rest.append(f)
                    continue
                numerators.extend([entry.indices[0]] * int(times * exponent))
            else:
                rest.append(f)
        if partition is None or not numerators:
            return term
        used = numerators[: int(denominator_power)]
        left_exp = numerators[int(denominator_power) :]
        result = sp.Mul(*rest) * sp.Mul(*[p[a] for a in used])
        result *= sp.Mul(*[sp.exp(z[a]) for a in left_exp])
        return result * partition ** (len(used) - denominator_power)

    return expr.replace(lambda e: isinstance(e, sp.Mul), rewrite)


_INVERSES = {
    sp.exp: sp.log,
    sp.log: sp.exp,
    sp.tanh: sp.atanh,
    sp.sinh: sp.asinh,
    sp.atan: sp.tan,
}


def invert(expr: sp.Expr, z: sp.Symbol, h: sp.Symbol) -> sp.Expr | None:
    """z as a function of h = expr(z), by unwinding expr when z occurs in it once.

    Each layer is undone in turn (h = 1/(1 + e^{-z}) → 1/h = 1 + e^{-z} → … → z = log(h/(1-h))):
    much faster than ``solve`` and deterministic; None for anything it cannot undo.
    """
    if expr.count(z) != 1:
        return None
    target = h
    while expr != z:
        if isinstance(expr, sp.Add):
            rest = sp.Add(*[t for t in expr.args if not t.has(z)])
            expr, target = expr - rest, target - rest
        elif isinstance(expr, sp.Mul):
            rest = sp.Mul(*[f for f in expr.args if not f.has(z)])
            expr, target = expr / rest, target / rest
        elif isinstance(expr, sp.Pow) and not expr.exp.has(z):
            expr, target = expr.base, target ** (1 / expr.exp)
        elif isinstance(expr, sp.Pow) and not expr.base.has(z):
            expr, target = expr.exp, sp.log(target) / sp.log(expr.base)
        elif type(expr) in _INVERSES:
            expr, target = expr.args[0], _INVERSES[type(expr)](target)
        else:
            return None
    return target


def output_form(derivative: sp.Expr, activation: sp.Expr, z: sp.Symbol, h: sp.Symbol):
    """The derivative g'(z) written in the output h = g(z), or None when it has no such form.

    First try replacing g(z) by h directly (tanh' = 1 - tanh² → 1 - h²); otherwise, when z occurs
    once in g, invert h = g(z) by unwinding it and substitute (σ' = e^{-z}/(1+e^{-z})² →
    h(1 - h)). The caller verifies the result on the domain.
    """
    direct = derivative.subs(activation, h)
    if not direct.has(z):
        return tidy(direct)
    inverse = invert(activation, z, h)
    if inverse is None:
        return None  # e.g. swish z·σ(z): not one-to-one, no output form
    candidate = sp.factor(sp.cancel(sp.powsimp(derivative.subs(z, inverse))))
    if candidate.has(z, sp.I, sp.LambertW):
        return None
    return tidy(candidate)


def tidy(expr: sp.Expr) -> sp.Expr:
    """The most readable of the expanded and factored forms: fewest operations, then fewest
    factors written with a leading minus (−h(h − 1) is written h(1 − h), 2p(y − p)(p − 1) is
    2p(1 − p)(p − y)), then the shortest."""
    if not is_rational_polynomial(expr):
        # for a polynomial, simplify() changes only the written form, and expand and factor
        # below give one form per polynomial whatever form they start from: no need for it
        expr = sp.simplify(expr)
    expanded = sp.expand(expr)
    candidates = [expanded, *_sign_choices(sp.factor(expr)), *_sign_choices(sp.factor_terms(expr))]
    return min(candidates, key=_reading_cost)


def _sign_choices(factored: sp.Expr) -> list[sp.Expr]:
    """factored with every choice of flipping the signs of its sum factors (a − b ↔ b − a) that
    leaves the leading coefficient positive (the flips are kept unevaluated by Mul)."""
    coeff, factors = factored.as_coeff_mul()
    sums = [f for f in factors if isinstance(f, sp.Add)]
    if not sums or len(sums) > 4:
        return [factored]
    rest = [f for f in factors if not isinstance(f, sp.Add)]
    out = []
    for mask in range(2 ** len(sums)):
        flipped = [
            sp.Add(*[-t for t in f.args]) if mask >> n & 1 else f for n, f in enumerate(sums)
        ]
        sign = coeff * (-1) ** bin(mask).count("1")
        if sign > 0:
            product = factored if mask == 0 else sp.Mul(*rest, *flipped)
            if mask and sign != 1:  # 2·(p − y) stays a product: Number·Add would distribute
                product = sp.Mul(sign, product, evaluate=not isinstance(product, sp.Add))
            out.append(product)
    return out or [factored]


def _reading_cost(expr: sp.Expr) -> tuple:
    leading_minus = sum(
        1 for f in sp.Mul.make_args(expr) if isinstance(f, sp.Add) and sp.sstr(f).startswith("-")
    )
    return (sp.count_ops(expr), leading_minus, len(sp.sstr(expr)))


def is_rational_polynomial(expr: sp.Expr) -> bool:
    """Whether expr is a polynomial in its symbols with rational coefficients (no functions,
    no constants such as π or √2)."""
    return (
        bool(expr.free_symbols)
        and expr.is_polynomial()
        and all(a.is_Symbol or a.is_Rational for a in expr.atoms())
        and all(p.exp.is_Integer for p in expr.atoms(sp.Pow))
        and not expr.atoms(sp.Function)
    )
