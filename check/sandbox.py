"""A sandbox for students' code: a fork server per worker, a fresh locked-down child per run.

>>> with Sandbox() as box:  # doctest: +SKIP
...     result = box.run(Path("student.py"), "gradients", cases, timeout=10.0)
>>> result.status, box.protections  # doctest: +SKIP
('ok', ['own network namespace (no network)', ...])

:class:`Sandbox` starts :mod:`check.sandbox_server` (``python -I -S``, NumPy loaded once), inside
``unshare --net --pid --mount-proc`` when the system allows it. Each :meth:`Sandbox.run` copies
the student's file and the cases (``.npz``) into a fresh directory, and the server forks a child
that runs as user nobody (when started as root) under CPU, address-space, process, file-size
and open-file limits, in an empty working directory, behind an audit hook
(:mod:`check.sandbox_child`). The parent then reads the child's arrays itself and validates
them (regular files, ``.npy`` headers checked before reading, float64, bounded size, no
pickle): the child's files and prints can say what happened, never decide a verdict.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

SERVER = Path(__file__).with_name("sandbox_server.py")
MEMORY = 1 << 30  # address space per child, bytes
MAX_FILE = 1 << 20  # the student's source, bytes
MAX_ENTRIES = 1 << 20  # entries per returned array
MAX_ARRAYS = 64  # arrays per case
MAX_STATUS = 1 << 16
NOBODY = 65534
START_TIMEOUT = 30.0
UNSHARE = ("unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc")
STATUSES = {"ok", "raised", "no-function", "bad-result"}


@dataclass
class RunResult:
    """status: ok | raised | no-function | bad-result | timeout | crashed; outputs: one dict of
    float64 arrays per case (for ok); detail: what the child said (type, message, line), checked."""

    status: str
    outputs: list[dict] = field(default_factory=list)
    detail: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def namespaces_available() -> bool:
    """Whether ``unshare`` can give a child its own network and PID namespaces here."""
    if not shutil.which("unshare"):
        return False
    try:
        done = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


class SandboxError(Exception):
    """The sandbox itself could not start (not the student's fault)."""


class Sandbox:
    """One fork server; :meth:`run` one submission at a time. Use as a context manager."""

    def __init__(self, memory: int = MEMORY):
        self.memory = memory
        self.base = Path(tempfile.mkdtemp(prefix="backprop-sandbox-"))
        self.base.chmod(0o711)  # nobody may enter a submission directory it knows, not list
        lib = self.base / "lib"
        lib.mkdir(mode=0o755)
        numpy_dir = Path(np.__file__).resolve().parent
        for target in (numpy_dir, numpy_dir.with_name("numpy.libs")):
            if target.exists():
                (lib / target.name).symlink_to(target)
        self.namespaces = namespaces_available()
        self.root = os.geteuid() == 0
        self.proc = None
        self._buffer = b""
        self._start()

    @property
    def protections(self) -> list[str]:
        """What was in force, one phrase each (shown in reports)."""
        found = []
        if self.namespaces:
            found += ["own network namespace (no network)", "own PID namespace (leftovers killed)"]
        if self.root:
            found.append("runs as user nobody")
        found += [
            f"limits: CPU time, {self.memory >> 20} MiB address space, 32 processes, "
            "16 MiB per file, 64 open files",
            "empty working directory",
            "imports: standard library and NumPy only",
            "audit hook: no files outside its directory, sockets, processes, signals, ctypes",
        ]
        return found

    # --- the server ---------------------------------------------------------------------------

    def _start(self) -> None:
        command = [sys.executable, "-I", "-S", str(SERVER), str(self.base / "lib")]
        if self.namespaces:
            # In the new mount namespace, mirror the standard library where nobody can read it.
            stdlib, mirror = os.path.dirname(os.__file__), self.base / "stdlib"
            mirror.mkdir(mode=0o755, exist_ok=True)
            mount = 'mount --bind -o ro "$0" "$1" 2>/dev/null; shift; exec "$@"'
            command = [*UNSHARE, "sh", "-c", mount, stdlib, str(mirror), *command, str(mirror)]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.base,
            env=env,
            start_new_session=True,
        )
        self._buffer = b""
        hello = self._readline(time.monotonic() + START_TIMEOUT)
        if not hello or not hello.get("ready"):
            self._stop()
            raise SandboxError("the sandbox could not start")

    def _stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                pipe.close()
            self.proc = None

    def _readline(self, deadline: float) -> dict | None:
        """One JSON object from the server, or None on EOF, garbage or the deadline."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or len(self._buffer) > 4096:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def close(self) -> None:
        self._stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- one submission -----------------------------------------------------------------------

    def run(self, path: Path, function: str, cases: list[dict], timeout: float) -> RunResult:
        """Call ``function(params, X, Y)`` from ``path`` on each case ({"params", "X", "Y"})."""
        source = _read_source(path)
        directory = self.base / secrets.token_hex(12)
        directory.mkdir(mode=0o755)
        try:
            return self._run_in(directory, path.name, source, function, cases, timeout)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def _run_in(self, directory, name, source, function, cases, timeout) -> RunResult:
        name = name if name.isascii() and name[:-3].isidentifier() else "student.py"
        (directory / name).write_bytes(source)
        for n, case in enumerate(cases):
            arrays = {f"p_{k}": v for k, v in case["params"].items()}
            np.savez(directory / f"case{n}.npz", X=case["X"], Y=case["Y"], **arrays)
        for child in directory.iterdir():
            child.chmod(0o644)
        work = directory / "work"
        work.mkdir(mode=0o700)
        if self.root:
            os.chown(work, NOBODY, NOBODY)
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        request = {
            "dir": str(directory),
            "file": name,
            "function": function,
            "timeout": timeout,
            "memory": self.memory,
            "cases": len(cases),
        }
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            self._stop()
            return RunResult("crashed", detail={"message": "the sandbox worker died"})
        reply = self._readline(time.monotonic() + timeout + 10.0)
        if reply is None:  # the server hung or died: never trust it again
            self._stop()
            return RunResult("crashed", detail={"message": "the sandbox worker stopped answering"})
        if reply.get("timeout"):
            return RunResult("timeout", detail={"seconds": timeout})
        status = _read_status(work / "status.json")
        if status is None:
            return RunResult(
                "crashed", detail={"message": _last_output(work), **_exit_detail(reply)}
            )
        if status["status"] != "ok":
            return RunResult(status.pop("status"), detail=status)
        outputs = []
        for n in range(len(cases)):
            arrays = _read_arrays(work / f"out{n}")
            if isinstance(arrays, str):
                return RunResult("bad-result", detail={"message": arrays})
            outputs.append(arrays)
        return RunResult("ok", outputs)


def _exit_detail(reply: dict) -> dict:
    sig = reply.get("signal")
    if isinstance(sig, int):
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return {"returncode": -sig, "signal": name}
    code = reply.get("exit")
    return {"returncode": code if isinstance(code, int) else None}


def _last_output(work: Path) -> str:
    """The last line the child printed (its output file is capped; only the tail is read)."""
    handle = _open_regular(work / "output.txt", 1 << 30)
    if handle is None:
        return "no output"
    with handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(max(0, size - 2048))
        tail = handle.read(2048).decode("utf-8", errors="replace").strip().splitlines()
    return " ".join(tail[-1].split())[:300] if tail else "no output"


def _read_source(path: Path) -> bytes:
    from derive.errors import BackpropError  # noqa: PLC0415 - keep this module light

    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise BackpropError(f"{path}: not a regular file")
            source = handle.read(MAX_FILE + 1)
    except OSError as exc:
        raise BackpropError(f"{path}: {exc.strerror}") from None
    if len(source) > MAX_FILE:
        raise BackpropError(f"{path}: larger than {MAX_FILE >> 10} KiB")
    return source


def _open_regular(path: Path, limit: int):
    """A regular file (no symlink, no FIFO) of at most ``limit`` bytes, opened; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        return None
    return os.fdopen(fd, "rb")


