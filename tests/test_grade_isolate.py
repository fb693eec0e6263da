"""Each task of a submission under its own limits: a hang, a blow-up or a crash costs one task."""

from __future__ import annotations

import os
import signal
import time

from classroom.grade.assignment import Limits
from classroom.grade.credit import Judgement
from classroom.grade.isolate import judge_bounded

LIMITS = Limits(seconds=1.0, memory_mb=256)


def _fake_judge(task, given, student):
    """A stand-in checker: ``given`` says what it does."""
    if given == "spin":
        while True:
            pass
    if given == "sleep":
        time.sleep(60)
    if given == "allocate":
        return Judgement("correct", str(len(bytearray(20 << 30))))  # 20 GB
    if given == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if given == "recurse":

        def deeper(n):
            return deeper(n + 1) + 1

        deeper(0)
    if given == "bug":
        raise KeyError("a checker's bug")
    return Judgement("correct", given)


def _verdicts(givens):
    items = [("task", given, "ann") for given in givens]
    return [(j.verdict, j.diagnosis) for j in judge_bounded(items, LIMITS, _fake_judge)]


def test_the_rest_go_on_after_each_kind_of_failure():
    started = time.monotonic()
    got = _verdicts(["a", "spin", "b", "sleep", "allocate", "c", "die", "recurse", "bug", "d"])
    assert got[0] == ("correct", "a") and got[2] == ("correct", "b")
    assert got[5] == ("correct", "c") and got[9] == ("correct", "d")
    assert got[1] == ("error", "gave up after 1 s (the answer is too large to work with)")
    assert got[3][0] == "error" and got[3][1].startswith("gave up after 1 s")
    assert got[4] == ("error", "needs more than 256 MiB of memory")
    assert got[6] == ("error", "the grading process died (more than 256 MiB of memory?)")
    assert got[7] == ("error", "too deeply nested to work with")
    assert got[8] == ("error", "internal error: KeyError")
    assert time.monotonic() - started < 30


def test_no_items_no_child():
    assert judge_bounded([], LIMITS, _fake_judge) == []
