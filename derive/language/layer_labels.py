"""Layer labels as the notes write them (``h^{(l-1)}``, ``dz^3``, ``h_L``, o for the output
layer) and whether they fit together: a mixin of :class:`derive.language.scalar.ScalarReader`,
with the short texts of nodes that messages show."""

from __future__ import annotations

from derive.language.grammar import Node


class LayerMismatch(Exception):
    """Layer labels that do not fit (``dz^3 (h^3)^T``): a wrong answer, not unreadable text."""

    is_verdict = True


class LayerUnplaced(LayerMismatch):
    """Labels whose layers the question does not place (``dz^o (h^2)^T`` without the number
    of hidden layers): the answer may be right or wrong, so it is undecided, never wrong."""

    undecided = True


LAYER_LETTERS = frozenset({"l", "L"})  # letters that name a layer unless a profile adds more


# labels that are layers wherever they label one: I (OCR damage for l, read as written), and
# o, O, the output layer (notes 000, 004: the layer above h^L, so o = L + 1)
OUTPUT_LETTERS = frozenset({"o", "O"})


LABEL_LETTERS = OUTPUT_LETTERS | {"I"}


def layer_value(node: Node, letters: frozenset = LAYER_LETTERS):
    """(letter, number) of a layer label: 3 → (None, 3), l-1 → ("l", -1), L → ("L", 0);
    None for a label that is not a layer (n, i, an expression).  ``letters``: the reader's
    layer letters (a notation that writes layers as subscripts, h_{i-1}, adds i, k, t)."""
    if node.kind == "num" and node.text.isdigit():
        return (None, int(node.text))
    if node.kind == "name" and node.text in (letters | LABEL_LETTERS) and node.sub is None:
        return (node.text, 0)
    if node.kind == "sum" and len(node.args) == 2 and node.args[1].kind == "num":
        head = layer_value(node.args[0], letters)
        if head is not None and head[0] is not None and node.args[1].text.isdigit():
            sign = 1 if node.ops[1] == "+" else -1
            return (head[0], sign * int(node.args[1].text))
    return None


def label_text(value) -> str:
    letter, number = value
    if letter is None:
        return f"^{number}"
    return f"^{{{letter}{number:+d}}}" if number else f"^{letter}"


def flat_text(node: Node) -> str:
    """A short text for a subscript, superscript or name: ``i``, ``ij``, ``l-1``, ``L+1``."""
    if node.kind in ("name", "num"):
        text = node.text
        if node.sub is not None:
            text += "_" + flat_text(node.sub)
        return text
    if node.kind == "sum":
        return "".join(
            (op if n else ("-" if op == "-" else "")) + flat_text(a)
            for n, (op, a) in enumerate(zip(node.ops, node.args, strict=True))
        )
    if node.kind == "indices":
        return ",".join(flat_text(a) for a in node.args)
    if node.kind == "neg":
        return "-" + flat_text(node.args[0])
    return node.tok.src or node.kind


def source_text(node: Node) -> str:
    text = node.tok.src if node.kind == "name" and node.tok.kind == "name" else node.text
    return text or node.tok.src


