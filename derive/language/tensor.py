"""Reading a syntax tree as matrices and vectors with shapes, the way the notes write them.

``delta h^T``, ``(W^T δ) ⊙ g'(z)``, ``(W^T delta) * sigma(z)*(1-sigma(z))``: each name is a
:class:`Tensor` (rows × cols; a column vector has cols = 1) given entry by entry, so a
transposed or wrongly ordered product is caught as a :class:`ShapeError` (a wrong answer,
not unreadable input).  Semantics:

- scalars and scalar functions broadcast elementwise beside vectors (``1 - σ(z)``, ``h^2``);
- ``*``, ``·``, ``.`` and juxtaposition are matrix products, except between two vectors of
  the same shape, where the only product they have is the elementwise one;
- ``⊙`` / ``∘`` are elementwise; ``⊗`` is the outer product where shapes say so (two vectors
  of different sizes) and elementwise between same-shaped vectors (the ``ambiguous`` reading
  ``outer`` takes the outer product there too);
- layer labels (``W^{l+1}``, ``h^{(l-1)}``, ``dz^3``) name the layer and drop out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sympy as sp

from derive.language.grammar import Node
from derive.language.layer_labels import flat_text, layer_like
from derive.language.limits import number
from derive.language.scalar import LAYERED, ScalarReader
from derive.language.tensor_algebra import (
    ONE,
    ShapeError,
    Tensor,
    add,
    apply_entries,
    divide,
    elementwise_product,
    is_scalar,
    outer,
    product,
    scalar,
    scale,
    transpose,
    with_sizes,
)
from derive.language.tensor_damage import OUTPUT_LABELS, StrayLabels
from derive.language.tensor_literals import LiteralReading


class TensorReader(StrayLabels, LiteralReading, ScalarReader):
    """Reads a tree as a :class:`Tensor`.  ``tensors``: name → Tensor (with aliases);
    ``activations``: function names applied elementwise whose derivative is written with a
    prime (``g'(z)``) → a SymPy function class; other functions come from ``functions``.
    Inside a literal (``\\begin{bmatrix} dz_1^3 \\\\ dz_2^3 \\end{bmatrix}``) subscripted names
    are entries in index notation, looked up in ``indexed`` (name → IndexedBase)."""

    def __init__(
        self,
        tensors: Mapping,
        activations: Mapping,
        functions: Mapping,
        flags=frozenset(),
        layer_offsets: Mapping | None = None,
        choices: Mapping | None = None,
    ):
        super().__init__({}, functions, flags=flags)
        self.tensors, self.activations = tensors, activations
        self.layer_offsets = layer_offsets or {}
        self.choices = choices or {}  # name -> (flag, tensor with the flag, note, note without)
        # vector names beyond the usual layered ones (e, ε: the error), whose ^2 may be a layer
        self.layered_names = frozenset(("e", "epsilon")) & set(self.tensors)
        self.stray_labels: list = []  # (name, letter node, node, refusal): W_h (StrayLabels)

    def _read_num(self, node: Node):
        return scalar(number(node.tok))

    def resolve(self, node: Node):
        text = self.base_text(node)
        if node.layer is not None:
            self.label(text, node.layer, node)
        if node.sub is not None and node.sub.kind == "indices":
            if any(item.kind == "slice" for item in node.sub.args):
                return self.sliced(node, text)
        if node.sub is not None:
            key = f"{text}_{flat_text(node.sub)}"
            if key in self.tensors:
                return self.tensors[key]
            if self.in_literal:
                return self.literal_entry(node, text)
            if (
                layer_like(node.sub, self.layer_letters | OUTPUT_LABELS)
                and node.sub.kind != "num"
                and text in self.tensors
            ):
                self.label(text, node.sub, node, "subscript")
                return self.chosen(text)
            refusal = self.fail(f"index notation '{key}' is not matrix notation", node)
            if self.stray_letter(node, text):
                self.stray_labels.append((text, node.sub, node, refusal))
                return self.chosen(text)
            raise refusal
        value = self.chosen(text)
        if value is not None:
            return value
        from derive.language.scalar import CONSTANTS

        if text in CONSTANTS:
            return scalar(CONSTANTS[text])
        lookalike = self.lookalike(node, text)
        if lookalike is not None:
            return lookalike
        known = ", ".join(sorted({t.text for t in self.tensors.values()}))
        raise self.fail(
            f"unknown name '{node.tok.src or text}' (matrix notation knows {known})", node
        )

    def sliced(self, node: Node, text: str) -> Tensor:
        """``W_{i+1,·,j}``: column j of W (of layer i+1), ``W_{k,·}`` its row k."""
        items = list(node.sub.args)
        if text not in ("W", "w") or len(items) not in (2, 3):
            raise self.fail(f"'{text}' with '·' is not a row or column of W", node)
        if len(items) == 3:
            layer = items.pop(0)
            if layer.kind == "slice" or not layer_like(layer, self.layer_letters | OUTPUT_LABELS):
                raise self.fail(f"'{flat_text(layer)}' is not a layer", layer)
            self.label(text, layer, node, "subscript")
        row, col = items
        if (row.kind == "slice") == (col.kind == "slice"):
            raise self.fail("one index of W and one '·' make a row or a column", node)
        fixed = col if row.kind == "slice" else row
        if fixed.kind == "num" and fixed.text.isdigit() and len(fixed.text) <= 3:
            at = sp.Integer(fixed.text)
        elif fixed.kind == "name" and fixed.sub is None and fixed.text in self.index_symbols:
            at = self.index_symbols[fixed.text]
        else:
            raise self.fail(f"unknown index '{flat_text(fixed)}' for '{text}'", fixed)
        w = self.tensors[text]
        if row.kind == "slice":
            return Tensor(w.rows, ONE, lambda r, c: w.entry(r, at), f"{w.text}_{{·,{at}}}")
        return Tensor(ONE, w.cols, lambda r, c: w.entry(at, c), f"{w.text}_{{{at},·}}")

    def chosen(self, text: str) -> Tensor | None:
        """The tensor ``text`` names in this reading (a: the activation or the pre-activation);
        None if it names none."""
        if text in self.choices:
            flag, other, taken, default = self.choices[text]
            if self.ambiguous(flag, taken, default):
                return other
        return self.tensors.get(text)

    def _read_sum(self, node: Node):
        value = None
        for op, term in zip(node.ops, node.args, strict=True):
            if term.kind == "dots":
                raise self.fail("'…' is not matrix notation", term)
            t = self.read(term)
            if value is None:
                value = t if op == "+" else scale(t, -1)
            else:
                value = add(value, t, -1 if op == "-" else 1)
        return value

    def _read_product(self, node: Node):
        value = self.read(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            rhs = self.read(factor)
            value = divide(value, rhs) if op == "/" else product(value, rhs, op)
        return value

    def _read_apply(self, node: Node):
        name, group = node.args
        return product(self.read(name), self.read(group), "")

    def _read_hadamard(self, node: Node):
        value = self.read(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            rhs = self.read(factor)
            text = f"{value.text} {op} {rhs.text}"
            if op == "⊗" and not (is_scalar(value) or is_scalar(rhs)):
                if value.shape != rhs.shape:
                    value = outer(value, rhs, text)
                    continue
                if self.ambiguous(
                    "outer", "⊗ read as the outer product", "⊗ read as elementwise (⊙)"
                ):
                    value = outer(value, rhs, text)
                    continue
            if is_scalar(value) or is_scalar(rhs):
                value = product(value, rhs, "⊙")
            else:
                value = elementwise_product(value, rhs, text)
        return value

    def _read_neg(self, node: Node):
        return scale(self.read(node.args[0]), -1)

    def _read_transpose(self, node: Node):
        return transpose(self.read(node.args[0]))

    def _read_frac(self, node: Node):
        top, bottom = (self.read(arg) for arg in node.args)
        return divide(top, bottom)

    def _read_pow(self, node: Node):
        base, exponent = node.args
        layered = base.text in LAYERED or base.text in self.layered_names
        letter = _label_letter(exponent)
        if layered and base.kind == "name" and base.layer is None and letter is not None:
            # W^o, h^{I-1}: a letter that is no name in matrix notation, where a matrix has
            # no power; only a layer label (I: OCR damage for l, read as written)
            what = "the output layer" if letter in OUTPUT_LABELS else "a layer label"
            self.note(
                f"{letter} in {base.tok.src or base.text}^{flat_text(exponent)} read as {what}"
            )
            return self.read(replace(base, layer=exponent))
        if "maybe_layer" in node.marks and layered:
            shown = f"{base.tok.src or base.text}^{exponent.text}"
            if self.ambiguous(
                "layer", f"{shown} read as {base.text} of layer {exponent.text}",
                f"{shown} read as the elementwise square" if exponent.text == "2"
                else f"{shown} read as an elementwise power",
            ):  # fmt: skip
                return self.read(replace(base, layer=exponent))
        t, k = self.read(base), self.read(exponent)
        if not is_scalar(k):
            raise self.fail("an exponent must be a number", exponent)
        power = k.entry(ONE, ONE)
        if not is_scalar(t) and t.cols != ONE and t.rows != ONE:
            if power == -1:  # W^{-1} where Wᵀ belongs, as in Wᵀ δ
                raise ShapeError(
                    f"inverse of a matrix {t.describe()}: {t.text}^{{-1}} is not the transpose "
                    f"{t.text}ᵀ (only vectors are raised to a power, elementwise)",
                    f"{t.text}^{{-1}}",
                )
            raise ShapeError(
                f"power of a matrix {t.describe()}: only vectors are raised elementwise",
                f"{t.text}^{power}",
            )
        return apply_entries(
            lambda x: self.limits.power_of(x, power, node.tok), t, f"{t.text}^{power}"
        )

    def _read_call(self, node: Node):
        name = node.text
        if name in self.activations:
            if len(node.args) != 1:
                raise self.fail(f"'{name}' takes 1 argument", node)
            arg = self.read(node.args[0])
            g = self.activations[name]

            def entry(x, _g=g, _n=node.primes):
                if _n == 0:
                    return _g(x)
                if isinstance(x, sp.Symbol | sp.Indexed):
                    return sp.Derivative(_g(x), (x, _n))
                d = sp.Dummy("x", real=True)  # g′ at an expression (σ′(z³)): g′(d) at d = x
                return sp.Subs(sp.Derivative(_g(d), (d, _n)), d, x)

            prime = "′" * node.primes
            value = apply_entries(entry, arg, f"{name}{prime}({arg.text})")
        elif name in self.functions:
            arg = self.read(node.args[0]) if len(node.args) == 1 else None
            if arg is None or node.keywords:
                raise self.fail(f"'{name}' takes 1 argument in matrix notation", node)
            fn = self.functions[name]
            call = fn.apply if hasattr(fn, "apply") else (lambda args, kw, _f=fn: _f(*args))
            value = apply_entries(
                lambda x: self.limits.build(node.tok, call, [x], {}), arg, f"{name}({arg.text})"
            )
        else:
            raise self.fail(f"unknown function '{name}'", node)
        if node.ops:
            count = self.read(node.ops[0]).entry(ONE, ONE)
            value = apply_entries(
                lambda x: self.limits.power_of(x, count, node.tok), value, f"{value.text}^{count}"
            )
        return value

    def _read_eq(self, node: Node):
        self.note("the value after the last '='")
        return self.read(node.args[-1])


# letters that name a layer in matrix notation besides l, L: o and O the output layer (notes
# 000, 004), I (OCR damage for l in notes 000); never names of vectors or matrices there
LABEL_ONLY_LETTERS = OUTPUT_LABELS | {"I"}


def _label_letter(node: Node) -> str | None:
    """The letter of a superscript ``o``, ``I``, ``{I-1}``, ``{o+1}``; else None."""
    if node.kind == "name" and node.sub is None and node.text in LABEL_ONLY_LETTERS:
        return node.text
    if node.kind == "sum" and len(node.args) == 2 and node.args[1].kind == "num":
        return _label_letter(node.args[0])
    return None


__all__ = [  # the algebra (derive.language.tensor_algebra) and its reader, in one place
    "ONE", "ShapeError", "Tensor", "TensorReader", "add", "apply_entries", "divide",
    "elementwise_product", "is_scalar", "outer", "product", "scalar", "scale", "transpose",
    "with_sizes",
]  # fmt: skip
