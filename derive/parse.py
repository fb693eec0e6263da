"""Safe parser for untrusted user text (plain math or a LaTeX subset) into SymPy expressions.

User text is never handed to ``eval``, ``exec``, ``compile``, ``sympify`` or ``parse_expr``.
Pipeline: size guards (length, bracket depth) → tokenizer (LaTeX commands and Unicode are
normalised into plain tokens) → recursive-descent parser that builds SymPy objects itself from
a whitelist of names.  Every failure is a one-line :class:`ParseError` saying what and where.

Grammar (implicit multiplication binds like ``*``; ``^`` is right associative)::

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/") unary | power)*
    unary := ("+" | "-")* power
    power := atom ("^" unary)?
    atom  := number | symbol | symbol "_" sub | vector "[" sub "]" | call | constant
           | "(" expr ")" | "[" expr "]" | "{" expr "}" | \\frac arg arg
    call  := function ("^" count)? ("(" expr ("," expr)* ")" | "{" expr "}" | power)

Decimal literals become exact rationals (``0.01`` → ``1/100``).  Bare names resolve in the
order: ``symbols``, functions, constants ``e`` and ``pi``; so a symbol followed by ``(`` is a
product (``p(1-p)``) while a function followed by ``(`` is a call.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType

import sympy as sp

from derive.errors import ParseError
from derive.functions import relu, sigmoid

MAX_LENGTH = 2000  # characters
MAX_BRACKET_DEPTH = 60  # open brackets at any point of the raw text
MAX_NESTING = 100  # parser recursion: brackets plus chained exponents
MAX_EXPONENT = 100  # |numeric exponent|, and the denominator of a rational one
MAX_NUMBER_BITS = 128  # size (numerator, denominator) of any rational built along the way
MAX_NUMBER_CHARS = 40  # length of a numeric literal
MAX_MAGNITUDE = 1e160  # |value| of any symbol-free subexpression: cosh(10^30) is refused


def _softplus(x):
    """softplus(x) = log(1 + e^x)."""
    return sp.log(1 + sp.exp(x))


def _sech(x):
    """sech(x) = 1 / cosh(x)."""
    return 1 / sp.cosh(x)


_UNARY_FUNCTIONS = {
    **{"exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt},
    **{"tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sech": _sech},
    **{"sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "erf": sp.erf, "softplus": _softplus},
    **dict.fromkeys(("abs", "Abs"), sp.Abs),
    **dict.fromkeys(("sigmoid", "sigma", "logistic"), sigmoid),
    **dict.fromkeys(("relu", "ReLU"), relu),
}


def _lattice(op):
    """Max or Min that only simplifies rationals: other comparisons can take SymPy minutes."""

    def apply(*args):
        return op(*args, evaluate=all(arg.is_Rational for arg in args))

    return apply


_EXP_LIKE = (sp.exp, _softplus)  # exponentials of their argument
_MAX, _MIN = _lattice(sp.Max), _lattice(sp.Min)
_VARIADIC = (_MAX, _MIN)  # take two or more arguments
DEFAULT_FUNCTIONS: Mapping[str, Callable] = MappingProxyType(
    {**_UNARY_FUNCTIONS, "max": _MAX, "Max": _MAX, "min": _MIN, "Min": _MIN}
)
_CONSTANTS = {"e": sp.E, "pi": sp.pi}

# -- tokenizer: LaTeX commands and Unicode become plain tokens --------------------------------

_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
_LATEX_NAMES = {
    **{name: name for name in _GREEK},
    **{"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi"},
    **{name: name for name in "exp log ln tanh sinh cosh sech sin cos tan sqrt max min".split()},
}
_UNICODE_GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ", _GREEK, strict=True))
_CHARS = {
    **{c: (("op", c),) for c in "+-*/^"},
    **{c: (("open", c),) for c in "([{"},
    **{c: (("close", c),) for c in ")]}"},
    **{",": (("comma", ","),), "_": (("sub", "_"),), "−": (("op", "-"),), "÷": (("op", "/"),)},
    **{c: (("op", "*"),) for c in "·⋅×∗"},
    **{"²": (("op", "^"), ("num", "2")), "³": (("op", "^"), ("num", "3"))},
    **{"ŷ": (("name", "yhat"),), "ϕ": (("name", "phi"),), "ϵ": (("name", "epsilon"),)},
    **{c: (("name", name),) for c, name in _UNICODE_GREEK.items()},
}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_IGNORED = {",", ":", ";", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "middle"}
_SIZING = {f"{size}{side}" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r")}
_SIZING |= {"left", "right"}
_LATEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_FRACS = {"frac", "dfrac", "tfrac", "cfrac"}
_FONTS = {"operatorname", "mathrm", "text", "mathit", "mathbf", "boldsymbol", "bm"}
_HATS = {"hat", "widehat"}

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.S)
_FONT_ARG = re.compile(r"\s*\{\s*(\\?[A-Za-z]+)\s*\}")  # \operatorname{ReLU}, \mathbf{\sigma}
_HAT_ARG = re.compile(r"\s*(?:\{\s*(\\?[A-Za-z]+)\s*\}|([A-Za-z]))")  # \hat{y}, \hat y


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is num, name, op, open, close, comma, sub, frac or end."""

    kind: str
    text: str  # canonical text: "^" for "**", "sigma" for "\sigma", ...
    col: int  # 1-based column of the token's first character in the user text
    src: str = ""  # the user's spelling, for messages
    splittable: bool = False  # plain digits/letters that "\frac12" may split


