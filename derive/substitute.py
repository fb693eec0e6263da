"""Substitution without variable capture: definitions, fresh summation variables, and
writing out sums with integer bounds."""

from __future__ import annotations

import sympy as sp

from derive.errors import DerivationError


def fresh_bound_variables(expr: sp.Basic) -> sp.Basic:
    """Rename every summation variable in expr to a new Dummy, so that substituting into expr
    (an index value, a definition called with index k) can never capture a bound index."""

    def rename(s: sp.Sum):
        swap = {var: sp.Dummy(var.name, integer=True) for var, *_ in s.limits}
        limits = [(swap[var], lo, hi) for var, lo, hi in s.limits]
        return sp.Sum(s.function.xreplace(swap), *limits)

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def expand_sum(s: sp.Sum) -> sp.Basic:
    """Write out a Sum whose bounds are integers term by term (much faster than Sum.doit)."""
    terms = [fresh_bound_variables(s.function)]
    for var, lo, hi in s.limits:
        if not (lo.is_Integer and hi.is_Integer):
            return s
        terms = [
            t.xreplace({var: sp.Integer(v)}) for t in terms for v in range(int(lo), int(hi) + 1)
        ]
    return sp.Add(*terms)


def _as_expr(value) -> sp.Basic:
    """A definition's value as a SymPy object; definitions are code, never text."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, int | float):
        return sp.Number(value)
    raise TypeError(f"a definition returned {type(value).__name__}, not a SymPy expression")


def call_definition(definition, indices):
    """definition(*indices) without capture: called with fresh symbols, its own summation
    variables renamed apart, then the real indices put in. Concrete indices (integers) cannot
    be captured, and neither can anything in a definition without sums: those take the short
    way."""
    if all(getattr(ix, "is_Integer", False) for ix in indices):
        return _as_expr(definition(*indices))
    fresh = [sp.Dummy("a", integer=True) for _ in indices]
    body = _as_expr(definition(*fresh))
    if body.has(sp.Sum):
        body = fresh_bound_variables(body)
    return body.xreplace(dict(zip(fresh, indices, strict=True)))


def written_out(expr: sp.Basic, subs: dict) -> sp.Basic:
    """expr with ``subs`` applied until nothing changes (definitions that use definitions);
    at most as many rounds as there are definitions, so a cycle cannot loop forever."""
    for _ in range(len(subs) + 1):
        new = expr.xreplace(subs)
        if new == expr:
            return expr
        expr = new
    return expr


def apply_definitions(expr: sp.Basic, definitions: dict) -> sp.Basic:
    """Substitute the domain's definitions recursively (``p[k] -> softmax(z)_k``).

    One memoised walk of the tree: a defined atom is replaced by its definition, which is itself
    walked, so chains of definitions (L → p → z → h → …) resolve in a single pass.
    """
    if not definitions:
        return expr
    return _walker(definitions)(expr)


def apply_definitions_all(exprs, definitions: dict) -> list:
    """:func:`apply_definitions` of each expression, in one walk: the subtrees they share (a
    diagnosis's hundred candidates are variants of one answer) are substituted once."""
    if not definitions:
        return list(exprs)
    walk = _walker(definitions)
    return [walk(e) for e in exprs]


def _walker(definitions: dict):
    """The memoised substitution of ``definitions`` (one memo for every expression walked)."""
    memo: dict = {}
    depth = [0]

    def walk(e):
        if e in memo:
            return memo[e]
        if isinstance(e, sp.Indexed) and e.base in definitions:
            out = resolve(call_definition(definitions[e.base], e.indices))
        elif not isinstance(e, sp.IndexedBase) and e in definitions:
            out = resolve(definitions[e])
        elif isinstance(e, sp.core.function.AppliedUndef) and e.func in definitions:
            out = resolve(definitions[e.func](*[walk(a) for a in e.args]))
        elif e.args and not isinstance(e, sp.Indexed | sp.IndexedBase):
            args = [walk(a) for a in e.args]
            out = e if all(a is b for a, b in zip(args, e.args, strict=True)) else e.func(*args)
        else:
            out = e
        memo[e] = out
        return out

    def resolve(e):
        depth[0] += 1
        if depth[0] > 200:
            raise DerivationError("definitions do not terminate (a definition refers to itself)")
        try:
            return walk(e)
        finally:
            depth[0] -= 1

    return walk


MAX_BODIES = 100_000


def symbols_through(expr: sp.Basic, definitions: dict) -> set:
    """Every Symbol of ``apply_definitions(expr, definitions)`` (bound ones included), found
    without building it: defined atoms are looked through, each definition body once."""
    found: set = set()
    seen: set = set()
    stack = [expr]
    bodies = 0
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        body = _definition_body(e, definitions)
        if body is not None:
            bodies += 1
            if bodies > MAX_BODIES:  # each call gives new indices, e.g. x[a] -> x[a - 1]
                raise DerivationError(
                    "definitions do not terminate (a definition refers to itself)"
                )
            stack.append(body)
        elif e.is_Symbol:
            found.add(e)
        else:
            stack.extend(a for a in e.args if isinstance(a, sp.Basic))
    return found


def _definition_body(e, definitions):
    """What apply_definitions puts in place of e, or None when e is not defined."""
    if isinstance(e, sp.Indexed) and e.base in definitions:
        return call_definition(definitions[e.base], e.indices)
    if not isinstance(e, sp.IndexedBase) and e in definitions:
        return definitions[e]
    if isinstance(e, sp.core.function.AppliedUndef) and e.func in definitions:
        return definitions[e.func](*e.args)
    return None
