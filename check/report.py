"""A verdict on an answer, and its text and JSON forms.

>>> v = Verdict(quantity="sigmoid-bce", answer="p - y", expected="p - y", correct=True)
>>> v.exit_code
0
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from check.report_display import Code, Displayed, Fields, Heading, Pre

STATUS = {True: "correct", False: "incorrect", None: "undecided"}


@dataclass
class Verdict(Displayed):
    """correct: True, False, or None (could not decide); counterexample: {"at": {symbol:
    value}, "answer": value, "expected": value}; diagnosis: what the mistake is, if known;
    last_resort: what it may be, where nothing else names it (not shown: the caller decides)."""

    quantity: str
    answer: str
    expected: str
    correct: bool | None
    read_as: str = ""
    method: str = ""
    counterexample: dict | None = None
    diagnosis: str | None = None
    explanation: str = ""
    # a diagnosis of last resort (check.damage: variables the result does not use), said only
    # when no reading's verdict names the mistake
    last_resort: str | None = field(default=None, repr=False, compare=False)

    @property
    def exit_code(self) -> int:
        return 0 if self.correct else 1

    def to_dict(self) -> dict:
        return {
            "quantity": self.quantity,
            "answer": self.answer,
            "read_as": self.read_as,
            "correct": self.correct,
            "expected": self.expected,
            "method": self.method,
            "counterexample": self.counterexample,
            "diagnosis": self.diagnosis,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        status = STATUS[self.correct]
        lines = [f"{self.quantity}: {status}", f"  answer:   {self.answer}"]
        if self.read_as:
            lines.append(f"  read as:  {self.read_as}")
        lines.append(f"  expected: {self.expected}")
        if self.method:
            lines.append(f"  decided by: {self.method}")
        if self.counterexample:
            lines.append("  counterexample: " + format_counterexample(self.counterexample))
        if self.diagnosis:
            lines.append(f"  diagnosis: {self.diagnosis}")
        if self.explanation:
            lines += ["", self.explanation.rstrip()]
        return "\n".join(lines)

    def display_blocks(self) -> list:
        """What Jupyter shows (``_repr_html_``, ``_repr_markdown_``): the verdict, the answer
        as given and as read, the expected result, how it was decided, the counterexample and
        the diagnosis; the explanation when one was asked for."""
        rows = [("answer", Code(self.answer))]
        rows += [("read as", Code(self.read_as))] if self.read_as else []
        rows.append(("expected", Code(self.expected)))
        rows += [("decided by", self.method)] if self.method else []
        if self.counterexample:
            rows.append(("counterexample", Code(format_counterexample(self.counterexample))))
        rows += [("diagnosis", self.diagnosis)] if self.diagnosis else []
        blocks = [Heading(f"{self.quantity}: {STATUS[self.correct]}", self.correct)]
        blocks.append(Fields(tuple(rows)))
        return blocks + ([Pre(self.explanation)] if self.explanation else [])


def format_counterexample(found: dict) -> str:
    at = ", ".join(f"{k} = {v}" for k, v in found.get("at", {}).items())
    first, second = found.get("labels", ("answer", "expected"))
    return f"at {at}: {first} = {found['answer']}, {second} = {found['expected']}"
