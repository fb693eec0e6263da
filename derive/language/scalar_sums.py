"""Sums as the notes write them: ``\\sum_{k=1}^{K}``, ``\\sum`` with its index evident from the
summand, and ``a_1 + … + a_D`` written with dots. A mixin of
:class:`derive.language.scalar.ScalarReader`."""

from __future__ import annotations

import sympy as sp

from derive.language.grammar import Node
from derive.language.layer_labels import flat_text


class SumReading:
    """The readings of Σ and of … in a sum."""

    def expand_dots(self, values: list) -> list:
        """x_1 + x_2 + … + x_D: the terms around '…' become Σ_{k=1}^{D} x_k."""
        while any(v[1] is None for v in values):
            at = next(n for n, v in enumerate(values) if v[1] is None)
            if at == 0 or at == len(values) - 1:
                raise self.fail("'…' needs a term on each side", values[at][2])
            (op_a, a, _), (_, last, tok_node) = values[at - 1], values[at + 1]
            taken = {str(s) for v in values if v[1] is not None for s in v[1].free_symbols}
            k = next(
                self.index_symbols.get(n, sp.Symbol(n, integer=True))
                for n in ("k", "n", "m", "r", "s", "t")
                if n not in taken
            )
            general, start = _pattern(a, last, k)
            if general is None:
                raise self.fail("cannot tell what '…' stands for", values[at][2])
            first = at - 1
            while first > 0 and values[first - 1][1] is not None and values[first - 1][0] == op_a:
                if values[first - 1][1] != general.subs(k, start - 1):
                    break
                first, start = first - 1, start - 1
            end = _index_value(last, general, k)
            total = sp.Sum(general, (k, start, end))
            values[first : at + 2] = [(values[first][0], total, tok_node)]
        return values

    def _read_bigsum(self, node: Node):
        index, lower, upper, body = node.args
        name = index.text if index is not None else self._evident_index(node, body)
        k = self.index_symbols.get(name) or sp.Symbol(name, integer=True)
        saved = self.index_symbols.get(name)
        self.index_symbols[name] = k
        try:
            lo = sp.Integer(1) if lower is None else self.read(lower)
            if upper is not None:
                known = upper.kind != "name" or upper.text in self.symbols
                if upper.kind == "name" and upper.sub is not None:  # n_out, n_{\mathrm{out}}
                    known = f"{upper.text}_{flat_text(upper.sub)}" in self.symbols
                hi = self.read(upper) if known else self._size_named(upper)
            else:
                hi = self.symbols.get("K", sp.Symbol("K", integer=True, positive=True))
            value = self.read(body)
        finally:
            if saved is None:
                self.index_symbols.pop(name)
            else:
                self.index_symbols[name] = saved
        return self.limits.build(node.tok, sp.Sum, value, (k, lo, hi))

    def _size_named(self, upper: Node):
        """The upper bound of Σ_{m=1}^{k}, k a letter the notation does not know: the size the
        result's sum runs over (the notes' k for a layer's width), said in a note; a symbol of
        its own where the result sums over nothing."""
        size = self.symbols.get("K")
        if size is None or upper.sub is not None or len(upper.text) != 1:
            return sp.Symbol(upper.text, integer=True, positive=True)
        self.note(f"Σ up to {upper.text} read as Σ up to {size} (all the entries summed over)")
        return size

    def _evident_index(self, node: Node, body: Node) -> str:
        """The index of a Σ written without one (∑ w_{ij} a_i, as the notes do): the one index
        repeated in the summand, else its only index; k for a summand without indices."""
        saved_notes, saved_labels = list(self.notes), list(self.labels)
        value = self.read(body)
        self.notes[:], self.labels[:] = saved_notes, saved_labels
        atoms = value.atoms(sp.Indexed) if isinstance(value, sp.Basic) else set()
        uses: dict = {}
        for atom in atoms:
            for ix in dict.fromkeys(i for i in atom.indices if i.is_Symbol):
                uses[ix] = uses.get(ix, 0) + 1
        if not uses:
            return "k"
        repeated = [ix for ix, n in uses.items() if n > 1]
        chosen = repeated if repeated else list(uses)
        if len(chosen) != 1:
            names = ", ".join(sorted(str(ix) for ix in uses))
            raise self.fail(
                f"a sum needs its index (the summand's indices {names} leave it open), "
                "e.g. \\sum_{k=1}^{K}",
                node,
            )
        why = "the index repeated in the summand" if repeated else "the summand's only index"
        self.note(f"Σ without an index read as Σ over {chosen[0]} ({why})")
        # the name the notation gives that index (its symbol may be spelled otherwise)
        names = [name for name, sym in self.index_symbols.items() if sym == chosen[0]]
        return names[0] if names else str(chosen[0])


def _pattern(a: sp.Expr, b: sp.Expr, k: sp.Dummy):
    """The general term of a … b: a with one integer index made k, and the value of k in a."""
    for atom in sorted(a.atoms(sp.Indexed), key=str):
        for pos, index in enumerate(atom.indices):
            if not index.is_Integer:
                continue
            general = a.replace(
                lambda e, _i=index, _p=pos: (
                    isinstance(e, sp.Indexed) and len(e.indices) > _p and e.indices[_p] == _i
                ),
                lambda e, _p=pos: (
                    e.base[(*e.indices[:_p], k, *e.indices[_p + 1 :])]
                    if len(e.indices) > 1
                    else e.base[k]
                ),
            )
            if _index_value(b, general, k) is not None:
                return general, index
    return None, None


def _index_value(b: sp.Expr, general: sp.Expr, k: sp.Dummy):
    """The value of k for which ``general`` is ``b``, or None."""
    for atom in b.atoms(sp.Indexed):
        for index in atom.indices:
            if general.xreplace({k: index}) == b:
                return index
    return None
