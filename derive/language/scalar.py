"""Reading a syntax tree (:mod:`.grammar`) as a SymPy expression, within fixed limits.

The reader dispatches on the node's kind (``_read_<kind>``, as SymPy's printers dispatch on
type).  Names resolve against the caller's tables only (a whitelist): ``symbols`` (canonical
spellings → SymPy objects: ``yhat``, ``ystar``, ``p_i``, ``a^L``), ``indexed`` vectors written
``p_i`` / ``p[i]``, ``functions`` (name → a record with ``apply(args, keywords)`` or a plain
callable), ``bare`` (a function name alone standing for its output, σ in σ(1 − σ)).

Where the text allows two readings the reader takes the one in ``flags`` and records the
other in ``ambiguities`` (:mod:`.readings` re-reads with it):

- ``layer``: a digit superscript on a name (``h^2``) is a layer label, not a power;
- ``call``: a name that is both a symbol and a function (``H(z)``) is a call, not a product;
- ``times-digit``: ``q1`` is q·1, not the entry q_1.

Every number built on the way is checked (bits, magnitude, exponents) and the number of terms
an expansion would have is bounded *before* SymPy builds it, so no input makes SymPy crawl.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import replace

import sympy as sp

from derive.errors import ParseError
from derive.language.grammar import Node
from derive.language.layer_labels import (
    LAYER_LETTERS,
    LayerLabels,
    flat_text,
    layer_like,
    source_text,
    superscript,
)
from derive.language.lexer import describe
from derive.language.limits import Limits, number
from derive.language.scalar_calls import CallReading
from derive.language.scalar_damage import ScalarDamage
from derive.language.scalar_sums import SumReading

CONSTANTS = {"e": sp.E, "pi": sp.pi}
# names of per-layer quantities: only on these may a digit superscript be a layer label
LAYERED = frozenset("h a z W w b x delta dz dh dW db da g sigma".split())


class ScalarReader(LayerLabels, SumReading, CallReading, ScalarDamage):
    """Reads a tree as one SymPy expression; see the module docstring for the tables."""

    def __init__(
        self,
        symbols: Mapping,
        functions: Mapping,
        indexed: Mapping | None = None,
        index_symbols: Mapping | None = None,
        bare: Mapping | None = None,
        flags: frozenset = frozenset(),
    ):
        self.symbols, self.functions = symbols, functions
        self.indexed, self.index_symbols = indexed or {}, dict(index_symbols or {})
        self.bare, self.flags = bare or {}, flags
        self.limits = Limits()
        self.layer_offsets: Mapping[str, int] = {}  # name -> its layer relative to the result's
        self.labels: list = []  # (name, (layer letter or None, number), node) as written
        self.letter_layers: frozenset | None = None  # allowed n in "layer l+n" of the result
        # letters a subscript or label may name a layer with (a profile may add i, k, t)
        self.layer_letters: frozenset = LAYER_LETTERS
        self.result_layer: tuple | None = None  # (letter, n): the layer the labels must name
        self.hidden_layers: int | None = None  # the question's L (o = L + 1), for o beside 2
        self.output_labelled = False  # labels name o, the output layer (set by check_layers)
        self.layer: int | None = None  # set by check_layers: the layer numbered labels name
        self.ambiguities: dict[str, str] = {}  # flag -> what reading with it means
        self.notes: list[str] = []  # how ambiguous parts were read in this reading

    def fail(self, message: str, node: Node) -> ParseError:
        return self.limits.fail(message, node.tok)

    def ambiguous(self, flag: str, taken: str, other: str) -> bool:
        """Record an ambiguity; True if this reading takes the ``flag`` side."""
        chosen = flag in self.flags
        self.ambiguities.setdefault(flag, other if not chosen else taken)
        note = taken if chosen else other
        if note not in self.notes:
            self.notes.append(note)
        return chosen

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def read(self, node: Node):
        method = getattr(self, f"_read_{node.kind}", None)
        if method is None:
            raise self.fail(f"unexpected {describe(node.tok)}", node)
        return method(node)

    # -- numbers and names ----------------------------------------------------------------
    def _read_num(self, node: Node):
        return number(node.tok)

    def _read_name(self, node: Node):
        return self.resolve(node)

    def base_text(self, node: Node) -> str:
        return node.text + ("star" if "star" in node.marks else "")

    def resolve(self, node: Node):
        text = self.base_text(node)
        if node.primes and text not in self.functions:
            raise self.fail(
                f"'{text}′': {text} is not a function here, so it has no derivative", node
            )
        if node.primes:
            raise self.fail(f"'{text}′' needs an argument in parentheses", node)
        if node.layer is not None:
            key = f"{text}^{flat_text(node.layer)}"
            if key in self.symbols:
                return self.symbols[key]
            self.label(text, node.layer, node)
        if node.sub is not None:
            return self.subscripted(node, text)
        if text in self.symbols:
            return self.symbols[text]
        if text in self.bare:
            return self.bare[text]
        if text in self.functions:  # g^{(l+1)}: its argument lost, read as g(z^{(l+1)})
            return self.argument_lost(node, text, _after(node))
        if text in CONSTANTS:
            return CONSTANTS[text]
        if text in self.indexed:
            raise self.fail(f"'{text}' needs an index such as {text}_i", node)
        split = self.split_name(node, text)
        if split is not None:
            return split
        src = node.tok.src if node.tok.kind == "name" and node.tok.src == text else text
        raise self.fail(f"unknown symbol '{src}'", node)

    def unknown_function(self, node: Node) -> None:
        """``foo(z)`` with foo neither a symbol nor a function: say "unknown function"."""
        text = self.base_text(node)
        if node.sub is None and node.layer is None and not node.primes:
            known = text in self.symbols or text in self.bare or text in CONSTANTS
            if not known and _split_known(text, self.symbols) is None:
                if not (
                    text.rstrip("0123456789") != text
                    and text.rstrip("0123456789") in {**self.symbols, **self.indexed}
                ):
                    raise self.fail(f"unknown function '{node.tok.src or text}'", node)

    def split_name(self, node: Node, text: str):
        """``q1`` as q_1 (or q·1), ``py`` as p·y: only when every part is a known name."""
        head = text.rstrip("0123456789")
        digits = text[len(head) :]
        if digits and head and len(digits) <= 6:
            if head in self.indexed and not self.ambiguous(
                "times-digit", f"{text} read as {head}·{digits}", f"{text} read as {head}_{digits}"
            ):
                return self.limits.build(
                    node.tok, operator.getitem, self.indexed[head], int(digits)
                )
            if head in self.symbols or head in self.indexed:
                self.note(f"{text} read as {head}·{digits}")
                base = self.symbols.get(head)
                if base is None:
                    return None
                return base * sp.Integer(digits)
            return None
        parts = _split_known(text, self.symbols)
        if parts is None:
            return None
        self.note(f"{text} read as {'·'.join(parts)}")
        return sp.Mul(*(self.symbols[part] for part in parts))

    def subscripted(self, node: Node, text: str):
        """``y_hat``, ``p_i``, ``p_{i}``, ``p[i]``, ``W_{ij}``, ``h_L``: a symbol or an entry."""
        sub = node.sub
        flat = flat_text(sub)
        full = f"{text}_{flat}"
        if full in self.symbols:
            return self.symbols[full]
        if flat == "hat" and text + "hat" in self.symbols:
            return self.symbols[text + "hat"]
        items = sub.args if sub.kind == "indices" else (sub,)
        named = f"{text}_{items[0].text}" if items[0].kind == "name" else ""
        if len(items) >= 2 and items[0].sub is None and named in self.indexed:
            rest = items[1:]  # z_{prev,j}: entry j of z_prev (the tool's own rendering)
            indices = [self.index(item, named) for item in rest]
            key = indices[0] if len(indices) == 1 else tuple(indices)
            return self.limits.build(node.tok, operator.getitem, self.indexed[named], key)
        if text in self.indexed:
            entry = self.layer_and_entry(text, items, node)
            if entry is not None:  # a_{ki}, h_{k-1,j}, W_{i+1,m,j}: layer k, then the entry
                return self.limits.build(node.tok, operator.getitem, self.indexed[text], entry)
            pair = _index_pair(items, text in getattr(self, "matrices", ()), self.index_symbols)
            if pair is not None:  # W_{11}, W_{i1} of a matrix: two one-character indices
                return self.limits.build(node.tok, operator.getitem, self.indexed[text], pair)
            if len(items) == 1 and items[0].kind == "name" and len(items[0].text) > 1:
                if all(ch in self.index_symbols for ch in items[0].text):  # W_{ij}
                    indices = [self.index_symbols[ch] for ch in items[0].text]
                    return self.limits.build(
                        node.tok, operator.getitem, self.indexed[text], tuple(indices)
                    )
            indices = [self.index(item, text) for item in items]
            key = indices[0] if len(indices) == 1 else tuple(indices)
            return self.limits.build(node.tok, operator.getitem, self.indexed[text], key)
        if "bracket" in node.marks and (text in self.symbols or text in self.bare):
            raise self.fail(f"'{text}' is not a vector and cannot be indexed", node)
        if layer_like(sub, self.layer_letters) and (text in self.symbols or text in self.bare):
            self.label(text, sub, node, "subscript")
            return self.symbols.get(text, self.bare.get(text))
        raise self.fail(f"unknown symbol '{full}'", node)

    def layer_and_entry(self, text: str, items, node: Node):
        """The entry of ``a_{ki}``, ``h_{k-1,j}``, ``a_{L,j}``, ``W_{i+1,m,j}`` (notes that write
        the layer as the first subscript), its layer recorded as a label; else None.  Only for
        the layer's own names (h, a, z, δ, b, W), with one index more than the name has."""
        if not (text in self.layer_offsets or text in LAYERED) or self.layer_letters is None:
            return None
        rank = 2 if text in getattr(self, "matrices", ()) else 1
        if len(items) == 1 and items[0].kind == "name" and items[0].sub is None:
            chars = items[0].text
            if len(chars) != rank + 1 or not all(c.isalnum() for c in chars):
                return None
            layer = replace(items[0], kind="num" if chars[0].isdigit() else "name", text=chars[0])
            rest = [
                replace(items[0], kind="num" if c.isdigit() else "name", text=c) for c in chars[1:]
            ]
        elif len(items) == rank + 1:
            layer, rest = items[0], list(items[1:])
        else:
            return None
        if not layer_like(layer, self.layer_letters) or layer.kind == "num" and len(items) == 1:
            return None  # a_{12}: two indices, not layer 1
        if not all(
            r.kind == "num" or r.kind == "name" and r.text in self.index_symbols for r in rest
        ):
            return None
        self.label(text, layer, node, "subscript")
        indices = [self.index(r, text) for r in rest]
        return indices[0] if rank == 1 else tuple(indices)

    def index(self, item: Node, name: str):
        if item.kind == "name" and item.sub is None and item.text in self.index_symbols:
            return self.index_symbols[item.text]
        if item.kind == "num" and item.text.isdigit() and len(item.text) <= 6:
            return sp.Integer(item.text)
        if item.kind == "name" and len(item.text) == 1 and item.text.isupper():
            return sp.Symbol(item.text, integer=True, positive=True)  # x_D: the last entry
        if item.kind == "sum":
            return self.read(item)  # y_{k+1}
        raise self.fail(f"unknown index '{flat_text(item)}' for '{name}'", item)

    # -- operators ----------------------------------------------------------------------------
    def _read_sum(self, node: Node):
        terms = list(node.args)
        values: list = []
        for op, term in zip(node.ops, terms, strict=True):
            if term.kind == "dots":
                values.append((op, None, term))
                continue
            values.append((op, self.read(term), term))
        values = self.expand_dots(values)
        value = None
        for op, term_value, term in values:
            if value is None:
                value = (
                    term_value
                    if op == "+"
                    else self.limits.build(term.tok, operator.neg, term_value)
                )
            else:
                fn = operator.add if op == "+" else operator.sub
                value = self.limits.build(term.tok, fn, value, term_value)
        return value

    def _read_product(self, node: Node):
        value = self.read(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            if op == "@":
                raise self.fail("'@' is a matrix product: not in a scalar expression", factor)
            rhs = self.read(factor)
            fn = operator.truediv if op == "/" else operator.mul
            value = self.limits.build(factor.tok, fn, value, rhs)
        return value

    def _read_apply(self, node: Node):
        """``p(1-p)``: a name times a bracket; ``foo(z)`` with foo unknown is a function."""
        name, group = node.args
        self.unknown_function(name)
        return self.limits.build(group.tok, operator.mul, self.read(name), self.read(group))

    def _read_hadamard(self, node: Node):
        value = self.read(node.args[0])
        for factor in node.args[1:]:  # between scalars ⊙ and ⊗ are products
            value = self.limits.build(factor.tok, operator.mul, value, self.read(factor))
        return value

    def _read_neg(self, node: Node):
        return self.limits.build(node.tok, operator.neg, self.read(node.args[0]))

    def _read_pow(self, node: Node):
        base, exponent = node.args
        layered = base.text in LAYERED or base.text in getattr(self, "layered_names", ())
        if "maybe_layer" in node.marks and layered:
            shown = f"{source_text(base)}^{exponent.text}"
            if self.ambiguous(
                "layer",
                f"{shown} read as {source_text(base)} of layer {exponent.text}",
                f"{shown} read as the power {source_text(base)}{superscript(exponent.text)}",
            ):
                from dataclasses import replace

                return self.read(replace(base, layer=exponent))
        return self.limits.power_of(self.read(base), self.read(exponent), node.tok)

    def _read_transpose(self, node: Node):
        return self.read(node.args[0])  # a scalar is its own transpose

    def _read_entries(self, node: Node):
        return self.read(node.args[0])  # [\dots, x_k, \dots] in index notation: its entry x_k

    def _read_matrix(self, node: Node):
        raise self.fail(
            "a vector or matrix written entry by entry cannot be judged against this result "
            "(its size is not fixed): write one entry alone (p_1 - y_1) or use index notation",
            node,
        )

    def _read_frac(self, node: Node):
        top, bottom = (self.read(arg) for arg in node.args)
        return self.limits.build(node.tok, operator.truediv, top, bottom)

    def _read_rel(self, node: Node):
        ops = {
            "<": sp.StrictLessThan,
            ">": sp.StrictGreaterThan,
            "<=": sp.LessThan,
            ">=": sp.GreaterThan,
            "=": sp.Eq,
            "!=": sp.Ne,
        }
        a, b = (self.read(arg) for arg in node.args)
        return self.limits.build(node.tok, ops[node.text], a, b)

    def _read_eq(self, node: Node):
        """An answer written as an equation: the value is its last side (``∂L/∂z = p - y``)."""
        self.note("the value after the last '='")
        return self.read(node.args[-1])

    def _read_indicator(self, node: Node):
        inner = node.args[0]
        if inner.kind == "rel" and inner.text in ("=", "!="):  # 𝟙[i = j]: i, j the indices
            sides = [self.condition_side(arg) for arg in inner.args]
            cond = self.limits.build(inner.tok, sp.Eq if inner.text == "=" else sp.Ne, *sides)
        else:
            cond = self.read(inner)
        if cond in (sp.true, sp.false):  # 𝟙[1 = 1], 𝟙[i = i]
            return sp.Integer(cond is sp.true)
        if not isinstance(cond, sp.core.relational.Relational):
            raise self.fail("'𝟙' needs a condition such as z > 0", node)
        if isinstance(cond, sp.Eq | sp.Ne) and all(arg.is_integer for arg in cond.args):
            # 𝟙[i = j] of indices: the Kronecker delta δ_ij
            delta = sp.KroneckerDelta(*cond.args)
            return delta if isinstance(cond, sp.Eq) else 1 - delta
        return self.limits.build(node.tok, sp.Piecewise, (1, cond), (0, True))

    def _read_entry(self, node: Node):
        """``e(ℓ)_i``, ``f(x)_i``: entry i of a function whose value is a vector's entry."""
        call, sub = node.args
        function = self.functions.get(call.text)
        index = getattr(function, "entry_index", None)
        if index is None:
            raise self.fail(f"'{call.text}(…)' is not a vector: it has no entry '_'", node)
        if sub.kind == "indices":
            raise self.fail(f"'{call.text}(…)' is a vector: it takes one index", node)
        return self.read(call).xreplace({index: self.index(sub, call.text)})

    def condition_side(self, node: Node):
        """A side of 𝟙[i = j]: a bare index letter is the index (not a symbol of that name)."""
        bare = node.kind == "name" and node.sub is None and node.layer is None
        if bare and node.text in self.index_symbols and node.text not in self.symbols:
            return self.index_symbols[node.text]
        return self.read(node)

    def _read_cases(self, node: Node):
        pieces = []
        for value, cond in zip(node.args[::2], node.args[1::2], strict=True):
            pieces.append((self.read(value), True if cond is None else self.read(cond)))
        if pieces[-1][1] is not True:
            pieces.append((sp.nan, True))
        return self.limits.build(node.tok, sp.Piecewise, *pieces)


# -- helpers -------------------------------------------------------------------------------


def _index_pair(items, matrix: bool, index_symbols) -> tuple | None:
    """(row, col) of a matrix entry written as one token of two characters: W_{12}, W_{i1}."""
    if not matrix or len(items) != 1 or items[0].kind not in ("num", "name"):
        return None
    chars = items[0].text
    if len(chars) != 2 or not all(ch.isdigit() or ch in index_symbols for ch in chars):
        return None
    if not any(ch.isdigit() for ch in chars):
        return None  # W_{ij}: already read as two index letters
    return tuple(sp.Integer(ch) if ch.isdigit() else index_symbols[ch] for ch in chars)


def _after(node: Node):
    """The token position after a name, for "needs an argument" messages."""
    from derive.language.lexer import Token

    return Node("name", Token("end", "", node.tok.col + len(node.tok.src or node.text)))


def _split_known(text: str, symbols: Mapping) -> list[str] | None:
    """``py`` → [p, y] when every letter (or a longer known name) is a symbol; else None."""
    if len(text) > 12:
        return None
    best: dict[int, list[str]] = {0: []}
    for start in range(len(text)):
        if start not in best:
            continue
        for end in range(start + 1, len(text) + 1):
            part = text[start:end]
            if part in symbols and end not in best:
                best[end] = best[start] + [part]
    parts = best.get(len(text))
    return parts if parts and len(parts) > 1 else None
