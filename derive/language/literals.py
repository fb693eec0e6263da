"""Vectors and matrices written entry by entry: the two literal forms of the grammar.

- ``\\begin{bmatrix} dz_1^3 \\\\ dz_2^3 \\end{bmatrix}`` (also ``pmatrix``, ``Bmatrix``,
  ``matrix``, ``array``): entries separated by ``&``, rows by ``\\\\``.  The node is
  ``matrix``, its args the rows (nodes of kind ``row``, whose args are the entries); every row
  has the same number of entries and rows × cols is at most :data:`MAX_ENTRIES`.
- ``[\\dots, g'(a_{ik}), \\dots]``: a vector given by its generic entry (entry k is g′(a_ik)).
  The node is ``entries`` with the one entry as its arg.

The parser (:class:`derive.language.grammar.Parser`) calls :func:`matrix` and
:func:`generic_vector` after the opening token; neither gives the entries a meaning.
"""

from __future__ import annotations

from derive.errors import ParseError
from derive.language.lexer import Token, describe

MAX_ENTRIES = 64  # rows × cols of one matrix literal
MAX_ROWS = 16  # and at most this many rows or columns


def matrix(parser, opener: Token):
    """The rows of ``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}`` after its opener."""
    from derive.language.grammar import Node

    parser.nested()
    try:
        rows, cells, row_tok = [], [], parser.peek()
        while True:
            if parser.at("endmatrix") and not cells and rows:
                break  # a trailing \\ before \end
            cells.append(parser.sum())
            if parser.at("amp"):
                parser.next()
                continue
            rows.append(Node("row", row_tok, tuple(cells)))
            cells = []
            _bounded(parser, rows, row_tok)
            if parser.at("newline"):
                parser.next()
                row_tok = parser.peek()
                continue
            break
        end = parser.next()
        if end.kind != "endmatrix":
            raise parser.fail(f"expected '&', '\\\\' or '\\end' but found {describe(end)}", end)
        if _environment(end) != _environment(opener):
            raise parser.fail(f"'{opener.src}' ends with '{end.src}'", end)
    finally:
        parser.depth -= 1
    widths = {len(row.args) for row in rows}
    if len(widths) > 1:
        raise ParseError(
            f"the rows of the matrix at column {opener.col} have different numbers of entries "
            f"({', '.join(str(len(row.args)) for row in rows)})"
        )
    return Node("matrix", opener, tuple(rows))


def _environment(tok: Token) -> str:
    return tok.src[tok.src.index("{") + 1 : tok.src.index("}")].strip()


def _bounded(parser, rows: list, tok: Token) -> None:
    cols = max(len(row.args) for row in rows)
    if len(rows) > MAX_ROWS or cols > MAX_ROWS or len(rows) * cols > MAX_ENTRIES:
        raise parser.fail(
            f"matrix too large (at most {MAX_ROWS} rows or columns, {MAX_ENTRIES} entries)", tok
        )


def generic_vector(parser, opener: Token):
    """``[\\dots, x_k, \\dots]`` after its ``[``: the vector whose entry k is x_k."""
    from derive.language.grammar import Node

    parser.next()  # the first …
    if not parser.at("comma"):
        raise parser.fail(f"expected ',' after '…' but found {describe(parser.peek())}")
    parser.next()
    parser.nested()
    try:
        entry = parser.sum()
    finally:
        parser.depth -= 1
    if not (parser.at("comma") and parser.peek(1).kind == "dots"):
        raise parser.fail("a vector by its entry is written [\\dots, x_k, \\dots]")
    parser.next()
    parser.next()
    parser.close(opener)
    return Node("entries", opener, (entry,))
