"""Matrix notation written entry by entry: the literals of :mod:`.literals` read as Tensors.

``\\begin{bmatrix} dz_1^3 \\\\ dz_2^3 \\end{bmatrix}`` is a 2×1 :class:`~.tensor.Tensor` whose
entries are read in index notation (``dz_1^3`` is δ_1, ``w_{12}^3`` is W_12, the layer labels
recorded as everywhere else), with the reader's ``indexed`` table; an entry must be one number
(a 1×1 tensor: ``δ^3`` of a layer of one unit is one).  A literal's size is concrete (2 rows):
the checker compares it with a result of symbolic size (n_out × n_in) by substituting sizes.

``[\\dots, g'(a_{ik}), \\dots]`` is the column vector whose entry k is g′(a_ik): the size is
that of the vectors the generic index k runs over (a_i: the layer's z), the subscript before
k a layer label.
"""

from __future__ import annotations

import sympy as sp

from derive.language.grammar import Node
from derive.language.layer_labels import flat_text, layer_like
from derive.language.scalar import ScalarReader
from derive.language.tensor_algebra import ShapeError, Tensor, is_scalar, scalar

ONE = sp.Integer(1)
MAX_TEXT = 60  # characters of a literal's text in messages


def literal_cells(reader, node: Node) -> list[list]:
    """The cells of a matrix literal, row by row, read with ``reader.in_literal`` raised
    (entries such as w_{12}^3 are then entries, not matrix notation)."""
    reader.in_literal += 1
    try:
        return [[reader.read(cell) for cell in row.args] for row in node.args]
    finally:
        reader.in_literal -= 1


class LiteralReading:
    """Mixin of :class:`~.tensor.TensorReader`: ``_read_matrix`` and ``_read_entries``."""

    in_literal = 0  # > 0 while the entries of a literal are read
    generic = None  # (index symbol, [sizes seen]) while a [\dots, x_k, \dots] entry is read

    def _read_matrix(self, node: Node):
        cells = literal_cells(self, node)
        values = {}
        for r, row in enumerate(cells, 1):
            for c, cell in enumerate(row, 1):
                if not is_scalar(cell):
                    raise ShapeError(f"entry ({r}, {c}) of the matrix is {cell.describe()}")
                values[(r, c)] = cell.entry(ONE, ONE)
        from derive.render.printer import text as shown

        rows, cols = len(cells), len(cells[0])
        text = "[" + "; ".join(", ".join(shown(values[(r, c)]) for c in range(1, cols + 1))
                              for r in range(1, rows + 1)) + "]"  # fmt: skip
        if len(text) > MAX_TEXT:
            text = f"the {rows}×{cols} matrix at column {node.tok.col}"
        return Tensor(sp.Integer(rows), sp.Integer(cols), _lookup(values), text)

    def _read_entries(self, node: Node):

        k = sp.Dummy("k", integer=True, positive=True)
        self.in_literal += 1
        self.generic, outer = (k, []), self.generic
        try:
            cell = self.read(node.args[0])
            _, sizes = self.generic
        finally:
            self.in_literal -= 1
            self.generic = outer
        if cell.shape != (ONE, ONE):
            raise ShapeError(f"the entry of [… x_k …] is {cell.describe()}")
        value = cell.entry(ONE, ONE)
        if not sizes:
            raise self.fail("the entry of [\\dots, x_k, \\dots] must name its index", node)
        if len(set(sizes)) > 1:
            raise ShapeError(f"the entry of [… x_k …] mixes vectors of sizes {set(sizes)}")
        from derive.render.printer import text as shown

        entry_text = f"[…, {shown(value)}, …]"
        return Tensor(sizes[0], ONE, lambda r, c: value.xreplace({k: r}), entry_text)

    def literal_entry(self, node: Node, text: str):
        """A subscripted name inside a literal (``dz_1^3``, ``a_{ik}``): one entry, 1×1."""

        if self.generic is not None:
            found = self._generic_entry(node, text)
            if found is not None:
                return scalar(found)
        return scalar(ScalarReader.subscripted(self, node, text))

    def _generic_entry(self, node: Node, text: str):
        """``a_{ik}``, ``a_{k-1,j}``, ``g'(a_k)``: the last index is the generic one, what comes
        before it the layer; the value is entry k of the vector the name stands for."""
        sub = node.sub
        if sub.kind == "indices" and len(sub.args) == 2:
            layer, index = sub.args
        elif sub.kind == "name" and len(sub.text) == 2 and sub.sub is None:
            layer = Node("name", sub.tok, text=sub.text[0])
            index = Node("name", sub.tok, text=sub.text[1])
        else:
            layer, index = None, sub
        if index.kind != "name" or index.text not in self.index_symbols:
            return None
        if layer is not None:
            if not layer_like(layer, self.layer_letters):
                return None
            self.label(text, layer, node, "subscript")
        vector = self.resolve(Node("name", node.tok, text=node.text, marks=node.marks))
        if vector.cols != ONE:
            raise self.fail(f"'{text}_{flat_text(sub)}' is not an entry of a vector", node)
        k, sizes = self.generic
        sizes.append(vector.rows)
        return vector.entry(k, ONE)


def _lookup(values: dict):
    """The entry function of a literal: a lookup at numbers, a sum of Kronecker deltas at
    symbols (inside a matrix product's Σ_k)."""

    def entry(r, c):
        r, c = (sp.Integer(x) if isinstance(x, int) else x for x in (r, c))
        if (r, c) in values:
            return values[(r, c)]
        if r.is_Integer and c.is_Integer:
            raise IndexError(f"no entry ({r}, {c})")
        return sp.Add(
            *(v * sp.KroneckerDelta(r, i) * sp.KroneckerDelta(c, j) for (i, j), v in values.items())
        )

    return entry
