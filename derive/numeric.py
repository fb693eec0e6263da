"""Fast vectorised evaluation of concrete SymPy expressions with NumPy.

Dispatches on expression type (as SymPy's printers do) instead of printing and compiling
source with ``lambdify``, which dominated verification time. ``values`` maps each atom
(Symbol or concrete Indexed) to an array of sample values; the result has the same length.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from derive import rulebook
from derive.substitute import call_definition, expand_sum


class EvaluationError(Exception):
    """An expression contains something this evaluator does not know."""


def _heaviside(x, at_zero=0.5):
    return np.where(x > 0, 1.0, np.where(x < 0, 0.0, at_zero))


def _kronecker(a, b):
    return np.where(a == b, 1.0, 0.0)


def _piecewise(expr, values, env=None):
    out = None
    taken = None
    for value, cond in expr.args:
        v, c = np.broadcast_arrays(
            np.asarray(evaluate(value, values, env), dtype=float),
            np.asarray(evaluate_condition(cond, values, env), dtype=bool),
        )
        if out is None:
            out = np.where(c, v, np.nan)
            taken = c
        else:
            out = np.where(~taken & c, v, out)
            taken = taken | c
    return out


def evaluate_condition(cond, values, env=None):
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    ops = {
        sp.StrictGreaterThan: np.greater,
        sp.GreaterThan: np.greater_equal,
        sp.StrictLessThan: np.less,
        sp.LessThan: np.less_equal,
        sp.Equality: np.equal,
        sp.Unequality: np.not_equal,
    }
    for cls, op in ops.items():
        if isinstance(cond, cls):
            return op(evaluate(cond.lhs, values, env), evaluate(cond.rhs, values, env))
    if isinstance(cond, sp.And):
        return np.logical_and.reduce([evaluate_condition(a, values, env) for a in cond.args])
    if isinstance(cond, sp.Or):
        return np.logical_or.reduce([evaluate_condition(a, values, env) for a in cond.args])
    if isinstance(cond, sp.Not):
        return np.logical_not(evaluate_condition(cond.args[0], values, env))
    raise EvaluationError(f"cannot evaluate condition {cond}")


_UNARY = rulebook.numeric_functions()  # SymPy class → NumPy callable, from the rule records


class Definitions:
    """Lazy numeric definitions: a defined atom is evaluated from its definition once per point
    set (memoised), so deep compositions (a whole network) never swell symbolically.

    Derivatives are taken by five-point central differences of the defined quantities: used where the
    symbolic route is too slow (the whole-network recurrence), and labelled as such.
    """

    EPS = 1e-3  # five-point stencil: truncation O(ε⁴) ≈ 1e-12, round-off ≈ 1e-13·|L|

    # id(definitions) -> (definitions, {atom: definition, sums written out}, {atom: its leaves})
    _expanded: dict = {}

    def __init__(self, definitions: dict, values: dict):
        self.definitions = definitions
        self.values = values
        self.memo: dict = {}
        cache = Definitions._expanded.get(id(definitions))
        if cache is None or cache[0] is not definitions:
            cache = Definitions._expanded[id(definitions)] = (definitions, {}, {})
        self.cache, self.leaves_of = cache[1], cache[2]

    def definition_of(self, e):
        """The definition of e with its sums written out (cached per atom), or None."""
        if e in self.cache:
            return self.cache[e]
        found = self._lookup(e)
        if found is not None and found.has(sp.Sum):
            found = found.replace(lambda s: isinstance(s, sp.Sum), _expand)
        self.cache[e] = found
        return found

    def _lookup(self, e):
        d = self.definitions
        if isinstance(e, sp.Indexed) and e.base in d:
            return call_definition(d[e.base], e.indices)
        if isinstance(e, sp.core.function.AppliedUndef) and e.func in d:
            return d[e.func](*e.args)
        if not isinstance(e, sp.IndexedBase) and e in d:
            return d[e]
        return None

    def leaves(self, expr) -> set:
        """The undefined atoms (symbols, indexed entries) that expr ultimately depends on; a
        defined atom's are found once per set of definitions and reused."""
        out = set()
        seen = set()
        stack = [expr]
        while stack:
            e = stack.pop()
            if e in seen:
                continue
            seen.add(e)
            if isinstance(e, sp.Sum):
                stack.append(_expand(e))
                continue
            definition = self.definition_of(e)
            if definition is not None:
                if e not in self.leaves_of:
                    self.leaves_of[e] = self.leaves(definition)
                out |= self.leaves_of[e]
            elif isinstance(e, sp.Indexed) or (isinstance(e, sp.Symbol) and not e.is_Dummy):
                out.add(e)
            elif isinstance(e, sp.Derivative):
                stack.append(e.expr)
            else:
                stack.extend(a for a in e.args if isinstance(a, sp.Basic))
        return out

    STEPS = (-2, -1, 1, 2)

    def derivative(self, expr: sp.Derivative):
        """Five-point central differences at two step sizes; NaN where they disagree, i.e.
        where the function is not smooth within ε (a ReLU kink): such points prove nothing.

        All eight shifted evaluations are one evaluation of the body on the points stacked
        eight times over (so the Python work per node is paid once, not eight times)."""
        ((var, count),) = expr.variable_count
        if count != 1 or var not in self.values:
            raise EvaluationError(f"cannot take {sp.sstr(expr)} by differences")
        n = len(self.values[var])
        widths = (self.EPS, self.EPS / 8)
        shifts = np.repeat([step * eps for eps in widths for step in self.STEPS], n)
        stacked = {atom: np.tile(value, 2 * len(self.STEPS)) for atom, value in self.values.items()}
        stacked[var] = stacked[var] + shifts
        body = evaluate(expr.expr, stacked, Definitions(self.definitions, stacked))
        f = np.broadcast_to(np.asarray(body, dtype=float), shifts.shape).reshape(len(widths), -1, n)
        coarse, fine = (
            (row[0] - 8 * row[1] + 8 * row[2] - row[3]) / (12 * eps)
            for row, eps in zip(f, widths, strict=True)
        )
        # smooth: the two agree to their accuracy (truncation ~1e-13, round-off ~3e-12·|f|),
        # well inside the tolerance (atol 1e-9, rtol 1e-7) the estimates are then judged by, so
        # a kink whose slope jump is small cannot slip an error of that size past the check
        scale = np.maximum(1.0, np.abs(coarse)) + np.abs(f).max(axis=(0, 1))
        smooth = np.abs(coarse - fine) <= 1e-10 * scale
        return np.where(smooth, coarse, np.nan)