def superscript(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def layer_like(node: Node, letters: frozenset = LAYER_LETTERS) -> bool:
    """A subscript that labels a layer: L, l, a digit, l-1, L+1 (not an index i, j, k, unless
    the notation's ``letters`` say its layers are written h_i, W_{k+1})."""
    if node.kind == "num":
        return True
    if node.kind == "name":
        return node.text in letters and node.sub is None
    if node.kind == "sum":
        return any(layer_like(a, letters) for a in node.args if a.kind == "name")
    return False


class LayerLabels:
    """Records layer labels (``label``) and checks that they fit (``check_layers``)."""

    def label(self, name: str, layer: Node, node: Node, where: str = "superscript") -> None:
        """Record a layer label (``h^{(l-1)}``, ``dz^3``, ``h_L``); labels that are not layers
        (``y^{(n)}``: the n-th example) are noted and dropped."""
        value = layer_value(layer, self.layer_letters)
        shown = f"{source_text(node)}{'^' if where == 'superscript' else '_'}{flat_text(layer)}"
        if value is None:
            self.note(f"{shown}: the {where} {flat_text(layer)} is a label, not a power")
            return
        self.note(f"{shown} read as {source_text(node)} of layer {flat_text(layer)}")
        self.labels.append((name, value, node))

    def check_layers(self) -> None:
        """The layer labels must fit together: in δ^l (h^{l-1})ᵀ every name is in its place
        (``layer_offsets``: h is one layer below δ).  Raises :class:`LayerMismatch`."""
        self.labels = self.canonical_labels()
        implied = {}
        for name, (letter, number), node in self.labels:
            offset = self.layer_offsets.get(name, 0)
            implied.setdefault((letter, number - offset), []).append(f"{source_text(node)}")
        if len(implied) == 1 and self.letter_layers is not None and not self.output_labelled:
            letter, number = next(iter(implied))
            if letter is not None and number not in self.letter_layers:
                raise LayerMismatch(
                    "the layer labels do not fit the result: "
                    + ", ".join(f"{n}{label_text(v)}" for n, v, _ in self.labels)
                    + f" (the result is for layer {letter})"
                )
        if len(implied) == 1 and self.result_layer is not None:
            letter, number = next(iter(implied))
            numbered = letter is None and self.result_layer[0] is None  # o of 2 hidden: 3
            if (letter is not None or numbered) and (letter, number) != self.result_layer:
                raise LayerMismatch(
                    "the layer labels do not fit the question: "
                    + ", ".join(f"{n}{label_text(v)}" for n, v, _ in self.labels)
                    + f" (the result is for layer {label_text(self.result_layer)[1:]})"
                )
        if len(implied) == 1 and next(iter(implied))[0] is None:
            self.layer = next(iter(implied))[1]
        if len({letter for letter, _ in implied}) > 1 or len(implied) > 1:
            names = sorted({name for name, _, _ in self.labels})
            raise LayerMismatch(
                "the layer labels do not fit together ("
                + ", ".join(f"{n}{label_text(v)}" for n, v, _ in self.labels)
                + (")" if len(names) < 2 else f"; {self.placement(names)})")
            )

    def canonical_labels(self) -> list:
        """The labels with o (the output layer) as L + 1, or as a number where the question
        gives the hidden layers L (then L is that number too), and I as l beside an l.
        ParseError where o stands beside numbered layers the question does not place."""
        letters = {v[0] for _, v, _ in self.labels} | {(self.result_layer or (None,))[0]}
        self.output_labelled = bool(letters & OUTPUT_LETTERS)  # the result is o's, not l's
        canon = self.canonical(letters)
        labels = [(name, canon(value), node) for name, value, node in self.labels]
        if self.result_layer is not None:
            self.result_layer = canon(self.result_layer)
        used = {letter for _, (letter, _), _ in labels}
        if used & OUTPUT_LETTERS and None in used:
            raise LayerUnplaced(
                "o, the output layer, beside numbered layers: the question does not say how "
                "many hidden layers there are (give hidden_layers)"
            )
        return labels

    def canonical(self, letters: set):
        hidden = self.hidden_layers

        def canon(value):
            letter, number = value
            if letter in OUTPUT_LETTERS and hidden is not None:
                return (None, hidden + 1 + number)
            if letter in OUTPUT_LETTERS and "L" in letters:
                return ("L", 1 + number)
            if letter == "L" and hidden is not None:
                return (None, hidden + number)
            if letter == "I" and "l" in letters:
                return ("l", number)
            return value

        return canon

    def placement(self, names: list[str]) -> str:
        below = [n for n in names if self.layer_offsets.get(n, 0) < 0]
        same = [n for n in names if self.layer_offsets.get(n, 0) == 0]
        if below and same:
            return f"{', '.join(below)} must be one layer below {', '.join(same)}"
        return "all must be the same layer"
