"""OCR-damaged index notation read as written (a mixin of
:class:`derive.language.scalar.ScalarReader`), so that it is judged rather than refused:

- a function of a layer with its argument lost: note 002 prints e^{(l)} = δ^{(l+1)} w^{(l+1)}
  as g^{(l+1)} · w^{(l+1)}.  As written that is the activation g of layer l + 1 without its
  argument, read as g(z^{(l+1)}) (the layer's own pre-activation, its only argument in the
  notes); where the notation has no z of that layer it is refused, saying what was lost.
  A numbered label (g^{(1)}) is not read so: it may be the order of a derivative.
"""

from __future__ import annotations

from dataclasses import replace

from derive.errors import ParseError
from derive.language.grammar import Node

ARGUMENT = "z"  # the pre-activation: an activation's argument in every note


class ScalarDamage:
    """``argument_lost``: the value of a layer's function written without its argument."""

    def argument_lost(self, node: Node, text: str, at: Node):
        """``g^{(l+1)}`` alone: g(z^{(l+1)}).  ParseError "needs an argument" (at ``at``) for
        a function alone, saying what was lost where there is no z of its layer to read."""
        refusal = f"function '{text}' needs an argument"
        if node.layer is None or node.sub is not None or node.primes or not _lettered(node.layer):
            raise self.fail(refusal, at)  # g^{(1)}: a derivative's order (f^{(n)}), not a layer
        shown = f"{node.tok.src or text}^{{({_label(node.layer)})}}"
        argument = replace(node, kind="name", text=ARGUMENT, marks=frozenset())
        written = f"{text}({ARGUMENT}^{{({_label(node.layer)})}})"
        try:
            value = self.read(Node("call", node.tok, (argument,), text=text))
        except ParseError:
            how = f"write {written}, or the name meant if OCR damaged the letter"
            raise self.fail(f"{refusal} ({how}): {shown} has lost its argument", at) from None
        self.note(f"{shown} read as {written}: the function of layer {_label(node.layer)} with "
                  "its argument lost (OCR damage?)")  # fmt: skip
        return value


def _lettered(layer: Node) -> bool:
    """A layer label with a letter (l + 1, k): no derivative's order, as g^{(1)} may be."""
    if layer.kind == "name":
        return True
    return layer.kind == "sum" and any(a.kind == "name" for a in layer.args)


def _label(layer: Node) -> str:
    from derive.language.layer_labels import flat_text

    return flat_text(layer)
