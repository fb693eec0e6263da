"""The lecture-notes corpus (tests/fixtures/notes/): every entry run through the real checker.

    python tests/corpus_report.py               # the measured numbers and what is not right yet
    python tests/corpus_report.py --note 003    # one note (file-name prefix)
    python tests/corpus_report.py --all         # also every entry's outcome, one line each
    python tests/corpus_report.py --write-todo  # rewrite expected_failures.toml from today's run

An *entry* is one answer (kind printed, damaged, rewriting or mistake), one derivation (steps)
or one claim of a worked example (numbers); see tests/fixtures/notes/README.md. Each run ends
in one outcome:

- ``right``: the verdict the corpus expects (and, for a wrong answer with a named diagnosis,
  a diagnosis matching it);
- ``no-diagnosis``: the verdict is right but the diagnosis is missing or names something else;
- ``refused``: a one-line error from the tool (unreadable, unknown quantity), or "undecided";
- ``misjudged``: a wrong verdict (a correct entry called wrong, or a wrong one called correct);
- ``crash``: an exception that is not the tool's own error type, or a refusal of more than one
  line: a traceback for a user.

Entries the tool does not judge right today are listed in expected_failures.toml (id, outcome,
reason); tests/test_notes_corpus.py fails when an entry not listed there is not right, when a
correct entry is called wrong or crashes where it did not before, and reports listed entries
that have started to pass.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "notes"
TODO_FILE = FIXTURES / "expected_failures.toml"
KINDS = ("printed", "rewriting", "damaged", "mistake", "steps", "numbers")
OUTCOMES = ("right", "no-diagnosis", "refused", "misjudged", "crash")
TIMEOUT = 3.0  # seconds per stage of the checker's own time limit (answers and steps)

# Diagnosis names used in the corpus → what the checker's diagnosis text must match.
DIAGNOSES = {
    "sign": r"sign|−1 times|-1 times",
    "lost-minus": r"lost minus|minus sign|sign",
    "transpose": r"transpos",
    "wrong-order": r"wrong order|other order",  # B A for A B (δᵀ… is a transpose, not this)
    "sigma-for-derivative": r"σ itself|sigma itself|function itself|not its derivative|"
    r"expression being differentiated|activation, not|σ for σ′|g for g′",
    "missing-1/m": r"1/m|factor m|mean|average",
    "factor": r"factor",
    "y-p-swapped": r"swapped|trade places|written as the target|written as the prediction",
    "wrong-layer": r"layer",
    "wrong-index": r"index|indices|transpos",
    "missing-term": r"missing|left out",
    "extra-term": r"extra",
    "loss-not-derivative": r"loss itself|not its derivative|expression being differentiated|"
    r"function itself|undifferentiated",
    "uphill": r"uphill|\+ ?α|plus|sign",
    "missing-learning-rate": r"learning rate|α|alpha",
    "inverse": r"invers|reciprocal",
    "missing-derivative": r"g′|σ′|g'|derivative|left out|missing",
    "wrong-variable": r"wrong variable|written in terms|belongs|instead of|where .* belongs",
    "zero": r"0 everywhere|zero|is 0",
    "forgot-bias": r"bias",
    "off-by-one": r"off by one|off-by-one|index|indices|counted from|0-based|1-based",
}


@dataclass
class Entry:
    """One thing the checker is asked to judge, and what the corpus expects of it."""

    id: str  # "<note>/<formula id>/<kind>[/<n>]"
    note: str  # the note's prefix, "000"
    kind: str  # one of KINDS
    line: int  # line in the seed file
    expected: str  # answers: correct | incorrect | refuse; steps/numbers: correct | incorrect
    answer: str = ""  # the answer text, the steps text, or the claim key
    quantity: str = ""
    params: dict = field(default_factory=dict)
    diagnosis: str = ""  # expected diagnosis name (DIAGNOSES), for incorrect entries
    damage: str = ""
    steps: dict = field(default_factory=dict)  # valid, first_wrong, final_correct
    file: str = ""  # numbers: the worked-example file

    @property
    def expected_correct(self) -> bool:
        return self.expected == "correct"


@dataclass
class Outcome:
    status: str  # one of OUTCOMES
    detail: str  # one line: what the tool said
    seconds: float = 0.0


# -- loading ------------------------------------------------------------------------------


def note_files() -> list[Path]:
    return sorted(FIXTURES.glob("[0-9][0-9][0-9]_*.toml"))


def load_entries(note: str | None = None) -> list[Entry]:
    """Every entry of every note file (or of the note whose prefix is ``note``)."""
    entries: list[Entry] = []
    for path in note_files():
        prefix = path.name[:3]
        if note is None or prefix == note:
            entries += _entries_of(prefix, tomllib.loads(path.read_text(encoding="utf-8")))
    ids = Counter(e.id for e in entries)
    duplicated = [i for i, n in ids.items() if n > 1]
    if duplicated:
        raise ValueError(f"duplicate entry ids in the corpus: {duplicated[:5]}")
    return entries


def _entries_of(prefix: str, doc: dict) -> list[Entry]:
    out: list[Entry] = []
    for f in doc.get("formula", []):
        base = f"{prefix}/{f['id']}"
        common = dict(
            note=prefix, line=f["line"], quantity=f["quantity"], params=f.get("params", {})
        )
        kind = "damaged" if f.get("damage") and f["verdict"] != "correct" else "printed"
        out.append(
            Entry(
                f"{base}/{kind}",
                kind=kind,
                expected=f["verdict"],
                answer=f["answer"],
                diagnosis=f.get("diagnosis", ""),
                damage=f.get("damage", ""),
                **common,
            )
        )
        for n, r in enumerate(f.get("rewritings", []), 1):
            text = r if isinstance(r, str) else r["answer"]
            out.append(
                Entry(
                    f"{base}/rewriting/{n}",
                    kind="rewriting",
                    expected="correct",
                    answer=text,
                    **common,
                )
            )
        for n, m in enumerate(f.get("mistakes", []), 1):
            out.append(
                Entry(
                    f"{base}/mistake/{n}",
                    kind="mistake",
                    expected="incorrect",
                    answer=m["answer"],
                    diagnosis=m.get("diagnosis", ""),
                    **common,
                )
            )
    for s in doc.get("steps", []):
        correct = s["valid"] and s["final_correct"]
        out.append(
            Entry(
                f"{prefix}/{s['id']}/steps",
                note=prefix,
                kind="steps",
                line=s["line"],
                expected="correct" if correct else "incorrect",
                answer=s["text"],
                steps={k: s.get(k) for k in ("valid", "first_wrong", "final_correct")},
                diagnosis=s.get("diagnosis", ""),
            )
        )
    for n in doc.get("numbers", []):
        path = FIXTURES / n["file"]
        claims = tomllib.loads(path.read_text(encoding="utf-8")).get("claims", {})
        wrong = n.get("wrong", {})
        for key in claims:
            if key == "tolerance":
                continue
            out.append(
                Entry(
                    f"{prefix}/{n['id']}/numbers/{key}",
                    note=prefix,
                    kind="numbers",
                    line=n["line"],
                    expected="incorrect" if key in wrong else "correct",
                    answer=key,
                    diagnosis=wrong.get(key, ""),
                    file=n["file"],
                )
            )
    return out


def load_todo() -> dict[str, dict]:
    """The reviewed expected failures: entry id → {outcome, reason, answer}."""
    if not TODO_FILE.exists():
        return {}
    return {
        t["id"]: t for t in tomllib.loads(TODO_FILE.read_text(encoding="utf-8")).get("todo", [])
    }


# -- running ------------------------------------------------------------------------------


def run_entry(entry: Entry, _numbers_cache: dict | None = None) -> Outcome:
    """Run one entry through the checker's API and classify the result."""
    start = time.perf_counter()
    try:
        if entry.kind == "steps":
            outcome = _run_steps(entry)
        elif entry.kind == "numbers":
            outcome = _run_claim(entry, {} if _numbers_cache is None else _numbers_cache)
        else:
            outcome = _run_answer(entry)
    except Exception as exc:  # noqa: BLE001 - the point is to catch what escapes
        outcome = _from_exception(entry, exc)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _from_exception(entry: Entry, exc: BaseException) -> Outcome:
    from derive.errors import BackpropError

    message = str(exc)
    if not isinstance(exc, BackpropError):
        first = message.splitlines()[0] if message else ""
        return Outcome("crash", f"{type(exc).__name__}: {first}"[:300])
    if "\n" in message.strip() or not message.strip():
        return Outcome("crash", f"refusal not on one line: {message!r}"[:300])
    if entry.expected == "refuse":
        return Outcome("right", f"refused: {message}")
    return Outcome("refused", f"{type(exc).__name__}: {message}")


