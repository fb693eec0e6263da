"""The pool: a worker that dies costs only the submission it died on."""

from __future__ import annotations

import os

from classroom.grade import runner
from classroom.grade.assignment import load_assignment
from classroom.grade.submissions import read_submissions


def _quiz(tmp_path):
    path = tmp_path / "quiz.toml"
    path.write_text('[[task]]\nname = "dz"\nmode = "answer"\nquantity = "softmax-ce"\n'
                    'points = 1\nmodel = "p_i - y_i"\n')  # fmt: skip
    subs = tmp_path / "subs"
    subs.mkdir()
    answers = ("p_i - y_i", "p_j - y_j", "p_k - y_k", "q_i - y_i", "q_j - y_j", "q_k - y_k")
    for name, answer in zip(("ann", "bob", "cat", "dan", "eve", "fay"), answers, strict=True):
        (subs / f"{name}.toml").write_text(f'dz = "{answer}"\n')
    assignment = load_assignment(path)
    return assignment, read_submissions(subs, assignment)


def test_a_dying_worker_takes_no_one_else_along(tmp_path, monkeypatch):
    assignment, submissions = _quiz(tmp_path)
    real = runner.judge_bounded

    def deadly(items, limits, judge):  # in a worker (forked after the patch): cat kills it
        if any(student == "cat" for _, _, student in items):
            os._exit(1)
        return real(items, limits, judge)

    monkeypatch.setattr(runner, "judge_bounded", deadly)
    result = runner.grade_class(assignment, submissions, jobs=2)
    verdicts = {g.student: (g.verdict, g.diagnosis) for g in result.grades}
    assert verdicts.pop("cat") == ("error", "the grading worker died on this submission")
    assert set(verdicts.values()) == {("correct", "")}, verdicts


def test_progress_counts_every_submission(tmp_path):
    assignment, submissions = _quiz(tmp_path)
    done = []
    runner.grade_class(assignment, submissions, jobs=2, progress=done.append)
    assert sum(done) == len(submissions)
