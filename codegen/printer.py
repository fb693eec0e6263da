"""Print index-notation expressions over a batch as vectorised NumPy array code.

An ``Indexed`` atom names an array and its axes: ``Delta[n, i]`` is the array ``Delta`` whose
axis 0 runs over n and axis 1 over i; ``b[i]`` is a vector. ``print_array(expr, axes)`` prints
an array with exactly those axes, in that order:

>>> from sympy import IndexedBase, Sum, symbols
>>> D, H, W = IndexedBase("D"), IndexedBase("H"), IndexedBase("W")
>>> n, i, j, k, m = symbols("n i j k m", integer=True, positive=True)
>>> print_array(Sum(D[n, i] * H[n, j], (n, 1, m)), (i, j))
'D.T @ H'
>>> print_array(D[n, j] * (1 - H[n, j] ** 2), (n, j))
'D * (1 - H**2)'

Contractions (``Sum``) lower to ``@`` with transposes when the pattern is a matrix product, to
``.sum(axis=...)`` when one elementwise operand is summed, and to ``np.einsum`` otherwise.
Every printed subexpression is aligned to the axes of its context (transposed, with ``None``
for missing axes), so lower-rank operands broadcast correctly. Output is formatted as ruff
formats it (spaces around binary operators, ``x**2`` hugging simple operands).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import sympy as sp
from sympy.printing.numpy import NumPyPrinter, _known_constants_numpy, _known_functions_numpy
from sympy.printing.precedence import PRECEDENCE, precedence

from codegen import stable
from codegen.printer_functions import FunctionPrinting

_SIMPLE_POWER_OPERAND = re.compile(r"-?([A-Za-z_][A-Za-z0-9_.]*|[0-9.]+)")  # ruff hugs these
_ATOM = PRECEDENCE["Atom"]
_MUL = PRECEDENCE["Mul"]


class IndexPrintingError(ValueError):
    """An expression this printer cannot lower to array code (a bug or an unsupported function)."""


def index_axes(expr: sp.Basic) -> set:
    """The free indices of an index-notation expression: its array axes."""
    if isinstance(expr, sp.Indexed):
        return {index for index in expr.indices if isinstance(index, sp.Symbol)}
    if isinstance(expr, sp.Sum):
        bound = {limit[0] for limit in expr.limits}
        return index_axes(expr.function) - bound
    if isinstance(expr, stable.logsumexp):
        return index_axes(expr.body) - {expr.limits[0]}
    if isinstance(expr, stable._RowFunction):
        return index_axes(expr.body)
    return set().union(*(index_axes(a) for a in expr.args if isinstance(a, sp.Basic)))


class NumPyIndexPrinter(FunctionPrinting, NumPyPrinter):
    """NumPyPrinter for index notation over arrays; module prefix ``np``.

    ``helpers`` collects the names of :data:`codegen.stable.NUMPY_HELPERS` the printed code
    calls, as ``module_imports`` collects modules.
    """

    _module = "np"
    _kf = {name: f"np.{value}" for name, value in _known_functions_numpy.items()}
    _kc = {name: f"np.{value}" for name, value in _known_constants_numpy.items()}
    _default_settings = {**NumPyPrinter._default_settings, "strict": True}

    def __init__(self, settings=None):
        super().__init__(settings)
        self.known_functions = dict(NumPyIndexPrinter._kf)  # NumPy only, no math.* fallbacks
        self.helpers: set[str] = set()
        self._axes: tuple = ()
        self._sum_precedence: dict = {}

    # -- entry point and axis bookkeeping ------------------------------------------------------

    def print_array(self, expr: sp.Basic, axes=()) -> str:
        """Code for an array with the given axes (index symbols), in that order."""
        free = index_axes(expr)
        if not free <= set(axes):
            extra = ", ".join(sorted(map(str, free - set(axes))))
            raise IndexPrintingError(f"free indices {extra} of {sp.sstr(expr)} are not output axes")
        with self._within(tuple(axes)):
            return self._print(expr)

    @contextmanager
    def _within(self, axes):
        saved, self._axes = self._axes, tuple(axes)
        try:
            yield
        finally:
            self._axes = saved

    def _ordered(self, axes) -> list:
        """Axes in context order; axes outside the context after them, by name."""
        context = self._axes
        return sorted(
            axes,
            key=lambda a: (0, context.index(a), "") if a in context else (1, 0, a.name),
        )

    def _align(self, code: str, own: tuple, prec: int) -> str:
        """Array ``code`` with axes ``own``, made broadcastable in the current context."""
        context = self._axes
        if not set(own) <= set(context):
            raise IndexPrintingError(f"axes {own} of {code} are not in context {context}")
        order = tuple(sorted(own, key=context.index))
        if order != tuple(own):
            code = self._wrap(code, prec)
            if len(own) == 2:
                code += ".T"
            else:
                code += ".transpose(%s)" % ", ".join(str(own.index(a)) for a in order)
            prec = _ATOM
        if order:
            slots = [":" if a in own else "None" for a in context[context.index(order[0]) :]]
            while slots and slots[-1] == ":":
                slots.pop()
            if slots:
                code = "%s[%s]" % (self._wrap(code, prec), ", ".join(slots))
        return code

    @staticmethod
    def _wrap(code: str, prec: int) -> str:
        return code if prec >= _ATOM else f"({code})"

    # -- atoms ------------------------------------------------------------------------------------

    def _print_Indexed(self, expr):
        for index in expr.indices:
            if not isinstance(index, sp.Symbol):
                raise IndexPrintingError(f"{sp.sstr(expr)}: only symbolic indices are supported")
        return self._align(expr.base.label.name, tuple(expr.indices), _ATOM)

    def _print_Integer(self, expr):
        return str(expr.p)

    def _print_Rational(self, expr):
        return f"{expr.p} / {expr.q}"

    def _print_Half(self, expr):
        return self._print_Rational(expr)

    # -- arithmetic, formatted as ruff formats it ---------------------------------------------

    def parenthesize(self, item, level, strict=False):
        if isinstance(item, sp.Sum):  # a matrix product prints as a binary operator
            code = self._print(item)
            prec = self._sum_precedence[(item, self._axes)]
            return f"({code})" if prec < level or (not strict and prec <= level) else code
        return super().parenthesize(item, level, strict)

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        # positive terms first (a - b, not -b + a), arrays before the vectors added to them
        terms = sorted(terms, key=lambda t: (t.could_extract_minus_sign(), -len(index_axes(t))))
        out = []
        for n, term in enumerate(terms):
            negative = term.could_extract_minus_sign()
            shown = self.parenthesize(-term if negative and n else term, PRECEDENCE["Add"])
            out.append(shown if n == 0 else (" - " if negative else " + ") + shown)
        return "".join(out)

    def _print_Mul(self, expr):
        coeff, rest = expr.as_coeff_Mul()
        sign = ""
        if coeff < 0:
            sign, coeff = "-", -coeff
        numerator, denominator = [], []
        if coeff.is_Rational:
            numerator += [sp.Integer(coeff.p)] if coeff.p != 1 else []
            denominator += [sp.Integer(coeff.q)] if coeff.q != 1 else []
        elif coeff != 1:
            numerator.append(coeff)
        for factor in sp.Mul.make_args(rest):
            base, power = factor.as_base_exp()
            if power.is_Rational and power.is_negative and not isinstance(factor, sp.exp):
                denominator.append(base ** (-power))
            elif factor != 1:
                numerator.append(factor)
        # arrays first, then functions, then compound factors: dH * (1 - A**2)
        numerator.sort(key=_factor_rank)
        top = [self.parenthesize(f, _MUL) for f in numerator] or ["1"]
        if sign and len(numerator) == 1:  # unary minus binds tighter than * but looser than **
            top = [self.parenthesize(numerator[0], (PRECEDENCE["Pow"] + _MUL) / 2)]
        code = sign + " * ".join(top)
        if not denominator:
            return code
        if len(denominator) == 1:
            return code + " / " + self.parenthesize(denominator[0], _MUL, strict=True)
        bottom = " * ".join(self.parenthesize(f, _MUL) for f in denominator)
        return f"{code} / ({bottom})"

    def _print_Pow(self, expr, rational=False):
        base, power = expr.as_base_exp()
        if power == sp.S.Half:
            return f"np.sqrt({self._print(base)})"
        if power.is_Rational and power.is_negative:
            return "1 / " + self.parenthesize(base ** (-power), _MUL, strict=True)
        b = self.parenthesize(base, PRECEDENCE["Pow"], strict=True)
        e = self.parenthesize(power, PRECEDENCE["Pow"], strict=True)
        if isinstance(power, sp.Rational) and not power.is_Integer:
            e = f"({self._print(power)})"
        simple = _SIMPLE_POWER_OPERAND.fullmatch(b) and _SIMPLE_POWER_OPERAND.fullmatch(e)
        return f"{b}**{e}" if simple else f"{b} ** {e}"

    # -- contractions ---------------------------------------------------------------------------

    def _print_Sum(self, expr):
        code, own, prec = self._contraction(expr)
        aligned = self._align(code, own, prec)
        self._sum_precedence[(expr, self._axes)] = prec if aligned == code else _ATOM
        return aligned

    def _contraction(self, expr: sp.Sum):
        """(code, result axes, precedence of code) for a Sum over full axes."""
        summed = [limit[0] for limit in expr.limits]
        outside, inside = [], []
        for factor in sp.Mul.make_args(expr.function):
            (inside if index_axes(factor) & set(summed) else outside).append(factor)
        own = tuple(self._ordered(index_axes(expr)))
        if not inside:
            raise IndexPrintingError(f"{sp.sstr(expr)}: the summand does not depend on the index")
        if outside:  # Σ_k c f_k = c Σ_k f_k: constants leave the sum
            product = sp.Mul(*outside) * sp.Sum(sp.Mul(*inside), *expr.limits)
            with self._within(own):
                return self._print(product), own, _MUL
        groups = _group_by_axes(inside)
        if len(groups) == 1:
            return self._summed(groups[0], summed)
        if len(groups) == 2 and len(summed) == 1:
            product = self._matrix_product(groups, summed[0], own)
            if product is not None:
                return product, own, _MUL
        return self._einsum(groups, own), own, _ATOM

    def _summed(self, factors, summed):
        """One elementwise operand summed over some of its axes: ``x.sum(axis=...)``."""
        axes = _natural_order(factors)
        with self._within(axes):
            code = self._print(sp.Mul(*factors))
        prec = _precedence_of(sp.Mul(*factors))
        kept = tuple(a for a in axes if a not in summed)
        if not kept:
            return f"{self._wrap(code, prec)}.sum()", (), _ATOM
        positions = [axes.index(a) for a in summed]
        axis = str(positions[0]) if len(positions) == 1 else str(tuple(positions))
        return f"{self._wrap(code, prec)}.sum(axis={axis})", kept, _ATOM

    def _matrix_product(self, groups, index, own):
        """``A @ B`` for Σ_index A_{a,index} B_{index,b} with at most one free axis each."""
        operands = self._matrix_operands(groups, index, own)
        return None if operands is None else "%s @ %s" % operands

    def _matrix_operands(self, groups, index, own):
        """(A, B) as code when the sum is the matrix product A @ B with axes own, else None."""
        left, right = (tuple(index_axes(sp.Mul(*g))) for g in groups)
        if index not in left or index not in right or len(left) > 2 or len(right) > 2:
            return None
        if (set(left) & set(right)) != {index}:
            return None  # a shared free axis is a batch of products: einsum
        first = [a for a in left if a != index]
        if first and own and own[0] != first[0]:
            groups, left, right = groups[::-1], right, left
            first = [a for a in left if a != index]
        second = [a for a in right if a != index]
        with self._within((*first, index)):
            a = self._print(sp.Mul(*groups[0]))
        with self._within((index, *second)):
            b = self._print(sp.Mul(*groups[1]))
        return self._operand(a, groups[0]), self._operand(b, groups[1])

    def _operand(self, code, factors):
        return code if _precedence_of(sp.Mul(*factors)) >= _ATOM else f"({code})"

    def _einsum(self, groups, own):
        letters = _letters({a for g in groups for a in index_axes(sp.Mul(*g))})
        operands, subscripts = [], []
        for group in groups:
            axes = _natural_order(group)
            with self._within(axes):
                operands.append(self._print(sp.Mul(*group)))
            subscripts.append("".join(letters[a] for a in axes))
        spec = ",".join(subscripts) + "->" + "".join(letters[a] for a in own)
        return 'np.einsum("%s", %s)' % (spec, ", ".join(operands))

    # -- functions (elementwise ones: codegen.printer_functions) ------------------------------

    def _print(self, expr, **kwargs):
        try:
            return super()._print(expr, **kwargs)
        except KeyError:  # a function in SymPy's tables without a NumPy entry
            raise IndexPrintingError(f"no NumPy form for {sp.sstr(expr)}") from None

    def _print_logsumexp(self, expr):
        self.helpers.add("logsumexp")
        index = expr.limits[0]
        kept = tuple(self._ordered(index_axes(expr)))
        with self._within((*kept, index)):  # the row runs along the last axis
            row = self._print(expr.body)
        return self._align(f"logsumexp({row})", kept, _ATOM)

    def _print_log_softmax(self, expr):
        return self._print(expr.definition())

    def _print_softmax(self, expr):
        return f"np.exp({self._print(expr.definition().args[0])})"


def _precedence_of(expr) -> int:
    """Precedence of expr's printed code; printed functions and arrays are atoms."""
    if isinstance(expr, sp.Sum):
        return 0  # may print as a matrix product
    value = precedence(expr)
    return _ATOM if value >= PRECEDENCE["Func"] else value