def _answer_kwargs(params: dict) -> dict:
    """The entry's params the checker accepts: all of them as ``params=`` if check_answer takes
    that, else those of its keyword arguments that share a name with them."""
    from check import check_answer

    accepted = inspect.signature(check_answer).parameters
    kwargs = {"timeout": TIMEOUT} if "timeout" in accepted else {}
    if "params" in accepted:
        kwargs["params"] = dict(params)
    else:
        kwargs |= {k: v for k, v in params.items() if k in accepted}
    return kwargs


def _run_answer(entry: Entry) -> Outcome:
    from check import check_answer

    verdict = check_answer(entry.quantity, entry.answer, **_answer_kwargs(entry.params))
    said = _said(verdict.correct, verdict.diagnosis, verdict.read_as)
    if verdict.correct is None:
        return Outcome("refused", "undecided: " + said)
    if entry.expected == "correct":
        return Outcome("right" if verdict.correct else "misjudged", said)
    if verdict.correct:  # an incorrect (or unreadable) entry called correct
        return Outcome("misjudged", said)
    return Outcome(
        "right" if _diagnosis_ok(entry.diagnosis, verdict.diagnosis) else "no-diagnosis", said
    )


def _said(correct, diagnosis, read_as="") -> str:
    verdict = {True: "correct", False: "incorrect", None: "undecided"}[correct]
    parts = [verdict] + ([f"read as {read_as}"] if read_as else [])
    return "; ".join(parts + ([f"diagnosis: {diagnosis}"] if diagnosis else []))


