"""Matrix notation for the dense layer (``delta h^T``, ``(W^T δ) ⊙ g'(z)``) read into index
notation, with shapes tracked so a transposed or wrongly ordered product is caught.

A small whitelist parser of its own (no eval, no SymPy parsing of user text)::

    expr    := term (("+" | "-") term)*
    term    := unary ((("*" | "·" | "@" | ⊙ | juxtaposition) unary)*
    unary   := "-"* postfix
    postfix := atom ("^T" | "^{T}" | "^{\\top}" | "ᵀ")*
    atom    := number | name | name "'"? "(" expr ")" | "(" expr ")" | \\frac{expr}{expr}

Names: W (n_out×n_in), h or x (n_in), δ/delta/dz (n_out), b (n_out), z_prev/z/a (n_in, the
pre-activation of the layer below); g, σ (its activation) applied elementwise, g' or σ' its
derivative. ``*`` and juxtaposition multiply matrices, but act elementwise between two
vectors of the same shape (the only product they have).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.builtins.dense import g, zprev
from derive.errors import ParseError
from derive.parse import MAX_BRACKET_DEPTH, MAX_LENGTH
from derive.symbols import Wm, bv, deltav, hv, n_in, n_out

ONE = sp.Integer(1)


class ShapeError(Exception):
    """A product or sum whose shapes do not fit: a wrong answer, not unreadable input."""


@dataclass(frozen=True)
class Tensor:
    """A matrix (rows × cols; a column vector has cols = 1) given entry by entry."""

    rows: sp.Basic
    cols: sp.Basic
    entry: Callable  # (row index, col index) -> SymPy expression
    text: str

    @property
    def shape(self) -> tuple:
        return (self.rows, self.cols)

    def describe(self) -> str:
        return f"{self.text} ({_size(self.rows)}×{_size(self.cols)})"


def _size(s) -> str:
    return str(s)


_VARIABLES = {
    "W": (n_out, n_in, lambda r, c: Wm[r, c]),
    "h": (n_in, ONE, lambda r, c: hv[r]),
    "delta": (n_out, ONE, lambda r, c: deltav[r]),
    "b": (n_out, ONE, lambda r, c: bv[r]),
    "zprev": (n_in, ONE, lambda r, c: zprev[r]),
}
_ALIASES = {
    "x": "h", "δ": "delta", "dz": "delta", "z": "zprev", "a": "zprev",
    "z_prev": "zprev", "z_{prev}": "zprev", "z_{\\mathrm{prev}}": "zprev", "z_{\\text{prev}}": "zprev",
}  # fmt: skip
_FUNCTIONS = {"g", "sigma", "σ", "f"}
_HADAMARD = {"odot", "circ", "otimes"}

_TOKEN = re.compile(
    r"\s+|(?P<num>\d+(?:\.\d+)?)|(?P<name>z_\{\\(?:mathrm|text)\{prev\}\}|z_\{?prev\}?|[A-Za-z]+|[δσ])"
    r"|(?P<cmd>\\[A-Za-z]+)|(?P<sym>\*\*|[-+*/^()'{}@⊙∘⊗·⋅ᵀ′−])"
)
_COMMANDS = {"delta": ("name", "delta"), "sigma": ("name", "sigma"), "top": ("name", "T"),
             "intercal": ("name", "T"), "cdot": ("op", "*"), "times": ("op", "*"),
             "prime": ("op", "'"), "frac": ("frac", "frac"), "left": None, "right": None,
             "mathbf": None, "boldsymbol": None, "bm": None}  # fmt: skip


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) tokens; raises ParseError at the first character it cannot read."""
    if len(text) > MAX_LENGTH:
        raise ParseError(f"input too long ({len(text)} characters, limit {MAX_LENGTH})")
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(f"unexpected character {text[pos]!r} at column {pos + 1}")
        col, pos = m.start() + 1, m.end()
        if m.group("num"):
            tokens.append(("num", m.group("num"), col))
        elif m.group("name"):
            tokens.append(("name", m.group("name"), col))
        elif m.group("cmd"):
            name = m.group("cmd")[1:]
            if name in _HADAMARD:
                tokens.append(("op", "⊙", col))
            elif name in _COMMANDS:
                if _COMMANDS[name]:
                    tokens.append((*_COMMANDS[name], col))
            else:
                raise ParseError(f"unsupported LaTeX command '\\{name}' at column {col}")
        elif m.group("sym"):
            sym = {"⊙": "⊙", "∘": "⊙", "⊗": "⊙", "·": "*", "⋅": "*", "−": "-", "′": "'", "**": "^"}
            ch = sym.get(m.group("sym"), m.group("sym"))
            if ch == "ᵀ":
                tokens += [("op", "^", col), ("name", "T", col)]
            else:
                tokens.append(("op", ch, col))
    return tokens + [("end", "", len(text) + 1)]


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self):
        return self.tokens[self.pos]

    def next(self):
        tok = self.tokens[self.pos]
        self.pos += tok[0] != "end"
        return tok

    def at(self, *texts) -> bool:
        kind, text, _ = self.peek()
        return kind == "op" and text in texts

    def fail(self, message, tok=None):
        return ParseError(f"{message} at column {(tok or self.peek())[2]}")

    def expect(self, text):
        tok = self.next()
        if tok[1] != text or tok[0] not in ("op",):
            raise self.fail(f"expected '{text}' but found '{tok[1] or 'end of input'}'", tok)

    def expr(self) -> Tensor:
        value = self.term()
        while self.at("+", "-"):
            op = self.next()[1]
            value = add(value, self.term(), -1 if op == "-" else 1)
        return value

    def term(self) -> Tensor:
        value = self.unary()
        while True:
            kind, text, _ = self.peek()
            if kind == "op" and text in ("*", "@", "⊙", "/"):
                self.next()
                rhs = self.unary()
                value = divide(value, rhs) if text == "/" else product(value, rhs, text)
            elif kind in ("num", "name", "frac") or (kind == "op" and text == "("):
                value = product(value, self.unary(), "")
            else:
                return value

    def unary(self) -> Tensor:
        self.depth += 1
        if self.depth > MAX_BRACKET_DEPTH:
            raise self.fail("expression nested too deeply")
        try:
            if self.at("-", "+"):
                sign = -1 if self.next()[1] == "-" else 1
                value = self.unary()
                return scale(value, sign) if sign == -1 else value
            return self.postfix()
        finally:
            self.depth -= 1

    def postfix(self) -> Tensor:
        value = self.atom()
        while self.at("^"):
            self.next()
            braced = self.at("{")
            if braced:
                self.next()
            tok = self.next()
            if tok[:2] != ("name", "T"):
                raise self.fail("only the transpose ^T is supported in matrix notation", tok)
            if braced:
                self.expect("}")
            value = transpose(value)
        return value

    def atom(self) -> Tensor:
        tok = self.next()
        kind, text, _ = tok
        if kind == "num":
            return scalar(sp.Rational(text))
        if kind == "frac":
            self.expect("{")
            top = self.expr()
            self.expect("}")
            self.expect("{")
            bottom = self.expr()
            self.expect("}")
            return divide(top, bottom)
        if kind == "op" and text in ("(", "{"):
            value = self.expr()
            self.expect(")" if text == "(" else "}")
            return value
        if kind == "name":
            return self.name(tok)
        raise self.fail(f"unexpected '{text or 'end of input'}'", tok)

    def name(self, tok) -> Tensor:
        text = _ALIASES.get(tok[1], tok[1])
        if text in _FUNCTIONS:
            derivative = self.at("'")
            if derivative:
                self.next()
            if not self.at("(", "{"):
                raise self.fail(f"'{tok[1]}' needs an argument in parentheses")
            return elementwise(self.atom(), derivative, tok[1])
        if text not in _VARIABLES:
            raise self.fail(
                f"unknown name '{tok[1]}' (matrix notation knows W, h, x, δ, b, z_prev)", tok
            )
        rows, cols, entry = _VARIABLES[text]
        return Tensor(rows, cols, entry, tok[1])


