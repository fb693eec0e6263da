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

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import replace
from fractions import Fraction

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import ParseError
from derive.language.grammar import Node
from derive.language.lexer import describe
from derive.language.scalar_damage import ScalarDamage

MAX_EXPONENT = 100  # |numeric exponent|, and the denominator of a rational one
MAX_NUMBER_BITS = 128  # size (numerator, denominator) of any rational built along the way
MAX_NUMBER_CHARS = 40  # length of a numeric literal
MAX_EXACT_DIGITS = 15  # decimals with more significant digits are kept as Floats of that precision
MAX_MAGNITUDE = 1e160  # |value| of any symbol-free subexpression: cosh(10^30) is refused
MAX_EXPANDED_TERMS = 20000  # terms of the fully expanded expression: (a+b+c+f+g+k)^100 is refused
MAX_PRIMES = 3  # g'''(z) at most
CONSTANTS = {"e": sp.E, "pi": sp.pi}
# names of per-layer quantities: only on these may a digit superscript be a layer label
LAYERED = frozenset("h a z W w b x delta dz dh dW db da g sigma".split())


def _approx(value: sp.Basic) -> complex | None:
    """The floating-point value of a symbol-free expression; None if it has none."""
    if not value.is_number:
        return None
    try:
        return complex(value.evalf(15))
    except (TypeError, ValueError):  # e.g. an unevaluated function: nothing numeric to blow up
        return None


def _bits(number: sp.Rational) -> int:
    return max(abs(number.p).bit_length(), number.q.bit_length())


def number(tok) -> sp.Number:
    """A numeric literal: exact (``0.01`` → 1/100, ``1e-3`` → 1/1000) up to 15 significant
    digits, a Float with all its digits beyond (SELU's 1.0507009873554804934193349852946)."""
    text = tok.text
    mantissa, _, exponent = text.lower().partition("e")
    if len(text) > MAX_NUMBER_CHARS or abs(int(exponent or 0)) > MAX_EXPONENT:
        raise ParseError(f"number {describe(tok)} out of range at column {tok.col}")
    digits = len(mantissa.replace(".", "").lstrip("0"))
    if digits > MAX_EXACT_DIGITS and "." in mantissa:
        return sp.Float(text, max(digits, 15))
    value = Fraction(text)
    return sp.Rational(value.numerator, value.denominator)


