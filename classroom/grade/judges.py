"""One student's answer to one task, judged by the project's checkers: a :class:`Judgement`.

>>> judge(task, "y_i - p_i").verdict  # doctest: +SKIP
'incorrect'

One function per mode (:data:`JUDGES`): ``answer`` → :func:`check.check_answer`, ``steps`` →
:func:`check.check_steps` (the derivation must start from the model derivation's expression),
``numbers`` → :func:`check.check_numbers` (the student's claims only, on the reference file's
givens, index base and tolerance), ``code`` → :func:`check.check_code` in the sandbox. Input a
checker cannot read is "unreadable" with its one-line reason, never an exception.
"""

from __future__ import annotations

from pathlib import Path

from check.answer import check_answer
from check.code import check_code
from check.equivalence import decide
from check.numbers import check_numbers
from check.numbers_input import load_toml
from check.steps import check_steps, read
from check.steps_domain import domain_of
from classroom.grade.credit import OTHER, Judgement, Part, mistake_key
from derive.errors import BackpropError

SHOWN = 2000  # characters of an answer kept for the reports
GIVENS = ("network", "parameters", "data")


def judge(task, given, student: str = "", sandbox=None, seconds: float = 20.0) -> Judgement:
    """The checker's verdict on ``given`` (text, or a Path for numbers and code) for ``task``."""
    try:
        return JUDGES[task.mode](task, given, student=student, sandbox=sandbox, seconds=seconds)
    except BackpropError as exc:
        return Judgement("unreadable", str(exc), shown=_shown(given))


def _shown(given) -> str:
    text = given.name if isinstance(given, Path) else str(given)
    return text if len(text) <= SHOWN else text[:SHOWN] + " …"


def judge_answer(task, text: str, **_) -> Judgement:
    verdict = check_answer(task.quantity, text, notation=task.notation)
    status = {True: "correct", False: "incorrect", None: "undecided"}[verdict.correct]
    diagnosis = verdict.diagnosis or ""
    if status == "incorrect" and not diagnosis and verdict.counterexample:
        diagnosis = "not equal to the result " + verdict.expected
    key = (mistake_key(verdict.diagnosis) or OTHER) if status == "incorrect" else ""
    return Judgement(status, diagnosis, key, shown=_shown(text))


def judge_steps(task, text: str, **_) -> Judgement:
    report = check_steps(text)
    shown = _shown(text)
    if _other_start(text, task.model):
        return Judgement("incorrect", "the derivation starts from another expression than the "
                         "task's", "wrong start", shown=shown)  # fmt: skip
    wrong = report.first_wrong
    if report.final_correct is None or (wrong is None and not report.valid):
        return Judgement("undecided", "a line could not be decided", shown=shown)
    if report.final_correct and wrong is None:
        return Judgement("correct", shown=shown)
    if report.final_correct:
        said = f": {wrong.diagnosis}" if wrong.diagnosis else ""
        return Judgement("incorrect", f"the result is correct, but line {wrong.number} does not "
                         f"follow from the line before{said}", "wrong step", shown=shown)  # fmt: skip
    if wrong is not None and wrong.diagnosis:
        return Judgement(
            "incorrect", f"line {wrong.number}: {wrong.diagnosis}", mistake_key(wrong.diagnosis),
            shown=shown,
        )  # fmt: skip
    where = f"; line {wrong.number} is the first wrong line" if wrong else ""
    return Judgement("incorrect", f"the result is not {report.expected}{where}", OTHER, shown=shown)


def _other_start(text: str, model: str) -> bool:
    """Whether the derivation provably differentiates another expression than the model's
    (compared only when both are written in the same symbols)."""
    mine, theirs = read(text), read(model)
    a, b = mine.start.expr, theirs.start.expr
    if a.free_symbols != b.free_symbols:
        return False
    outcome, _ = decide(a, b, domain_of(mine.reader, [a, b], mine.one_hot))
    return outcome.equal is False


