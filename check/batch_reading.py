"""Reading a mini-batch sum as notes 000 write it: ``(1/m) Σ_n DZ^l_n``, DZ^l_n the column of
example n (a vector of the n_out units), so the bare vector is its entry i, Δ_ni, as ``p − y``
is entry i for softmax-ce.

>>> from check import check_answer
>>> check_answer("batch:db", "(1/m) \\\\sum_n DZ^l_n", params={"layout": "columns"}).correct
True
"""

from __future__ import annotations

from dataclasses import replace

from derive.language.grammar import Node
from derive.language.scalar import ScalarReader

BATCH_VECTORS = frozenset({"DZ", "dZ", "Delta"})  # one example's gradient at Z: Δ_n (n_out)


class BatchVectorReader(ScalarReader):
    """``DZ_n``: example n's vector of DZ (its column, or its row), read at the unit i the
    result is for.  Only the example index n: a lone DZ_i is no reading of it."""

    def subscripted(self, node, text):
        sub = node.sub
        example = self.index_symbols.get("n")
        if (
            text in BATCH_VECTORS
            and text in self.indexed
            and sub.kind == "name"
            and sub.text == "n"
            and sub.sub is None
            and example is not None
        ):
            self.note(f"{text}_n read as example n's vector of {text}, at the unit i")
            return self.indexed[text][example, self.index_symbols["i"]]
        return super().subscripted(node, text)

    def _read_bigsum(self, node):
        """``\\sum_n`` with no limits: over the m examples (n is the example index here)."""
        index, lower, upper, body = node.args
        if upper is None and lower is None and index is not None and index.text == "n":
            self.note("Σ_n read as the sum over the m examples")
            upper = Node("name", index.tok, text="m")
            node = replace(node, args=(index, lower, upper, body))
        return super()._read_bigsum(node)
