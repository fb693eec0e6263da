"""The one expression language for everything a user types: answers, steps lines, definitions,
``--activation`` / ``--loss``, spec strings, numbers formulas and rules files.

Plain text and a LaTeX subset, scalar, indexed and matrix/vector. User text is never handed to
``eval``, ``exec``, ``compile``, ``sympify`` or ``parse_expr``: size guards (length, bracket
depth) → :mod:`.lexer` (the one tokenizer) → :mod:`.grammar` (the one grammar, a syntax tree)
→ a reader that builds SymPy objects itself from whitelists (:mod:`.scalar`) or matrices with
shapes (:mod:`.tensor`). Every failure is a one-line :class:`ParseError` with a column.

>>> import sympy as sp
>>> z = sp.Symbol("z", real=True)
>>> parse_expression("\\\\frac{1}{1 + e^{-z}}", {"z": z})
1/(1 + exp(-z))
>>> [r.note for r in readings("h^2(1 - h^2)", {"h": sp.Symbol("h")})]
['h^2 read as the power h²', 'h^2 read as h of layer 2']
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from derive.errors import ParseError
from derive.language.grammar import MAX_NESTING, Node, parse_tree
from derive.language.lexer import tokenize
from derive.language.limits import (
    MAX_EXPANDED_TERMS,
    MAX_EXPONENT,
    MAX_MAGNITUDE,
    MAX_NUMBER_BITS,
    MAX_NUMBER_CHARS,
)
from derive.language.scalar import ScalarReader

MAX_LENGTH = 2000  # characters
MAX_BRACKET_DEPTH = 60  # open brackets at any point of the raw text
MAX_READINGS = 8  # readings of one ambiguous text


def function_table() -> Mapping[str, Callable]:
    """Every function name of the language → its record (built by derive.rulebook)."""
    from derive import rulebook

    return rulebook.spellings()


def __getattr__(name: str):
    if name == "DEFAULT_FUNCTIONS":  # the old name of the table, kept for callers
        return function_table()
    raise AttributeError(f"module 'derive.language' has no attribute {name!r}")


def check_text(text) -> None:
    """The guards that run before any parsing: type, length, bracket depth."""
    if not isinstance(text, str):
        raise ParseError(f"expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"input too long ({len(text)} characters, limit {MAX_LENGTH})")
    depth = 0
    for col, ch in enumerate(text, 1):
        depth = depth + 1 if ch in "([{" else max(depth - (ch in ")]}"), 0)
        if depth > MAX_BRACKET_DEPTH:
            raise ParseError(
                f"brackets nested too deeply (limit {MAX_BRACKET_DEPTH}) at column {col}"
            )


def parse(text: str, function_names) -> Node:
    """The syntax tree of ``text`` (see :mod:`.grammar`); ParseError for anything else."""
    check_text(text)
    tokens = tokenize(text)
    if len(tokens) == 1:
        raise ParseError("empty expression")
    return parse_tree(tokens, function_names)


@dataclass(frozen=True)
class Reading:
    """One reading of a text: its value and, for ambiguous text, how it was read."""

    value: object  # a SymPy expression (or a Tensor, for matrix readers)
    notes: tuple[str, ...] = ()
    flags: frozenset = frozenset()
    layer: int | None = None  # the layer its numbered layer labels name (dz^3 (h^2)^T: 3)
    sizes: tuple = ()  # (size symbol, value) pairs a matrix literal was read for (n_out = 2)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


def _finish(value) -> object:
    import sympy as sp

    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise ParseError("input is not a mathematical expression")
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ParseError("expression is undefined (division by zero?)")
    return value


def read_all(tree: Node, make_reader: Callable[[frozenset], object]) -> list[Reading]:
    """Every reading of ``tree``: the default one, then one per combination of the
    ambiguities the default reading met (at most :data:`MAX_READINGS`, duplicates dropped).
    ``make_reader(flags)`` makes a reader (``.read(node)``, ``.ambiguities``, ``.notes``).
    A reading that fails is left out; if all fail, the default reading's error is raised."""
    first = make_reader(frozenset())
    error, found = None, []
    try:
        value = _guarded(first, tree)
        found.append(Reading(value, tuple(first.notes), frozenset(), first.layer))
    except ParseError as exc:
        error = exc
    flags = list(first.ambiguities)
    combos = itertools.chain.from_iterable(
        itertools.combinations(flags, n) for n in range(1, len(flags) + 1)
    )
    for combo in itertools.islice(combos, MAX_READINGS - 1):
        reader = make_reader(frozenset(combo))
        try:
            value = _guarded(reader, tree)
        except ParseError:
            continue
        if all(not _same(value, r.value) for r in found):
            found.append(Reading(value, tuple(reader.notes), frozenset(combo), reader.layer))
    if not found:
        raise error
    return found


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a Tensor compares by identity
        return a is b


