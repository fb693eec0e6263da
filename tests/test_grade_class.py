"""A synthetic class of 54 students, built from the notes' exercises, graded end to end.

The class is generated from the small table below (no committed files): correct answers, each
diagnosed mistake, unparsable and injected text, a symbolic blow-up, per-student numeric
variants (the ``backprop exercise make`` contract: each student's own solution file), and code
from examples/check/ plus hostile code (reads the teacher's files, opens a socket, allocates
20 GB, kills its parent, imports the tool's reference, exits early, loops forever). Every
grade, every partial credit and every misconception count is checked exactly against the
expectations typed in the table.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "check"

ASSIGNMENT = """
title = "Synthetic class"
[limits]
seconds = 3
memory_mb = 1024

[[task]]
name = "dz"
mode = "answer"
quantity = "softmax-ce"
points = 2
model = "p_i - y_i"

[[task]]
name = "dW"
mode = "answer"
quantity = "dense:dW"
points = 2
model = '\\delta h^{\\top}'
[[task.partial]]
diagnosis = "transposed"
fraction = 0.5
[[task.partial]]
diagnosis = "sign"
fraction = 0.25

[[task]]
name = "delta"
mode = "answer"
quantity = "dense:delta"
points = 1
model = "(W^T delta) ⊗ g'(z)"

[[task]]
name = "steps"
mode = "steps"
points = 2
model = '''
p = sigma(z)
d/dz (-y*log(p) - (1-y)*log(1-p))
= (-y/p + (1-y)/(1-p)) * p*(1-p)
= p - y
'''
[[task.partial]]
diagnosis = "wrong step"
fraction = 0.5

[[task]]
name = "num"
mode = "numbers"
points = 2
solutions = "solutions"
file = "answers.toml"