class Limits:
    """The checks every built value goes through (shared by the scalar and tensor readers)."""

    def __init__(self):
        self.checked: set = set()  # subexpressions whose numbers are known to be small
        self.terms: dict = {}  # expansion size estimates

    @staticmethod
    def fail(message: str, tok) -> ParseError:
        return ParseError(f"{message} at column {tok.col}")

    def build(self, tok, fn: Callable, *args):
        """Apply ``fn`` (an operator or whitelisted function) and check the numbers it made."""
        try:
            value = fn(*args)
            if not isinstance(value, sp.Basic):
                raise self.fail(f"{describe(tok)} did not give a SymPy expression", tok)
            self.check_numbers(value, tok)
            self.check_terms(value, tok)
        except ParseError:
            raise
        except RecursionError:
            raise self.fail("expression nested too deeply", tok) from None
        except Exception as exc:  # any SymPy failure here comes from the input
            raise self.fail(
                f"cannot evaluate {describe(tok)} ({type(exc).__name__})", tok
            ) from None
        return value

    def check_numbers(self, value: sp.Basic, tok) -> None:
        """Refuse huge numbers: they make SymPy's exact and numeric evaluation crawl.

        Rationals are capped in bits.  A symbol-free value is evaluated in floating point and
        must be real and capped in magnitude, so by induction every numeric argument SymPy ever
        has to evaluate (sin(cosh(cosh(100))), ...) stays small enough to evaluate quickly.
        """
        stack = [value]
        while stack:
            node = stack.pop()
            if node in self.checked:
                continue
            self.checked.add(node)
            if node.is_Rational and _bits(node) > MAX_NUMBER_BITS:
                raise self.fail("number too large", tok)
            stack.extend(arg for arg in node.args if isinstance(arg, sp.Basic))
        approx = None if value.is_Rational else _approx(value)
        if approx is not None:
            if not abs(approx) <= MAX_MAGNITUDE:  # also refuses nan
                raise self.fail("number too large or undefined", tok)
            if abs(approx.imag) > 1e-12 * (1 + abs(approx.real)):  # log(-2)^100 is slow too
                raise self.fail("complex number (root or log of a negative number?)", tok)

    def expanded_terms(self, value: sp.Basic) -> int:
        """How many terms ``expand(value)`` would have (an upper estimate, capped)."""
        if value in self.terms:
            return self.terms[value]
        cap = MAX_EXPANDED_TERMS + 1
        if value.is_Add:
            count = sum(self.expanded_terms(arg) for arg in value.args)
        elif value.is_Mul:
            count = 1
            for arg in value.args:
                count = min(count * self.expanded_terms(arg), cap)
        elif value.is_Pow and value.exp.is_Integer and value.exp > 1:
            n, k = self.expanded_terms(value.base), int(value.exp)
            count = cap if n > cap else min(math.comb(n + k - 1, k), cap) if n > 1 else 1
        else:
            count = 1
        self.terms[value] = count = min(count, cap)
        return count

    def check_terms(self, value: sp.Basic, tok) -> None:
        if isinstance(value, sp.Expr) and self.expanded_terms(value) > MAX_EXPANDED_TERMS:
            raise self.fail(
                f"expression too large: its expansion has over {MAX_EXPANDED_TERMS} terms", tok
            )

    def check_exponent(self, exponent, tok, *, whole: bool = True):
        """Cap an exponent (``whole``) and the hidden exponents in it: SymPy turns e^(k log x)
        into x^k, and its polynomial code reads e^(k z) as (e^z)^k, so cap k too.  A decimal
        coefficient such as 1.702 in e^(−1.702 z) is kept as a Float (no (e^(z/500))^851);
        the exponent is returned, with such coefficients made Floats."""
        if exponent.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise self.fail("undefined exponent", tok)
        sizes = [exponent] if whole else []
        floats = {}
        for term in sp.Add.make_args(exponent):
            factors = sp.Mul.make_args(term)
            if any(factor.has(sp.log) for factor in factors):
                sizes.append(sp.Mul(*(factor for factor in factors if not factor.has(sp.log))))
            elif not term.is_number and not whole:
                coeff = term.as_coeff_Mul()[0]
                if coeff.is_Rational and coeff.q > MAX_EXPONENT and abs(coeff) <= MAX_EXPONENT:
                    floats[coeff] = sp.Float(coeff, 17)
                else:
                    sizes.append(coeff)
            elif not term.is_number:
                sizes.append(term.as_coeff_Mul()[0])
        for size in sizes:
            if size.is_Rational and size.q > MAX_EXPONENT:  # x^(1/10^9): a huge-degree root
                raise self.fail(f"exponent denominator too large (limit {MAX_EXPONENT})", tok)
            value = _approx(size)
            if value is not None and not abs(value) <= MAX_EXPONENT:
                raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)
        return exponent.xreplace(floats) if floats else exponent

    def power_of(self, base, exponent, tok):
        """``base ** exponent``, refusing exponents and numbers that would blow up."""
        exponent = self.check_exponent(exponent, tok, whole=base is not sp.E)  # e^{-200} is fine
        if base.is_Rational and exponent.is_Rational:
            if (_bits(base) - 1) * max(abs(exponent), 1) > MAX_NUMBER_BITS:  # before computing
                raise self.fail("number too large", tok)
        if exponent.is_Integer and exponent > 1 and isinstance(base, sp.Expr):
            n, k = self.expanded_terms(base), int(exponent)
            if n > 1 and math.comb(n + k - 1, k) > MAX_EXPANDED_TERMS:  # before building it
                raise self.fail(
                    f"expression too large: its expansion has over {MAX_EXPANDED_TERMS} terms", tok
                )
        value = self.build(tok, operator.pow, base, exponent)
        if value.is_Pow and value.exp.is_Number and abs(value.exp) > MAX_EXPONENT:
            raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)  # (z^100)^100
        return value