def _approx(value: sp.Basic) -> complex | None:
    """The floating-point value of a symbol-free expression; None if it has none."""
    if not value.is_number:
        return None
    try:
        return complex(value.evalf(15))
    except TypeError:  # e.g. an unevaluated function: nothing numeric to blow up
        return None


def _bits(number: sp.Rational) -> int:
    return max(abs(number.p).bit_length(), number.q.bit_length())


def _describe(tok: Token) -> str:
    return "end of input" if tok.kind == "end" else f"'{tok.src or tok.text}'"


def _latex_command(text: str, pos: int, tokens: list[Token]) -> int:
    """Translate the LaTeX command at ``text[pos]`` into tokens; return the position after it."""
    match = _COMMAND.match(text, pos)
    if match is None:
        raise ParseError(f"lone backslash at column {pos + 1}")
    name, col, end = match.group(1), pos + 1, match.end()
    kind, value = None, None
    if name in _SIZING or name in _IGNORED:
        return end + (name in ("left", "right") and text.startswith(".", end))
    if name in ("{", "}"):
        kind, value = ("open" if name == "{" else "close"), name
    elif name in _LATEX_OPS:
        kind, value = "op", _LATEX_OPS[name]
    elif name in _FRACS:
        kind, value = "frac", name
    elif name in _LATEX_NAMES:
        kind, value = "name", _LATEX_NAMES[name]
    elif name in _FONTS or name in _HATS:
        arg = (_FONT_ARG if name in _FONTS else _HAT_ARG).match(text, end)
        if arg is None and name in _HATS:
            raise ParseError(f"'\\{name}' must be followed by a letter at column {col}")
        if arg is None:  # e.g. \mathbf{W x}: drop the command, the braces group
            return end
        inner = arg.group(1) or arg.group(2)
        if inner.startswith("\\"):
            if inner[1:] not in _LATEX_NAMES:
                raise ParseError(f"unsupported LaTeX command '{inner}' at column {col}")
            inner = _LATEX_NAMES[inner[1:]]
        kind, value, end = "name", inner + ("hat" if name in _HATS else ""), arg.end()
    else:
        shown = f"'\\{name}'" if name.isalpha() else repr("\\" + name)
        raise ParseError(f"unsupported LaTeX command {shown} at column {col}")
    tokens.append(Token(kind, value, col, text[pos:end]))
    return end


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, normalising LaTeX and Unicode; the last token is ``end``."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch, col = text[pos], pos + 1
        if ch.isspace():
            pos += 1
        elif match := _NUMBER.match(text, pos) or _NAME.match(text, pos):
            word, pos = match.group(), match.end()
            kind = "num" if match.re is _NUMBER else "name"
            if kind == "name" and text.startswith("\u0302", pos):  # y + combining circumflex
                word, pos = word + "hat", pos + 1
            tokens.append(Token(kind, word, col, text[col - 1 : pos], splittable=True))
        elif ch == "\\":
            pos = _latex_command(text, pos, tokens)
        elif text.startswith("**", pos):
            tokens.append(Token("op", "^", col, "**"))
            pos += 2
        elif ch in _CHARS:
            tokens.extend(Token(kind, value, col, ch) for kind, value in _CHARS[ch])
            pos += 1
        else:
            raise ParseError(f"unexpected character {ch!r} at column {col}")
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# -- parser and builder: recursive descent over tokens, SymPy objects built directly -----------

