"""``backprop check numbers FILE.toml``: judge the numbers of a hand-worked example.

>>> report = check_numbers("examples/check/numbers_correct.toml")  # doctest: +SKIP
>>> report.ok, report.exit_code  # doctest: +SKIP
(True, 0)

Every quantity is recomputed exactly by :mod:`check.worked` (from the verified recurrence);
each claim is judged to the precision it is written with (:mod:`check.numeric_report`); a
wrong claim comes with its correct value and the formula and inputs that give it. Files with a
``[function]`` section (plain gradient descent on a formula) go to :mod:`check.function_example`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from check import numbers_slips as slips
from check.numbers_input import (
    UNANSWERED,
    Claim,
    WorkedExample,
    example_from_dict,
    load_toml,
)
from check.numeric_report import Report, agrees, allowed_error, decimals_of, fmt, line_text
from check.report_display import Code, Heading, Note, Table
from check.worked import Solution
from derive.errors import SpecError


@dataclass
class EntryVerdict:
    """One checked number: ``key`` like "dW2[0,0]", the claimed Decimal, the exact value."""

    key: str
    claimed: object
    exact: object
    correct: bool
    allowed: object
    formula: str = ""  # "dW2[0,0] = δ2[0] · h1[0] = 0.0712 · 0.6682 = 0.047601"
    diagnosis: str = ""  # "sign error", "matches dh2[0]", ...

    @property
    def answered(self) -> bool:
        """False for a "?" entry: asked, left blank (not correct, and not an error)."""
        return self.claimed != UNANSWERED

    def to_dict(self) -> dict:
        if not self.answered:  # the expected value is not given away
            return {"entry": self.key, "claimed": UNANSWERED, "answered": False, "correct": False}
        return {
            "entry": self.key,
            "claimed": str(self.claimed),
            "expected": float(self.exact),
            "expected_exact": str(self.exact),
            "answered": True,
            "correct": self.correct,
            "allowed_error": float(self.allowed),
            "formula": self.formula,
            "diagnosis": self.diagnosis or None,
        }


@dataclass
class ClaimVerdict:
    """A claim (a whole array or one entry) and the verdict on each of its numbers."""

    key: str
    entries: list[EntryVerdict]

    @property
    def correct(self) -> bool:
        return all(e.correct for e in self.entries)

    @property
    def answered(self) -> bool:
        """Every entry has a number (none is "?")."""
        return all(e.answered for e in self.entries)


@dataclass
class NumbersReport(Report):
    """The verdict on every claim of a worked example, plus the full solution for --trace."""

    claims: list[ClaimVerdict]
    solution: object = field(default=None, repr=False)
    source: str = ""
    function_trace: str = ""  # the worked solution of a [function] file
    index_base: int | None = 1  # how entries are counted (None: the file has no indices)

    def trace(self) -> str:
        """The whole worked solution (``--trace``)."""
        return trace_text(self.solution) if self.solution is not None else self.function_trace

    @property
    def ok(self) -> bool:
        return all(c.correct for c in self.claims)

    @property
    def unanswered(self) -> int:
        """How many claims have an entry still "?"."""
        return sum(not c.answered for c in self.claims)

    def to_dict(self) -> dict:
        return {
            "correct": self.ok,
            "index_base": self.index_base,
            "unanswered": self.unanswered,
            "claims": [
                {
                    "claim": c.key,
                    "answered": c.answered,
                    "correct": c.correct,
                    "entries": [e.to_dict() for e in c.entries],
                }
                for c in self.claims
            ],
        }

    def to_text(self) -> str:
        lines = []
        if self.index_base == 1:
            lines.append(
                "(entries counted from 1, as in the derivations; index_base = 0 for 0-based)"
            )
        elif self.index_base == 0:
            lines.append("(entries counted from 0: index_base = 0)")
        for claim in self.claims:
            blank = all(not e.answered for e in claim.entries)
            wrong = any(e.answered and not e.correct for e in claim.entries)
            mark = "✗" if wrong else "✓" if claim.correct else "?"
            note = "" if wrong or claim.answered else "   partly answered"
            note = "   not answered" if blank else note
            lines.append(f"{mark} {claim.key} = {_claimed_text(claim)}{note}")
            for entry in claim.entries:
                if entry.correct or blank:
                    continue
                if not entry.answered:
                    lines.append(f"    {entry.key}: not answered")
                    continue
                places = max(decimals_of(entry.claimed), 4)
                lines.append(
                    f"    {entry.key}: claimed {entry.claimed}, correct {fmt(entry.exact, places + 2)}"
                    f" (accepting ±{fmt(entry.allowed, places)})"
                )
                if entry.formula:
                    lines.append(f"    {entry.formula}")
                if entry.diagnosis:
                    lines.append(f"    diagnosis: {entry.diagnosis}")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        right = sum(c.correct for c in self.claims)
        summary = f"{right} of {len(self.claims)} claims correct"
        if self.unanswered:
            summary += f", {self.unanswered} not answered"
        return summary

    def display_blocks(self) -> list:
        """What Jupyter shows: how many claims are right, how entries are counted, and a row
        per claim (✓/✗) with, for each wrong number, its correct value, formula and diagnosis."""
        blocks = [Heading(self.summary(), self.ok)]
        if self.index_base is not None:
            blocks.append(Note(f"entries counted from {self.index_base}"))
        rows = tuple(
            (Code(c.key), Code(_claimed_text(c)), tuple(n for e in c.entries for n in _notes(e)))
            for c in self.claims
        )
        marks = tuple(_mark(c) for c in self.claims)
        return blocks + [Table(("claim", "claimed", "correct values"), rows, marks)]


def _mark(claim: ClaimVerdict) -> bool | None:
    """✓ (True), ✗ (False) or ? (None: nothing wrong, something left blank)."""
    if any(e.answered and not e.correct for e in claim.entries):
        return False
    return True if claim.correct else None


def _notes(entry: EntryVerdict) -> tuple:
    """The notes on one number (none when it is right): correct value, formula, diagnosis."""
    if entry.correct:
        return ()
    if not entry.answered:  # a blank: the expected value is not given away
        return (f"{entry.key}: not answered",)
    places = max(decimals_of(entry.claimed), 4)
    correct = f"{entry.key}: correct {fmt(entry.exact, places + 2)} (±{fmt(entry.allowed, places)})"
    notes = (Code(correct),) + ((Code(entry.formula),) if entry.formula else ())
    return notes + ((f"diagnosis: {entry.diagnosis}",) if entry.diagnosis else ())


def _claimed_text(claim: ClaimVerdict) -> str:
    if len(claim.entries) == 1 and "[" in claim.key:
        return str(claim.entries[0].claimed)
    if len(claim.entries) == 1 and claim.entries[0].key == claim.key:
        return str(claim.entries[0].claimed)
    return "[" + ", ".join(str(e.claimed) for e in claim.entries) + "]"


def check_numbers(source) -> Report:
    """Judge the claims of a worked example: a TOML path or an already parsed dict."""
    doc = load_toml(source) if isinstance(source, str | Path) else source
    if not isinstance(doc, dict):
        raise SpecError("expected a TOML file path or a dict")
    if "function" in doc:
        from check.function_example import check_function_example

        return check_function_example(doc)
    example = example_from_dict(doc)
    solution = Solution(example)
    verdicts = [_judge(claim, solution, example) for claim in example.claims]
    shown = str(source) if isinstance(source, str | Path) else ""
    return NumbersReport(verdicts, solution, shown, index_base=example.index_base)


def _judge(claim: Claim, solution: Solution, example: WorkedExample) -> ClaimVerdict:
    quantity = solution.quantities.get(claim.quantity)
    if quantity is None:
        need = "data.learning_rate" if claim.quantity.endswith("_new") else "data.y"
        raise SpecError(f"claims.{claim.key}: needs {need}, which the file does not give")
    if claim.index is not None:
        pairs = [(claim.index, claim.value)]
    else:
        pairs = list(_entries(claim.value, ()))
    entries = []
    base = example.index_base
    for index, claimed in pairs:
        exact = quantity.value(index)
        key = claim.quantity + _where(index, base)
        if claimed == UNANSWERED:
            entries.append(EntryVerdict(key, claimed, exact, False, 0))
            continue
        correct = agrees(claimed, exact, example.tolerance)
        entries.append(
            EntryVerdict(
                key,
                claimed,
                exact,
                correct,
                allowed_error(claimed, example.tolerance),
                "" if correct else _formula(key, quantity, index, solution, claimed, base),
                "" if correct else _diagnose(claimed, quantity, index, solution, base),
            )
        )
    return ClaimVerdict(claim.key, entries)


def _where(index, base: int) -> str:
    return f"[{','.join(str(i + base) for i in index)}]" if index else ""


def _off_by_one(quantity, index, base: int) -> list:
    """The neighbouring entries: the value a claim has when its index is counted one off."""
    found = []
    for axis in range(len(index)):
        for step in (-1, 1):
            other = tuple(i + step * (a == axis) for a, i in enumerate(index))
            if other in quantity.values:
                count = "from 0" if base == 1 else "from 1"
                found.append(
                    (
                        quantity.value(other),
                        f"off by one index: the claim is {quantity.name}{_where(other, base)}"
                        f" (counted {count}? this file counts from {base})",
                    )
                )
    return found


def _diagnose(claimed, quantity, index, solution, base: int = 1) -> str:
    """The first common slip the claimed number matches (to its own precision), or ""."""
    exact = quantity.value(index)
    candidates = [(-exact, "sign error: the claim is −1 × the correct value")]
    candidates += [(2 * exact, "off by a factor 2"), (exact / 2, "off by a factor ½")]
    if len(index) == 2 and (index[1], index[0]) in quantity.values:
        swapped = (index[1], index[0])
        candidates.append(
            (
                quantity.value(swapped),
                f"transposed: the claim is {quantity.name}{_where(swapped, base)}",
            )
        )
    candidates += _off_by_one(quantity, index, base)
    if quantity.name.endswith("_new"):
        given = solution.quantities[quantity.name.removesuffix("_new")].value(index)
        candidates.append(
            (2 * given - exact, "stepped up the gradient: + α·grad instead of − α·grad")
        )
    where = _where(index, base)
    candidates += slips.without_bias(solution, quantity, index, where)
    for other in reversed(solution.quantities.values()):  # backward quantities first
        if other is not quantity and other.shape == quantity.shape and not other.given:
            itself = slips.function_for_derivative(quantity, other)
            candidates.append((other.value(index), f"the claim is {other.name}{where}{itself}"))
    for value, diagnosis in candidates:
        if value != exact and agrees(claimed, value, None):
            return diagnosis
    return ""


def _entries(value, index):
    if isinstance(value, list):
        for n, item in enumerate(value):
            yield from _entries(item, (*index, n))
    else:
        yield index, value


def _formula(key, quantity, index, solution, claimed, base: int = 1) -> str:
    line = quantity.lines.get(index)
    if line is None:
        return ""
    places = max(decimals_of(claimed), 4)
    formula, numbers = line_text(
        line,
        solution.known,
        solution.example.learning_rate,
        keep_order=key.count("_new") > 0,
        base=base,
    )
    result = fmt(quantity.value(index), places + 2)
    return f"{key} = {formula} = {numbers} = {result}"


def trace_text(solution: Solution) -> str:
    """The whole forward and backward pass as a worked solution: one block per quantity."""
    sections = [("Given", []), ("Forward pass", []), ("Backward pass", []), ("Update", [])]
    for quantity in solution.quantities.values():
        if quantity.given:
            section = 0
        elif quantity.name.endswith("_new"):
            section = 3
        elif (
            quantity.name[0] in "zh" or quantity.name in ("loss",) or quantity.name.startswith("g_")
        ):
            section = 1
        else:
            section = 2
        sections[section][1].append(quantity)
    width = max(len(q.name) for q in solution.quantities.values())
    out = []
    for title, quantities in sections:
        if not quantities:
            continue
        out.append(title)
        for q in quantities:
            rule = "" if q.given else f"   = {q.rule}"
            rows = _rows(q)
            out.append(f"  {q.name:<{width}}  {rows[0]}{rule}")
            out.extend(f"  {'':<{width}}  {row}" for row in rows[1:])
    if solution.example.learning_rate is not None:
        out.insert(1, f"  {'α':<{width}}  {fmt(solution.example.learning_rate)}")
    return "\n".join(out)


def _rows(q) -> list[str]:
    values = q.nested()
    if not q.shape:
        return [fmt(values)]
    if len(q.shape) == 1:
        return ["[" + "  ".join(f"{fmt(v):>8}" for v in values) + "]"]
    return ["[" + "  ".join(f"{fmt(v):>8}" for v in row) + "]" for row in values]