def _diagnosis_ok(expected: str, said: str | None) -> bool:
    if not expected:
        return True
    if not said:
        return False
    return re.search(DIAGNOSES[expected], said, re.IGNORECASE) is not None


def _run_steps(entry: Entry) -> Outcome:
    from check import check_steps

    accepted = inspect.signature(check_steps).parameters
    report = check_steps(entry.answer, **({"timeout": TIMEOUT} if "timeout" in accepted else {}))
    want = entry.steps
    lines = report.lines
    said = (
        f"lines {[{True: 'ok', False: 'WRONG', None: '?'}[ln.valid] for ln in lines]}, "
        f"final {report.final_correct}"
    )
    wrong_at = want.get("first_wrong")
    for line in lines:
        before_wrong = wrong_at is None or line.number < wrong_at
        if before_wrong and line.valid is False:
            return Outcome("misjudged", f"line {line.number} called wrong: {said}")
        if line.number == wrong_at and line.valid is True:
            return Outcome("misjudged", f"wrong line {line.number} called valid: {said}")
    if want.get("final_correct") is not None and report.final_correct is not None:
        if bool(report.final_correct) != bool(want["final_correct"]):
            return Outcome("misjudged", f"final result judged {report.final_correct}: {said}")
    undecided = [
        ln.number for ln in lines if ln.valid is None and (wrong_at is None or ln.number < wrong_at)
    ]
    if undecided or report.final_correct is None:
        return Outcome("refused", f"undecided at lines {undecided}: {said}")
    if wrong_at is not None:
        found = report.first_wrong
        if found is None or found.number != wrong_at:
            return Outcome(
                "misjudged", f"first wrong line {found and found.number}, expected {wrong_at}"
            )
        if not _diagnosis_ok(entry.diagnosis, found.diagnosis):
            return Outcome("no-diagnosis", said)
    return Outcome("right", said)


