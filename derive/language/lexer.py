"""The one tokenizer of the expression language: plain text, LaTeX and Unicode become tokens.

LaTeX commands and Unicode symbols are normalised here, so the grammar (:mod:`.grammar`) sees
one spelling of everything: ``\\sigma``, ``σ`` and ``sigma`` are the name ``sigma``; ``\\odot``,
``⊙``, ``\\circ`` and ``∘`` the operator ``⊙``; ``\\cdot``, ``·``, ``×`` and a spaced ``.`` the
product ``·``; ``\\le`` and ``≤`` the comparison ``<=``.  Decorations (``\\hat``, ``\\vec``,
``\\mathbf``, ``\\mathcal``, ``\\operatorname``, ...) become ``deco`` tokens that the grammar
applies to the name that follows.  ``\\begin{cases}`` and the matrix environments
(``bmatrix``, ``pmatrix``, ``Bmatrix``, ``matrix``, ``array`` with its column spec) become
``cases`` / ``matrix`` / ``endmatrix`` tokens; determinants (``vmatrix``) are refused.
Every failure is a one-line ParseError with a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.errors import ParseError

_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Upsilon Phi Psi Omega"
).split()
LATEX_NAMES = {
    **{name: name for name in _GREEK},
    **{"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "ell": "ell"},
    **{"Sigma": "Sigma", "imath": "i", "jmath": "j"},
    **{
        name: name
        for name in "exp log ln tanh sinh cosh sech sin cos tan sqrt max min arctan".split()
    },
}
_UNICODE_GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΥΦΨΩ", _GREEK, strict=True))
_CHARS = {
    **{c: (("op", c),) for c in "+-*/^"},
    **{c: (("open", c),) for c in "([{"},
    **{c: (("close", c),) for c in ")]}"},
    **{",": (("comma", ","),), "_": (("sub", "_"),), "−": (("op", "-"),), "÷": (("op", "/"),)},
    **{c: (("op", "·"),) for c in "·⋅×∗"},
    **{c: (("op", "⊙"),) for c in "⊙∘"},
    **{"⊗": (("op", "⊗"),), "@": (("op", "@"),), "'": (("prime", "'"),), "′": (("prime", "'"),)},
    **{"″": (("prime", "'"), ("prime", "'"))},
    **{"²": (("op", "^"), ("num", "2")), "³": (("op", "^"), ("num", "3"))},
    **{"ᵀ": (("op", "^"), ("name", "T")), "⊤": (("name", "T"),)},
    **{"ŷ": (("name", "yhat"),), "ϕ": (("name", "phi"),), "ϵ": (("name", "epsilon"),)},
    **{"ℓ": (("name", "ell"),), "𝒜": (("name", "calA"),), "𝟙": (("name", "𝟙"),)},
    **{"∂": (("partial", "∂"),), "∇": (("nabla", "∇"),), "∑": (("sum", "∑"),)},
    **{"Σ": (("sum", "Σ"),), "…": (("dots", "…"),), "⋯": (("dots", "…"),)},
    **{"<": (("rel", "<"),), ">": (("rel", ">"),), "≤": (("rel", "<="),), "≥": (("rel", ">="),)},
    **{"=": (("rel", "="),), "≠": (("rel", "!="),), "&": (("amp", "&"),)},
    **{c: (("name", name),) for c, name in _UNICODE_GREEK.items()},
}
CLOSERS = {"(": ")", "[": "]", "{": "}"}
_IGNORED = {",", ":", ";", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "middle"}
_IGNORED |= {"limits", "nolimits", "mathop"}
_SIZING = {f"{size}{side}" for size in ("big", "Big", "bigg", "Bigg") for side in ("", "l", "r")}
_SIZING |= {"left", "right"}
_LATEX_TOKENS = {
    **dict.fromkeys(("cdot", "times", "ast", "bullet"), ("op", "·")),
    **{"div": ("op", "/"), "odot": ("op", "⊙"), "circ": ("op", "⊙"), "otimes": ("op", "⊗")},
    **dict.fromkeys(("top", "intercal", "mathsf{T}"), ("name", "T")),
    **{"prime": ("prime", "'"), "partial": ("partial", "∂"), "nabla": ("nabla", "∇")},
    **{"sum": ("sum", "∑"), "dots": ("dots", "…"), "cdots": ("dots", "…"), "ldots": ("dots", "…")},
    **dict.fromkeys(("le", "leq", "leqslant"), ("rel", "<=")),
    **dict.fromkeys(("ge", "geq", "geqslant"), ("rel", ">=")),
    **{"lt": ("rel", "<"), "gt": ("rel", ">"), "\\": ("newline", "\\\\")},
    **dict.fromkeys(("ne", "neq"), ("rel", "!=")),
    **{"{": ("open", "{"), "}": ("close", "}")},
}
FRACS = {"frac", "dfrac", "tfrac", "cfrac"}
# decorations: what each does to the name it is applied to (see grammar.decorate)
DECORATIONS = {
    **dict.fromkeys(("hat", "widehat"), "hat"),
    **dict.fromkeys(("vec", "overrightarrow", "mathbf", "boldsymbol", "bm", "mathbb"), "bold"),
    **dict.fromkeys(("operatorname", "mathrm", "text", "mathit", "textrm", "mathsf"), "font"),
    **{"mathcal": "cal", "mathscr": "cal", "tilde": "tilde", "bar": "bar", "overline": "bar"},
}

_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.S)
_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*(cases|array|[a-zA-Z]?matrix)\s*\}")
MATRICES = frozenset({"matrix", "bmatrix", "pmatrix", "Bmatrix", "array"})  # entries, & and \\\\
_COLUMN_SPEC = re.compile(r"\s*\{[lcr|\s]{1,40}\}")  # \begin{array}{cc}


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is num, name, op, open, close, comma, sub, frac, deco, prime,
    partial, nabla, sum, dots, rel, amp, newline, cases, matrix (``\\begin{bmatrix}``), endmatrix or end."""

    kind: str
    text: str  # canonical text: "^" for "**", "sigma" for "\sigma", ...
    col: int  # 1-based column of the token's first character in the user text
    src: str = ""  # the user's spelling, for messages
    splittable: bool = False  # plain digits/letters that "\frac12" may split
    spaced: bool = False  # white space (or nothing: the start) right before the token