def _guarded(reader, tree: Node):
    try:
        value = _finish(reader.read(tree))
        try:
            reader.check_layers()
        except Exception as exc:
            exc.value = value  # what was read, for "read as" beside the labels that do not fit
            raise
        return value
    except ParseError:
        raise
    except Exception as exc:
        if getattr(exc, "is_verdict", False):  # ShapeError: a wrong answer, read as such
            return exc
        raise _unexpected(exc) from None


def _unexpected(exc: Exception) -> ParseError:
    try:
        raise exc
    except RecursionError:
        return ParseError("expression nested too deeply")
    except Exception as exc:  # a SymPy failure outside build(): still caused by the input
        return ParseError(f"cannot evaluate the expression ({type(exc).__name__})")


def readings(
    text: str,
    symbols: Mapping,
    *,
    functions: Mapping | None = None,
    indexed: Mapping | None = None,
    index_symbols: Mapping | None = None,
    bare: Mapping | None = None,
) -> list[Reading]:
    """Every plausible reading of ``text`` as a SymPy expression (the first is the default).

    ``h^2`` is a power or layer 2, ``H(z)`` a call or H·z, ``q1`` q_1 or q·1: each reading
    says how it read the text (``Reading.notes``).  Arguments as :func:`parse_expression`.
    """
    table = {**function_table(), **(functions or {})}
    tree = parse(text, set(table) | set(bare or {}))

    def make_reader(flags):
        return ScalarReader(symbols, table, indexed, index_symbols, bare, flags)

    return read_all(tree, make_reader)


def parse_expression(
    text: str,
    symbols: Mapping,
    *,
    functions: Mapping | None = None,
    indexed: Mapping | None = None,
    index_symbols: Mapping | None = None,
    bare: Mapping | None = None,
):
    """Parse untrusted ``text`` (plain math or LaTeX) into one SymPy expression, safely.

    ``symbols`` are the only bare names allowed (keys are canonical spellings: ``\\hat{y}``,
    ``ŷ`` and ``y_hat`` all look up ``"yhat"``; ``\\sigma`` and ``σ`` look up ``"sigma"``;
    ``y^*`` looks up ``"ystar"``; a layer-labelled ``a^L`` looks up ``"a^L"``, then ``a``).
    ``functions`` extends or overrides the rulebook's table.  Names in ``indexed`` are vectors
    written ``p_i``, ``p_{i}`` or ``p[i]``, with ``i`` a key of ``index_symbols``.  ``bare``
    maps function names to what they mean when written without an argument (``σ`` for the
    output h = σ(z) in ``σ(1 − σ)``); followed by ``(`` or ``{`` they are still calls.
    Ambiguous text gets its default reading (see :func:`readings` for all of them).
    Raises :class:`ParseError` (one line, with a column) for anything else, never another error.
    """
    table = {**function_table(), **(functions or {})}
    tree = parse(text, set(table) | set(bare or {}))
    reader = ScalarReader(symbols, table, indexed, index_symbols, bare)
    return _guarded(reader, tree)


__all__ = [
    "MAX_BRACKET_DEPTH",
    "MAX_EXPANDED_TERMS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NESTING",
    "MAX_NUMBER_BITS",
    "MAX_NUMBER_CHARS",
    "Reading",
    "check_text",
    "parse",
    "parse_expression",
    "readings",
    "tokenize",
]
