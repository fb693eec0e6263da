"""Unicode prose with a little math in it ("Σ_k y_k = 1 because y is one-hot") as safe LaTeX.

Justifications, conventions and titles are plain Unicode written for humans. Each character is
looked up in ``notation.PROSE_LATEX``; the text is cut into text pieces (only characters that
are safe as they are in LaTeX text) and math pieces (Greek, operators, escaped specials, and the
scripts ``_k``, ``_{l=1}``, ``^K``, ``ᵀ``). A single letter standing alone (``y``, ``p_k``) is a
variable and set in math italic. Anything else that is not ASCII falls back to an ASCII
transliteration or a visible ``[U+XXXX]``, so that the result always compiles with pdflatex.

>>> to_text_mode("L = −Σ_k y_k log p_k")
'\\\\ensuremath{L = -\\\\sum_{k} y_{k} \\\\log p_{k}}'
>>> to_math_mode("Σ_k y_k = 1 because y is one-hot")
'\\\\sum_{k}\\\\text{ }y_{k}\\\\text{ = 1 because }y\\\\text{ is one-hot}'
"""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

from derive.render.notation import (
    ACCENTS,
    FUNCTION_WORDS_LATEX,
    GREEK_LATEX_NAMES,
    LAYER_SUPERSCRIPTS_TEXT,
    PROSE_LATEX,
    SAFE_TEXT,
    SCRIPT_WORDS,
)

SCRIPTS = ("sub", "sup")

# a subscript or superscript argument: {group without braces} or a run of letters and digits
_SCRIPT_ARGUMENT = re.compile(r"\{([^{}]*)\}|\(([^()]*)\)|([A-Za-z0-9]+|[\u0391-\u03c9])")
# a Greek letter spelled out just before a script: delta^l
_GREEK_WORD = re.compile(r"[A-Za-z]+(?=[_^])")
_ARTICLES = frozenset("aAI")  # single letters that are English words, not variables
_CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")
_WORD = re.compile(r"[A-Za-z]{2,}")
# text that a formula may contain between its math pieces (see ``runs``)
_BRIDGE = frozenset(" 0123456789=/,.()[]+*")
# binary operators and relations: no thin space beside them
_OPERATORS = frozenset(
    {"-", "+", "=", "<", ">", r"\in", r"\cdot", r"\times", r"\odot", r"\to", r"\mapsto", r"\&"}
    | {r"\leq", r"\geq", r"\neq", r"\approx", r"\pm", r"\sum", r"\ldots"}
    | set(FUNCTION_WORDS_LATEX.values())  # \log p: the operator spaces itself
)
# operators that may start a formula whose left operand is a plain number (1 − p)
_LEADING_OPERATORS = frozenset({"-", "+", r"\cdot", r"\times", r"\odot"})
# what may end a math run after its last math piece: "= 1", "= 0.5", or closing brackets
_RUN_ENDING = re.compile(r"(\s*=\s*[0-9]+(?:\.[0-9]+)?)?([)\]]*)")
# a layer label in parentheses: W^(l), h^(l-1), z^(L), W^(1)
_LAYER_LABEL = re.compile(r"\^\(([0-9lL+-]+)\)")
# a function name standing alone as a word (log p_k, exp(z)), not the start of "logits"
_FUNCTION_WORD = re.compile(
    r"(?:%s)(?![A-Za-z])" % "|".join(sorted(FUNCTION_WORDS_LATEX, key=len)[::-1])
)


class Piece:
    """A fragment of converted prose: kind is "text", "math", "sub" or "sup".

    ``plain`` is a text piece as Unicode (the prose's own character), for HTML.
    """

    __slots__ = ("kind", "latex", "plain")

    def __init__(self, kind: str, latex: str, plain: str | None = None):
        self.kind, self.latex = kind, latex
        self.plain = latex if plain is None else plain

    @property
    def is_math(self) -> bool:
        return self.kind != "text"


