"""Text-level rewrites of a ``check steps`` line before it is parsed: sums written out term by
term, an index given a value in every subscript (an instance of a free index), note 004's
entries of exp and softmax of a bold vector, and bracket groups.
"""

from __future__ import annotations

import re

from derive.errors import ParseError

MAX_TERMS = 50  # terms a written-out sum may have
_SUM = re.compile(
    r"\\sum\s*(?:_\s*(?:\{\s*(?P<var>[a-z]'?)\s*(?:=\s*(?P<lo>[0-9]+)\s*)?\}|(?P<var1>[a-z])))?"
    r"(?:\s*\^\s*(?:\{\s*(?P<hi>[A-Za-z0-9]+)\s*\}|(?P<hi1>[A-Za-z0-9])))?"
)
_OPEN, _CLOSE = "({[", ")}]"
INDEX_TEXT = r"(?:\\ell(?![A-Za-z])|[A-Za-z0-9,' ℓ]){1,6}"  # a subscript of indices: Lk, jk, L\ell


def group_end(text: str, start: int) -> int:
    """The position after the bracket group opening at ``text[start]``."""
    depth = 0
    for pos in range(start, len(text)):
        if text[pos] in _OPEN and text[pos - 1 : pos] != "\\":
            depth += 1
        elif text[pos] in _CLOSE and text[pos - 1 : pos] != "\\":
            depth -= 1
            if depth == 0:
                return pos + 1
    raise ParseError(f"'{text[start]}' at column {start + 1} is never closed")


def strip_group(text: str) -> str:
    text = text.strip()
    if text[:1] in _OPEN and group_end(text, 0) == len(text):
        return text[1:-1].strip()
    return text


def expand_sums(text: str, size: int, readings: set) -> str:
    """Every ``\\sum_{k=1}^{K}`` (``\\sum_k``, ``\\sum_{i'}``) written out term by term, K = size
    when the limit is a letter; what was assumed is added to ``readings``."""
    while m := _SUM.search(text):
        var = m.group("var") or m.group("var1")
        hi = m.group("hi") or m.group("hi1")
        lo = int(m.group("lo") or 1)
        if var is None:
            raise ParseError("a sum needs its index, e.g. \\sum_{k=1}^{3}")
        top = int(hi) if hi and hi.isdigit() else size
        if hi and not hi.isdigit():
            readings.add(f"Σ up to {hi} read with {hi} = {top}, the entries used")
        if top - lo + 1 > MAX_TERMS or top < lo:
            raise ParseError(f"a sum of {top - lo + 1} terms is not supported")
        end = term_end(text, m.end())
        term = text[m.end() : end]
        terms = [substitute_index(term, var, n) for n in range(lo, top + 1)]
        if len(terms) > 1 and terms[0] == terms[1]:  # Σ_{i'} e^{a_ℓ}: the notes' typo
            readings.add(
                f"Σ_{{{var}}} of a term without {var}: read as {len(terms)} times the term"
            )
        text = text[: m.start()] + "(" + " + ".join(f"({t})" for t in terms) + ")" + text[end:]
    return text


_VECTOR_ENTRY = re.compile(
    r"(?P<f>softmax|\\exp|exp)\s*\(\s*\\(?:mathbf|boldsymbol|vec)\s*\{\s*(?P<v>[A-Za-z])\s*\}"
    r"\s*(?:_\s*(?:\{\s*(?P<label>[A-Za-z0-9]+)\s*\}|(?P<label1>[A-Za-z0-9])))?\s*\)"
    r"\s*_\s*(?:\{\s*(?P<k>[0-9]+)\s*\}|(?P<k1>[0-9]))"
)


def vector_entries(text: str, size: int) -> str:
    """Entry k of exp or softmax of a bold vector, as note 004 writes them, in entries:
    ``\\exp(\\mathbf{a}_{L})_{2}`` is e^{a_{L2}}, ``softmax(\\mathbf{a}_{L})_{2}`` is
    e^{a_{L2}} / Σ_k e^{a_{Lk}} (k = 1 … size).

    >>> vector_entries(r"\\exp(\\mathbf{a}_{L})_{2}", 3)
    'e^{a_{L2}}'
    """

    def entry(m: re.Match, k) -> str:
        label = m.group("label") or m.group("label1") or ""
        return f"e^{{{m.group('v')}_{{{label}{k}}}}}"

    def swap(m: re.Match) -> str:
        k = int(m.group("k") or m.group("k1"))
        if m.group("f") != "softmax":
            return entry(m, k)
        total = " + ".join(entry(m, j) for j in range(1, max(size, k) + 1))
        return f"\\frac{{{entry(m, k)}}}{{({total})}}"

    return _VECTOR_ENTRY.sub(swap, text)


def substitute_index(text: str, var: str, value: int) -> str:
    """Index ``var`` set to ``value`` in every subscript: q_k, q_{k}, a_{Lk}, w_{jk}; the
    index ℓ is written ``\\ell`` or ``ℓ``."""

    own = (r"(?:\\ell(?![A-Za-z])|ℓ)" if var in ("ℓ", "\\ell") else re.escape(var)) + "(?!')"

    def braced(m: re.Match) -> str:
        inner = m.group(1)
        if re.fullmatch(INDEX_TEXT, inner):  # a_{Lk}, w_{jk}: every k is the index
            inner = re.sub(own, str(value), inner)
        return "_{" + inner + "}"

    text = re.sub(r"_\s*\{([^{}]*)\}", braced, text)
    return re.sub(rf"_\s*{own}(?![A-Za-z0-9])", f"_{{{value}}}", text)


def term_end(text: str, pos: int) -> int:
    """Where the summand starting at ``pos`` ends: a + or − outside brackets, or a closer."""
    depth, started = 0, False
    while pos < len(text):
        ch = text[pos]
        if ch in _OPEN and text[pos - 1] != "\\":
            depth += 1
        elif ch in _CLOSE and text[pos - 1] != "\\":
            depth -= 1
            if depth < 0:
                return pos
        elif depth == 0 and started and (ch in "+-=" or text.startswith("\\right", pos)):
            return pos
        started = started or not ch.isspace()
        pos += 1
    return pos