def _read_status(path: Path) -> dict | None:
    """The child's status.json, reduced to known fields of known types; None if unusable."""
    handle = _open_regular(path, MAX_STATUS)
    if handle is None:
        return None
    with handle:
        try:
            raw = json.loads(handle.read())
        except ValueError:
            return None
    if not isinstance(raw, dict) or raw.get("status") not in STATUSES:
        return None
    status = {"status": raw["status"]}
    for key, kind, limit in (("type", str, 80), ("message", str, 300)):
        if isinstance(raw.get(key), kind):
            status[key] = " ".join(raw[key].split())[:limit]
    for key in ("line", "case"):
        value = raw.get(key)
        status[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    if status["status"] in {"raised", "bad-result"} and "message" not in status:
        status["message"] = "(no message)"
    status.setdefault("type", "Exception")
    return status


def _read_arrays(directory: Path) -> dict | str:
    """name → float64 array from ``directory/<name>.npy``, each validated; or a problem."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return "no result was saved"
    if len(entries) > MAX_ARRAYS:
        return f"more than {MAX_ARRAYS} arrays"
    arrays = {}
    for entry in entries:
        key = entry.name[:-4]
        if not entry.name.endswith(".npy") or not key.isidentifier():
            return f"unexpected file {entry.name[:40]!r}"
        array = read_npy(Path(entry.path))
        if array is None:
            return f"the array '{key}' is not a valid float64 array"
        arrays[key] = array
    return arrays


def read_npy(path: Path, max_entries: int = MAX_ENTRIES) -> np.ndarray | None:
    """A float64 ``.npy`` whose header is checked before any data is read; None if invalid."""
    handle = _open_regular(path, max_entries * 8 + 4096)
    if handle is None:
        return None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        try:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(handle, max_header_size=1024)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(handle, max_header_size=1024)
            else:
                return None
            shape, fortran, dtype = header
            entries = int(np.prod(shape, dtype=np.int64)) if shape else 1
            if dtype != np.dtype("<f8") or not 0 <= entries <= max_entries:
                return None
            if size != handle.tell() + entries * 8:
                return None
            handle.seek(0)
            array = np.lib.format.read_array(handle, allow_pickle=False, max_header_size=1024)
        except (ValueError, OSError, EOFError, OverflowError):
            return None
    return np.ascontiguousarray(array, dtype=np.float64)