def pieces(prose: str) -> list[Piece]:
    """Cut prose into text and math pieces (see the module docstring)."""
    prose = unicodedata.normalize("NFD", prose)  # ŷ is y + combining circumflex
    out: list[Piece] = []
    n = 0
    while n < len(prose):
        char = prose[n]
        if char == "_" and _in_identifier(prose, n):  # torch's weight_decay: a name
            out.append(Piece("text", r"\_", "_"))
            n += 1
            continue
        if char in "_^":
            match = _SCRIPT_ARGUMENT.match(prose, n + 1)
            if match:
                argument = next(group for group in match.groups() if group is not None)
                if match.group(2) is not None and char == "^":  # a layer: W^(l) is W^{(l)}
                    argument = "(%s)" % argument
                kind = "sub" if char == "_" else "sup"
                out.append(Piece(kind, math_of(argument)))
                n = match.end()
                continue
        function = _FUNCTION_WORD.match(prose, n)
        if function and not (n and _in_word(prose[n - 1])):  # log, exp: upright operators
            out.append(Piece("math", FUNCTION_WORDS_LATEX[function.group()]))
            n = function.end()
            continue
        word = _GREEK_WORD.match(prose, n)
        if word and word.group() in GREEK_LATEX_NAMES and not (n and _in_word(prose[n - 1])):
            out.append(Piece("math", "\\" + word.group()))
            n = word.end()
            continue
        accent = ACCENTS.get(prose[n + 1 : n + 2])
        if accent and not unicodedata.combining(char):
            out.append(Piece("math", r"%s{%s}" % (accent, _piece(prose, n).latex)))
            n += 2
            continue
        if not unicodedata.combining(char):  # other accents (café) are dropped
            out.append(_piece(prose, n))
        n += 1
    return out


def _in_identifier(prose: str, n: int) -> bool:
    """Whether the underscore at n joins two words of a programming name (weight_decay), as
    opposed to a subscript (n_in, z_prev, delta_l: one letter or a Greek name before it)."""
    before = re.search(r"[A-Za-z]+$", prose[:n])
    word = before.group() if before else ""
    return len(word) > 1 and word not in GREEK_LATEX_NAMES and word not in FUNCTION_WORDS_LATEX


def _piece(prose: str, n: int) -> Piece:
    char = prose[n]
    if char.isascii() and char.isalpha() and (_is_variable(prose, n) or _accented(prose, n)):
        return Piece("math", char)
    if char == "*" and n > 0 and prose[n - 1].isalpha() and _is_variable(prose, n - 1):
        return Piece("sup", "*")  # y* (the prediction in some notes): y^{*}
    if char == "-" and _is_minus(prose, n):
        return Piece("math", "-")
    if char in SAFE_TEXT:
        return Piece("text", char)
    if char in "\t\n\r":
        return Piece("text", " ")
    if char in PROSE_LATEX:
        kind, latex = PROSE_LATEX[char]
        return Piece(kind, latex, char)
    kind = _script_kind(char)
    if kind:  # ᶻ, ₖ, ⁽ⁿ⁾: Unicode's own super- and subscript characters
        return Piece(kind, math_of(unicodedata.normalize("NFKC", char)))
    return Piece("text", _fallback(char), char)


def _script_kind(char: str) -> str:
    """The kind ("sup" or "sub") of a script character such as ᵀ, ², ₖ, ᶻ; "" for others."""
    if char in PROSE_LATEX:
        kind = PROSE_LATEX[char][0]
        return kind if kind in SCRIPTS else ""
    tag = unicodedata.decomposition(char).split(" ", 1)[0]
    return {"<super>": "sup", "<sub>": "sub"}.get(tag, "")


def _is_variable(prose: str, n: int) -> bool:
    """A lone ASCII letter (y, p in p_k, h in hᵀ) is a variable; 'a', 'A', 'I' only before a script."""
    before = prose[n - 1] if n > 0 else " "
    after = prose[n + 1] if n + 1 < len(prose) else " "
    if before.isdigit() and _after_coefficient(prose, n):  # 2x, but not 1e-06 or W2x
        return prose[n] not in _ARTICLES
    if _in_word(before) or _in_word(after) or "'" in (before, after):
        return False
    if before + after == "()" and prose[n - 2 : n - 1] in ("", " "):  # an item label: (b)
        return False
    return after in "_^" or _script_kind(after) != "" or prose[n] not in _ARTICLES


def _after_coefficient(prose: str, n: int) -> bool:
    """Whether the letter at n follows a number standing alone (2x), as a variable would."""
    after = prose[n + 1] if n + 1 < len(prose) else " "
    if _in_word(after) or after == "'" or (prose[n] in "eE" and after in "+-"):
        return False
    start = n - 1
    while start > 0 and prose[start - 1].isdigit():
        start -= 1
    return start == 0 or not (_in_word(prose[start - 1]) or prose[start - 1] in "._")


def _accented(prose: str, n: int) -> bool:
    return prose[n + 1 : n + 2] in ACCENTS


def _in_word(char: str) -> bool:
    """Letters and digits of a word; not Σ, δ or the scripts ᵀ, ₖ, ² next to a variable."""
    if char in PROSE_LATEX or _script_kind(char):
        return False
    return char.isalnum() or unicodedata.combining(char) > 0


