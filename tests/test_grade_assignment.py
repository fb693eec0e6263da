"""Reading the assignment file: every field, and a one-line error naming the key for each mistake."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from classroom.grade.assignment import load_assignment
from derive.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_assignment():
    a = load_assignment(ROOT / "examples" / "class" / "assignment.toml")
    assert [t.name for t in a.tasks] == ["dz_out", "dW", "bce_steps", "forward", "backprop_code"]
    assert [t.mode for t in a.tasks] == ["answer", "answer", "steps", "numbers", "code"]
    dW = a.task("dW")
    assert dW.quantity == "dense:dW" and dW.points == 2
    assert [(r.diagnosis, r.fraction) for r in dW.partial] == [("transposed", Fraction(1, 2))]
    assert (
        a.task("forward").model.name == "forward_model.toml" and a.task("forward").model.is_file()
    )
    assert a.task("backprop_code").spec.name == "lecture.toml"
    assert a.task("bce_steps").model.strip().startswith("p = sigma(z)")
    assert a.limits.seconds == 5 and a.limits.memory == 2048 << 20
    assert [t.default_file for t in a.tasks] == [
        "dz_out.txt", "dW.txt", "bce_steps.txt", "forward.toml", "backprop_code.py",
    ]  # fmt: skip


TASK = '[[task]]\nname = "t"\nmode = "answer"\nquantity = "sigmoid"\npoints = 1\nmodel = "a(1-a)"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no \\[\\[task\\]\\]"),
        ("title = 3\n" + TASK, "title must be text"),
        ("colour = 1\n" + TASK, "unknown key 'colour'"),
        (TASK + TASK, "two tasks are called 't'"),
        (TASK.replace('"t"', '"a b"'), "name must be letters"),
        (TASK.replace('"answer"', '"essay"'), "mode must be one of"),
        (TASK.replace("points = 1", "points = -1"), "points must be > 0"),
        (TASK.replace("points = 1", "points = nan"), "points must be a number"),
        (TASK.replace('model = "a(1-a)"\n', ""), "needs a model answer"),
        (TASK + "spec = 'x.toml'\n", "unknown key 'spec' for mode answer"),
        (TASK + '[[task.partial]]\ndiagnosis = "sloppy"\nfraction = 0.5\n', "unknown diagnosis"),
        (TASK + '[[task.partial]]\ndiagnosis = "sign"\nfraction = 2\n', "between 0 and 1"),
        (TASK.replace('"answer"', '"code"').replace('quantity = "sigmoid"\n', 'spec = "no.toml"\n'),
         "no such file"),
        ("[limits]\nseconds = 1e9\n" + TASK, "limits.seconds"),
        ("[limits]\nmemory_mb = 1\n" + TASK, "limits.memory_mb"),
        ("[[task]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "a.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=message) as info:
        load_assignment(path)
    assert "\n" not in str(info.value)
