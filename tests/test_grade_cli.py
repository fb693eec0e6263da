"""``backprop grade`` end to end: outputs, --json, --open, --self-test, one-line errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from backprop.cli import main

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = """title = "Quiz"
[[task]]
name = "dz"
mode = "answer"
quantity = "softmax-ce"
points = 2
model = "MODEL"
"""


def _quiz(tmp_path: Path, model: str = "p_i - y_i") -> tuple[Path, Path]:
    assignment = tmp_path / "quiz.toml"
    assignment.write_text(ASSIGNMENT.replace("MODEL", model), encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "Timestamp,student,dz,Comments\n"
        "2026-12-01,ann,p_i - y_i,\n"
        "2026-12-01,bob,y_i - p_i,late\n"
        '2026-12-01,cat,"p_i - (y_i",\n'
        "2026-12-01,dan,,\n",
        encoding="utf-8",
    )
    return assignment, export


def test_grade_a_csv_export(tmp_path, capsys):
    assignment, export = _quiz(tmp_path)
    out = tmp_path / "out"
    argv = ["grade", str(export), "--csv", "--assignment", str(assignment), "-o", str(out)]
    assert main([*argv, "--jobs", "1", "--self-test", "--open"]) == 0
    printed = capsys.readouterr().out
    assert "Quiz: 4 submissions graded" in printed
    assert "1 correct, 1 incorrect, 1 unreadable, 1 not answered" in printed
    assert printed.rstrip().endswith(str((out / "misconceptions.html").resolve()))
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
    assert [(r["student"], r["points"], r["verdict"]) for r in rows] == [
        ("ann", "2", "correct"),
        ("bob", "0", "incorrect"),
        ("cat", "0", "unreadable"),
        ("dan", "0", "not answered"),
    ]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["misconceptions"][0]["mistake"] == "sign"
    assert report["totals"] == {"ann": 2.0, "bob": 0.0, "cat": 0.0, "dan": 0.0}


def test_json_output(tmp_path, capsys):
    assignment, export = _quiz(tmp_path)
    argv = ["grade", str(export), "--assignment", str(assignment), "-o", str(tmp_path / "o")]
    assert main([*argv, "--json", "--jobs", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["students"] == 4 and report["max_total"] == 2.0


def test_self_test_refuses_in_one_line(tmp_path, capsys):
    assignment, export = _quiz(tmp_path, model="y_i - p_i")
    argv = ["grade", str(export), "--assignment", str(assignment), "-o", str(tmp_path / "o")]
    assert main([*argv, "--self-test", "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("backprop: error: self-test failed: task dz: the model answer")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "o" / "gradebook.csv").exists()


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    assignment, export = _quiz(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[task]]\nname = "dz"\nmode = "essay"\npoints = 1\n', encoding="utf-8")
    out = str(tmp_path / "o")
    cases = [
        ["grade", str(export), "--assignment", str(bad), "-o", out],
        ["grade", str(tmp_path / "nowhere"), "--assignment", str(assignment), "-o", out],
        ["grade", str(export), "--assignment", str(assignment), "-o", str(export)],
        ["grade", str(export), "--assignment", str(assignment), "-o", out, "--jobs", "0"],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("backprop: error:") and len(err.splitlines()) == 1, err


def test_help_does_not_import_sympy():
    code = (
        "import sys\nfrom backprop.cli import main\ntry:\n    main(['grade', '--help'])\n"
        "except SystemExit:\n    pass\nprint('sympy' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines()[-1] == "False"


def test_an_unknown_quantity_is_refused_without_self_test(tmp_path, capsys):
    assignment, export = _quiz(tmp_path)
    assignment.write_text(assignment.read_text().replace("softmax-ce", "softmax-cee"))
    argv = ["grade", str(export), "--assignment", str(assignment), "-o", str(tmp_path / "o")]
    assert main([*argv, "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("backprop: error: task dz: the model answer is unreadable: unknown")
    assert len(err.splitlines()) == 1
