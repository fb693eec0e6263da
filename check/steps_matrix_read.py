"""Reading one line of a derivation in matrix notation as an explicit SymPy Matrix.

Every vector and matrix of the file has concrete sizes (:class:`Sizes`): a layer's size is
the largest index the file writes out for it (``w_{12}^3``, ``z_2^2`` in a
``\\begin{bmatrix}``), else a small default (2 or 3, adjacent layers differing, so that a
missing transpose is a product that does not fit).  Shapes (rows × cols): ``W^l`` is
n_l × n_{l-1} (or n_{l-1} × n_l in the notes' n_in × n_out layout), a vector of layer l
(``z^l``, ``a^l``, ``δ^l``, ``b^l``) n_l × 1; unlabelled, h, x and a are one layer below z,
ŷ and y at the output layer, the loss (L, e, E, J, C) a number.  Entries are Symbols named
as the file writes them out: ``W^3`` has entries w^3_11 …, the same as ``w_{11}^3``.

A line is read from the one parser's syntax tree (:func:`derive.language.parse`); this module
gives the tree its meaning as matrices (the scalar reader is not used for it).

>>> sizes = Sizes({3: 1, 2: 2})
>>> sizes.shape("w", "3"), sizes.shape("z", "2")
((1, 2), (2, 1))
"""

from __future__ import annotations

import re

import sympy as sp

from derive.errors import ParseError
from derive.language.grammar import Node
from derive.language.layer_labels import flat_text
from derive.language.limits import number
from derive.language.tensor_literals import literal_cells

LOSSES = frozenset({"L", "e", "E", "J", "C", "calL"})
SCALARS = frozenset({"eta", "lambda", "alpha", "m", "N"})
MATRICES = frozenset({"W", "w"})
BELOW = frozenset({"h", "x", "a"})  # unlabelled: the input of z = W h + b, one layer below
OUTPUT = frozenset({"y", "yhat"})  # unlabelled: the network's output layer
_SHOWN = {"yhat": "ŷ", "delta": "δ", "epsilon": "ε", "calL": "ℒ"}
_ELEMENTWISE = {"exp": sp.exp, "log": sp.log, "ln": sp.log, "tanh": sp.tanh}


class MatrixShapeError(Exception):
    """A product, sum or comparison whose shapes do not fit: a wrong line, not bad input."""


def shown(base: str, label: str = "") -> str:
    name = _SHOWN.get(base, base)
    return f"{name}^{label}" if label else name


def ordinal(label: str) -> int:
    """A layer label as a number: 3 → 3, l → ord('l')·1000, l+1 → one more, '' → 0."""
    if label.isdigit():
        return int(label)
    m = re.fullmatch(r"([A-Za-z])([+-][0-9])?", label)
    if m is None:
        raise ParseError(f"'{label}' is not a layer label in matrix notation")
    return ord(m.group(1)) * 1000 + int(m.group(2) or 0)


class Sizes:
    """Layer ordinal → size, from the written-out entries (``explicit``), else 2 or 3."""

    def __init__(self, explicit: dict, layout: str = "rows", output: int = 0):
        self.explicit, self.layout, self.output = explicit, layout, output

    def size(self, layer: int) -> int:
        return self.explicit.get(layer, 2 + layer % 2)

    def layer_of(self, base: str, label: str) -> int:
        if label:
            return ordinal(label)
        return -1 if base in BELOW else self.output if base in OUTPUT else 0

    def shape(self, base: str, label: str) -> tuple[int, int]:
        layer = self.layer_of(base, label)
        if base in MATRICES:
            out, into = self.size(layer), self.size(layer - 1)
            return (out, into) if self.layout == "rows" else (into, out)
        if base in SCALARS or (base in LOSSES and not label):
            return (1, 1)
        return (self.size(layer), 1)


def entry_symbol(base: str, label: str, r: int, c: int, matrix: bool) -> sp.Symbol:
    """The entry (r, c) of the named tensor: w^3_12 for W^3, z^2_1 for z^2."""
    key = "w" if base in MATRICES else base
    sup = f"^{label}" if label else ""
    return sp.Symbol(f"{shown(key)}{sup}_{r}{c}" if matrix else f"{shown(key)}{sup}_{r}", real=True)