def _call_function(fn, name: str, args: list, keywords: dict, tok, limits: Limits):
    """Call a function record (``apply``) or a plain callable, with its arity checked."""
    if hasattr(fn, "apply"):
        try:
            return limits.build(tok, fn.apply, args, keywords)
        except ParseError as exc:
            message = str(exc)
            raise exc if " at column " in message else limits.fail(message, tok) from None
    if keywords:
        raise limits.fail(f"'{name}' takes no named parameters", tok)
    arity = getattr(fn, "arity", None)
    if arity == "variadic" and len(args) < 2:
        raise limits.fail(f"'{name}' takes at least 2 arguments, got {len(args)}", tok)
    if arity == 1 and len(args) != 1:
        raise limits.fail(f"'{name}' takes 1 argument, got {len(args)}", tok)
    return limits.build(tok, fn, *args)


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


def _layer_value(node: Node, letters: frozenset = LAYER_LETTERS):
    """(letter, number) of a layer label: 3 → (None, 3), l-1 → ("l", -1), L → ("L", 0);
    None for a label that is not a layer (n, i, an expression).  ``letters``: the reader's
    layer letters (a notation that writes layers as subscripts, h_{i-1}, adds i, k, t)."""
    if node.kind == "num" and node.text.isdigit():
        return (None, int(node.text))
    if node.kind == "name" and node.text in (letters | LABEL_LETTERS) and node.sub is None:
        return (node.text, 0)
    if node.kind == "sum" and len(node.args) == 2 and node.args[1].kind == "num":
        head = _layer_value(node.args[0], letters)
        if head is not None and head[0] is not None and node.args[1].text.isdigit():
            sign = 1 if node.ops[1] == "+" else -1
            return (head[0], sign * int(node.args[1].text))
    return None


def _label_text(value) -> str:
    letter, number = value
    if letter is None:
        return f"^{number}"
    return f"^{{{letter}{number:+d}}}" if number else f"^{letter}"