_ATOM_START = {"num", "name", "open", "frac"}  # a token of these kinds after a factor multiplies


class _Parser:
    """Recursive-descent parser over tokens that builds the SymPy expression as it goes."""

    def __init__(self, tokens, symbols, functions, indexed, index_symbols, bare=None):
        self.tokens, self.pos, self.depth = tokens, 0, 0
        self.symbols, self.functions, self.bare = symbols, functions, bare or {}
        self.indexed, self.index_symbols = indexed, index_symbols
        self.checked: set = set()  # subexpressions whose numbers are known to be small

    # -- token helpers --------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += tok.kind != "end"
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not texts or tok.text in texts)

    def fail(self, message: str, tok: Token | None = None) -> ParseError:
        return ParseError(f"{message} at column {(tok or self.peek()).col}")

    def close(self, opener: Token) -> None:
        want, tok = _CLOSERS[opener.text], self.peek()
        if tok.kind == "close" and tok.text == want:
            self.next()
        elif tok.kind == "end":
            raise ParseError(f"'{opener.src}' at column {opener.col} is never closed")
        else:
            raise self.fail(f"expected '{want}' but found {_describe(tok)}", tok)

    # -- building SymPy objects -------------------------------------------------------------
    def build(self, tok: Token, fn: Callable, *args):
        """Apply ``fn`` (an operator or whitelisted function) and check the numbers it made."""
        try:
            value = fn(*args)
            if not isinstance(value, sp.Basic):
                raise self.fail(f"{_describe(tok)} did not give a SymPy expression", tok)
            self.check_numbers(value, tok)
        except ParseError:
            raise
        except RecursionError:
            raise self.fail("expression nested too deeply", tok) from None
        except Exception as exc:  # any SymPy failure here comes from the input
            raise self.fail(
                f"cannot evaluate {_describe(tok)} ({type(exc).__name__})", tok
            ) from None
        return value

    def check_numbers(self, value: sp.Basic, tok: Token) -> None:
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

    def check_exponent(self, exponent, tok: Token, *, whole: bool = True) -> None:
        """Cap an exponent (``whole``) and the hidden exponents in it: SymPy turns e^(k log x)
        into x^k, and its polynomial code reads e^(k z) as (e^z)^k, so cap k too."""
        if exponent.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise self.fail("undefined exponent", tok)
        sizes = [exponent] if whole else []
        for term in sp.Add.make_args(exponent):
            factors = sp.Mul.make_args(term)
            if any(factor.has(sp.log) for factor in factors):
                sizes.append(sp.Mul(*(factor for factor in factors if not factor.has(sp.log))))
            if not term.is_number:
                sizes.append(term.as_coeff_Mul()[0])
        for size in sizes:
            if size.is_Rational and size.q > MAX_EXPONENT:  # x^(1/10^9): a huge-degree root
                raise self.fail(f"exponent denominator too large (limit {MAX_EXPONENT})", tok)
            value = _approx(size)
            if value is not None and not abs(value) <= MAX_EXPONENT:
                raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)

    def power_of(self, base, exponent, tok: Token):
        """``base ** exponent``, refusing exponents and numbers that would blow up."""
        self.check_exponent(exponent, tok, whole=base is not sp.E)  # e^{-200} is fine
        if base.is_Rational and exponent.is_Rational:
            if (_bits(base) - 1) * max(abs(exponent), 1) > MAX_NUMBER_BITS:  # before computing
                raise self.fail("number too large", tok)
        value = self.build(tok, operator.pow, base, exponent)
        if value.is_Pow and value.exp.is_Number and abs(value.exp) > MAX_EXPONENT:
            raise self.fail(f"exponent too large (limit {MAX_EXPONENT})", tok)  # (z^100)^100
        return value

    # -- grammar ------------------------------------------------------------------------------
    def expr(self):
        value = self.term()
        while self.at("op", "+", "-"):
            tok = self.next()
            fn = operator.add if tok.text == "+" else operator.sub
            value = self.build(tok, fn, value, self.term())
        return value

    def term(self):
        value = self.unary()
        while True:
            tok = self.peek()
            if self.at("op", "*", "/"):
                self.next()
                fn, rhs = (operator.mul if tok.text == "*" else operator.truediv), self.unary()
            elif tok.kind in _ATOM_START:  # implicit multiplication: 2z, p(1-p), y log(p)
                fn, rhs = operator.mul, self.power()
            else:
                return value
            value = self.build(tok, fn, value, rhs)

    def unary(self):
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise self.fail("expression nested too deeply")
            negate, tok = False, self.peek()
            while self.at("op", "+", "-"):
                negate ^= self.next().text == "-"
            value = self.power()
            return self.build(tok, operator.neg, value) if negate else value
        finally:
            self.depth -= 1

    def power(self):
        base = self.atom()
        if self.at("op", "^"):
            tok = self.next()
            base = self.power_of(base, self.unary(), tok)
        return base

    def atom(self):
        tok = self.next()
        if tok.kind == "num":  # exact: 0.01 -> 1/100, 1e-3 -> 1/1000
            exponent = _NUMBER.fullmatch(tok.text).group(1)
            if len(tok.text) > MAX_NUMBER_CHARS or abs(int(exponent or 0)) > MAX_EXPONENT:
                raise self.fail(f"number {_describe(tok)} out of range", tok)
            value = Fraction(tok.text)
            return sp.Rational(value.numerator, value.denominator)
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "open":
            value = self.expr()
            self.close(tok)
            return value
        if tok.kind == "frac":
            numerator = self.frac_arg()
            return self.build(tok, operator.truediv, numerator, self.frac_arg())
        raise self.fail(f"unexpected {_describe(tok)}", tok)

    def frac_arg(self):
        """One argument of ``\\frac``: a braced group or, as in ``\\frac12``, one character."""
        tok = self.peek()
        if tok.splittable and len(tok.text) > 1 and (tok.text.isdigit() or tok.text.isalpha()):
            head = replace(tok, text=tok.text[0], src=tok.text[0])
            rest = replace(tok, text=tok.text[1:], src=tok.text[1:], col=tok.col + 1)
            self.tokens[self.pos : self.pos + 1] = [head, rest]
        return self.atom()

    def name(self, tok: Token):
        name = tok.text
        bracket = self.at("open", "[") and self.peek().col == tok.col + len(tok.src)
        if self.at("sub") or (bracket and name in self.indexed):
            return self.subscripted(name, tok)
        if bracket and name in self.symbols:  # z[0] with z not a vector: an error, not z*0
            raise self.fail(f"'{name}' is not a vector and cannot be indexed", tok)
        if name in self.symbols:
            return self.symbols[name]
        if name in self.bare and not self.at("open", "(", "{") and not self.at("op", "^"):
            return self.bare[name]  # σ(1 − σ): a function name alone stands for its output
        if name in self.functions:
            return self.call(name, tok)
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.indexed:
            raise self.fail(f"'{name}' needs an index such as {name}_i", tok)
        kind = "function" if self.at("open", "(") else "symbol"
        raise self.fail(f"unknown {kind} '{name}'", tok)

    def subscripted(self, name: str, tok: Token):
        """``y_hat``, ``p_i``, ``p_{i}`` or ``p[i]``: a symbol named so, or a vector entry."""
        first = self.next()  # "_" or "["
        opener = first if first.kind == "open" else self.next() if self.at("open", "{") else None
        sub = self.next()
        if sub.kind not in ("name", "num"):
            raise self.fail(f"expected a subscript but found {_describe(sub)}", sub)
        if opener:
            self.close(opener)
        full = f"{name}_{sub.text}"
        if full in self.symbols or (sub.text == "hat" and name + "hat" in self.symbols):
            return self.symbols.get(full, self.symbols.get(name + "hat"))
        if name not in self.indexed:
            raise self.fail(f"unknown symbol '{full}'", tok)
        if sub.text in self.index_symbols:
            index = self.index_symbols[sub.text]
        elif sub.text.isdigit() and len(sub.text) <= 6:
            index = sp.Integer(sub.text)
        else:
            raise self.fail(f"unknown index '{sub.text}' for '{name}'", sub)
        return self.build(tok, operator.getitem, self.indexed[name], index)

    def call(self, name: str, tok: Token):
        fn, count = self.functions[name], None
        if self.at("op", "^"):  # \tanh^2(z) means tanh(z)**2
            self.next()
            count_tok = self.peek()
            if count_tok.kind == "num" or self.at("open", "{"):
                count = self.atom()
            if count is None or not (count.is_Integer and 1 <= int(count) <= MAX_EXPONENT):
                raise self.fail(
                    f"'{name}^' needs a whole power from 1 to {MAX_EXPONENT}", count_tok
                )
        args = self.arguments(name)  # arity of caller-supplied functions: checked by the call
        if any(fn is f for f in _VARIADIC) and len(args) < 2:
            raise self.fail(f"'{name}' takes at least 2 arguments, got {len(args)}", tok)
        if any(fn is f for f in _UNARY_FUNCTIONS.values()) and len(args) != 1:
            raise self.fail(f"'{name}' takes 1 argument, got {len(args)}", tok)
        if any(fn is f for f in _EXP_LIKE):
            self.check_exponent(args[0], tok, whole=False)
        value = self.build(tok, fn, *args)
        return value if count is None else self.power_of(value, count, tok)

    def arguments(self, name: str) -> list:
        opener = self.peek()
        if opener.kind == "open":
            if opener.text == "[" and name == "sqrt":
                raise self.fail("n-th roots \\sqrt[n]{x} are not supported", opener)
            self.next()
            args = [] if self.at("close") else [self.expr()]
            while opener.text != "{" and self.at("comma"):
                self.next()
                args.append(self.expr())
            self.close(opener)
            return args
        if opener.kind in _ATOM_START:  # LaTeX style: \log p, \sqrt x
            return [self.power()]
        raise self.fail(f"function '{name}' needs an argument", opener)


