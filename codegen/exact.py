"""Evaluate a SymPy expression at one point in high precision with mpmath: the reference that
:mod:`codegen.certify` compares each emitted NumPy line with.

Dispatches on expression type, as SymPy's printers do; a function it does not know is
evaluated through its rewrite to exponentials (``sigmoid``, ``softplus``, records that define
one). Conditions (Heaviside, Piecewise, comparisons) are decided exactly, and DiracDelta is 0
(the derivative of a step away from its jump), so condition numbers of piecewise lines exist.

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> float(evaluate(sp.log(1 + sp.exp(x)), {x: -700.0}, digits=400))  # doctest: +ELLIPSIS
9.8...e-305
"""

from __future__ import annotations

import mpmath
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p


class NotEvaluable(ValueError):
    """The expression holds something with no exact evaluation here (a row function...)."""


_UNARY = {
    sp.exp: mpmath.exp,
    sp.log: mpmath.log,
    sp.tanh: mpmath.tanh,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.sin: mpmath.sin,
    sp.cos: mpmath.cos,
    sp.tan: mpmath.tan,
    sp.atan: mpmath.atan,
    sp.asinh: mpmath.asinh,
    sp.acosh: mpmath.acosh,
    sp.atanh: mpmath.atanh,
    sp.erf: mpmath.erf,
    sp.erfc: mpmath.erfc,
    sp.Abs: abs,
    sp.sign: mpmath.sign,
    expm1: mpmath.expm1,
    log1p: mpmath.log1p,
}

_RELATIONS = {
    sp.StrictGreaterThan: lambda a, b: a > b,
    sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b,
    sp.LessThan: lambda a, b: a <= b,
    sp.Equality: lambda a, b: a == b,
    sp.Unequality: lambda a, b: a != b,
}


def evaluate(expr: sp.Basic, values: dict, digits: int = 400):
    """expr at the point ``values`` ({Symbol or Indexed: float}) with ``digits`` digits."""
    with mpmath.workdps(digits):
        return _Evaluator(values, digits).value(expr)


class _Evaluator:
    def __init__(self, values: dict, digits: int):
        self.values = {  # floats exactly as they are; mpf values (exact inputs) kept
            key: v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v))
            for key, v in values.items()
        }
        self.digits = digits
        self.memo: dict = {}

    def value(self, e):
        if e in self.values:
            return self.values[e]
        if e in self.memo:
            return self.memo[e]
        out = self._value(e)
        self.memo[e] = out
        return out

    def _value(self, e):  # noqa: C901 - one branch per expression type
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            return mpmath.mpmathify(sp.N(e, self.digits + 10))
        if isinstance(e, sp.Add):
            return mpmath.fsum(self.value(a) for a in e.args)
        if isinstance(e, sp.Mul):
            return mpmath.fprod(self.value(a) for a in e.args)
        if isinstance(e, sp.Pow):
            base, power = self.value(e.base), self.value(e.exp)
            if base == 0 and power < 0:
                return mpmath.inf
            return base**power
        if type(e) in _UNARY:
            return _UNARY[type(e)](self.value(e.args[0]))
        if isinstance(e, sp.Max):
            return max(self.value(a) for a in e.args)
        if isinstance(e, sp.Min):
            return min(self.value(a) for a in e.args)
        if isinstance(e, sp.Heaviside):
            x = self.value(e.args[0])
            at_zero = self.value(e.args[1]) if len(e.args) > 1 else mpmath.mpf(0.5)
            return mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else at_zero
        if isinstance(e, sp.DiracDelta):
            return mpmath.mpf(0)
        if isinstance(e, sp.Piecewise):
            for value, condition in e.args:
                if self.condition(condition):
                    return self.value(value)
            return mpmath.nan
        rewritten = e.rewrite(sp.exp) if isinstance(e, sp.Function) else e
        if rewritten != e:
            return self.value(rewritten)
        if isinstance(e, sp.Function) and hasattr(e, "_eval_rewrite_as_Max"):
            return self.value(e._eval_rewrite_as_Max(*e.args))
        raise NotEvaluable(f"no exact evaluation of {sp.sstr(e)}")

    def condition(self, c) -> bool:
        if c is sp.true or c is sp.false:
            return bool(c)
        for kind, relation in _RELATIONS.items():
            if isinstance(c, kind):
                return relation(self.value(c.lhs), self.value(c.rhs))
        if isinstance(c, sp.And):
            return all(self.condition(a) for a in c.args)
        if isinstance(c, sp.Or):
            return any(self.condition(a) for a in c.args)
        if isinstance(c, sp.Not):
            return not self.condition(c.args[0])
        raise NotEvaluable(f"no exact evaluation of the condition {sp.sstr(c)}")


__all__ = ["NotEvaluable", "evaluate"]
