"""Writing an expression out at one concrete instance: sizes and indices made integers, every
sum written term by term, definitions substituted, derivatives taken by SymPy.

One top-down pass (:class:`Writer`) does what substituting definitions, then sizes, then
expanding sums, then indices would do in four: a bound index gets its value from the sum being
written out, and a defined entry at concrete indices (``p[2]``, ``h1[3]``) is written out once
per domain and sizes, then shared by every line, instance and cross-check that uses it.

What is written out is evaluated numerically or differentiated, both right for any form of it,
so it is built unevaluated: SymPy's simplification on construction costs more than it saves.
Each derivative is taken once per process (:func:`differentiate`).

>>> import sympy as sp
>>> a, k, K = sp.IndexedBase("a"), sp.Symbol("k"), sp.Symbol("K")
>>> Writer({}, {K: 3}).write(sp.Sum(a[k], (k, 1, K)))
a[1] + a[2] + a[3]
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import DerivationError
from derive.substitute import call_definition

MAX_DEPTH = 100  # definitions nested deeper than this refer to themselves (a 50-layer network
# nests 100 deep), and Python's own recursion limit comes not far beyond


class Writer:
    """Writes expressions out under fixed ``sizes`` (size symbol → integer) and ``definitions``.

    ``write(expr, indices)`` also gives free index symbols their values. Defined atoms are
    written out with the sizes alone, so their expansions are shared across index assignments.
    """

    def __init__(self, definitions: dict, sizes: dict):
        self.definitions = definitions
        self.sizes = {s: sp.Integer(v) for s, v in sizes.items()}
        self.defined: dict = {}  # defined atom (at concrete indices) -> written out
        self.depth = 0

    def write(self, expr: sp.Basic, indices: dict | None = None) -> sp.Basic:
        env = dict(self.sizes)
        env.update({s: sp.Integer(v) for s, v in (indices or {}).items()})
        return self._walk(expr, env)

    def _walk(self, e, env):
        if e.is_Symbol:
            if e in env:
                return env[e]
            return self._definition(e, lambda: self.definitions[e]) if e in self.definitions else e
        if not e.args:
            return e
        if isinstance(e, sp.Indexed):
            indices = tuple(self._walk(ix, env) for ix in e.indices)
            if e.base in self.definitions:
                definition = self.definitions[e.base]
                return self._definition(
                    (e.base, indices), lambda: call_definition(definition, indices)
                )
            same = all(a is b for a, b in zip(indices, e.indices, strict=True))
            return e if same else _entry(e.base, indices)
        if isinstance(e, sp.Sum):
            return self._sum(e, env)
        if not isinstance(e, sp.IndexedBase) and e in self.definitions:
            return self._definition(e, lambda: self.definitions[e])
        if isinstance(e, AppliedUndef) and e.func in self.definitions:
            args = [self._walk(a, env) for a in e.args]
            return self._resolve(self.definitions[e.func](*args))
        args = [self._walk(a, env) for a in e.args]
        if isinstance(e, sp.Derivative):
            return _derivative(args[0], tuple(tuple(pair) for pair in args[1:]))
        if all(a is b for a, b in zip(args, e.args, strict=True)):
            return e
        if isinstance(e, sp.Add | sp.Mul | sp.Pow | sp.Function):
            return e.func(*args, evaluate=False)
        return e.func(*args)

    def _definition(self, key, body):
        """A defined atom written out, once: its body (a thunk) is written with the sizes alone."""
        if key not in self.defined:
            self.defined[key] = self._resolve(body())
        return self.defined[key]

    def _resolve(self, body):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth = 0
            raise DerivationError("definitions do not terminate (a definition refers to itself)")
        try:
            return self._walk(body, self.sizes)
        finally:
            self.depth = max(self.depth - 1, 0)

    def _sum(self, s: sp.Sum, env):
        """Σ written out term by term; each term sees its summation variables' values."""
        variables = [var for var, _, _ in s.limits]
        ranges = []
        inner = {k: v for k, v in env.items() if k not in variables}
        for _, lo, hi in s.limits:
            lo, hi = self._walk(lo, inner), self._walk(hi, inner)
            if not (lo.is_Integer and hi.is_Integer):
                limits = [(v, self._walk(a, inner), self._walk(b, inner)) for v, a, b in s.limits]
                return sp.Sum(self._walk(s.function, inner), *limits)
            ranges.append([sp.Integer(v) for v in range(int(lo), int(hi) + 1)])
        terms = []
        for values in itertools.product(*ranges):
            terms.append(
                self._walk(s.function, {**inner, **dict(zip(variables, values, strict=True))})
            )
        return sp.Add(*terms, evaluate=False)


