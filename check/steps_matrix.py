"""``check steps`` for derivations written in matrix notation (the notes' δ recurrence).

A file such as::

    z^3 = w^3 a^2 + b^3
    a^2 = g(z^2)
    \\delta^2 = ((w^3)^T \\delta^3) \\circ g'(z^2)
    = \\begin{bmatrix} \\delta^3 w_{11}^3 g'(z_1^2) \\\\ \\delta^3 w_{12}^3 g'(z_2^2) \\end{bmatrix}

is read line by line as explicit matrices of entries (:mod:`check.steps_matrix_read`: every
vector and matrix given concrete sizes, W^3 the entries w^3_ij), and consecutive lines are
compared entry by entry with :func:`check.equivalence.decide`; a line whose shape differs
from the line before (or whose product does not fit) is wrong, with both shapes named.

Lines before the start are definitions ``NAME = expression``; the start is the first line
that is not one, or the last line not beginning with '='.  ``δ^l`` (and ``dz^l``) not
defined is ∂L/∂z^l; ``dh^l`` is ∂L/∂h^l; the loss is the one defined loss name (e, L, …), or,
when none is defined, any loss of the vectors the definitions end at (its gradient there a
free vector, ∂L/∂z^3).  The weights are read n_out × n_in and, if that does not fit the
definitions or the start, n_in × n_out (the notes' layout); a line is wrong only when it is
wrong in every layout that reads the file.  An undefined g is any function
(:mod:`check.steps_functions`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check.steps_functions import undefined_functions, unknown_function
from check.steps_matrix_read import (
    LOSSES,
    MATRICES,
    MatrixLine,
    MatrixShapeError,
    Sizes,
    entry_symbol,
    name_of,
    shown,
    tensor,
)
from derive.errors import ParseError
from derive.language import function_table, parse, parse_expression
from derive.language.layer_labels import flat_text
from derive.substitute import written_out

MARKERS = re.compile(
    r"\^\s*\{?\s*(?:T|\\top|\\intercal)\s*\}?(?![A-Za-z])"  # a transpose
    r"|\\begin\s*\{\s*[bpBvV]?matrix"  # a matrix literal
    r"|(?<![A-Za-z\\])W(?![A-Za-z_])"  # the whole weight matrix W (its entries are W_ij)
)


def looks_like_matrices(text: str) -> bool:
    """A transpose or a matrix literal: matrix notation, read as such first."""
    return isinstance(text, str) and MARKERS.search(text) is not None


class MatrixFile:
    """The definitions, start and steps of a file, read as Matrices in one layout."""

    def __init__(self, parts: list, layout: str):
        """``parts``: (kind, line number, text, tree) with kind definition, start or step."""
        self.parts, self.layout = parts, layout
        self.readings: set = set()
        self.definitions: dict = {}  # (base, label) -> Matrix (the body)
        self.subs: dict = {}  # entry Symbol -> its definition
        formulas = "\n".join(text for _, _, text, _ in parts)
        self.functions = {
            name: unknown_function(name, n) for n, name in enumerate(undefined_functions(formulas))
        }
        for name in self.functions:
            self.readings.add(f"{name} is not defined: read as any function")
        for _, n, _, (name, arg, body) in (p for p in parts if p[0] == "function"):
            self.functions[name] = _defined_function(arg, body, n)
        self.variables = self._variables()
        self.sizes = Sizes(self._explicit(), layout, self._output_layer())
        self.line = MatrixLine(self.resolve, self.gradient, self.functions, function_table())
        self.line.variables = self.variables
        self._loss, self.loss_is_free = None, False
        self.flipped = False  # W read as Wᵀ and Wᵀ as W: does that make a wrong line right?

    # -- names and sizes -----------------------------------------------------------------------
    def _trees(self):
        for _, _, _, tree in self.parts:
            yield from tree if isinstance(tree, tuple) else (tree,)

    def _names(self):
        for tree in self._trees():
            yield from _walk(tree)

    def _variables(self) -> set:
        """Names used as variables (defined, or differentiated): e is the error there."""
        out = {name_of(tree[0])[0].text for kind, _, _, tree in self.parts if kind == "definition"}
        return out | {of.text for of in self._derivative_operands() if of.kind == "name"}

    def _derivative_operands(self):
        for tree in self._trees():
            for node in _nodes(tree):
                if node.kind == "deriv" and node.args[0] is not None:
                    yield node.args[0]

    def _explicit(self) -> dict:
        """Layer → size from the entries written out (w_{12}^3: n_3 ≥ 1, n_2 ≥ 2)."""
        out: dict = {}
        for node, label in self._names():
            if node.sub is None or not label:
                continue
            digits = flat_text(node.sub).replace(",", "")
            if not digits.isdigit():
                continue
            layer = Sizes({}).layer_of(node.text, label)
            pairs = [(layer, digits[0])]
            if node.text in MATRICES and len(digits) == 2:
                pairs.append((layer - 1, digits[1]))
            for at, value in pairs:
                out[at] = max(out.get(at, 0), int(value))
        if out:
            self.readings.add(
                "sizes from the entries written out: "
                + ", ".join(f"layer {k}: {v}" for k, v in sorted(out.items()))
            )
        return out

    def _output_layer(self) -> int:
        numbers = [int(label) for _, label in self._names() if label.isdigit()]
        return max(numbers, default=0)

    def label_of(self, base: str, label: str) -> str:
        """An unlabelled W (or vector) in a file that labels it with one layer only is that one;
        a W never labelled is the W of the z^l it makes (z^{(3)} = W a^{(2)} + b^{(3)})."""
        if label or (base, "") in self.definitions or base == "e":
            return label
        spellings = ("w", "W") if base == "w" else (base,)
        labels = {lab for node, lab in self._names() if node.text in spellings and lab}
        if len(labels) == 1:
            (only,) = labels
            self.readings.add(
                f"{shown(base)} read as {shown(base, only)}, the only one in the file"
            )
            return only
        if base == "w" and not labels:
            made = self._made_by_weights()
            if len(made) == 1:
                (only,) = made
                self.readings.add(f"W read as W^{only}: it makes z^{only}")
                return only
        return label

    def _made_by_weights(self) -> set:
        """The layers l of the definitions z^l = … W … (W unlabelled)."""
        out = set()
        for kind, _, _, tree in self.parts:
            if kind != "definition":
                continue
            head = name_of(tree[0])
            if head is None or not head[1] or head[0].text != "z":
                continue
            if any(n.text in MATRICES and not lab for n, lab in _walk(tree[1])):
                out.add(head[1])
        return out

    # -- values --------------------------------------------------------------------------------
    def resolve(self, node, label: str) -> sp.Matrix:
        base = "w" if node.text in MATRICES else node.text
        label = self.label_of(base, label)
        if node.sub is not None:
            if (base, label) not in self.definitions and _gradient_name(base):
                whole = self.resolve(replace(node, sub=None), label)  # dz_1^3: entry 1 of dz^3
                return self._entry_of(whole, node)
            return self._entry(node, base, label)
        if (base, label) in self.definitions:
            return tensor(base, label, self.definitions[(base, label)].shape)
        if base == "w" and self.flipped:  # the line read with Wᵀ for W (to name a slip)
            return tensor(base, label, self.sizes.shape(base, label)).T
        if base == "e" and "e" not in self.variables and not label:
            return sp.Matrix([[sp.E]])
        if _gradient_name(base):
            wrt = "z" if base in ("delta", "dz") else base[1:]
            self.readings.add(f"{shown(base, label)} read as ∂L/∂{shown(wrt, label)}")
            return self._gradient_of_loss(wrt, label)
        if base in LOSSES and not label:
            raise ParseError(f"{shown(base)} alone is not a line of a matrix derivation")
        return tensor(base, label, self.sizes.shape(base, label))

    def _entry_of(self, whole: sp.Matrix, node) -> sp.Matrix:
        digits = flat_text(node.sub).replace(",", "")
        if not digits.isdigit() or len(digits) > 2:
            raise ParseError(f"index notation '{flat_text(node.sub)}' is not matrix notation")
        r, c = int(digits[0]), int(digits[1:] or 1)
        if r > whole.rows or c > whole.cols:
            raise MatrixShapeError(f"entry {digits} of a {whole.rows}×{whole.cols} does not exist")
        return sp.Matrix([[whole[r - 1, c - 1]]])

    def _entry(self, node, base: str, label: str) -> sp.Matrix:
        digits = flat_text(node.sub).replace(",", "")
        if not digits.isdigit() or len(digits) > 2:
            raise ParseError(f"index notation '{flat_text(node.sub)}' is not matrix notation")
        r, c = int(digits[0]), int(digits[1:] or 1)
        shape = self._shape(base, label)
        if r > shape[0] or c > shape[1]:
            raise MatrixShapeError(
                f"entry {digits} of {shown(base, label)} ({shape[0]}×{shape[1]}) does not exist"
            )
        return sp.Matrix([[entry_symbol(base, label, r, c, base in MATRICES or shape[1] > 1)]])

    def _shape(self, base: str, label: str) -> tuple:
        if (base, label) in self.definitions:
            return self.definitions[(base, label)].shape
        return self.sizes.shape(base, label)

    def define(self, head, body) -> None:
        found = name_of(head)
        if found is None or found[0].sub is not None:
            raise ParseError("a definition in matrix notation is NAME = expression")
        node, label = found
        base = "w" if node.text in MATRICES else node.text
        if (base, label) in self.definitions:
            raise ParseError(f"{shown(base, label)} is defined twice")
        value = self.line.read(body)
        self.definitions[(base, label)] = value
        names = tensor(base, label, value.shape)
        self.subs.update({names[k]: value[k] for k in range(len(value))})

    # -- derivatives ---------------------------------------------------------------------------
    def expand(self, expr: sp.Basic, keep=frozenset()) -> sp.Basic:
        return written_out(at_points(expr), {k: v for k, v in self.subs.items() if k not in keep})

    def loss(self) -> sp.Basic:
        """The defined loss (a number), else any loss of the vectors the definitions end at."""
        if self._loss is not None:
            return self._loss
        defined = [k for k, v in self.definitions.items() if k[0] in LOSSES and v.cols == 1]
        if len(defined) > 1:
            raise ParseError("several losses are defined; δ cannot say which")
        if defined:
            names = tensor(*defined[0], self.definitions[defined[0]].shape)
            if len(names) > 1:
                self.readings.add(
                    f"the loss {shown(*defined[0])} of a vector read as the sum of its entries"
                )
            self._loss = sp.Add(*names)
            return self._loss
        used = set().union(*(v.free_symbols for v in self.subs.values()))
        tops = [k for k, v in self.definitions.items() if not set(tensor(*k, v.shape)) & used]
        terms = []
        for base, label in tops:
            names = tensor(base, label, self.definitions[(base, label)].shape)
            terms += [sp.Symbol(f"∂L/∂{name}", real=True) * name for name in names]
        if tops:
            where = ", ".join(shown(*k) for k in tops)
            self.readings.add(f"L is not defined: any loss of {where} (∂L/∂{where} free)")
        self._loss, self.loss_is_free = sp.Add(*terms), True
        return self._loss

    def _gradient_of_loss(self, wrt: str, label: str) -> sp.Matrix:
        names = tensor(wrt, label, self._shape(wrt, label))
        return self._gradient(self.loss(), names, shown(wrt, label))

    def gradient(self, of, wrt) -> sp.Matrix:
        """∂(of)/∂(wrt) of a number ``of`` with respect to a named vector."""
        node, label = wrt
        base = "w" if node.text in MATRICES else node.text
        label = self.label_of(base, label)
        if of.kind == "name" and of.sub is None and of.text in LOSSES and of.layer is None:
            value = self.loss()
        else:
            found = self.line.read(of)
            if found.shape != (1, 1):
                raise ParseError("a derivative in matrix notation is of a number (∂L/∂z)")
            value = found[0, 0]
        names = tensor(base, label, self._shape(base, label))
        return self._gradient(value, names, shown(base, label))

    def _gradient(self, value, names: sp.Matrix, what: str) -> sp.Matrix:
        self.readings.add("derivatives in a line are taken of the definitions above")
        expanded = self.expand(value, keep=frozenset(names))
        if not value.free_symbols:  # an undefined loss with no definitions: a free gradient
            return names.applyfunc(lambda s: sp.Symbol(f"∂L/∂{s}", real=True))
        result = names.applyfunc(lambda s: sp.diff(expanded, s))
        if self.loss_is_free and value == self._loss and all(x == 0 for x in result):
            raise ParseError(
                f"L is not defined and does not depend on {what} through the definitions"
            )
        return result


def _defined_function(arg: str, body: str, number: int):
    """g(z) = \\tanh(z): g as a function of one number (its body read by the one parser)."""
    x = sp.Symbol(arg, real=True)
    try:
        value = parse_expression(body, {arg: x})
    except ParseError as exc:
        raise ParseError(f"line {number}: {exc}") from None
    return lambda at: value.xreplace({x: at})


def _gradient_name(base: str) -> bool:
    """δ, dz, dh, da, db: the gradient of the loss (at z, h, a, b) when not defined."""
    return base == "delta" or re.fullmatch(r"d[a-zA-Z]", base) is not None


def at_points(expr):
    """g′(z) as g′ at the point z (a Subs), so that z can be replaced by its definition."""
    found = [
        d for d in expr.atoms(sp.Derivative) if all(isinstance(v, sp.Symbol) for v in d.variables)
    ]
    if not found:
        return expr
    reps = {}
    for d in found:
        points = {v: sp.Dummy("x", real=True) for v in set(d.variables)}
        reps[d] = sp.Subs(d.xreplace(points), tuple(points.values()), tuple(points))
    return expr.xreplace(reps)


def _nodes(tree):
    if tree is None or not hasattr(tree, "kind"):
        return
    yield tree
    for arg in (*tree.args, tree.sub, tree.layer, *tree.ops):
        if hasattr(arg, "kind"):
            yield from _nodes(arg)


def _walk(tree):
    """(name node, layer label) of every name in a tree."""
    for node in _nodes(tree):
        found = name_of(node) if node.kind in ("name", "pow") else None
        if found is not None:
            yield found


__all__ = ["MatrixFile", "looks_like_matrices", "parse"]
