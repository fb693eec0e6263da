"""``backprop grade SUBMISSIONS --assignment A.toml -o OUTDIR``: a whole class in one command.

Writes OUTDIR/gradebook.csv (student, task, points, max, verdict, diagnosis), OUTDIR/report.json
and OUTDIR/misconceptions.html; prints a summary (or, with ``--json``, the report). The
assignment format is in :mod:`classroom.grade.assignment`, the submissions' layout in
:mod:`classroom.grade.submissions`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from derive.errors import BackpropError

OUTPUTS = ("gradebook.csv", "report.json", "misconceptions.html")


def register(sub) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a class's submissions against an assignment",
        description="Grade every submission (a folder, one entry per student, or a CSV with "
        "one row per student) against the tasks of an assignment file, in parallel, each task "
        "under a time and memory limit; write a gradebook, a JSON report and a misconception "
        "page.",
    )
    p.add_argument("submissions", metavar="SUBMISSIONS", help="a folder, or a CSV with --csv")
    p.add_argument("--assignment", required=True, metavar="A.toml", help="the assignment file")
    p.add_argument("-o", "--out", required=True, metavar="OUTDIR", help="folder for the results")
    p.add_argument("--csv", action="store_true", help="SUBMISSIONS is a CSV (an LMS export)")
    p.add_argument("--jobs", type=_jobs, metavar="N", help="worker processes (default: all cores)")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="first grade the assignment's model answers; refuse if any is not correct",
    )
    p.add_argument("--open", action="store_true", help="print the misconception page's path")
    p.add_argument("--json", action="store_true", help="print the JSON report")
    p.set_defaults(run=run)


def _jobs(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of processes from 1 to 256")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from backprop.output import write_text
    from classroom.grade.assignment import load_assignment
    from classroom.grade.page import misconception_page
    from classroom.grade.report import gradebook_csv, report_json
    from classroom.grade.runner import grade_class
    from classroom.grade.submissions import read_submissions

    assignment = load_assignment(args.assignment)
    submissions = read_submissions(args.submissions, assignment, as_csv=args.csv)
    out = _out_dir(args.out)
    with _progress(len(submissions)) as bar:
        result = grade_class(
            assignment, submissions, args.jobs, progress=bar.update, self_test=args.self_test
        )
    for name, judgement in result.models.items():
        if judgement.verdict != "correct":
            print(f"backprop: warning: task {name}: the model answer is graded "
                  f"{judgement.verdict} (see --self-test)", file=sys.stderr)  # fmt: skip
    report = report_json(assignment, result)
    write_text(out / "gradebook.csv", gradebook_csv(result.grades))
    write_text(out / "report.json", report)
    write_text(out / "misconceptions.html", misconception_page(assignment, result))
    if args.json:
        sys.stdout.write(report)
    else:
        print(_summary(assignment, result, len(submissions), out, args.self_test))
    if args.open:
        print((out / "misconceptions.html").resolve())
    return 0


def _out_dir(path: str) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise BackpropError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackpropError(f"cannot create {out}: {exc.strerror or exc}") from None
    return out


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass


def _progress(total: int):
    """A tqdm bar on stderr (none when tqdm is not installed or stderr is not a terminal)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    tqdm.monitor_interval = 0  # no monitor thread: the grading pool forks
    return tqdm(total=total, unit="submission", file=sys.stderr, disable=None, leave=False)


def _summary(assignment, result, count: int, out: Path, self_tested: bool) -> str:
    from classroom.grade.report import misconceptions, totals, verdict_counts

    lines = [
        f"{assignment.title}: {count} submissions graded in {result.grading_seconds:.1f} s "
        f"(after {result.setup_seconds:.1f} s loading the references"
        + (" and the self-test)" if self_tested else ")")
    ]
    for task in assignment.tasks:
        counts = verdict_counts(result.grades, task.name)
        shown = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        lines.append(f"  {task.name:<14} {task.mode:<8} {float(task.points):>5g} pts  {shown}")
    scores = totals(result.grades)
    best = float(sum(t.points for t in assignment.tasks))
    lines.append(f"  mean total {sum(scores.values()) / len(scores):.2f} of {best:g}")
    found = misconceptions(result.grades)
    if found:
        top = ", ".join(f"{m.key} ({m.students})" for m in found[:5])
        lines.append(f"  most common mistakes (students): {top}")
    lines.append("wrote " + ", ".join(str(out / name) for name in OUTPUTS))
    return "\n".join(lines)