class ScalarReader(ScalarDamage):
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

    def label(self, name: str, layer: Node, node: Node, where: str = "superscript") -> None:
        """Record a layer label (``h^{(l-1)}``, ``dz^3``, ``h_L``); labels that are not layers
        (``y^{(n)}``: the n-th example) are noted and dropped."""
        value = _layer_value(layer, self.layer_letters)
        shown = f"{_shown(node)}{'^' if where == 'superscript' else '_'}{_flat(layer)}"
        if value is None:
            self.note(f"{shown}: the {where} {_flat(layer)} is a label, not a power")
            return
        self.note(f"{shown} read as {_shown(node)} of layer {_flat(layer)}")
        self.labels.append((name, value, node))

    def check_layers(self) -> None:
        """The layer labels must fit together: in δ^l (h^{l-1})ᵀ every name is in its place
        (``layer_offsets``: h is one layer below δ).  Raises :class:`LayerMismatch`."""
        self.labels = self.canonical_labels()
        implied = {}
        for name, (letter, number), node in self.labels:
            offset = self.layer_offsets.get(name, 0)
            implied.setdefault((letter, number - offset), []).append(f"{_shown(node)}")
        if len(implied) == 1 and self.letter_layers is not None and not self.output_labelled:
            letter, number = next(iter(implied))
            if letter is not None and number not in self.letter_layers:
                raise LayerMismatch(
                    "the layer labels do not fit the result: "
                    + ", ".join(f"{n}{_label_text(v)}" for n, v, _ in self.labels)
                    + f" (the result is for layer {letter})"
                )
        if len(implied) == 1 and self.result_layer is not None:
            letter, number = next(iter(implied))
            numbered = letter is None and self.result_layer[0] is None  # o of 2 hidden: 3
            if (letter is not None or numbered) and (letter, number) != self.result_layer:
                raise LayerMismatch(
                    "the layer labels do not fit the question: "
                    + ", ".join(f"{n}{_label_text(v)}" for n, v, _ in self.labels)
                    + f" (the result is for layer {_label_text(self.result_layer)[1:]})"
                )
        if len(implied) == 1 and next(iter(implied))[0] is None:
            self.layer = next(iter(implied))[1]
        if len({letter for letter, _ in implied}) > 1 or len(implied) > 1:
            names = sorted({name for name, _, _ in self.labels})
            raise LayerMismatch(
                "the layer labels do not fit together ("
                + ", ".join(f"{n}{_label_text(v)}" for n, v, _ in self.labels)
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
            key = f"{text}^{_flat(node.layer)}"
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
        flat = _flat(sub)
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
        if _layer_like(sub, self.layer_letters) and (text in self.symbols or text in self.bare):
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
        if not _layer_like(layer, self.layer_letters) or layer.kind == "num" and len(items) == 1:
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
        raise self.fail(f"unknown index '{_flat(item)}' for '{name}'", item)

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
            shown = f"{_shown(base)}^{exponent.text}"
            if self.ambiguous(
                "layer",
                f"{shown} read as {_shown(base)} of layer {exponent.text}",
                f"{shown} read as the power {_shown(base)}{_superscript(exponent.text)}",
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

    # -- calls and calculus -----------------------------------------------------------------
    def _read_call(self, node: Node):
        name = node.text
        if name in self.symbols and name not in self.bare and not node.primes and not node.ops:
            if (
                len(node.args) == 1
                and not node.keywords
                and not self.ambiguous(
                    "call",
                    f"{name}(…) read as the function {name}",
                    f"{name}(…) read as {name} times (…)",
                )
            ):
                return self.limits.build(
                    node.tok, operator.mul, self.symbols[name], self.read(node.args[0])
                )
        if name not in self.functions:
            raise self.fail(f"unknown function '{name}'", node)
        fn = self.functions[name]
        args = [self.read(arg) for arg in self._entry_argument(fn, node)]
        keywords = {key: self.read(value) for key, value in node.keywords}
        if getattr(fn, "exp_like", False) and args:
            args[0] = self.limits.check_exponent(args[0], node.tok, whole=False)
        if node.primes:
            value = self.derivative_of(fn, name, args, keywords, node)
        else:
            value = _call_function(fn, name, args, keywords, node.tok, self.limits)
        if node.ops:
            count = self.read(node.ops[0])
            if not (count.is_Integer and 1 <= int(count) <= MAX_EXPONENT):
                raise self.fail(
                    f"'{name}^' needs a whole power from 1 to {MAX_EXPONENT}", node.ops[0]
                )
            value = self.limits.power_of(value, count, node.tok)
        return value

    def _entry_argument(self, fn, node: Node) -> list:
        """``g′(z_prev,j)``, the tool's own plain text for entry j of z_prev: a one-argument
        function given a name with a word subscript and then one index letter has one
        argument, that entry (as ``z_{prev,j}`` says it); else the arguments as written."""
        args = list(node.args)
        if len(args) != 2 or node.keywords or not (node.primes or getattr(fn, "arity", 0) == 1):
            return args
        first, second = args
        if first.kind != "name" or first.sub is None or first.sub.kind != "name":
            return args
        if f"{first.text}_{first.sub.text}" not in self.indexed:
            return args
        if second.kind != "name" or second.sub is not None or second.text not in self.index_symbols:
            return args
        named = f"{first.text}_{first.sub.text}"
        self.note(f"{named},{second.text} read as entry {second.text} of {named}")
        return [replace(first, sub=Node("indices", first.sub.tok, args=(first.sub, second)))]

    def derivative_of(self, fn, name: str, args: list, keywords: dict, node: Node):
        """g'(z): the derivative of a one-argument function at its argument (refused for a
        function whose record says why: ``no_derivative``, σ′ where σ′ is the question)."""
        refusal = getattr(fn, "no_derivative", None)
        if isinstance(refusal, str):
            raise self.fail(refusal, node)
        if len(args) != 1 or node.primes > MAX_PRIMES:
            raise self.fail(f"'{name}′' takes 1 argument (and at most {MAX_PRIMES} primes)", node)
        x = sp.Dummy("x", real=True)
        inner = _call_function(fn, name, [x], keywords, node.tok, self.limits)
        slope = self.limits.build(node.tok, sp.diff, inner, x, node.primes)
        return self.limits.build(node.tok, slope.subs, x, args[0])

    def _read_deriv(self, node: Node):
        of, wrt = node.args
        top, var = self.read(of), self.read(wrt)
        # df/dg: with respect to a generic function's value g(x) (a bare g), as SymPy allows
        if not isinstance(var, sp.Symbol | sp.Indexed | AppliedUndef):
            raise self.fail("a derivative must be with respect to a variable", wrt)
        return self.limits.build(node.tok, sp.diff, top, var)

    def _read_gradat(self, node: Node):
        """``∇x`` without a subscript: no quantity but the update rule reads it."""
        raise self.fail("'∇' needs a subscript, as in \\nabla_{a_L} L", node)

    def _read_diffop(self, node: Node):
        wrt, operand = node.args if len(node.args) == 2 else (node.args[0], None)
        if operand is None:
            raise self.fail("'d/d…' needs something to differentiate", node)
        var = self.read(wrt)
        if not isinstance(var, sp.Symbol | sp.Indexed):
            raise self.fail("a derivative must be with respect to a variable", wrt)
        return self.limits.build(node.tok, sp.diff, self.read(operand), var)

    def _read_partial(self, node: Node):
        raise self.fail("'∂' must be part of a derivative such as ∂L/∂z", node)

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
                    known = f"{upper.text}_{_flat(upper.sub)}" in self.symbols
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


def _flat(node: Node) -> str:
    """A short text for a subscript, superscript or name: ``i``, ``ij``, ``l-1``, ``L+1``."""
    if node.kind in ("name", "num"):
        text = node.text
        if node.sub is not None:
            text += "_" + _flat(node.sub)
        return text
    if node.kind == "sum":
        return "".join(
            (op if n else ("-" if op == "-" else "")) + _flat(a)
            for n, (op, a) in enumerate(zip(node.ops, node.args, strict=True))
        )
    if node.kind == "indices":
        return ",".join(_flat(a) for a in node.args)
    if node.kind == "neg":
        return "-" + _flat(node.args[0])
    return node.tok.src or node.kind


def _shown(node: Node) -> str:
    text = node.tok.src if node.kind == "name" and node.tok.kind == "name" else node.text
    return text or node.tok.src


def _superscript(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _after(node: Node):
    """The token position after a name, for "needs an argument" messages."""
    from derive.language.lexer import Token

    return Node("name", Token("end", "", node.tok.col + len(node.tok.src or node.text)))


def _layer_like(node: Node, letters: frozenset = LAYER_LETTERS) -> bool:
    """A subscript that labels a layer: L, l, a digit, l-1, L+1 (not an index i, j, k, unless
    the notation's ``letters`` say its layers are written h_i, W_{k+1})."""
    if node.kind == "num":
        return True
    if node.kind == "name":
        return node.text in letters and node.sub is None
    if node.kind == "sum":
        return any(_layer_like(a, letters) for a in node.args if a.kind == "name")
    return False


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
