"""A submission's symbolic tasks in one forked child, each task under its own time limit.

>>> judged = judge_bounded(items, limits)  # doctest: +SKIP
>>> [j.verdict for j in judged]  # doctest: +SKIP
['correct', 'error', 'incorrect']

One fork per submission rather than per task (a fork of a process holding SymPy and the
references costs tens of milliseconds). The child (address space capped by RLIMIT_AS) sends
each task's :class:`~classroom.grade.credit.Judgement` down a pipe as soon as it has it. Each
task may use ``limits.seconds`` of CPU time (RLIMIT_CPU, re-armed per task: a machine busy
with other work does not turn a correct answer into a time-out) and at most
:data:`WALL_FACTOR` times that in wall-clock time (a task that sleeps or waits). A task over
its time is killed with the child and graded "error"; a child that dies (out of memory, a
crash) costs only the task it was on; a new child takes the remaining tasks. The child is our own code working on
the student's text; its results travel back pickled.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import struct
import sys
import time
import traceback

from classroom.grade.credit import Judgement
from derive.bounded import _mapped_bytes

_HEADER = struct.Struct("!I")
WALL_FACTOR = 3  # a task may take this many times its CPU seconds of wall-clock time


def _cpu_budget(seconds: float) -> None:
    """SIGXCPU (which ends the process) after ``seconds`` more CPU seconds, from now."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def judge_bounded(items: list, limits, judge) -> list[Judgement]:
    """``judge(task, given, student)`` for each (task, given, student) item, in order."""
    found: list[Judgement] = []
    while len(found) < len(items):
        found += _one_child(items[len(found) :], limits, judge)
    return found


def _one_child(items: list, limits, judge) -> list[Judgement]:
    """Judgements from one child: all of them, or up to and including the one it died on."""
    sys.stdout.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        os.close(read_fd)
        _child(write_fd, items, limits, judge)
        os._exit(0)
    os.close(write_fd)
    found, failure = [], None
    with os.fdopen(read_fd, "rb") as pipe:
        while len(found) < len(items):
            message = _receive(pipe, time.monotonic() + WALL_FACTOR * limits.seconds)
            if message is None or message == "timeout":
                failure = message
                break
            found.append(message)
    if failure == "timeout" or len(found) == len(items):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    if len(found) < len(items):
        cpu = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
        found.append(_failed("timeout" if cpu else failure, limits))
    return found


def _failed(message, limits) -> Judgement:
    if message == "timeout":
        why = f"gave up after {limits.seconds:g} s (the answer is too large to work with)"
    else:
        why = f"the grading process died (more than {limits.memory_mb} MiB of memory?)"
    return Judgement("error", why)


def _receive(pipe, deadline: float):
    """The next judgement, "timeout", or None when the child is gone."""
    header = _read_exactly(pipe, _HEADER.size, deadline)
    if not isinstance(header, bytes):
        return header
    body = _read_exactly(pipe, _HEADER.unpack(header)[0], deadline)
    if not isinstance(body, bytes):
        return body
    return pickle.loads(body)  # noqa: S301 - our own child's result


def _read_exactly(pipe, size: int, deadline: float):
    data = b""
    while len(data) < size:
        ready, _, _ = select.select([pipe], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            return "timeout"
        chunk = os.read(pipe.fileno(), size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _child(write_fd: int, items: list, limits, judge) -> None:
    memory = limits.memory
    limit = _mapped_bytes() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the checkers print nothing we want
    with os.fdopen(write_fd, "wb", buffering=0) as pipe:
        for task, given, student in items:
            _cpu_budget(limits.seconds)
            try:
                judgement = judge(task, given, student)
            except MemoryError:
                judgement = Judgement("error", f"needs more than {memory >> 20} MiB of memory")
            except RecursionError:
                judgement = Judgement("error", "too deeply nested to work with")
            except Exception as exc:  # noqa: BLE001 - a checker's bug: shown, this task only
                traceback.print_exc()
                judgement = Judgement("error", f"internal error: {type(exc).__name__}")
            body = pickle.dumps(judgement)
            pipe.write(_HEADER.pack(len(body)) + body)