def _run_claim(entry: Entry, cache: dict) -> Outcome:
    from check import check_numbers

    if entry.file not in cache:
        try:
            cache[entry.file] = check_numbers(str(FIXTURES / entry.file))
        except Exception as exc:  # noqa: BLE001
            cache[entry.file] = exc
    report = cache[entry.file]
    if isinstance(report, BaseException):
        return _from_exception(entry, report)
    claim = next((c for c in report.claims if c.key == entry.answer), None)
    if claim is None:
        return Outcome("refused", f"claim {entry.answer} not in the report")
    diagnoses = "; ".join(e.diagnosis for e in claim.entries if e.diagnosis)
    said = _said(claim.correct, diagnoses)
    if entry.expected == "correct":
        return Outcome("right" if claim.correct else "misjudged", said)
    if claim.correct:
        return Outcome("misjudged", said)
    return Outcome("right" if _diagnosis_ok(entry.diagnosis, diagnoses) else "no-diagnosis", said)


def run_all(entries: list[Entry]) -> dict[str, Outcome]:
    cache: dict = {}
    return {e.id: run_entry(e, cache) for e in entries}


# -- reporting ----------------------------------------------------------------------------


def summary(entries: list[Entry], outcomes: dict[str, Outcome]) -> str:
    """The table: entries read, judged right, refused, misjudged, per note and per kind."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for e in entries:
        status = outcomes[e.id].status
        for key in (f"note {e.note}", f"kind {e.kind}", "all"):
            rows[key][status] += 1
            rows[key]["n"] += 1
            read = status not in ("refused", "crash")
            rows[key]["read"] += read
    order = sorted(k for k in rows if k.startswith("note"))
    order += [f"kind {k}" for k in KINDS if f"kind {k}" in rows] + ["all"]
    head = f"{'':<16}{'entries':>8}{'read':>7}{'right':>7}{'no-diag':>8}{'refused':>8}{'misjudged':>10}{'crash':>6}"
    lines = [head]
    for key in order:
        c = rows[key]
        lines.append(
            f"{key:<16}{c['n']:>8}{c['read']:>7}{c['right']:>7}{c['no-diagnosis']:>8}"
            f"{c['refused']:>8}{c['misjudged']:>10}{c['crash']:>6}"
        )
    known = _known_quantities()
    if known is not None:
        answers = [e for e in entries if e.kind not in ("steps", "numbers")]
        existing = [e for e in answers if e.quantity in known]
        right = sum(outcomes[e.id].status == "right" for e in existing)
        lines.append(
            f"answers whose quantity exists today: {len(existing)} of {len(answers)}, "
            f"{right} judged right; quantities missing: {len({e.quantity for e in answers} - known)}"
        )
    wrong_on_correct = sum(
        1 for e in entries if e.expected_correct and outcomes[e.id].status == "misjudged"
    )
    lines.append(
        f"correct entries called wrong: {wrong_on_correct}; "
        f"wrong entries called correct: "
        f"{sum(1 for e in entries if not e.expected_correct and outcomes[e.id].status == 'misjudged')}"
    )
    return "\n".join(lines)


def _known_quantities() -> set[str] | None:
    try:
        from check import quantities

        return set(quantities.QUANTITIES)
    except (ImportError, AttributeError):
        return None


def not_right(entries: list[Entry], outcomes: dict[str, Outcome]) -> str:
    lines = []
    for status in ("crash", "misjudged", "refused", "no-diagnosis"):
        group = [e for e in entries if outcomes[e.id].status == status]
        if not group:
            continue
        lines.append(f"\n== {status} ({len(group)})")
        for e in group:
            shown = e.answer if e.kind != "steps" else "(derivation)"
            lines.append(f"{e.id}  [{e.quantity or e.kind}, expected {e.expected}]  {shown!r}")
            lines.append(f"    → {outcomes[e.id].detail}")
    return "\n".join(lines)


def todo_changes(entries: list[Entry], outcomes: dict[str, Outcome], todo: dict) -> str:
    now_right = [e.id for e in entries if e.id in todo and outcomes[e.id].status == "right"]
    stale = sorted(set(todo) - {e.id for e in entries})
    regressed = [e.id for e in entries if e.id not in todo and outcomes[e.id].status != "right"]
    out = []
    if now_right:
        out.append(f"listed as todo but now right (promote: run --write-todo): {len(now_right)}")
        out += [f"  {i}" for i in now_right]
    if regressed:
        out.append(f"not right and not in expected_failures.toml: {len(regressed)}")
        out += [f"  {i}: {outcomes[i].status}: {outcomes[i].detail}" for i in regressed]
    if stale:
        out.append(f"expected_failures.toml lists ids not in the corpus: {stale}")
    return "\n".join(out)


def _reason(e: Entry, o: Outcome) -> str:
    if o.status == "refused" and "UnknownNameError" in o.detail and e.quantity in o.detail:
        return f"quantity {e.quantity} does not exist yet"
    if o.status == "misjudged" and e.expected_correct:
        return "WRONG VERDICT: a correct entry is called wrong"
    if o.status == "misjudged":
        return "WRONG VERDICT: a wrong entry is called correct"
    if o.status == "no-diagnosis":
        return f"verdict right, diagnosis should say: {e.diagnosis}"
    if o.status == "crash":
        return "traceback"
    return {"refused": "not read"}.get(o.status, o.status)


def write_todo(entries: list[Entry], outcomes: dict[str, Outcome]) -> int:
    """Rewrite expected_failures.toml with every entry not right today."""
    lines = [
        "# Reviewed expected failures of the notes corpus: entries today's checker does not judge",
        "# right. Written by `python tests/corpus_report.py --write-todo`; reviewed by hand.",
        "# outcome: what the tool does today (refused, no-diagnosis, misjudged, crash);",
        "# reason: why, in words. tests/test_notes_corpus.py fails when an entry NOT listed here",
        "# is not right, when a listed one gets worse (a wrong verdict where it was refused), and",
        "# on every crash (listed or not: tracebacks are never expected).",
        "",
    ]
    count = 0
    for e in entries:
        o = outcomes[e.id]
        if o.status == "right":
            continue
        count += 1
        shown = e.answer if e.kind != "steps" else "(derivation)"
        lines += [
            "[[todo]]",
            f"id = {json.dumps(e.id, ensure_ascii=False)}",
            f"answer = {json.dumps(shown, ensure_ascii=False)}",
            'status = "todo"',
            f"outcome = {json.dumps(o.status)}",
            f"reason = {json.dumps(_reason(e, o), ensure_ascii=False)}",
            f"today = {json.dumps(o.detail[:240], ensure_ascii=False)}",
            "",
        ]
    TODO_FILE.write_text("\n".join(lines), encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--note", help="only the note with this prefix (000 … 004)")
    parser.add_argument("--all", action="store_true", help="print every entry's outcome")
    parser.add_argument("--write-todo", action="store_true", help="rewrite expected_failures.toml")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    entries = load_entries(args.note)
    start = time.perf_counter()
    outcomes = run_all(entries)
    elapsed = time.perf_counter() - start
    print(
        f"notes corpus: {len(entries)} entries from {len({e.note for e in entries})} notes, {elapsed:.1f} s"
    )
    print(summary(entries, outcomes))
    slowest = sorted(entries, key=lambda e: -outcomes[e.id].seconds)[:8]
    print("slowest: " + ", ".join(f"{e.id} {outcomes[e.id].seconds:.1f} s" for e in slowest))
    if args.all:
        for e in entries:
            o = outcomes[e.id]
            print(f"{o.status:<12} {e.id}  {o.detail}")
    print(not_right(entries, outcomes))
    changes = todo_changes(entries, outcomes, load_todo())
    if changes:
        print("\n" + changes)
    if args.write_todo:
        if args.note:
            parser.error("--write-todo needs the whole corpus (no --note)")
        print(
            f"\nwrote {write_todo(entries, outcomes)} expected failures to {TODO_FILE.relative_to(ROOT)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