def _factor_rank(factor) -> int:
    """Numbers, then arrays, then parenthesised compounds, then function calls."""
    if isinstance(factor, sp.Number):
        return 0
    if isinstance(factor, sp.Indexed | sp.Symbol):
        return 1
    if isinstance(factor, sp.Function | sp.Sum):
        return 3
    return 2


def _group_by_axes(factors) -> list[list]:
    """Factors with the same axes form one elementwise operand, in the expression's order."""
    groups: dict[frozenset, list] = {}
    for factor in factors:
        groups.setdefault(frozenset(index_axes(factor)), []).append(factor)
    return list(groups.values())


def _natural_order(factors) -> tuple:
    """The axes of an elementwise product in the order of its highest-rank array."""
    atoms = [a for f in factors for a in sp.preorder_traversal(f) if isinstance(a, sp.Indexed)]
    atoms.sort(key=lambda a: -len(a.indices))
    order: list = []
    for atom in atoms:
        order += [a for a in atom.indices if a not in order]
    free = index_axes(sp.Mul(*factors))
    return tuple(a for a in order if a in free)


def _letters(axes) -> dict:
    """einsum subscripts: an index keeps its name when that is a free single letter."""
    out: dict = {}
    for axis in sorted(axes, key=lambda a: a.name):
        name = axis.name
        if len(name) == 1 and name.isalpha() and name not in out.values():
            out[axis] = name
    spare = (c for c in "abcdefghijklmnopqrstuvwxyz" if c not in out.values())
    for axis in sorted(axes, key=lambda a: a.name):
        out.setdefault(axis, next(spare))
    return out


def print_array(expr: sp.Basic, axes=()) -> str:
    """Code for ``expr`` as an array with ``axes``; see :class:`NumPyIndexPrinter`."""
    return NumPyIndexPrinter().print_array(expr, axes)


__all__ = ["IndexPrintingError", "NumPyIndexPrinter", "index_axes", "print_array"]