[[task]]
name = "code"
mode = "code"
spec = "SPEC"
points = 3
model = "MODEL"
[[task.partial]]
diagnosis = "summed loss"
fraction = 0.5
[[task.partial]]
diagnosis = "transposed"
fraction = 0.5
"""

STEPS_START = "p = sigma(z)\nd/dz (-y*log(p) - (1-y)*log(1-p))\n= (-y/p + (1-y)/(1-p)) * p*(1-p)\n"
# task -> answer kind -> (the answer, expected verdict, share of the points, mistake key)
ANSWERS = {
    "dz": {
        "right": ("p_i - y_i", "correct", 1, ""),
        "alt": ("\\hat{y}_k - y_k", "correct", 1, ""),
        "sign": ("y_i - p_i", "incorrect", 0, "sign"),
        "lost": ("q_1 y_1", "incorrect", 0, "lost minus"),
        "factor": ("2(p_i - y_i)", "incorrect", 0, "constant factor"),
        "swapped": ("y_i - y_i", "incorrect", 0, "swapped"),
        "unparsable": ("p_i - (y_i", "unreadable", 0, ""),
        "injection": ("__import__('os').system('touch /tmp/pwned')", "unreadable", 0, ""),
    },
    "dW": {
        "right": ("\\delta h^{\\top}", "correct", 1, ""),
        "transposed": ("h delta^T", "incorrect", Fraction(1, 2), "transposed"),
        "sign": ("-delta h^T", "incorrect", Fraction(1, 4), "sign"),
    },
    "delta": {
        "right": ("(W^T delta) ⊗ g'(z)", "correct", 1, ""),
        # once a blow-up (2^depth terms); now read at once and left undecided (no points
        # until a person looks), never called correct or wrong
        "blowup": ("g'(g'(g'(g'(g'(g'(g'(g'(z))))))))", "undecided", 0, ""),
    },
    "steps": {
        "right": (STEPS_START + "= (p - y)/(p*(1-p)) * p*(1-p)\n= p - y\n", "correct", 1, ""),
        "wrongstep": (
            STEPS_START + "= (p - y)/(p*(1-p)) * p\n= p - y\n",
            "incorrect",
            Fraction(1, 2),
            "wrong step",
        ),
        "wrongresult": (STEPS_START + "= y - p\n", "incorrect", 0, "sign"),
        "toolarge": ("d/dz (-y*log(p))\n= (a+b+c+f+g+k)^100\n", "unreadable", 0, ""),
        # right steps, but of another loss (½(p − y)²) than the task's
        "otherstart": ("p = sigma(z)\nd/dz ((p - y)^2/2)\n= (p - y)*p*(1-p)\n",
                       "incorrect", 0, "wrong start"),
    },
    # numbers: four claims, half a point each; "partial" flips delta2's sign, leaves one "?"
    "num": {
        "right": (None, "correct", 1, ""),
        "partial": (None, "incorrect", Fraction(1, 2), "sign"),
        "variant": (None, "wrong variant", 0, ""),
        "blank": (None, "not answered", 0, ""),
        "loose": (None, "incorrect", 0, "constant factor"),  # all doubled, tolerance = 100
    },
    "code": {
        "correct": ("student_correct.py", "correct", 1, ""),
        "transposed": ("student_transposed.py", "incorrect", Fraction(1, 2), "transposed"),
        "sign": ("student_sign_error.py", "incorrect", 0, "sign"),
        "scaled": ("student_scaled_by_m.py", "incorrect", Fraction(1, 2), "summed loss"),
        "raises": ("student_raises.py", "error", 0, ""),
        "loops": ("student_loops_forever.py", "error", 0, ""),
        "passwd": ("def gradients(params, X, Y):\n    raise ValueError(open('/etc/passwd').read())\n",
                   "error", 0, ""),  # fmt: skip
        "socket": ("import socket\ndef gradients(params, X, Y):\n"
                   "    socket.create_connection(('127.0.0.1', 22), timeout=1)\n", "error", 0, ""),
        "alloc": ("import numpy as np\ndef gradients(params, X, Y):\n"
                  "    return {'W1': np.ones((20 << 30) // 8)}\n", "error", 0, ""),
        "killer": ("import os, signal\ndef gradients(params, X, Y):\n"
                   "    os.kill(os.getppid(), signal.SIGKILL)\n", "error", 0, ""),
        "reference": ("import importlib\ndef gradients(params, X, Y):\n"
                      "    return importlib.import_module('generated.lecture').gradients(params, X, Y)[1]\n",
                      "error", 0, ""),
        "exits": ("import os\ndef gradients(params, X, Y):\n    os._exit(0)\n", "error", 0, ""),
    },
}  # fmt: skip
TASKS = ("dz", "dW", "delta", "steps", "num", "code")
POINTS = {"dz": 2, "dW": 2, "delta": 1, "steps": 2, "num": 2, "code": 3}
# (label, how many students, the answer kind per task in TASKS order; None: not answered)
CLASS = [
    ("a", 12, ("right", "right", "right", "right", "right", "correct")),
    ("b", 6, ("sign", "transposed", "right", "wrongstep", "partial", "transposed")),
    ("c", 5, ("lost", "sign", "right", "wrongresult", "right", "scaled")),
    ("d", 5, ("factor", "right", "right", "right", "variant", "sign")),
    ("e", 4, ("unparsable", "transposed", "right", "toolarge", "blank", "raises")),
    ("f", 4, ("swapped", "right", "right", None, None, "passwd")),
    ("g", 3, ("injection", "right", "right", "right", "right", "socket")),
    ("h", 3, ("alt", None, "right", "right", "right", "alloc")),
    ("i", 3, ("right", "right", "right", "right", "right", "killer")),
    ("j", 3, ("right", "right", "right", "right", "right", "reference")),
    ("k", 2, ("right", "right", "right", "right", "right", "exits")),
    ("l", 1, ("right", "right", "blowup", "right", "right", "correct")),
    ("n", 1, ("right", "right", "right", "right", "right", "loops")),
    ("o", 1, ("right", "right", "right", "otherstart", "loose", "correct")),
    ("m", 1, (None, None, None, None, None, None)),
]
GIVENS = """[network]
layers = [2, 2, 2]
activations = ["sigmoid", "sigmoid"]
loss = "mse"
[parameters]
W1 = [[0.1, 0.2], [0.3, 0.4]]
b1 = [0.5, 0.5]
W2 = [[0.6, 0.7], [0.8, 0.9]]
b2 = [0.1, 0.1]
[data]
x = [1.0, {x2}]
y = [0.0, 1.0]
"""
CLAIMS = ("h1", "yhat", "delta2", "dW2[2,1]")


def students() -> list[tuple[str, dict]]:
    """(name, {task: answer kind or None}) for every student of the class."""
    found = []
    for label, count, kinds in CLASS:
        for n in range(count):
            found.append((f"{label}{n:02d}", dict(zip(TASKS, kinds, strict=True))))
    return found


def _variant(number: int) -> str:
    return f"0.{number % 9 + 1}"  # the student's own x2: one of nine variants


@functools.cache
def _solution_claims(givens: str) -> dict:
    """The filled-in claims of a variant (4 decimals), computed by check.worked."""
    import tomllib

    from check.numbers_input import example_from_dict
    from check.worked import Solution

    solution = Solution(example_from_dict(tomllib.loads(givens)))

    def value(name, index):
        return round(float(solution.quantities[name].value(index)), 4)

    return {
        "h1": [value("h1", (0,)), value("h1", (1,))],
        "yhat": [value("h2", (0,)), value("h2", (1,))],
        "delta2": [value("delta2", (0,)), value("delta2", (1,))],
        "dW2[2,1]": value("dW2", (1, 0)),
    }


def _claims_toml(claims: dict) -> str:
    def show(v):
        return "[" + ", ".join(show(x) for x in v) + "]" if isinstance(v, list) else repr(v)

    rows = [f'"{k}" = {show(v)}' if "[" in k else f"{k} = {show(v)}" for k, v in claims.items()]
    return "[claims]\n" + "\n".join(rows) + "\n"


def _numbers_file(kind: str, number: int) -> str:
    mine = GIVENS.format(x2=_variant(number))
    claims = dict(_solution_claims(mine))
    if kind == "partial":
        claims["delta2"] = [-v for v in claims["delta2"]]
        claims["dW2[2,1]"] = "?"
    if kind == "blank":
        claims = dict.fromkeys(claims, "?")
    if kind == "loose":  # every claim doubled, and a tolerance that would accept anything
        claims = {
            k: [2 * x for x in v] if isinstance(v, list) else 2 * v for k, v in claims.items()
        }
        return mine + _claims_toml(claims) + "tolerance = 100\n"
    if kind == "variant":  # a neighbour's exercise, correctly worked
        mine = GIVENS.format(x2=_variant(number + 1))
        claims = _solution_claims(mine)
    return mine + _claims_toml(claims)


def build_class(root: Path) -> tuple[Path, Path]:
    """Write the assignment, the solutions and the submissions; (assignment, submissions)."""
    spec, model = ROOT / "examples" / "lecture.toml", EXAMPLES / "student_correct.py"
    text = ASSIGNMENT.replace("SPEC", str(spec)).replace("MODEL", str(model))
    (root / "assignment.toml").write_text(text, encoding="utf-8")
    solutions, subs = root / "solutions", root / "submissions"
    solutions.mkdir()
    subs.mkdir()
    for number, (name, kinds) in enumerate(students()):
        folder = subs / name
        folder.mkdir()
        givens = GIVENS.format(x2=_variant(number))
        (solutions / f"{name}.toml").write_text(givens + _claims_toml(_solution_claims(givens)))
        for task in ("dz", "dW", "delta", "steps"):  # text answers: one TASK.txt each
            if kinds[task]:
                (folder / f"{task}.txt").write_text(ANSWERS[task][kinds[task]][0])
        if kinds["num"]:  # the exercise contract: answers.toml is the numbers file
            (folder / "answers.toml").write_text(_numbers_file(kinds["num"], number))
        if kinds["code"]:
            source = ANSWERS["code"][kinds["code"]][0]
            if source.endswith(".py"):
                shutil.copy(EXAMPLES / source, folder / "code.py")
            else:
                (folder / "code.py").write_text(source)
    return root / "assignment.toml", subs


@functools.cache
def graded() -> dict:
    """The class graded once per test session (two test modules use it)."""
    from classroom.grade.assignment import load_assignment
    from classroom.grade.runner import grade_class
    from classroom.grade.submissions import read_submissions

    root = Path(tempfile.mkdtemp(prefix="grade-class-"))
    assignment_path, subs = build_class(root)
    assignment = load_assignment(assignment_path)
    submissions = read_submissions(subs, assignment)
    result = grade_class(assignment, submissions, jobs=2)
    return {"assignment": assignment, "result": result, "root": root}


def expected_grade(name: str, kinds: dict, task: str) -> tuple:
    kind = kinds[task]
    if kind is None:
        return ("not answered", 0.0, "")
    _, verdict, share, mistake = ANSWERS[task][kind]
    return (verdict, round(float(POINTS[task] * Fraction(share)), 2), mistake)


def test_class_is_large_enough():
    assert len(students()) >= 50


def test_every_grade_exactly():
    result = graded()["result"]
    got = {(g.student, g.task): (g.verdict, g.points, g.mistake) for g in result.grades}
    want = {
        (name, task): expected_grade(name, kinds, task)
        for name, kinds in students()
        for task in TASKS
    }
    wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    assert not wrong, "\n".join(f"{k}: got {g}, want {w}" for k, (g, w) in wrong.items())
    assert len(result.grades) == len(want)


def test_errors_say_why():
    grades = {(g.student, g.task): g for g in graded()["result"].grades}
    assert "time limit" in grades[("n00", "code")].diagnosis
    assert "MemoryError" in grades[("h00", "code")].diagnosis
    assert "not allowed" in grades[("f00", "code")].diagnosis
    assert "root:" not in grades[("f00", "code")].diagnosis  # the teacher's file stays unread
    assert grades[("e00", "dz")].verdict == "unreadable"
    assert "expression too large" in grades[("e00", "steps")].diagnosis
    assert not Path("/tmp/pwned").exists()
    assert "line 4" in grades[("b00", "steps")].diagnosis


def test_partial_credit_totals():
    from classroom.grade.report import totals

    got = totals(graded()["result"].grades)
    for name, kinds in students():
        want = round(sum(expected_grade(name, kinds, t)[1] for t in TASKS), 2)
        assert got[name] == want, name
    assert got["b00"] == 0 + 1 + 1 + 1 + 1 + 1.5


def test_misconception_counts_exactly():
    from classroom.grade.report import misconceptions

    want: dict[str, set] = {}
    for name, kinds in students():
        for task in TASKS:
            mistake = expected_grade(name, kinds, task)[2]
            if mistake:
                want.setdefault(mistake, set()).add(name)
    found = misconceptions(graded()["result"].grades)
    assert {m.key: m.students for m in found} == {k: len(v) for k, v in want.items()}
    by_key = {m.key: m for m in found}
    assert by_key["sign"].students == 16  # b (dz, num), c (dW, steps), d (code)
    assert by_key["transposed"].students == 10
    assert by_key["sign"].worst.points == 0 and by_key["sign"].worst.student == "b00"
    assert [m.key for m in found][:2] == ["sign", "transposed"]


def test_gradebook_csv_and_json(tmp_path):
    from classroom.grade.report import gradebook_csv, report_dict

    data = graded()
    rows = list(csv.DictReader(io.StringIO(gradebook_csv(data["result"].grades))))
    assert list(rows[0]) == ["student", "task", "points", "max", "verdict", "diagnosis"]
    assert len(rows) == len(students()) * len(TASKS)
    row = next(r for r in rows if r["student"] == "b00" and r["task"] == "dW")
    assert (row["points"], row["max"], row["verdict"]) == ("1", "2", "incorrect")
    assert row["diagnosis"].startswith("transposed")
    report = report_dict(data["assignment"], data["result"])
    json.dumps(report)  # serialisable
    assert report["students"] == len(students())
    counts = {t["name"]: t["verdicts"] for t in report["tasks"]}
    errors = sum(ANSWERS["code"][k["code"]][1] == "error" for _, k in students() if k["code"])
    assert counts["code"]["error"] == errors == 4 + 4 + 3 + 3 + 3 + 3 + 2 + 1
    assert counts["num"]["wrong variant"] == 5
    assert any("network namespace" in p or "audit hook" in p for p in report["sandbox"])


def test_rerun_after_changing_the_assignment_regrades(tmp_path):
    """No stale cache: another model answer and other points give other grades."""
    from classroom.grade.assignment import load_assignment
    from classroom.grade.runner import grade_class
    from classroom.grade.submissions import read_submissions

    path = tmp_path / "a.toml"
    path.write_text('[[task]]\nname = "dz"\nmode = "answer"\nquantity = "softmax-ce"\n'
                    'points = 2\nmodel = "p_i - y_i"\n')  # fmt: skip
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.toml").write_text('dz = "y_i - p_i"\n')
    first = grade_class(load_assignment(path), read_submissions(subs, load_assignment(path)), 1)
    assert first.grades[0].points == 0
    text = path.read_text().replace("points = 2", "points = 4")
    path.write_text(text + '[[task.partial]]\ndiagnosis = "sign"\nfraction = 0.5\n')
    again = grade_class(load_assignment(path), read_submissions(subs, load_assignment(path)), 1)
    assert (again.grades[0].points, again.grades[0].max_points) == (2.0, 4.0)


def test_self_test_refuses_a_wrong_model(tmp_path):
    from classroom.grade.assignment import load_assignment
    from classroom.grade.runner import grade_class
    from classroom.grade.submissions import read_submissions
    from derive.errors import BackpropError

    path = tmp_path / "a.toml"
    path.write_text('[[task]]\nname = "dz"\nmode = "answer"\nquantity = "softmax-ce"\n'
                    'points = 2\nmodel = "y_i - p_i"\n')  # fmt: skip
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ann.toml").write_text('dz = "p_i - y_i"\n')
    assignment = load_assignment(path)
    subs = read_submissions(tmp_path / "subs", assignment)
    with pytest.raises(BackpropError, match="self-test failed: task dz: the model answer"):
        grade_class(assignment, subs, 1, self_test=True)
