"""Reports as Jupyter shows them: a few display blocks, printed as HTML or as Markdown.

A report builds a list of blocks (:class:`Heading`, :class:`Fields`, :class:`Table`,
:class:`Note`, :class:`Pre`, :class:`Svg`); :class:`HtmlPrinter` and :class:`MarkdownPrinter`
print them, dispatching on the block's type (``_print_Table``, …). Every piece of text is
escaped on the way out, so a student's answer (untrusted) can never become markup:

>>> blocks = [Heading("sigmoid-bce: incorrect", False), Fields((("answer", Code("<b>y</b>")),))]
>>> print(to_html(blocks))  # doctest: +NORMALIZE_WHITESPACE
<div class="backprop-report"><h4 class="backprop-bad">✗ sigmoid-bce: incorrect</h4>
<table><tr><th>answer</th><td><code>&lt;b&gt;y&lt;/b&gt;</code></td></tr></table></div>
>>> print(to_markdown(blocks))
**✗ sigmoid-bce: incorrect**
<BLANKLINE>
- answer: `<b>y</b>`
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

MARKS = {True: "✓", False: "✗", None: "?"}
CLASSES = {True: "backprop-ok", False: "backprop-bad", None: "backprop-undecided"}
# what can start markup inside a line (emphasis, code, links, HTML, entities, math, tables)
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~!$#{}])")


@dataclass(frozen=True)
class Code:
    """Text shown verbatim in a monospace font (an answer, a formula, a shape)."""

    text: str


# a cell or a field value: plain text, Code, or a tuple of those shown one per line
Cell = str | Code | tuple


@dataclass(frozen=True)
class Heading:
    """The verdict line, marked ✓ (True), ✗ (False) or ? (None)."""

    text: str
    status: bool | None


@dataclass(frozen=True)
class Fields:
    """(label, value) pairs, one per row."""

    rows: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class Table:
    """A table: ``header`` (n,), ``rows`` (r, n); ``marks`` (r,) puts ✓/✗/? in a first column."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    marks: tuple[bool | None, ...] | None = None


@dataclass(frozen=True)
class Note:
    """A sentence of plain text."""

    text: str


@dataclass(frozen=True)
class Pre:
    """Preformatted lines (an explanation, a worked solution)."""

    text: str


@dataclass(frozen=True)
class Svg:
    """An SVG picture made by this package (never from user text): shown inline in HTML."""

    markup: str
    caption: str = ""


class HtmlPrinter:
    """Blocks → one ``<div class="backprop-report">``; all text through :func:`html.escape`."""

    def doprint(self, blocks) -> str:
        body = "\n".join(self._print(block) for block in blocks)
        return f'<div class="backprop-report">{body}</div>'

    def _print(self, block) -> str:
        return getattr(self, f"_print_{type(block).__name__}")(block)

    def _print_str(self, text: str) -> str:
        return html.escape(text)

    def _print_Code(self, code: Code) -> str:
        return f"<code>{html.escape(code.text)}</code>"

    def _print_tuple(self, items: tuple) -> str:
        return "<br>".join(self._print(item) for item in items)

    def _print_Heading(self, heading: Heading) -> str:
        mark = MARKS[heading.status]
        return f'<h4 class="{CLASSES[heading.status]}">{mark} {html.escape(heading.text)}</h4>'

    def _print_Fields(self, fields: Fields) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{self._print(value)}</td></tr>"
            for label, value in fields.rows
        )
        return f"<table>{rows}</table>"

    def _print_Table(self, table: Table) -> str:
        marks = table.marks
        head = ("<th></th>" if marks else "") + "".join(
            f"<th>{html.escape(h)}</th>" for h in table.header
        )
        rows = []
        for n, row in enumerate(table.rows):
            mark = f'<td class="{CLASSES[marks[n]]}">{MARKS[marks[n]]}</td>' if marks else ""
            cells = "".join(f"<td>{self._print(cell)}</td>" for cell in row)
            rows.append(f"<tr>{mark}{cells}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def _print_Note(self, note: Note) -> str:
        return f"<p>{html.escape(note.text)}</p>"

    def _print_Pre(self, pre: Pre) -> str:
        return f"<pre>{html.escape(pre.text)}</pre>"

    def _print_Svg(self, svg: Svg) -> str:
        caption = f"<figcaption>{html.escape(svg.caption)}</figcaption>" if svg.caption else ""
        return f"<figure>{svg.markup}{caption}</figure>"


class MarkdownPrinter:
    """Blocks → GitHub-flavoured Markdown; plain text has every character that could start
    markup backslash-escaped (so no emphasis, link, HTML, entity or math survives), code goes
    in code spans."""

    def doprint(self, blocks) -> str:
        return "\n\n".join(self._print(block) for block in blocks)

    def _print(self, block) -> str:
        return getattr(self, f"_print_{type(block).__name__}")(block)

    def _print_str(self, text: str) -> str:
        escaped = _MARKUP.sub(r"\\\1", " ".join(text.split()))
        return "\\" + escaped if escaped[:1] in ("-", "+", "=") else escaped  # no list item

    def _print_Code(self, code: Code) -> str:
        text = " ".join(code.text.split())
        fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
        pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
        return f"{fence}{pad}{text}{pad}{fence}"

    def _print_tuple(self, items: tuple) -> str:
        return "<br>".join(self._print(item) for item in items)

    def _cell(self, value) -> str:
        return self._print(value).replace("|", "\\|")  # GFM splits cells at | even in code

    def _print_Heading(self, heading: Heading) -> str:
        return f"**{MARKS[heading.status]} {self._print_str(heading.text)}**"

    def _print_Fields(self, fields: Fields) -> str:
        return "\n".join(
            f"- {self._print_str(label)}: {self._print(value)}" for label, value in fields.rows
        )

    def _print_Table(self, table: Table) -> str:
        header = ([""] if table.marks else []) + [self._print_str(h) for h in table.header]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for n, row in enumerate(table.rows):
            cells = ([MARKS[table.marks[n]]] if table.marks else []) + [self._cell(c) for c in row]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _print_Note(self, note: Note) -> str:
        return self._print_str(note.text)

    def _print_Pre(self, pre: Pre) -> str:
        fence = "`" * max(3, 1 + max((len(r) for r in re.findall("`+", pre.text)), default=0))
        return f"{fence}text\n{pre.text.rstrip()}\n{fence}"

    def _print_Svg(self, svg: Svg) -> str:
        data = base64.b64encode(svg.markup.encode("utf-8")).decode("ascii")
        return f"![{self._print_str(svg.caption)}](data:image/svg+xml;base64,{data})"


def to_html(blocks) -> str:
    return HtmlPrinter().doprint(blocks)


def to_markdown(blocks) -> str:
    return MarkdownPrinter().doprint(blocks)


class Displayed:
    """Mixin: ``_repr_html_`` and ``_repr_markdown_`` from the class's ``display_blocks()``;
    IPython's plain text is the report's ``to_text()`` where it has one (not a field dump)."""

    def display_blocks(self) -> list:  # pragma: no cover - every report defines it
        raise NotImplementedError

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        to_text = getattr(self, "to_text", None)
        printer.text(to_text() if to_text is not None else repr(self))

    def _repr_html_(self) -> str:
        return to_html(self.display_blocks())

    def _repr_markdown_(self) -> str:
        return to_markdown(self.display_blocks())


__all__ = [
    "Code",
    "Displayed",
    "Fields",
    "Heading",
    "HtmlPrinter",
    "MarkdownPrinter",
    "Note",
    "Pre",
    "Svg",
    "Table",
    "to_html",
    "to_markdown",
]