def reference_file(task, student: str) -> Path:
    """The file a numbers task's answer is judged against: the student's own solution file
    (``solutions``) or the model answer."""
    return task.model if task.solutions is None else task.solutions / f"{student}.toml"


def judge_numbers(task, path: Path, student: str = "", **_) -> Judgement:
    reference_path = reference_file(task, student)
    if not reference_path.is_file():
        return Judgement("error", f"no solution file {reference_path.name} for this student")
    reference, answer = load_toml(reference_path), load_toml(path)
    if any(answer.get(key) != reference.get(key) for key in GIVENS):
        whose = "this student's exercise" if task.solutions is not None else "the exercise"
        why = f"the network, parameters or data are not those of {whose}"
        return Judgement("wrong variant", why, shown=path.name)
    claims = {k: v for k, v in reference.get("claims", {}).items() if k != "tolerance"}
    theirs = answer.get("claims", {}) if isinstance(answer.get("claims"), dict) else {}
    answered = {k: theirs[k] for k in claims if k in theirs and not _blank(theirs[k])}
    parts = {k: Part(k, "not answered", "not answered") for k in claims if k not in answered}
    if answered:
        doc = {key: reference[key] for key in (*GIVENS, "index_base") if key in reference}
        doc["claims"] = dict(answered)
        if "tolerance" in reference.get("claims", {}):
            doc["claims"]["tolerance"] = reference["claims"]["tolerance"]
        for claim in check_numbers(doc).claims:
            first = next((e for e in claim.entries if not e.correct), None)
            if first is None:
                parts[claim.key] = Part(claim.key, "correct")
            else:
                why = f"{first.key}: {first.diagnosis or 'wrong value'}"
                key = mistake_key(first.diagnosis) or OTHER
                parts[claim.key] = Part(claim.key, "incorrect", why, key)
    ordered = tuple(parts[k] for k in claims)
    return _numbers_judgement(ordered, path.name)


def _blank(value) -> bool:
    """A claim left as "?" (or an array with a "?" in it): not answered."""
    if isinstance(value, list):
        return any(_blank(item) for item in value)
    return isinstance(value, str) and value.strip() == "?"


def _numbers_judgement(parts: tuple[Part, ...], shown: str) -> Judgement:
    right = sum(p.verdict == "correct" for p in parts)
    if not parts or all(p.verdict == "not answered" for p in parts):
        return Judgement("not answered", "every claim left as ?", shown=shown)
    if right == len(parts):
        return Judgement("correct", parts=parts, shown=shown)
    wrong = next((p for p in parts if p.verdict == "incorrect"), None)
    said = f"; {wrong.diagnosis}" if wrong else ""
    key = wrong.mistake if wrong else ""
    text = f"{right} of {len(parts)} claims correct{said}"
    return Judgement("incorrect", text, key, parts=parts, shown=shown)


def judge_code(task, path: Path, sandbox=None, seconds: float = 20.0, **_) -> Judgement:
    report = check_code(f"{path}:{task.function}", task.spec, timeout=seconds, sandbox=sandbox)
    if report.ok:
        return Judgement("correct", shown=path.name)
    if report.problem:
        return Judgement("error", report.problem, shown=path.name)
    wrong = [p for p in report.parameters if not p.ok]
    if not wrong:
        keys = ", ".join(report.extra_keys)
        return Judgement("incorrect", f"unexpected keys: {keys}", "wrong keys", shown=path.name)
    keys = {mistake_key(p.diagnosis) or OTHER for p in wrong}
    key = keys.pop() if len(keys) == 1 else OTHER
    names = ", ".join(p.name for p in wrong)
    said = wrong[0].diagnosis or wrong[0].verdict
    return Judgement("incorrect", f"{names} wrong: {said}", key, shown=path.name)


JUDGES = {
    "answer": judge_answer,
    "steps": judge_steps,
    "numbers": judge_numbers,
    "code": judge_code,
}
