"""The sandbox's fork server: loads NumPy once, then runs each submission in a fresh child.

Started by :mod:`check.sandbox` as ``python -I -S sandbox_server.py LIBDIR`` (optionally inside
``unshare --net --pid --mount-proc``, where it is PID 1 of its own PID namespace). Only the
standard library and NumPy (LIBDIR holds nothing but a link to it) are importable; the tool's
own packages are not on the path. Nothing secret is in its argv or environment.

Protocol, one JSON line each way on stdin/stdout:
  request  {"dir": D, "file": NAME, "function": F, "timeout": s, "memory": bytes, "cases": n}
  response {"exit": code, "signal": sig, "seconds": wall, "timeout": bool}
D (made by the parent) holds NAME (the student's file), case0.npz ... (inputs) and work/, an
empty directory that becomes the child's working directory. The child writes work/out<n>/<key>.npy
and work/status.json; the parent reads and validates them itself: nothing here decides a verdict.
"""

import json
import os
import resource
import select
import signal
import sys
import time

# One BLAS thread: the address-space limit must not be eaten by thread stacks.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
sys.path.append(sys.argv[1])
import numpy  # noqa: E402 - imported once here, inherited by every child
import numpy.linalg  # noqa: E402,F401
import numpy.random  # noqa: E402,F401

# What students' code commonly imports, loaded while the standard library is still readable
# (user nobody may not be able to read the interpreter's own directory).
PRELOAD = (
    "math", "cmath", "itertools", "functools", "collections", "operator", "copy", "random",
    "statistics", "typing", "dataclasses", "numbers", "decimal", "fractions", "warnings",
    "zipfile", "string", "re", "json", "enum", "abc", "contextlib", "time", "traceback",
    "encodings.cp437",
)  # fmt: skip
for _name in PRELOAD:
    __import__(_name)

NOBODY = 65534
MAX_OUTPUT = 16 * 2**20  # bytes any file the child writes may reach (prints included)
IS_INIT = os.getpid() == 1  # PID 1 of a PID namespace: immune to its children's signals
PRIVILEGED = os.geteuid() == 0


def _reap_all() -> None:
    """Kill whatever the submission left behind (setsid grandchildren too) and reap it."""
    if IS_INIT:
        try:
            os.kill(-1, signal.SIGKILL)  # from PID 1: every process of the namespace but us
        except ProcessLookupError:
            pass
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if not IS_INIT:
                return
            time.sleep(0.001)


def _limits(timeout: float, memory: int) -> None:
    cpu = int(timeout) + 1
    for name, value in (
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_FSIZE, MAX_OUTPUT),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_NPROC, 32),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(name, (value, value))


class _CappedText:
    """sys.stdout/stderr of the child: the first MAX_PRINT characters reach the output file,
    the rest is dropped (a correct but chatty submission stays correct)."""

    MAX_PRINT = 1 << 16

    def __init__(self, fd: int):
        self.fd, self.written = fd, 0

    def write(self, text: str) -> int:
        room = self.MAX_PRINT - self.written
        if room > 0:
            self.written += len(text[:room])
            os.write(self.fd, text[:room].encode("utf-8", errors="replace"))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _child(request: dict) -> None:
    """Runs in the forked child: limits, directory, identity, audit hook, then the student."""
    directory = request["dir"]
    work = os.path.join(directory, "work")
    os.setsid()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over-long writes fail instead of killing
    null = os.open(os.devnull, os.O_RDONLY)
    output = os.open(os.path.join(work, "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, 1 << 16)
    os.chdir(work)
    if PRIVILEGED:
        os.fchown(1, NOBODY, NOBODY)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    _limits(request["timeout"], request["memory"])
    sys.stdout = sys.stderr = _CappedText(1)
    from sandbox_child import run  # noqa: PLC0415 - the child's own code, after the limits

    run(directory, request["file"], request["function"], request["cases"])


def _serve_one(request: dict) -> dict:
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _child(request)
        except BaseException as exc:  # noqa: B036 - the child must never return into the loop
            code = 70
            try:
                os.write(2, f"sandbox: {type(exc).__name__}: {exc}\n".encode())
            except BaseException:  # noqa: B036, S110
                pass
        os._exit(code)
    fd = os.pidfd_open(pid)
    ready, _, _ = select.select([fd], [], [], request["timeout"])
    timed_out = not ready
    if timed_out:
        os.killpg(pid, signal.SIGKILL) if not IS_INIT else os.kill(-1, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _reap_all()
    return {
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "seconds": round(time.monotonic() - start, 4),
        "timeout": timed_out,
    }


def _use_visible_stdlib(mirror: str) -> None:
    """Point the import path at ``mirror``, a bind mount of the standard library that user
    nobody can read (made by the parent's ``unshare`` command in our own mount namespace)."""
    stdlib = os.path.dirname(os.__file__)
    if not os.path.isfile(os.path.join(mirror, "os.py")):
        return
    sys.path[:] = [
        p.replace(stdlib, mirror, 1) if p.startswith(stdlib) else p
        for p in sys.path
        if not p.endswith(".zip")
    ]
    for module in list(sys.modules.values()):  # packages already imported search their __path__
        path = getattr(module, "__path__", None)
        if isinstance(path, list):
            path[:] = [p.replace(stdlib, mirror, 1) if p.startswith(stdlib) else p for p in path]


def main() -> None:
    if len(sys.argv) > 2:
        _use_visible_stdlib(sys.argv[2])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for sandbox_child only
    import sandbox_child  # noqa: F401,PLC0415 - loaded once, before any submission

    sys.path.pop(0)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    print(json.dumps({"ready": True, "init": IS_INIT, "root": PRIVILEGED}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(_serve_one(request)), flush=True)


if __name__ == "__main__":
    main()