def _is_minus(prose: str, n: int) -> bool:
    """'-' is a minus sign unless it joins two words (one-hot) or follows a number (1e-06)."""
    before = prose[n - 1] if n > 0 else " "
    return not before.isalnum()


def _fallback(char: str) -> str:
    ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if ascii_form and all(c in SAFE_TEXT for c in ascii_form):
        return ascii_form
    return "[U+%04X]" % ord(char)


def math_of(prose: str) -> str:
    """Prose inside a script (``l=1`` of ``Σ_{l=1}``, ``in`` of ``n_in``): everything is math."""
    return _join_math(pieces(prose), text=_upright_words)


def _upright_words(run: str) -> str:
    # words in scripts are labels (n_{\mathrm{in}}); runs of index letters are indices (δ_ki)
    return _WORD.sub(lambda m: _script_word(m.group()), run)


def _script_word(word: str) -> str:
    if word in SCRIPT_WORDS or len(word) > 3:
        return r"\mathrm{%s}" % word
    return word


def _join_math(parts: list[Piece], text) -> str:
    """Concatenate pieces in math mode; ``text`` wraps each run of text characters."""
    out: list[str] = []
    run = ""
    for part in _merge_scripts(parts):
        if part.kind == "text":
            run += part.latex
            continue
        if run:
            out.append(text(run))
            run = ""
        if part.kind in SCRIPTS:
            out.append("%s{%s}" % ("_" if part.kind == "sub" else "^", part.latex))
        else:
            # \\sum followed by y must not become \\sumy
            control_word = out and _CONTROL_WORD_END.search(out[-1])
            out.append((" " if control_word and part.latex[:1].isalpha() else "") + part.latex)
    if run:
        out.append(text(run))
    return "".join(out)


def _merge_scripts(parts: list[Piece]) -> list[Piece]:
    """W⁽³⁾ is one superscript (3); x_i^2_j gets an empty base for its second subscript."""
    merged: list[Piece] = []
    used: set[str] = set()  # script kinds already attached to the current base
    for part in parts:
        if part.kind not in SCRIPTS:
            used = set()
            merged.append(part)
        elif merged and merged[-1].kind == part.kind:
            # ^{\top} then z is ^{\top z}, never the unknown control word \topz
            space = (
                " "
                if _CONTROL_WORD_END.search(merged[-1].latex) and part.latex[:1].isalpha()
                else ""
            )
            merged[-1] = Piece(part.kind, merged[-1].latex + space + part.latex)
        else:
            if part.kind in used:  # a double subscript would not compile
                merged.append(Piece("math", "{}"))
                used = set()
            used.add(part.kind)
            merged.append(part)
    return merged


def to_math_mode(prose: str) -> str:
    """Prose for use inside math (align*, MathJax): text runs become ``\\text{...}``."""
    return _join_math(pieces(prose), text=lambda s: r"\text{%s}" % s)


def runs(prose: str) -> list[tuple[str, list[Piece]]]:
    """The prose as alternating ("text", pieces) and ("math", pieces) runs.

    A math run goes on across spaces, digits and the punctuation of formulas (= / , ( ) [ ])
    up to its last math piece, so that ∂L/∂z_i = p_i − y_i is one formula, not five; a run
    whose brackets would not balance is left in pieces.
    """
    out: list[tuple[str, list[Piece]]] = []
    math: list[Piece] = []
    pending: list[Piece] = []  # bridging text after the last math piece of the run
    for part in pieces(prose):
        if part.is_math:
            if not math and part.latex in _LEADING_OPERATORS:  # 1 − p: the 1 joins the formula
                math = _trailing_number(out)
            math += pending + [part]
            pending = []
        elif math and part.plain in _BRIDGE and _may_close(math + pending, part.plain):
            pending.append(part)
        else:
            _flush(out, math, pending, following=part.plain)
            math, pending = [], []
            _add_text(out, [part])
    _flush(out, math, pending, following="")
    return out


def _trailing_number(out: list) -> list[Piece]:
    """A number (and the spaces after it, and a bracket before it) ending the text so far,
    taken out of it: the left operand of an operator that starts a formula. Empty unless it
    stands alone ("of 1 ", "(1 "), not inside a word or a name (W2)."""
    if not out or out[-1][0] != "text":
        return []
    text = out[-1][1]
    n = len(text)
    while n and text[n - 1].plain == " ":
        n -= 1
    end = n
    while n and (text[n - 1].plain.isdigit() or text[n - 1].plain == "."):
        n -= 1
    if n and text[n - 1].plain in "([":  # (1 − p): the bracket opens the formula
        n -= 1
    if n == end or (n and text[n - 1].plain != " "):  # none, or part of a word: leave it
        return []
    taken = text[n:]
    del text[n:]
    if not text:
        out.pop()
    return taken