def describe(tok: Token) -> str:
    return "end of input" if tok.kind == "end" else f"'{tok.src or tok.text}'"


def _latex_command(text: str, pos: int, tokens: list[Token], spaced: bool) -> int:
    """Translate the LaTeX command at ``text[pos]`` into tokens; return the position after it."""
    env = _ENVIRONMENT.match(text, pos)
    if env is not None:
        kind = "cases" if env.group(2) == "cases" else "matrix"
        if kind == "matrix" and env.group(1) == "end":
            kind = "endmatrix"  # not an atom's start: 'a \end{bmatrix}' is not a product
        if kind != "cases" and env.group(2) not in MATRICES:
            what = " (determinants are not supported)" if "vmatrix" in env.group(2).lower() else ""
            raise ParseError(
                f"unsupported LaTeX environment '{env.group(2)}'{what} at column {pos + 1}"
            )
        end = env.end()
        if env.group(2) == "array" and env.group(1) == "begin":
            spec = _COLUMN_SPEC.match(text, end)
            end = spec.end() if spec is not None else end
        tokens.append(Token(kind, env.group(1), pos + 1, env.group(), spaced=spaced))
        return end
    match = _COMMAND.match(text, pos)
    if match is None:
        raise ParseError(f"lone backslash at column {pos + 1}")
    name, col, end = match.group(1), pos + 1, match.end()
    if name in _SIZING or name in _IGNORED:
        return end + (name in ("left", "right") and text.startswith(".", end))
    if name in _LATEX_TOKENS:
        kind, value = _LATEX_TOKENS[name]
    elif name in FRACS:
        kind, value = "frac", name
    elif name in LATEX_NAMES:
        kind, value = "name", LATEX_NAMES[name]
    elif name in DECORATIONS:
        kind, value = "deco", DECORATIONS[name]
    else:
        shown = f"'\\{name}'" if name.isalpha() else repr("\\" + name)
        raise ParseError(f"unsupported LaTeX command {shown} at column {col}")
    tokens.append(Token(kind, value, col, text[pos:end], spaced=spaced))
    return end


def _dot(text: str, pos: int) -> bool:
    """A '.' that is a product (``dz^3 . h^T``), not part of a number (``.5``)."""
    return text[pos] == "." and not (pos + 1 < len(text) and text[pos + 1].isdigit())


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, normalising LaTeX and Unicode; the last token is ``end``."""
    tokens: list[Token] = []
    pos, spaced = 0, True
    while pos < len(text):
        ch, col = text[pos], pos + 1
        if ch.isspace():
            pos, spaced = pos + 1, True
            continue
        if text.startswith("...", pos):
            tokens.append(Token("dots", "…", col, "...", spaced=spaced))
            pos += 3
        elif _dot(text, pos):
            tokens.append(Token("op", "·", col, ".", spaced=spaced))
            pos += 1
        elif match := _NUMBER.match(text, pos) or _NAME.match(text, pos):
            word, pos = match.group(), match.end()
            kind = "num" if match.re is _NUMBER else "name"
            if kind == "name" and text.startswith("\u0302", pos):  # y + combining circumflex
                word, pos = word + "hat", pos + 1
            src = text[col - 1 : pos]
            tokens.append(Token(kind, word, col, src, splittable=True, spaced=spaced))
        elif ch == "\\":
            pos = _latex_command(text, pos, tokens, spaced)
        elif text.startswith("**", pos):
            tokens.append(Token("op", "^", col, "**", spaced=spaced))
            pos += 2
        elif text.startswith(("<=", ">=", "!="), pos):
            tokens.append(
                Token("rel", text[pos : pos + 2], col, text[pos : pos + 2], spaced=spaced)
            )
            pos += 2
        elif ch in "'′″" and not (_primable(tokens) and not spaced):
            raise ParseError(f"unexpected character {ch!r} at column {col}")  # only g'(z) has one
        elif ch in _CHARS:
            tokens.extend(Token(kind, value, col, ch, spaced=spaced) for kind, value in _CHARS[ch])
            pos += 1
        else:
            raise ParseError(f"unexpected character {ch!r} at column {col}")
        spaced = False
    tokens.append(Token("end", "", len(text) + 1, spaced=True))
    return tokens


def _primable(tokens: list) -> bool:
    """A prime may follow a name (g'), a prime (g''), or a decorated name (\\mathcal{A}')."""
    if tokens and tokens[-1].kind in ("name", "prime"):
        return True
    kinds = [t.kind for t in tokens[-4:]]
    return kinds == ["deco", "open", "name", "close"] and tokens[-3].text == "{"
