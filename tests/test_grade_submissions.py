"""Reading a class's submissions: student folders, single files, an LMS CSV export."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.grade.assignment import load_assignment
from classroom.grade.submissions import read_submissions
from derive.errors import BackpropError

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = load_assignment(ROOT / "examples" / "class" / "assignment.toml")


def test_the_example_class():
    subs = {s.student: s for s in read_submissions(ROOT / "examples/class/submissions", ASSIGNMENT)}
    assert sorted(subs) == ["ada", "ben", "cy", "dee"]
    ada = subs["ada"]
    assert sorted(ada.inputs) == ["backprop_code", "bce_steps", "dW", "dz_out", "forward"]
    assert ada.inputs["dz_out"] == "p_i - y_i"
    assert ada.inputs["forward"].name == "forward.toml"
    assert sorted(subs["cy"].inputs) == ["dW", "dz_out"]  # one file: cy.toml


def test_files_single_files_and_problems(tmp_path):
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "dz_out.txt").write_text("p - y\n")
    (tmp_path / "ann" / "answers.toml").write_text('dz_out = "ignored: the .txt wins"\ndW = 3\n')
    (tmp_path / "bob.py").write_text("def gradients(params, X, Y):\n    return {}\n")
    (tmp_path / "cat.toml").write_text("dz_out = [unclosed\n")
    (tmp_path / "dan.txt").write_text("d/dz (p)\n= 1\n")
    (tmp_path / ".hidden.toml").write_text('dz_out = "x"\n')
    (tmp_path / "notes.md").write_text("not a submission")
    subs = {s.student: s for s in read_submissions(tmp_path, ASSIGNMENT)}
    assert sorted(subs) == ["ann", "bob", "cat", "dan"]
    assert subs["ann"].inputs["dz_out"] == "p - y\n"
    assert subs["ann"].problems["dW"] == "answers.toml: dW must be text (in quotes)"
    assert subs["bob"].inputs["backprop_code"] == tmp_path / "bob.py"
    assert "not valid TOML" in subs["cat"].problems["dz_out"]
    assert subs["dan"].inputs["bce_steps"].startswith("d/dz")


def test_lms_csv(tmp_path):
    path = tmp_path / "quiz.csv"
    path.write_text(
        'Name,dz_out,Score,dW\nann,p - y,3,"h delta^T"\nbob,,1,\n,orphan,,\n', encoding="utf-8"
    )
    subs = read_submissions(path, ASSIGNMENT)
    assert [s.student for s in subs] == ["ann", "bob"]
    assert subs[0].inputs == {"dz_out": "p - y", "dW": "h delta^T"}
    assert subs[1].inputs == {}


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("student,other\nann,1\n", "no column is named after a task"),
        ("student,dz_out\nann,1\nann,2\n", "repeated student name"),
        ("", "empty CSV"),
    ],
)
def test_bad_csv(tmp_path, csv_text, message):
    path = tmp_path / "quiz.csv"
    path.write_text(csv_text, encoding="utf-8")
    with pytest.raises(BackpropError, match=message):
        read_submissions(path, ASSIGNMENT)


def test_empty_folder(tmp_path):
    with pytest.raises(BackpropError, match="no submissions found"):
        read_submissions(tmp_path, ASSIGNMENT)


def test_symbolic_links_are_not_followed(tmp_path):
    secret = tmp_path / "teacher-only.txt"
    secret.write_text("the exam's answers")
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "dz_out.txt").symlink_to(secret)
    (subs / "ann" / "backprop_code.py").symlink_to(secret)
    (subs / "bob").mkdir()
    (subs / "bob" / "answers.toml").symlink_to(secret)
    (subs / "cat").symlink_to(tmp_path)
    found = {s.student: s for s in read_submissions(subs, ASSIGNMENT)}
    assert sorted(found) == ["ann", "bob"]
    assert found["ann"].inputs == {}
    assert found["ann"].problems["dz_out"] == "dz_out.txt is a symbolic link (not followed)"
    assert "symbolic link" in found["ann"].problems["backprop_code"]
    assert "symbolic link" in found["bob"].problems["dz_out"]