def scalar(value) -> Tensor:
    return Tensor(ONE, ONE, lambda r, c: value, str(value))


def _is_scalar(t: Tensor) -> bool:
    return t.shape == (ONE, ONE)


def scale(t: Tensor, c) -> Tensor:
    return Tensor(t.rows, t.cols, lambda r, col: c * t.entry(r, col), f"{c}·{t.text}")


def transpose(t: Tensor) -> Tensor:
    return Tensor(t.cols, t.rows, lambda r, c: t.entry(c, r), f"{t.text}ᵀ")


def add(a: Tensor, b: Tensor, sign: int) -> Tensor:
    if a.shape != b.shape:
        raise ShapeError(f"cannot add {a.describe()} and {b.describe()}: the shapes differ")
    return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) + sign * b.entry(r, c), a.text)


def divide(a: Tensor, b: Tensor) -> Tensor:
    if not _is_scalar(b):
        raise ShapeError(f"cannot divide by {b.describe()}")
    return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) / b.entry(ONE, ONE), a.text)


def product(a: Tensor, b: Tensor, op: str) -> Tensor:
    """Matrix product; elementwise for ⊙, and for * or juxtaposition of same-shape vectors."""
    text = f"{a.text} {b.text}"
    if _is_scalar(a) or _is_scalar(b):
        s, t = (a, b) if _is_scalar(a) else (b, a)
        return Tensor(t.rows, t.cols, lambda r, c: s.entry(ONE, ONE) * t.entry(r, c), text)
    elementwise_ok = a.shape == b.shape
    if op == "⊙" or (elementwise_ok and a.cols != a.rows and a.cols == ONE and op in ("*", "")):
        if not elementwise_ok:
            raise ShapeError(
                f"elementwise product of {a.describe()} and {b.describe()}: the shapes differ"
            )
        return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) * b.entry(r, c), text)
    if a.cols != b.rows:
        raise ShapeError(
            f"wrong order of a matrix product: {a.describe()} times {b.describe()} does not fit"
        )
    if a.cols == ONE:
        return Tensor(a.rows, b.cols, lambda r, c: a.entry(r, ONE) * b.entry(ONE, c), text)

    def entry(r, c):
        k = sp.Dummy("k", integer=True, positive=True)
        return sp.Sum(a.entry(r, k) * b.entry(k, c), (k, 1, a.cols))

    return Tensor(a.rows, b.cols, entry, text)


def elementwise(arg: Tensor, derivative: bool, name: str) -> Tensor:
    """g(v) or g'(v) entry by entry (g is the layer's activation; σ is read as g)."""

    def entry(r, c):
        x = arg.entry(r, c)
        return sp.Derivative(g(x), x) if derivative else g(x)

    return Tensor(arg.rows, arg.cols, entry, f"{name}{'′' if derivative else ''}({arg.text})")


def parse_matrix(text: str) -> Tensor:
    """Read matrix notation into a :class:`Tensor`; ParseError for unreadable input, ShapeError
    for shapes that do not fit."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty expression")
    parser = _Parser(tokenize(text))
    try:
        value = parser.expr()
    except RecursionError:
        raise ParseError("expression nested too deeply") from None
    if parser.peek()[0] != "end":
        raise parser.fail(f"unexpected '{parser.peek()[1]}'")
    return value
