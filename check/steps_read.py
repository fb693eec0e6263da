"""Reading one line of a hand derivation the way the lecture notes write it.

The notes' derivations use notation an answer rarely does: derivatives inside a line
(``\\frac{\\partial L}{\\partial p}\\frac{\\partial p}{\\partial z}``, ``dL/dz``,
``\\frac{d}{dz}(...)``), sums with limits (``\\sum_{k=1}^{3} y_k \\log q_k``), subscripted
and layer-indexed variables (``q_1``, ``z_1^3``, ``z^{L+1}``, ``h^{(2)}``, ``dz^3``). A
:class:`Reader` turns each of these into one placeholder name, reads the rest with the
project's one expression parser (:func:`derive.parse.parse_expression`) and puts the SymPy
object back: a variable becomes a Symbol (``z^{L+1}``) or a vector entry (``q_1`` is entry 1
of the vector q, an :class:`sympy.Indexed`), a derivative becomes its value.

Superscripts: ``^{(3)}``, ``^{[3]}``, ``^{L+1}``, ``^l`` are layer indices; ``^T`` is a
transpose; a plain number (``h^2``) is a power unless the same variable is differentiated or
defined with it (``\\partial z^3``, ``z^3 = ...``) or ``layers`` says otherwise, so that a
caller can judge both readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from check.steps_text import (
    expand_sums,
    group_end,
    strip_group,
    substitute_index,
    term_end,
    vector_entries,
)
from derive.errors import ParseError
from derive.functions import sigmoid
from derive.parse import parse_expression
from derive.substitute import written_out
from derive.symbols import h, p, y, z

_NOT_VARIABLES = frozenset({"e", "pi", "d"})  # constants, and the d of d/dz


def function_names() -> frozenset:
    """Names that are never a variable: every spelling of the expression language (from the
    rule records, user rules included), the constants e and π, and the d of d/dz."""
    from derive import rulebook  # noqa: PLC0415 - the table changes when rules are added

    return frozenset(rulebook.spellings()) | _NOT_VARIABLES


KNOWN = {"z": z, "y": y, "p": p, "h": h}
_GREEK = "alpha|beta|gamma|delta|epsilon|theta|lambda|mu|tau|phi|psi|omega|eta|xi|rho"  # not σ
_BASE = (
    rf"(?:\\(?:hat|widehat)\s*\{{\s*(?P<hat>[A-Za-z])\s*\}}|ŷ|\\mathcal\s*\{{\s*(?P<cal>[A-Z])\s*\}}"
    rf"|\\(?P<greek>{_GREEK})(?![A-Za-z])|(?<![A-Za-z\\])(?P<plain>(?!e(?![A-Za-z]))d?[A-Za-z])(?![A-Za-z0-9]))"
)
_SUB = (
    r"_\s*(?:\{\s*(?P<sub>(?:\\ell\b|[A-Za-z0-9'])+(?:\s*,\s*[A-Za-z0-9]+)?)\s*\}"
    r"|(?P<sub1>\\ell\b|[A-Za-z0-9]))"
)
_SUP = r"\^\s*(?:\{\s*(?P<sup>[^{}]*?)\s*\}|(?P<sup1>[A-Za-z0-9]))"
_DECORATED = re.compile(rf"{_BASE}(?:{_SUB})?(?:{_SUP})?")
_LAYER = re.compile(r"\(\s*[^()]+\s*\)|\[\s*[^\[\]]+\s*\]|[Ll](?:\s*[-+]\s*[0-9])?")
_TRANSPOSE = {"T", "\\top", "\\intercal", "t"}
_SIZING = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)\s*(?:\.|(?=[()\[\]|])|(?=\\[{}]))")
_YSTAR = re.compile(r"y\s*\^\s*(?:\{\s*\*\s*\}|\*)|y\*(?=\s*(?:$|[-+/)=,\]_]|\*(?!\*)))")
_D = r"(?:d|∂|\\partial(?![A-Za-z]))"
_NAME_TEXT = (
    r"(?:\\(?:hat|widehat)\s*\{\s*[A-Za-z]\s*\}|ŷ|\\mathcal\s*\{\s*[A-Z]\s*\}|\\[A-Za-z]+|[A-Za-z][0-9]*)"
    r"(?:_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?(?:\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?"
)
_SLASH = re.compile(
    rf"(?<![A-Za-z\\]){_D}\s*(?P<num>{_NAME_TEXT})\s*/\s*{_D}\s*(?P<var>{_NAME_TEXT})"
)
_SLASH_OPERATOR = re.compile(rf"(?<![A-Za-z\\]){_D}\s*/\s*{_D}\s*(?P<var>{_NAME_TEXT})")
_LETTER = {"ell": "ℓ"}  # the name 𝟙_{(\ell=i)} gives the index ℓ


@dataclass
class Reader:
    """Reads the lines of one derivation file; shared state: symbols, definitions, layers."""

    layers: set = field(default_factory=set)  # (base, superscript) pairs read as layers
    powers: set = field(default_factory=set)  # ... that could be layers but are read as powers
    definitions: dict = field(default_factory=dict)  # Symbol or Indexed -> expression
    size: int = 3  # entries in a vector a sum runs over when its limit is a letter (K, n)
    heaviside: bool = True  # H(z) is the unit step (the tool's notation for ReLU′)
    readings: set = field(default_factory=set)  # notes on how ambiguous text was read
    operands: list = field(default_factory=list)  # what the last line read differentiates
    functions: dict = field(default_factory=dict)  # g(z) = ...: name -> (argument, body)
    letters: set = field(default_factory=set)  # one-letter names the file uses
    euler: bool = True  # e is Euler's number, unless the file defines e = ... (an error e)
    indices: dict = field(default_factory=dict)  # free index letter -> its value (ℓ -> 2)
    unknown: dict = field(default_factory=dict)  # g used, never defined: name -> function

    # -- names ----------------------------------------------------------------------------------
    def variable(self, match: re.Match) -> tuple[sp.Basic, str]:
        """(SymPy object, text left over: a power such as ^2) for a decorated name."""
        base = match.group("plain") or match.group("greek") or match.group("cal")
        base = base or ((match.group("hat") or "y") + "hat")
        sub = match.group("sub") or match.group("sub1")
        sup = match.group("sup") if match.group("sup") is not None else match.group("sup1")
        rest = ""
        if sup is not None:
            layer = self.is_layer(base, sup)
            if layer:
                base = f"{base}^{layer}"  # z^(L+1), a^(1): a layer, never a power
            else:
                rest = f"^{{{sup}}}"
        if sub is None:
            return KNOWN.get(base) or sp.Symbol(base, real=True), rest
        sub = re.sub(r"\s+", "", sub).replace("\\ell", "ℓ")
        if sub.isdigit() and len(sub) == 1:
            return sp.IndexedBase(base, real=True)[int(sub)], rest
        return sp.Symbol(f"{base}_{sub}" if len(sub) == 1 else f"{base}_{{{sub}}}", real=True), rest

    def is_layer(self, base: str, sup: str) -> str:
        """The layer a superscript names ("" when it is a power or a transpose)."""
        sup = sup.strip()
        if sup in _TRANSPOSE or sup == "*":
            return ""
        if _LAYER.fullmatch(sup):
            return "(" + re.sub(r"[\s()\[\]]", "", sup) + ")"
        if sup.isdigit() and len(sup) <= 2:
            if (base, sup) in self.layers:
                return f"({sup})"
            self.powers.add((base, sup))
        return ""

    def collect_layers(self, lines: list[str]) -> None:
        """Numeric superscripts of variables that are differentiated or defined are layers."""
        for text in lines:
            text = _YSTAR.sub("ystar", text)
            spots = [m.group("var") for m in _SLASH.finditer(text)]
            spots += [m.group("num") for m in _SLASH.finditer(text)]
            spots += re.findall(r"\\partial\s*([^{}\s/]+(?:\{[^{}]*\})?[^{}\s/]*)", text)
            spots += re.findall(r"\{\s*d\s*([A-Za-z][^{}]*(?:\{[^{}]*\})?)\}", text)
            head = re.match(r"^\s*(?![^=]*\\(?:[dt]?frac|partial))([^=(/∂]+?)\s*=(?!=)", text)
            spots += [head.group(1)] if head else []
            for spot in spots:
                for m in _DECORATED.finditer(spot):
                    sup = m.group("sup") if m.group("sup") is not None else m.group("sup1")
                    base = m.group("plain") or m.group("greek") or m.group("cal") or "yhat"
                    if sup is not None and sup.strip().isdigit():
                        self.layers.add((base, sup.strip()))

    # -- lines ----------------------------------------------------------------------------------
    def read(self, text: str, number: int) -> sp.Expr:
        """One line (or part of one) as SymPy; ParseError naming the line otherwise."""
        self.operands = []
        try:
            return self.expression(text)
        except ParseError as exc:
            raise ParseError(f"line {number}: {exc}") from None

    def expression(self, text: str) -> sp.Expr:
        table: dict = {}
        prepared = self.prepare(text, table)
        functions = {**_steps(), **self.callables()}
        names = _Names(table, self.heaviside, self.letters, set(functions), self.euler)
        expr = parse_expression(prepared, names, functions=functions)
        self.readings |= names.split
        if self.indices:  # 𝟙_{(ℓ=i)}: the letters of a condition are the indices too
            values = {s: self.indices.get(_LETTER.get(s.name, s.name)) for s in expr.free_symbols}
            expr = expr.subs({s: v for s, v in values.items() if v is not None})
        return expr

    def function_names(self) -> set:
        return set(self.functions) | set(self.unknown) | ({"H"} if self.heaviside else set())

    def callables(self) -> dict:
        """The functions the file defines (g(z) = ..., 𝒜(z) = ...) and their derivatives g'."""
        out = {}
        for name, (arg, body) in self.functions.items():
            out[name] = _apply(arg, body)
            out[name + "prime"] = _apply(arg, sp.diff(body, arg))
        for name, function in self.unknown.items():  # g(x), g′(x) of any function g
            out[name], out[name + "prime"] = function, _derivative_of(function)
        return out

    def define_function(self, name: str, arg: str, body: str, number: int) -> None:
        variable = self.word(arg)
        if name in function_names() or name in self.functions:
            raise ParseError(f"line {number}: {name} is already a function")
        self.functions[name] = (variable, self.read(body, number))

    def prepare(self, text: str, table: dict) -> str:
        """Text for the parser: every construct above replaced by a placeholder in ``table``."""
        text = _SIZING.sub("", _YSTAR.sub("ystar", text))
        text = re.sub(r"\\mathcal\s*\{\s*([A-Z])\s*\}(?=\s*'?\s*\()", r"cal\1", text)
        text = re.sub(r"(?<![A-Za-z\\])([A-Za-z]+)\s*'\s*\(", r"\1prime(", text)  # g'(z)
        text = re.sub(r"(?<![0-9])\.(?![0-9])|(?<=[0-9])\.(?![0-9])", "*", text)  # a . b
        text = re.sub(r"\\(?:circ|odot)(?![A-Za-z])|[⊙∘]", "*", text)  # scalars: elementwise
        text = re.sub(r"(?:\\sigma|σ|sigma|sigmoid)\s*'\s*(?=\()", "sigmaprime", text)
        text = re.sub(r"\\?tanh\s*'\s*(?=\()", "tanhprime", text)
        text = self.nablas(text)
        text = self.glued(text)
        text = self.sums(text)
        for var, value in self.indices.items():  # an instance: every free index given a value
            text = substitute_index(text, var, value)
        text = vector_entries(text, self.size)
        text = self.derivatives(text, table)
        return self.names(text, table)

    def nablas(self, text: str) -> str:
        """``\\nabla_{\\hat{y}} e`` is ∂e/∂ŷ."""
        pattern = rf"\\nabla\s*_\s*(\{{(?:[^{{}}]|\{{[^{{}}]*\}})*\}}|[A-Za-z])\s*({_NAME_TEXT})"
        return re.sub(
            pattern, lambda m: f"\\frac{{\\partial {m.group(2)}}}{{\\partial {m.group(1)}}}", text
        )

    def glued(self, text: str) -> str:
        """``ylog(p)``: a one-letter name the file uses glued to a function name is a product."""

        def split(m: re.Match) -> str:
            if m.group(1) in self.letters:
                self.readings.add(f"{m.group(0)} read as {m.group(1)}·{m.group(2)}")
                return f"{m.group(1)} {m.group(2)}"
            return m.group(0)

        return re.sub(
            r"(?<![A-Za-z\\])([A-Za-z])(log|ln|exp|sin|cos|tanh|sigma)(?=\s*\()", split, text
        )

    def placeholder(self, table: dict, value: sp.Basic) -> str:
        key = "zzph" + "".join(chr(97 + int(d)) for d in str(len(table)))  # letters only
        table[key] = value
        return f" {key} "

    def names(self, text: str, table: dict) -> str:
        def swap(m: re.Match) -> str:
            if m.group("plain") in function_names() or _is_function_call(
                m, text, self.function_names()
            ):
                return m.group(0)
            value, rest = self.variable(m)
            return self.placeholder(table, value) + rest

        return _DECORATED.sub(swap, text)

    def sums(self, text: str) -> str:
        return expand_sums(text, self.size, self.readings)

    # -- derivatives --------------------------------------------------------------------------
    def derivatives(self, text: str, table: dict) -> str:
        out, pos = [], 0
        for m in re.finditer(r"\\[dt]?frac\s*(?=\{)", text):
            if m.start() < pos:
                continue
            first_end = group_end(text, m.end())
            second = text.find("{", first_end)
            if second < 0 or text[first_end:second].strip():
                continue
            second_end = group_end(text, second)
            num = text[m.end() + 1 : first_end - 1].strip()
            den = text[second + 1 : second_end - 1].strip()
            dn = re.match(rf"^{_D}\s*", num)
            dd = re.match(rf"^{_D}\s*(?=\S)", den)
            if not (dn and dd) or (num[0] == "d") != (den[0] == "d"):
                continue
            var = self.variable_of(den[dd.end() :])
            operand, end = num[dn.end() :].strip(), second_end
            if not operand:  # \frac{d}{dz}(...): the operator applies to the next group
                end, operand = self.operand(text, second_end)
            out.append(text[pos : m.start()])
            out.append(self.placeholder(table, self.derivative(operand, var)))
            pos = end
        text = "".join(out) + text[pos:]
        text = _SLASH.sub(
            lambda m: self.placeholder(
                table, self.derivative(m.group("num"), self.variable_of(m.group("var")))
            ),
            text,
        )
        while m := _SLASH_OPERATOR.search(text):
            end, operand = self.operand(text, m.end())
            value = self.derivative(operand, self.variable_of(m.group("var")))
            text = text[: m.start()] + self.placeholder(table, value) + text[end:]
        return text

    def operand(self, text: str, pos: int) -> tuple[int, str]:
        """What d/dVAR applies to: a bracket group, a name, a fraction, or the rest of the term."""
        start = len(text) - len(text[pos:].lstrip())
        if start >= len(text):
            raise ParseError("expected (expression) after the derivative d/dVAR")
        if text[start] in "({[":
            end = group_end(text, start)
            return end, text[start + 1 : end - 1]
        if m := _DECORATED.match(text, start):
            return m.end(), m.group(0)
        end = term_end(text, start)
        return end, text[start:end]

    def variable_of(self, text: str) -> sp.Basic:
        text = strip_group(_YSTAR.sub("ystar", text))
        m = _DECORATED.fullmatch(text)
        if m is None or m.group("plain") in function_names() - {"d"}:
            return self.word(text)
        value, rest = self.variable(m)
        if rest:
            raise ParseError(f"cannot differentiate with respect to '{text}'")
        return value

    def word(self, text: str) -> sp.Basic:
        if text == "e" and not self.euler:
            return sp.Symbol("e", real=True)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,11}", text) and text not in function_names():
            return KNOWN.get(text) or sp.Symbol(text, real=True)
        raise ParseError(f"cannot differentiate with respect to '{text}'")

    def derivative(self, operand: str, var: sp.Basic) -> sp.Expr:
        """∂(operand)/∂var: the operand's definitions written out down to var, differentiated."""
        self.readings.add("derivatives in a line are taken of the definitions above")
        operand = strip_group(operand)
        m = _DECORATED.fullmatch(operand)
        if m and m.group("plain") not in function_names():
            what, rest = self.variable(m)
            if rest:
                what = None
        else:
            what = None
        if what is None:
            what = self.expression(operand) if operand else None
        if what is None:
            raise ParseError("a derivative needs something to differentiate")
        if what in KNOWN.values() or isinstance(what, sp.Symbol | sp.Indexed):
            if what not in self.definitions and what != var:
                raise ParseError(f"define {what} first (e.g. {what} = ...)")
        body = self.expand(what, skip=var)
        self.operands.append(body)
        try:
            return sp.diff(body, var)
        except Exception as exc:  # a SymPy failure on user input
            raise ParseError(f"cannot differentiate ({type(exc).__name__})") from None

    def expand(self, expr: sp.Expr, skip=None) -> sp.Expr:
        """expr with every definition written out (except that of ``skip``)."""
        return written_out(expr, {k: v for k, v in self.definitions.items() if k != skip})