def _check_depth(text: str) -> None:
    depth = 0
    for col, ch in enumerate(text, 1):
        depth = depth + 1 if ch in "([{" else max(depth - (ch in ")]}"), 0)
        if depth > MAX_BRACKET_DEPTH:
            raise ParseError(
                f"brackets nested too deeply (limit {MAX_BRACKET_DEPTH}) at column {col}"
            )


def parse_expression(
    text: str,
    symbols: Mapping[str, sp.Basic],
    *,
    functions: Mapping[str, Callable] | None = None,
    indexed: Mapping[str, sp.IndexedBase] | None = None,
    index_symbols: Mapping[str, sp.Symbol] | None = None,
    bare: Mapping[str, sp.Basic] | None = None,
) -> sp.Expr:
    """Parse untrusted ``text`` (plain math or LaTeX) into a SymPy expression, safely.

    ``symbols`` are the only bare names allowed (keys are canonical spellings: ``\\hat{y}``,
    ``ŷ`` and ``y_hat`` all look up ``"yhat"``; ``\\sigma`` and ``σ`` look up ``"sigma"``).
    ``functions`` extends or overrides :data:`DEFAULT_FUNCTIONS`.  Names in ``indexed`` are
    vectors written ``p_i``, ``p_{i}`` or ``p[i]``, with ``i`` a key of ``index_symbols``.
    ``bare`` maps function names to what they mean when written without an argument (``σ`` for
    the output h = σ(z) in ``σ(1 − σ)``); followed by ``(`` or ``{`` they are still calls.
    Raises :class:`ParseError` (one line, with a column) for anything else, never another error.
    """
    if not isinstance(text, str):
        raise ParseError(f"expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"input too long ({len(text)} characters, limit {MAX_LENGTH})")
    _check_depth(text)
    tokens = tokenize(text)
    if len(tokens) == 1:
        raise ParseError("empty expression")
    merged = {**DEFAULT_FUNCTIONS, **(functions or {})}
    parser = _Parser(tokens, symbols, merged, indexed or {}, index_symbols or {}, bare)
    try:
        result = parser.expr()
        if not parser.at("end"):
            raise parser.fail(f"unexpected {_describe(parser.peek())}")
        if not isinstance(result, sp.Expr):
            raise ParseError("input is not a mathematical expression")
        if result.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ParseError("expression is undefined (division by zero?)")
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("expression nested too deeply") from None
    except Exception as exc:  # a SymPy failure outside build(): still caused by the input
        raise ParseError(f"cannot evaluate the expression ({type(exc).__name__})") from None
    return result
