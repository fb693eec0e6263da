"""Throughput of ``backprop grade``: submissions graded per second on this machine.

Two classes, built in a temporary folder:

    (a) 200 answer submissions × 5 answer tasks (softmax-ce, dense:dW, sigmoid, sigmoid-bce,
        mse), each answer drawn (seeded) from correct forms and the usual mistakes, with the
        index letter, spacing and notation varied (a text answer given by several students
        is judged once, as in a real class: the report says how many were distinct);
    (b) 100 code submissions for examples/lecture.toml drawn from examples/check/student_*.py
        (correct, transposed, sign error, scaled by m, raises, wrong keys; not the one that
        loops forever, which waits out its time limit by design).

Each is timed through :func:`classroom.grade.runner.grade_class` on all cores: the warm-up
(the model answers graded once in the parent, which loads every reference before the workers
fork) and the grading itself are shown apart; the targets (issue 12) are judged on the total.
Targets: (a) ≥ 20 submissions/s, (b) ≥ 5 submissions/s. A report, not a test: it prints
PASS/FAIL and always exits 0. The machine may be shared while it runs: numbers vary.

Usage::

    python bench/bench_grade.py [--students 200] [--code 100] [--jobs N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classroom.grade.assignment import load_assignment  # noqa: E402
from classroom.grade.runner import grade_class  # noqa: E402
from classroom.grade.submissions import read_submissions  # noqa: E402

ANSWERS = {  # task: (quantity, model, [answer templates]); {i} is an index letter
    "dz": ("softmax-ce", "p_i - y_i", [
        "p_{i} - y_{i}", "q_{i} - y_{i}", "y_{i} - p_{i}", "p_{i}y_{i}", "2(p_{i} - y_{i})",
        r"\hat{y}_{i} - y_{i}", "p_{i} -y_{i}",
    ]),
    "dW": ("dense:dW", r"\delta h^{\top}", [
        r"\delta h^{\top}", "delta h^T", "h delta^T", "dz h^T", "-delta h^T", "delta_{i} h_{j}",
    ]),
    "sig": ("sigmoid", "sigma(z)(1 - sigma(z))", [
        "sigma(z)(1 - sigma(z))", "sigma(z)*(1-sigma(z))", "sigma(z)(1 + sigma(z))", "a(1 - a)",
        r"\sigma(z)(1-\sigma(z))", "sigma(z)", "1 - sigma(z)",
    ]),
    "bce": ("sigmoid-bce", "p - y", ["p - y", "y - p", "p-y", "yhat - y", "p(1-p)", "2(p - y)"]),
    "mse": ("mse", "yhat - y", ["yhat - y", "y - yhat", "2(yhat - y)", "p - y", "yhat"]),
}  # fmt: skip
CODE = ["correct", "transposed", "sign_error", "scaled_by_m", "raises", "wrong_keys"]


def answer_class(folder: Path, students: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    lines = ['title = "bench: answers"']
    for name, (quantity, model, _) in ANSWERS.items():
        lines += ["[[task]]", f'name = "{name}"', 'mode = "answer"']
        lines += [f'quantity = "{quantity}"', "points = 1", f"model = '{model}'", ""]
    (folder / "assignment.toml").write_text("\n".join(lines), encoding="utf-8")
    subs = folder / "answers"
    subs.mkdir()
    for n in range(students):
        rows = []
        for name, (_, _, forms) in ANSWERS.items():
            text = rng.choice(forms).replace("{i}", rng.choice("ijk"))
            text = text.replace(" - ", rng.choice([" - ", "-", " -"]))
            rows.append(f"{name} = '{text}'")
        (subs / f"s{n:03d}.toml").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return subs


def code_class(folder: Path, students: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    spec = ROOT / "examples" / "lecture.toml"
    model = ROOT / "examples" / "check" / "student_correct.py"
    (folder / "code.toml").write_text(
        f'[[task]]\nname = "code"\nmode = "code"\nspec = "{spec}"\npoints = 5\nmodel = "{model}"\n',
        encoding="utf-8",
    )
    subs = folder / "code"
    subs.mkdir()
    for n in range(students):
        source = ROOT / "examples" / "check" / f"student_{rng.choice(CODE)}.py"
        shutil.copy(source, subs / f"s{n:03d}.py")
    return subs


def measure(assignment_path: Path, subs: Path, jobs: int | None) -> dict:
    assignment = load_assignment(assignment_path)
    submissions = read_submissions(subs, assignment)
    started = time.perf_counter()
    result = grade_class(assignment, submissions, jobs)
    total = time.perf_counter() - started
    distinct = len({(g.task, g.shown) for g in result.grades})
    return {
        "n": len(submissions),
        "total": total,
        "setup": result.setup_seconds,
        "grading": result.grading_seconds,
        "grades": result.grades,
        "distinct": distinct,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--code", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        folder = Path(tmp)
        runs = []
        if args.students > 0:
            subs = answer_class(folder, args.students)
            runs.append(("answers", measure(folder / "assignment.toml", subs, args.jobs), 20.0))
        if args.code > 0:
            subs = code_class(folder, args.code)
            runs.append(("code", measure(folder / "code.toml", subs, args.jobs), 5.0))
    for name, run, target in runs:
        rate = run["n"] / run["total"]
        verdict = "PASS" if rate >= target else "FAIL"
        print(
            f"{name:<8} {run['n']:>4} submissions ({len(run['grades'])} answers, "
            f"{run['distinct']} distinct) in {run['total']:.1f} s ({run['setup']:.1f} s loading "
            f"the references, {run['grading']:.1f} s grading): {rate:.1f} submissions/s "
            f"(target ≥ {target:g}) {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
