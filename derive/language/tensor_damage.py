"""OCR-damaged matrix notation read as written, so that it is judged (a wrong answer whose
diagnosis names the damage) rather than refused.  A mixin of
:class:`derive.language.tensor.TensorReader`:

- layer labels in letters the notation does not use for layers: note 004 writes layers as
  subscripts (W_k, a_k, h_{k-1}) and prints W_k garbled into W_h beside ∇_{a_t} L.  W_h is
  read as W of "layer h", so that beside a label of layer t it is the wrong layer, never a W
  with its label dropped (which would make it right).  The reader records such labels in
  ``stray_labels`` as (name, letter node, node, the refusal had it not been read);
- another name the notes give a vector, with a layer label: note 002's recap writes δ as s
  (e^{(k)} = W^T s^{(k+1)}, s^{(k)} = g'(z) ⊙ e^{(k)}), so s^{(k+1)} is δ^{(k+1)}, said so.
"""

from __future__ import annotations

from derive.language.grammar import Node
from derive.language.layer_labels import LAYER_LETTERS

OUTPUT_LABELS = frozenset({"o", "O"})  # the output layer's letters
# other names the notes give a vector: δ written s in note 002's recap
LOOKALIKES = {"s": "delta"}


class StrayLabels:
    """``stray_letter`` says whether a subscript is such a label; ``check_layers`` judges
    the ones recorded with the reader's other labels; ``lookalike`` reads a garbled name."""

    def stray_letter(self, node: Node, text: str) -> bool:
        """``W_h`` where the notation writes layers as subscripts (note 004's W_k garbled into
        W_h beside ∇_{a_t}): a one-letter label that is no layer letter and no index.  Read as
        written, as the layer h, but only beside labels that name layers by letters (see
        :meth:`check_layers`): there it is the wrong layer; alone it stays unread."""
        sub = node.sub
        return (
            sub.kind == "name"
            and sub.sub is None
            and len(sub.text) == 1
            and sub.text.isalpha()
            and sub.text not in self.layer_letters | OUTPUT_LABELS
            and sub.text not in self.index_symbols
            and bool(self.layer_letters - LAYER_LETTERS)  # layers written as subscripts
            and text in self.tensors
        )

    def check_layers(self) -> None:
        """The labels must fit (ScalarReader.check_layers), a stray letter's too (W_h beside
        a_t names two layers); a stray letter with no lettered label beside it is refused."""
        if self.stray_labels:
            if not any(letter is not None for _, (letter, _), _ in self.labels):
                raise self.stray_labels[0][-1]
            for text, sub, node, _ in self.stray_labels:
                self.note(
                    f"{text}_{sub.text} read as {text} of layer {sub.text} ({sub.text} is no "
                    "layer letter: a layer index damaged?)"
                )
                self.labels.append((text, (sub.text, 0), node))
        super().check_layers()

    def lookalike(self, node: Node, text: str):
        """``s^{(k+1)}`` where matrix notation has δ: note 002's recap names ∂J/∂z s
        (e^{(k)} = W^T s^{(k+1)}, s^{(k)} = g'(z) ⊙ e^{(k)}), so s is read as δ and said so;
        None for other names, and for s without a layer label (a name of its own)."""
        meant = LOOKALIKES.get(text)
        if meant not in self.tensors or node.layer is None or node.sub is not None:
            return None
        self.labels = [(meant if seen is node else name, v, seen) for name, v, seen in self.labels]
        like = self.chosen(meant)
        self.note(
            f"{text} read as {like.text}, as note 002's recap writes ∂J/∂z (s^(k) = g′(z) ⊙ e^(k))"
        )
        return like
