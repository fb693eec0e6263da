"""Run symbolic work on user input under a time and a memory limit, in a forked child.

>>> bounded_call(pow, 2, 10, seconds=5)  # doctest: +SKIP
1024

SymPy has no budget of its own: ``(a+b+c+f+g+k)^100`` expands to ~10⁸ terms, a nested
``g'(g'(...))`` doubles per level. :func:`bounded_call` forks (the child inherits everything
already imported, so this costs milliseconds), caps the child's address space (RLIMIT_AS) and
waits at most ``seconds``; whatever the function prints is captured and re-printed by the
parent only when it finished, so an exceeded limit leaves no half output. The child is our own
code working on user data, so its result travels back pickled over a pipe. Exceeding a limit,
running out of memory or recursion depth raises :class:`~derive.errors.BackpropError` with one
line. Where ``fork`` is not available the function runs directly.
"""

from __future__ import annotations

import io
import math
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback

from derive.errors import BackpropError

SECONDS = float(os.environ.get("BACKPROP_TIME_LIMIT", "60"))
MEMORY = 4 << 30  # bytes the child may add to what the parent has mapped already


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(write_fd: int, memory: int, function, args, kwargs) -> None:
    limit = _mapped_bytes() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    captured = io.StringIO()
    sys.stdout = captured
    try:
        outcome = ("ok", function(*args, **kwargs))
    except BackpropError as exc:
        outcome = ("error", type(exc), str(exc), exc.cli_message)
    except MemoryError:
        outcome = ("error", BackpropError, f"needs more than {memory >> 30} GiB of memory")
    except RecursionError:
        outcome = ("error", BackpropError, "too deeply nested to work with")
    try:
        payload = pickle.dumps((outcome, captured.getvalue()))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result is a bug: say which
        payload = pickle.dumps(((("error", BackpropError, f"internal: {exc}")), ""))
    with os.fdopen(write_fd, "wb") as pipe:
        pipe.write(payload)


def bounded_call(function, *args, seconds: float = SECONDS, memory: int = MEMORY, **kwargs):
    """``function(*args, **kwargs)`` in a child with at most ``seconds`` and ``memory`` bytes
    more than this process has; its return value, its prints replayed on our stdout."""
    if not hasattr(os, "fork"):
        return function(*args, **kwargs)
    sys.stdout.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        os.close(read_fd)
        code = 0
        try:
            _child(write_fd, memory, function, args, kwargs)
        except BaseException:  # noqa: B036 - a bug: show its traceback, then the parent says so
            traceback.print_exc()
            code = 70
        os._exit(code)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + seconds
    with os.fdopen(read_fd, "rb") as pipe:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([pipe], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise BackpropError(
                    f"gave up after {_seconds(seconds)}: the input is too large to work with "
                    "symbolically (expand less, or nest less)"
                )
            chunk = os.read(pipe.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 70:
        raise BackpropError("internal error (a bug; its traceback is above)")
    if not chunks:
        raise BackpropError(f"the worker died (status {status}): out of memory?")
    outcome, printed = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's result
    sys.stdout.write(printed)
    if outcome[0] == "error":
        cli_message = outcome[3] if len(outcome) > 3 else ""
        raise outcome[1](outcome[2], cli_message=cli_message)
    return outcome[1]


def _seconds(seconds: float) -> str:
    return f"{seconds:g} s" if math.isfinite(seconds) else "forever"


def bounded_run(args):
    """A subcommand's ``run(args)`` under the limits (the CLI calls this for ``limits=True``)."""
    return bounded_call(args.run, args, seconds=SECONDS)