def _flush(out: list, math: list[Piece], pending: list[Piece], following: str) -> None:
    """End a math run: a trailing "= 1" or closing bracket joins it, the rest is text."""
    if not math:
        _add_text(out, pending)
        return
    tail = "".join(p.plain for p in pending)
    ending = _RUN_ENDING.match(tail)
    number, brackets = len(ending.group(1) or ""), len(ending.group(2) or "")
    after = tail[number] if number < len(tail) else following
    if number and after and (after.isalnum() or after in "._"):
        number, brackets = 0, 0  # 1e-06 is a number of its own
    for take in (number + brackets, number, 0):
        run = math + pending[:take]
        if _balanced("".join(p.plain for p in run if not p.is_math)):
            out.append(("math", run))
            _add_text(out, pending[take:])
            return
    for kind, group in groupby(math, key=lambda p: "math" if p.is_math else "text"):
        if kind == "math":  # unbridged: each formula piece alone
            out.append(("math", list(group)))
        else:
            _add_text(out, list(group))
    _add_text(out, pending)


def _may_close(run: list[Piece], char: str) -> bool:
    """A closing bracket bridges only inside the run that opened it."""
    if char not in ")]":
        return True
    text = "".join(p.plain for p in run if not p.is_math)
    opening = "(" if char == ")" else "["
    return text.count(opening) > text.count(char)


def _balanced(text: str) -> bool:
    depth = {"(": 0, "[": 0}
    for char in text:
        if char in "([":
            depth[char] += 1
        elif char in ")]":
            opening = "(" if char == ")" else "["
            depth[opening] -= 1
            if depth[opening] < 0:
                return False
    return not any(depth.values())


def _formula(parts: list[Piece]) -> str:
    """A math run as LaTeX; a space between two factors (∂f/∂x ∂x/∂θ, W h) stays a thin space."""
    spaced = list(parts)
    for n in range(1, len(parts) - 1):
        before, space, after = parts[n - 1], parts[n], parts[n + 1]
        if space.plain == " " and before.is_math and after.is_math and after.kind == "math":
            base = next(p for p in reversed(parts[:n]) if p.kind not in SCRIPTS or p is parts[0])
            if not {base.latex, before.latex, after.latex} & _OPERATORS:
                spaced[n] = Piece("text", r"\,", " ")
    return _join_math(spaced, text=str)


def _add_text(out: list, parts: list[Piece]) -> None:
    if not parts:
        return
    if out and out[-1][0] == "text":
        out[-1][1].extend(parts)
    else:
        out.append(("text", list(parts)))


def to_text_mode(prose: str) -> str:
    """Prose for running text: math runs become ``\\ensuremath{...}``."""
    return "".join(
        r"\ensuremath{%s}" % _formula(parts) if kind == "math" else "".join(p.latex for p in parts)
        for kind, parts in runs(prose)
    )


def to_delimited(prose: str, text=str, math=lambda m: "$%s$" % m) -> str:
    """Prose with its math delimited, for KaTeX, MathJax and Markdown: ``text`` converts each
    text run (Unicode, as written), ``math`` wraps each math run (LaTeX).

    >>> print(to_delimited("Σ_k y_k = 1 because y is one-hot"))
    $\\sum_{k} y_{k} = 1$ because $y$ is one-hot
    """
    return "".join(
        math(_formula(parts)) if kind == "math" else text("".join(p.plain for p in parts))
        for kind, parts in runs(prose)
    )


def sentence_case(prose: str) -> str:
    """Capitalise a title or note, unless it starts with a variable: "h is cached" stays.

    >>> sentence_case("gradient at the logits"), sentence_case("h is cached")
    ('Gradient at the logits', 'h is cached')
    """
    first = prose.split(" ", 1)[0]
    if (len(first) > 1 or first == "a") and first.isalpha() and first.islower():
        return prose[:1].upper() + prose[1:]
    return prose


def to_unicode(prose: str) -> str:
    """Prose for the terminal, its layer labels set as the formulas set them.

    >>> to_unicode("z^(l) = W^(l) h^(l-1) + b^(l); ∂L/∂W^(1)_11")
    'z⁽ˡ⁾ = W⁽ˡ⁾ h⁽ˡ⁻¹⁾ + b⁽ˡ⁾; ∂L/∂W⁽¹⁾_11'
    """
    return _LAYER_LABEL.sub(lambda m: "⁽%s⁾" % m[1].translate(LAYER_SUPERSCRIPTS_TEXT), prose)
