"""Rewrites that keep np.where's untaken branch from overflowing (codegen.rewrites uses them).

np.where(c, a, b) computes both a and b everywhere, so a branch must read its exponentials'
arguments only where it is taken: there the value is the same, elsewhere it is finite.

>>> z = sp.Symbol("z", real=True)
>>> taken_branches(sp.Piecewise((z, z > 0), (expm1(z), True)))
Piecewise((z, z > 0), (expm1(Min(0, z)), True))
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1


def masked_branches(expr):
    """H(c)·f → where(c > 0, f, 0), f's exponentials masked where c > 0 fails.

    The mask inside (exp(where(c, x, 0))) keeps an untaken branch from overflowing: no inf·0.
    """

    def as_where(term):
        step = next(f for f in sp.Mul.make_args(term) if isinstance(f, sp.Heaviside))
        argument = step.args[0]
        at_zero = step.args[1] if len(step.args) > 1 else sp.S.Half
        positive = solved(argument > 0, argument)
        rest = term / step
        guarded = rest.replace(
            lambda e: isinstance(e, sp.exp),
            lambda e: sp.exp(sp.Piecewise((e.args[0], positive), (0, True))),
        )
        if at_zero == 0:
            return sp.Piecewise((guarded, positive), (0, True))
        zero = solved(sp.Eq(argument, 0), argument)
        at_kink = rest.replace(
            lambda e: isinstance(e, sp.exp),
            lambda e: sp.exp(sp.Piecewise((e.args[0], zero), (0, True))),
        )
        return sp.Piecewise((guarded, positive), (at_zero * at_kink, zero), (0, True))

    return expr.replace(
        lambda e: isinstance(e, sp.Mul) and any(isinstance(f, sp.Heaviside) for f in e.args),
        as_where,
    )


_OVERFLOWING = (sp.exp, expm1, sp.sinh, sp.cosh)  # functions of a large argument that overflow


def taken_branches(expr):
    """where(c, f(x), g(x)): the exponentials of each branch read x only where it is taken.

    np.where computes both branches: ELU's expm1(z) overflows at z = 1000 though z > 0 takes
    the other one. expm1(z) becomes expm1(min(z, 0)) there, the same value where it is read.
    """

    def masked(piecewise):
        branches, before = [], sp.false
        for value, condition in piecewise.args:
            taken = sp.And(condition, sp.Not(before))
            if taken != sp.true:
                value = value.replace(
                    lambda e: isinstance(e, _OVERFLOWING) and not e.args[0].has(sp.Piecewise),
                    lambda e, taken=taken: e.func(_only_where(e.args[0], taken)),
                )
            branches.append((value, condition))
            before = sp.Or(before, condition)
        return sp.Piecewise(*branches)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), masked)


def _only_where(argument, condition):
    """argument where condition holds, else a number that cannot overflow: min(x, 0) for x ≤ 0."""
    condition = solved(condition, argument)
    less, greater = sp.LessThan | sp.StrictLessThan, sp.GreaterThan | sp.StrictGreaterThan
    if isinstance(condition, less | greater) and condition.lhs == argument:
        bound = condition.rhs
        if bound.is_Number and abs(bound) <= 80:  # e^80 is finite in float32
            return (
                sp.Min(argument, bound) if isinstance(condition, less) else sp.Max(argument, bound)
            )
    return sp.Piecewise((argument, condition), (0, True))


def solved(condition, argument):
    """condition solved for its one variable when it has one: 1 − e^z > 0 becomes z < 0 and
    e^z − 1 = 0 becomes z = 0, which cannot overflow; else condition as it is."""
    variables = [s for s in argument.free_symbols if not s.is_integer]
    indexed = argument.atoms(sp.Indexed)
    if len(variables) != 1 or len(indexed) > 1:
        return condition
    variable = next(iter(indexed)) if indexed else variables[0]
    plain = sp.Dummy("x", real=True)
    try:
        result = sp.solve_univariate_inequality(
            condition.xreplace({variable: plain}), plain, relational=True
        )
    except (NotImplementedError, TypeError, ValueError):
        return condition
    if isinstance(result, sp.Rel | sp.Eq) and result.free_symbols == {plain}:
        return result.xreplace({plain: variable})
    return condition


__all__ = ["masked_branches", "solved", "taken_branches"]