_ENTRIES: dict = {}


def _entry(base, indices):
    """base[indices], built once (SymPy's Indexed constructor is slow)."""
    key = (base, indices)
    if key not in _ENTRIES:
        if len(_ENTRIES) > 16 * CACHE_LIMIT:
            _ENTRIES.clear()
        _ENTRIES[key] = base[indices]
    return _ENTRIES[key]


_AS_SYMBOL: dict = {}
_SWAPPED: dict = {}  # written-out expression -> (with Symbols for its entries, the way back)
_DERIVATIVES: dict = {}  # the cross-checks differentiate the same compositions as the steps
CACHE_LIMIT = 2048


def differentiate(expr: sp.Basic) -> sp.Basic:
    """Every Derivative in a written-out expression taken by SymPy (each one once per process)."""

    def take(d: sp.Derivative):
        return _derivative(d.expr, tuple(tuple(pair) for pair in d.variable_count))

    if isinstance(expr, sp.Derivative):
        return take(expr)
    return expr.replace(lambda e: isinstance(e, sp.Derivative), take)


def _derivative(expr: sp.Basic, variable_count: tuple) -> sp.Basic:
    """∂expr/∂variables by SymPy, with every concrete Indexed swapped for a plain Symbol (SymPy
    differentiates Symbols about 2.5× faster than Indexed objects, which it treats with
    Kronecker deltas). ``variable_count`` holds (variable, order) pairs, as in Derivative."""
    key = (expr, variable_count)
    if key in _DERIVATIVES:
        return _DERIVATIVES[key]
    swapped = _swap(expr)
    if swapped is None or not all(_is_concrete(v) for v, _ in variable_count):
        result = sp.Derivative(expr, *variable_count).doit()
    else:
        rebuilt, back = swapped
        variables = [(_symbol_for(v), n) for v, n in variable_count]
        result = sp.Derivative(rebuilt, *variables).doit().xreplace(back)
    if len(_DERIVATIVES) > CACHE_LIMIT:
        _DERIVATIVES.clear()
    _DERIVATIVES[key] = result
    return result


def _is_concrete(atom) -> bool:
    return not isinstance(atom, sp.Indexed) or all(ix.is_Integer for ix in atom.indices)


def _symbol_for(atom):
    """The plain Symbol standing for a concrete Indexed entry (anything else stands for itself)."""
    if not isinstance(atom, sp.Indexed):
        return atom
    if atom not in _AS_SYMBOL:
        _AS_SYMBOL[atom] = sp.Symbol(f"_{sp.sstr(atom)}", real=True)
    return _AS_SYMBOL[atom]


def _swap(expr):
    """(expr with Symbols for its concrete entries, Symbol → entry), or None when an entry has
    a symbolic index."""
    if expr in _SWAPPED:
        return _SWAPPED[expr]
    atoms = expr.atoms(sp.Indexed)
    if all(_is_concrete(a) for a in atoms):
        swap = {a: _symbol_for(a) for a in atoms}
        found = (expr.xreplace(swap), {s: a for a, s in swap.items()})
    else:
        found = None
    if len(_SWAPPED) > CACHE_LIMIT:
        _SWAPPED.clear()
    _SWAPPED[expr] = found
    return found


_LEAVES: dict = {}  # written-out expression -> (its leaves, whether it is written out)


def leaves(expr: sp.Basic) -> set:
    """The concrete entries (Indexed) and free symbols of a written-out expression."""
    return _leaves(expr)[0]


def written_out(expr: sp.Basic) -> bool:
    """Whether no Sum and no Derivative is left in expr."""
    return _leaves(expr)[1]


def _leaves(expr):
    """One walk for both: it visits a shared subexpression once (SymPy's ``atoms`` and ``has``
    visit it wherever it occurs, which for a written-out softmax is K times)."""
    if expr in _LEAVES:
        return _LEAVES[expr]
    found, seen, stack = set(), set(), [expr]
    complete = True
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, sp.Indexed) or (e.is_Symbol and not isinstance(e, sp.IndexedBase)):
            found.add(e)
        elif isinstance(e, sp.Derivative | sp.Sum | sp.Lambda):  # not written out: no bound
            entries = e.atoms(sp.Indexed)  # variables, nor the labels inside the entries
            inner = set().union(*(a.free_symbols for a in entries))
            found |= entries | {s for s in e.free_symbols if s not in inner}
            complete = complete and isinstance(e, sp.Lambda)
        else:
            stack.extend(e.args)
    if len(_LEAVES) > CACHE_LIMIT:
        _LEAVES.clear()
    _LEAVES[expr] = (found, complete)
    return found, complete