def tensor(base: str, label: str, shape: tuple) -> sp.Matrix:
    rows, cols = shape
    matrix = base in MATRICES
    return sp.Matrix(
        rows, cols, lambda r, c: entry_symbol(base, label, r + 1, c + 1, matrix or cols > 1)
    )


def is_scalar(m: sp.Matrix) -> bool:
    return m.shape == (1, 1)


def shape_text(m: sp.Matrix) -> str:
    return f"{m.rows}×{m.cols}"


def name_of(node: Node) -> tuple[Node, str] | None:
    """(name node, layer label) of ``z^2``, ``z^{(2)}``, ``W^l``; None for anything else."""
    if node.kind == "name":
        return node, flat_text(node.layer) if node.layer is not None else ""
    if node.kind == "pow" and node.args[0].kind == "name" and node.args[0].layer is None:
        base, exponent = node.args
        if "maybe_layer" in node.marks or exponent.kind in ("name", "sum"):
            label = flat_text(exponent)
            if re.fullmatch(r"[0-9]{1,2}|[A-Za-z](?:[+-][0-9])?", label):
                return base, label
    return None


def add(a: sp.Matrix, b: sp.Matrix, sign: int) -> sp.Matrix:
    if is_scalar(a) and not is_scalar(b):
        return b.applyfunc(lambda x: a[0, 0] + sign * x)
    if is_scalar(b) and not is_scalar(a):
        return a.applyfunc(lambda x: x + sign * b[0, 0])
    if a.shape != b.shape:
        raise MatrixShapeError(f"cannot add {shape_text(a)} and {shape_text(b)}")
    return a + sign * b


def multiply(a: sp.Matrix, b: sp.Matrix, op: str) -> sp.Matrix:
    """A matrix product; elementwise for ⊙ and for two vectors of the same shape."""
    if is_scalar(a):
        return b * a[0, 0]
    if is_scalar(b):
        return a * b[0, 0]
    vector = a.cols == 1 or a.rows == 1
    if op == "⊙" or (a.shape == b.shape and vector and op != "@"):
        if a.shape != b.shape:
            hint = "; a transpose missing?" if a.shape == b.T.shape else ""
            raise MatrixShapeError(
                f"elementwise product of {shape_text(a)} and {shape_text(b)}: the shapes differ{hint}"
            )
        return a.multiply_elementwise(b)
    if a.cols != b.rows:
        hint = ""
        if a.rows == b.rows:
            hint = "missing transpose of the left factor? "
        elif a.cols == b.cols:
            hint = "missing transpose of the right factor? "
        raise MatrixShapeError(f"{hint}{shape_text(a)} times {shape_text(b)} does not fit")
    return a * b


