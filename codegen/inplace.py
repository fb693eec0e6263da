"""Print an index-notation expression as statements that write it into a preallocated array.

The training step of a generated module reuses one buffer per array across batches, so it
prints each line of forward and backward in this form: a ufunc with ``out=`` for the node at
the top of the expression tree, its first full-size operand computed into the same buffer
first, the other operands printed as :class:`NumPyIndexPrinter` prints them.

>>> from sympy import IndexedBase, Sum, symbols, tanh
>>> D, H, W, b = (IndexedBase(name) for name in ("D", "H", "W", "b"))
>>> n, i, l, m = symbols("n i l m", integer=True, positive=True)
>>> print_into(Sum(H[n, l] * W[i, l], (l, 1, m)) + b[i], (n, i), "Z")
('np.matmul(H, W.T, out=Z)', 'Z += b')
>>> print_into(D[n, i] * (1 - H[n, i] ** 2), (n, i), "G")
('np.square(H, out=G)', 'np.subtract(1, G, out=G)', 'G *= D')

An expression with no full-size operand to start from (a reduction, an einsum, a helper call)
gives ``None``: the caller prints the plain assignment instead. Nothing here computes anything
the plain line does not: the statements are the same tree, evaluated node by node.
"""

from __future__ import annotations

import sympy as sp

from codegen import stable
from codegen.printer import NumPyIndexPrinter, _group_by_axes, index_axes
from codegen.softmax_rows import softmax_minus_target

_UFUNCS = {  # SymPy function -> NumPy ufunc accepting out=
    sp.exp: "np.exp",
    sp.log: "np.log",
    sp.tanh: "tanh",  # the helper of codegen.stable: a ufunc's signature, faster than np.tanh
    sp.sinh: "np.sinh",
    sp.cosh: "np.cosh",
    sp.sin: "np.sin",
    sp.cos: "np.cos",
    sp.Abs: "np.abs",
}


class _NotInPlace(Exception):
    """This node has no in-place form; the whole line is printed plainly."""


class InPlacePrinter(NumPyIndexPrinter):
    """Statements computing an expression into the array ``out`` (see the module docstring)."""

    def print_into(self, expr: sp.Basic, axes, out: str) -> tuple[str, ...] | None:
        with self._within(tuple(axes)):
            try:
                return tuple(self._into(expr, out))
            except _NotInPlace:
                return None

    def _full(self, expr) -> bool:
        """expr has exactly the output's axes, so it can be computed into the output buffer."""
        return index_axes(expr) == set(self._axes)

    def _plain_array(self, expr) -> bool:
        """An array read as it is (no transpose, no new axes): a ufunc can read it directly."""
        return isinstance(expr, sp.Indexed) and self._print(expr) == expr.base.label.name

    def _into(self, expr, out) -> list[str]:
        if isinstance(expr, sp.Sum):
            return self._sum_into(expr, out)
        if isinstance(expr, sp.Add):
            return self._add_into(expr, out)
        if isinstance(expr, sp.Mul):
            return self._mul_into(expr, out)
        if isinstance(expr, sp.Pow) and expr.exp == 2:
            return self._unary_into("np.square", expr.base, out)
        if type(expr) in _UFUNCS and len(expr.args) == 1:
            return self._unary_into(_UFUNCS[type(expr)], expr.args[0], out)
        if isinstance(expr, stable.softmax | stable.log_softmax):  # printed as their definitions
            return self._into(expr.definition(), out)
        if isinstance(expr, softmax_minus_target) and self._full(expr):  # a helper taking out=
            return [f"{self._print(expr)[:-1]}, out={out})"]
        if self._plain_array(expr):
            return [f"np.copyto({out}, {self._print(expr)})"]
        raise _NotInPlace

    def _unary_into(self, ufunc, arg, out) -> list[str]:
        if ufunc in stable.NUMPY_HELPERS:
            self.helpers.add(ufunc)
        if self._plain_array(arg):
            return [f"{ufunc}({self._print(arg)}, out={out})"]
        return [*self._into(arg, out), f"{ufunc}({out}, out={out})"]

    def _sum_into(self, expr, out) -> list[str]:
        """A matrix product straight into out (BLAS writes it; no temporary)."""
        summed = [limit[0] for limit in expr.limits]
        groups = _group_by_axes(sp.Mul.make_args(expr.function))
        own = tuple(self._ordered(index_axes(expr)))
        if len(summed) != 1 or len(groups) != 2 or own != self._axes:
            raise _NotInPlace
        if any(not index_axes(factor) & set(summed) for group in groups for factor in group):
            raise _NotInPlace  # a constant factor: let the plain printer pull it out
        operands = self._matrix_operands(groups, summed[0], own)
        if operands is None:
            raise _NotInPlace
        with self._within(own):
            return ["np.matmul(%s, %s, out=%s)" % (*operands, out)]

    def _add_into(self, expr, out) -> list[str]:
        """The first full-size term into out, then the others added (or subtracted) in one go."""
        terms = list(expr.args)
        full = [t for t in terms if self._full(t)]
        full.sort(key=lambda t: t.could_extract_minus_sign())  # a - b: a into out, not b
        if not full:
            raise _NotInPlace
        compound = [t for t in full if not self._plain_array(t) and not self._plain_array(-t)]
        first = (compound or full)[0]
        rest = sp.Add(*(t for t in terms if t is not first))
        if first.could_extract_minus_sign() and self._plain_array(-first):  # c - a in one ufunc
            return [f"np.subtract({self._print(rest)}, {self._print(-first)}, out={out})"]
        if first.could_extract_minus_sign():  # c - f: f into out, then out = c - out
            return [*self._into(-first, out), f"np.subtract({self._print(rest)}, {out}, out={out})"]
        if not compound:  # two arrays: a + b or a - b in one ufunc
            negative = rest.could_extract_minus_sign()
            ufunc = "np.subtract" if negative else "np.add"
            other = self._print(-rest if negative else rest)
            return [f"{ufunc}({self._print(first)}, {other}, out={out})"]
        if rest.could_extract_minus_sign():
            return [*self._into(first, out), f"{out} -= {self._print(-rest)}"]
        return [*self._into(first, out), f"{out} += {self._print(rest)}"]

    def _mul_into(self, expr, out) -> list[str]:
        """A full-size factor into out (a compound one first), then out *= the other factors."""
        coeff, body = expr.as_coeff_Mul()
        factors = list(sp.Mul.make_args(body))
        full = [f for f in factors if self._full(f) and not _is_reciprocal(f)]
        if not full:
            raise _NotInPlace
        compound = [f for f in full if not self._plain_array(f)]
        first = (compound or full)[0]
        rest = coeff * sp.Mul(*(f for f in factors if f is not first))
        if rest == -1:
            return [*self._into(first, out), f"np.negative({out}, out={out})"]
        if rest == 1:
            return self._into(first, out)
        if self._plain_array(first):  # a·c in one pass, not a copy and then out *= c
            return [f"np.multiply({self._print(first)}, {self._print(rest)}, out={out})"]
        return [*self._into(first, out), f"{out} *= {self._print(rest)}"]


def _is_reciprocal(factor) -> bool:
    base, power = factor.as_base_exp()
    return power.is_number and power.is_negative


def print_into(expr: sp.Basic, axes, out: str) -> tuple[str, ...] | None:
    """Statements writing ``expr`` (with ``axes``) into the array ``out``; see the docstring."""
    return InPlacePrinter().print_into(expr, axes, out)


__all__ = ["InPlacePrinter", "print_into"]
