"""The report of ``check steps``: each line of a hand derivation with its verdict.

>>> report = StepsReport(Line(1, "d/dz z"), [Line(2, "= 1", valid=True)], final_correct=True)
>>> report.exit_code
0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from check.diagnose import show
from check.report import format_counterexample
from check.report_display import Code, Displayed, Fields, Heading, Note, Table


@dataclass
class Line:
    number: int  # line number in the file
    text: str
    expr: sp.Expr | None = None
    valid: bool | None = None
    method: str = ""
    counterexample: dict | None = None
    diagnosis: str | None = None
    source: str = ""  # the text as written (re-read under another reading if need be)


@dataclass
class StepsReport(Displayed):
    start: Line
    lines: list[Line]
    definitions: dict = field(default_factory=dict)
    final_correct: bool | None = None
    expected: str = ""
    assumptions: list = field(default_factory=list)
    readings: list = field(default_factory=list)

    @property
    def first_wrong(self) -> Line | None:
        return next((line for line in self.lines if line.valid is False), None)

    @property
    def valid(self) -> bool:
        return all(line.valid for line in self.lines)

    @property
    def exit_code(self) -> int:
        return 0 if self.valid and self.final_correct else 1

    def to_dict(self) -> dict:
        wrong = self.first_wrong
        return {
            "valid": self.valid,
            "first_wrong_line": wrong.number if wrong else None,
            "final_correct": self.final_correct,
            "expected": self.expected,
            "start": self.start.text,
            "assumptions": self.assumptions,
            "read_as": self.readings,
            "definitions": {show(k): show(v) for k, v in self.definitions.items()},
            "steps": [
                {
                    "line": line.number,
                    "text": line.text,
                    "valid": line.valid,
                    "method": line.method,
                    "counterexample": line.counterexample,
                    "diagnosis": line.diagnosis,
                }
                for line in self.lines
            ],
        }

    def to_text(self) -> str:
        out = [f"start (line {self.start.number}): {self.start.text}"]
        out += [f"  where {show(k)} = {show(v)}" for k, v in self.definitions.items()]
        out += [f"  assuming {a}" for a in self.assumptions]
        out += [f"  read as: {r}" for r in self.readings]
        for line in self.lines:
            status = {True: "valid", False: "WRONG", None: "undecided"}[line.valid]
            out.append(f"line {line.number}: {line.text}    [{status}]")
            if line.valid is not True or "given" in line.method or "read" in line.method:
                out.append(f"    {line.method}")
            if line.counterexample:
                ce = dict(line.counterexample, labels=("this line", "previous line"))
                out.append("    counterexample: " + format_counterexample(ce))
            if line.diagnosis:
                out.append(f"    diagnosis: {line.diagnosis}")
        out.append(self.summary())
        out.append(self.final_line())
        return "\n".join(out)

    def summary(self) -> str:
        """ "first wrong line: 3", "could not decide line 2; …" or "every step is valid"."""
        wrong = self.first_wrong
        undecided = next((line for line in self.lines if line.valid is None), None)
        if wrong:
            return f"first wrong line: {wrong.number}"
        if undecided:
            return f"could not decide line {undecided.number}; no line is shown wrong"
        return "every step is valid"

    def final_line(self) -> str:
        verdict = {True: "yes", False: "no", None: "could not decide"}[self.final_correct]
        return f"last line equals the correct result {self.expected}: {verdict}"

    def display_blocks(self) -> list:
        """What Jupyter shows: the summary, the start with its definitions, then a table of
        the lines (✓ valid, ✗ wrong, ? undecided) with each line's method, counterexample and
        diagnosis, and whether the last line is the correct result."""
        status = True if self.exit_code == 0 else (None if self.first_wrong is None else False)
        rows = [(f"start (line {self.start.number})", Code(self.start.text))]
        rows += [("where", Code(f"{show(k)} = {show(v)}")) for k, v in self.definitions.items()]
        rows += [("assuming", a) for a in self.assumptions]
        rows += [("read as", r) for r in self.readings]
        table = Table(
            ("line", "step", "notes"),
            tuple((str(line.number), Code(line.text), _notes(line)) for line in self.lines),
            tuple(line.valid for line in self.lines),
        )
        return [
            Heading(self.summary(), status),
            Fields(tuple(rows)),
            table,
            Note(self.final_line()),
        ]


def _notes(line: Line) -> tuple:
    """A line's method (when it says more than "equal"), counterexample and diagnosis."""
    notes = []
    if line.valid is not True or "given" in line.method or "read" in line.method:
        notes.append(line.method)
    if line.counterexample:
        ce = dict(line.counterexample, labels=("this line", "previous line"))
        notes.append(Code("counterexample: " + format_counterexample(ce)))
    if line.diagnosis:
        notes.append(f"diagnosis: {line.diagnosis}")
    return tuple(notes)