def _expand(s: sp.Sum):
    expanded = expand_sum(s)
    if isinstance(expanded, sp.Sum):
        raise EvaluationError(f"sum with symbolic bounds: {sp.sstr(s)}")
    return expanded


def _generic(expr: sp.Basic) -> bool:
    """Whether expr applies a function that has a body to evaluate it by (``generic``)."""
    return any(getattr(f, "generic", False) for f in expr.atoms(AppliedUndef))


def evaluate(
    expr: sp.Basic, values: dict, env: Definitions | None = None, memo: dict | None = None
):
    """Evaluate a concrete expression at the sample points in ``values``.

    With ``env``, defined atoms are evaluated lazily from their definitions. With ``memo`` (a
    dict), each subexpression is evaluated once however often it occurs (a softmax's Σ_l e^{z_l}
    appears in every p_k), also across several calls that share the memo and the values.
    """
    if expr in values:
        return values[expr]
    if memo is None:
        return _evaluate(expr, values, env, None)
    if expr not in memo:
        memo[expr] = _evaluate(expr, values, env, memo)
    return memo[expr]


def _evaluate(expr, values, env, memo):
    if env is not None:
        if expr in env.memo:
            return env.memo[expr]
        definition = env.definition_of(expr)
        if definition is not None:
            env.memo[expr] = evaluate(definition, values, env, memo)
            return env.memo[expr]
        if isinstance(expr, sp.Sum):
            return evaluate(_expand(expr), values, env, memo)
        if isinstance(expr, sp.Derivative):
            return env.derivative(expr)
    if expr.is_Number or expr.is_NumberSymbol:
        return float(expr)
    if isinstance(expr, sp.Add):
        return sum(evaluate(a, values, env, memo) for a in expr.args)
    if isinstance(expr, sp.Mul):
        out = 1.0
        for a in expr.args:
            out = out * evaluate(a, values, env, memo)
        return out
    if isinstance(expr, sp.Pow):
        base = evaluate(expr.base, values, env, memo)
        exponent = evaluate(expr.exp, values, env, memo)
        with np.errstate(all="ignore"):
            return np.power(np.asarray(base, dtype=float), exponent)
    func = type(expr)
    if func in _UNARY:
        with np.errstate(all="ignore"):
            return _UNARY[func](evaluate(expr.args[0], values, env, memo))
    if isinstance(expr, sp.Heaviside):
        at_zero = float(expr.args[1]) if len(expr.args) > 1 else 0.5
        return _heaviside(evaluate(expr.args[0], values, env, memo), at_zero)
    if isinstance(expr, sp.KroneckerDelta):
        return _kronecker(
            evaluate(expr.args[0], values, env, memo), evaluate(expr.args[1], values, env, memo)
        )
    if isinstance(expr, sp.Max | sp.Min):
        op = np.maximum if isinstance(expr, sp.Max) else np.minimum
        args = [evaluate(a, values, env, memo) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = op(out, a)
        return out
    if isinstance(expr, sp.Piecewise):
        return _piecewise(expr, values, env)
    rewritten = expr.rewrite(sp.exp)
    if isinstance(rewritten, sp.Derivative | sp.Subs) and _generic(expr):
        rewritten = rewritten.doit()  # g′(x) of a function given a generic body (check steps)
    if rewritten != expr:
        return evaluate(rewritten, values, env, memo)
    raise EvaluationError(f"cannot evaluate {sp.sstr(expr)} numerically")
