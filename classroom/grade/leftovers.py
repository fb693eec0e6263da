"""Ending what a grading pool leaves behind (Linux; elsewhere these do nothing).

A pool whose worker dies mid-task may leave its other workers blocked on the pool's queue for
ever, orphaned: they would keep the terminal's (or CI's) pipe open after the verdicts. The
grading process becomes a child subreaper, so such orphans are re-parented to it rather than to
init, and after each pool :func:`end_new_children` kills and reaps every child that was not
there before.

>>> before = children()
>>> end_new_children(before)
0
"""

from __future__ import annotations

import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants of this process become its children (not init's)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def children() -> set[int]:
    """The PIDs whose parent is this process (read from /proc; empty where there is none)."""
    me, found = os.getpid(), set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # after "pid (comm)": state, ppid, ...
        if len(fields) > 1 and fields[1] == str(me):
            found.add(int(entry))
    return found


def end_new_children(before: set[int]) -> int:
    """Kill and reap the children not in ``before``; how many there were."""
    new = children() - before
    for pid in new:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in new:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # reaped already (by multiprocessing, say)
            pass
    return len(new)