def _is_function_call(m: re.Match, text: str, functions) -> bool:
    """``g(z)`` with g defined, ``H(z)`` the unit step: a call, left to the parser."""
    return m.group(0) in functions and text[m.end() :].lstrip().startswith("(")


def _derivative_of(function):
    def call(value):
        xi = sp.Dummy("xi", real=True)
        return function(xi).diff(xi).subs(xi, value)

    return call


def _apply(arg: sp.Symbol, body: sp.Expr):
    def call(value):
        return body.xreplace({arg: value})

    return call


def _heaviside(x):
    """The unit step H(x) with H(0) = 0, the convention ``derive`` uses for ReLU′."""
    return sp.Heaviside(x, 0)


def _sigma_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))


def _tanh_prime(x):
    return 1 - sp.tanh(x) ** 2


def _steps() -> dict:
    step = {"H": _heaviside}  # heaviside(x, at_zero) is the rule record's own spelling
    return {**step, "sigmaprime": _sigma_prime, "tanhprime": _tanh_prime}


class _Names(dict):
    """Placeholders, then any plain name as a real scalar symbol (not a function name)."""

    def __init__(
        self, table: dict, heaviside: bool, letters=frozenset(), functions=frozenset(), euler=True
    ):
        super().__init__(table)
        self.euler = euler
        self.heaviside, self.letters, self.split = heaviside, letters, set()
        self.functions = set(functions) - ({"H"} if not heaviside else set())

    def __contains__(self, name) -> bool:
        if dict.__contains__(self, name):
            return True
        if name in self.functions:
            return False
        if name == "e" and not self.euler:
            return True
        return (
            isinstance(name, str)
            and re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,11}", name) is not None
            and name not in function_names()
        )

    def __getitem__(self, name):
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        if name not in self:
            raise KeyError(name)
        if 2 <= len(name) <= 3 and name.isalpha() and set(name) <= self.letters:
            self.split.add(f"{name} read as the product {'·'.join(name)}")  # py: p times y
            return sp.Mul(*(KNOWN.get(c) or sp.Symbol(c, real=True) for c in name))
        return KNOWN.get(name) or sp.Symbol(name, real=True)

    def get(self, name, default=None):
        return self[name] if name in self else default