def divide(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    if is_scalar(b):
        return a / b[0, 0]
    if a.shape == b.shape and a.cols == 1:
        return sp.Matrix(a.rows, 1, lambda r, c: a[r, 0] / b[r, 0])
    raise MatrixShapeError(f"cannot divide by a {shape_text(b)} matrix")


class MatrixLine:
    """Reads trees as Matrices.  ``resolve(base, label, sub)`` gives a name's value (the file
    knows its definitions and sizes); ``gradient(of, wrt)`` a derivative's;
    ``functions``: name → function (the undefined g, applied to every entry)."""

    def __init__(self, resolve, gradient, functions: dict, table: dict):
        self.resolve, self.gradient = resolve, gradient
        self.functions, self.table = functions, table
        self.in_literal = 0
        self.variables: set = set()  # names the file uses as variables (e: the error)

    def read(self, node: Node) -> sp.Matrix:
        method = getattr(self, f"_read_{node.kind}", None)
        if method is None:
            raise ParseError(f"'{node.tok.src or node.kind}' is not read in matrix notation")
        return method(node)

    def _read_num(self, node: Node):
        return sp.Matrix([[number(node.tok)]])

    def _read_name(self, node: Node):
        found = name_of(node)
        return self.resolve(found[0], found[1])

    def _read_pow(self, node: Node):
        found = name_of(node)
        euler = found is not None and found[0].text == "e" and found[0].sub is None
        if found is not None and not (euler and "e" not in self.variables):
            return self.resolve(*found)  # z^2, W^3, and e^{(2)} where e is a variable
        base, exponent = (self.read(arg) for arg in node.args)
        if euler:  # e^{z}: Euler's number
            return exponent.applyfunc(sp.exp)
        if not is_scalar(exponent):
            raise ParseError("an exponent must be a number")
        if base.cols != 1 and base.rows != 1:
            raise MatrixShapeError(f"power of a {shape_text(base)} matrix")
        return base.applyfunc(lambda x: x ** exponent[0, 0])

    def _read_transpose(self, node: Node):
        return self.read(node.args[0]).T

    def _read_neg(self, node: Node):
        return -self.read(node.args[0])

    def _read_sum(self, node: Node):
        value = None
        for op, term in zip(node.ops, node.args, strict=True):
            if term.kind == "dots":
                raise ParseError("'…' is not matrix notation")
            t = self.read(term)
            value = (
                (t if op == "+" else -t) if value is None else add(value, t, -1 + 2 * (op != "-"))
            )
        return value

    def _read_product(self, node: Node):
        value, weights = self.read(node.args[0]), _is_weights(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            rhs = self.read(factor)
            if op == "/":
                value = divide(value, rhs)
            else:  # W times a vector is a matrix product whatever W's shape
                value = multiply(value, rhs, "@" if weights or _is_weights(factor) else op)
            weights = False
        return value

    def _read_apply(self, node: Node):
        weights = any(_is_weights(arg) for arg in node.args)
        return multiply(self.read(node.args[0]), self.read(node.args[1]), "@" if weights else "")

    def _read_hadamard(self, node: Node):
        value = self.read(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            if op not in ("⊙",):
                raise ParseError(f"'{op}' is not read in a matrix derivation (write ⊙ or ∘)")
            value = multiply(value, self.read(factor), "⊙")
        return value

    def _read_frac(self, node: Node):
        top, bottom = (self.read(arg) for arg in node.args)
        return divide(top, bottom)

    def _read_matrix(self, node: Node):
        cells = literal_cells(self, node)
        if len({len(row) for row in cells}) != 1:
            raise ParseError("the rows of the matrix have different lengths")
        for row in cells:
            for cell in row:
                if not is_scalar(cell):
                    raise MatrixShapeError(f"an entry of the matrix is {shape_text(cell)}")
        return sp.Matrix([[cell[0, 0] for cell in row] for row in cells])

    def _read_call(self, node: Node):
        name = node.text
        if len(node.args) != 1 or node.keywords:
            raise ParseError(f"'{name}' takes 1 argument in matrix notation")
        arg = self.read(node.args[0])
        if name in self.functions:
            g = self.functions[name]
        elif name in _ELEMENTWISE:
            g = _ELEMENTWISE[name]
        elif name in ("sigma", "sigmoid"):
            record = self.table[name]
            g = record if isinstance(record, type) else None
            if g is None:
                raise ParseError(f"'{name}' is not read in matrix notation")
        else:
            raise ParseError(f"unknown function '{name}' in matrix notation")
        value = arg.applyfunc(lambda x: _derivative(g, x, node.primes))
        if node.ops:
            count = self.read(node.ops[0])[0, 0]
            value = value.applyfunc(lambda x: x**count)
        return value

    def _read_deriv(self, node: Node):
        of, wrt = node.args
        found = name_of(wrt)
        if of is None or found is None:
            raise ParseError("a derivative in matrix notation is ∂L/∂v of a named vector v")
        return self.gradient(of, found)


def _is_weights(node: Node) -> bool:
    """W, W^3, (W^3)^T: a weight matrix (its product with a vector is never elementwise)."""
    while node.kind == "transpose":
        node = node.args[0]
    found = name_of(node)
    return found is not None and found[0].text in MATRICES and found[0].sub is None


def _derivative(g, x, primes: int):
    if primes == 0:
        return g(x)
    d = sp.Dummy("x", real=True)
    value = sp.diff(g(d), d, primes)
    return value.subs(d, x) if not isinstance(x, sp.Symbol) else value.xreplace({d: x})


__all__ = ["MatrixLine", "MatrixShapeError", "Sizes", "entry_symbol", "name_of", "tensor"]
