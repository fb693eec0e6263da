"""What a sandboxed child runs: an audit hook, then the student's function on every case.

Imported by :mod:`check.sandbox_server` (standard library and NumPy only). After
:func:`install_audit_hook` the process may read only the standard library, NumPy and its own
submission directory, write only inside its working directory, and may not open sockets,
start processes, send signals, load C libraries (ctypes) or look at interpreter frames. The
hook is a second wall behind the kernel's (user nobody, namespaces, resource limits): an audit
hook alone is not a security boundary, and the README says so.
"""

import json
import os
import sys
import traceback

import numpy as np

REFUSED = {
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill",
    "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "ctypes.call_function", "ctypes.addressof",
    "sys._getframe", "sys._current_frames", "sys.setprofile", "sys.settrace",
    "sys.addaudithook", "mmap.__new__", "os.chroot", "webbrowser.open", "urllib.Request",
}  # fmt: skip
REFUSED_IMPORTS = {"ctypes", "_ctypes", "_posixsubprocess", "socket", "_socket", "gc", "resource"}
WRITING = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink", "os.link",
           "os.chmod", "os.chown", "os.truncate", "os.utime", "shutil.rmtree"}  # fmt: skip
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _readable_roots(directory: str) -> tuple[str, ...]:
    """The import path (standard library, its mirror, NumPy's links), NumPy, our directory."""
    numpy_dir = os.path.dirname(os.path.realpath(np.__file__))
    on_path = tuple(os.path.realpath(p) + os.sep for p in sys.path if os.path.isdir(p))
    return (
        *on_path,
        os.path.dirname(os.__file__) + os.sep,
        numpy_dir + os.sep,
        numpy_dir + ".libs" + os.sep,
        os.path.realpath(directory) + os.sep,
        os.devnull,
    )


def install_audit_hook(directory: str) -> None:
    readable = _readable_roots(directory)
    work = os.path.realpath(os.path.join(directory, "work")) + os.sep

    def inside(path, roots) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor (ours: 0, 1, 2)
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == r.rstrip(os.sep) or real.startswith(r) for r in roots)

    def hook(event, args):
        if event in REFUSED or event.startswith(("socket.", "ctypes.", "winreg.")):
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "import" and args[0].partition(".")[0] in REFUSED_IMPORTS:
            raise PermissionError(f"sandbox: importing {args[0]} is not allowed")
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            if not inside(path, (work,) if writes else readable + (work,)):
                verb = "writing" if writes else "reading"
                raise PermissionError(f"sandbox: {verb} {path} is not allowed")
        if event in WRITING and not all(
            inside(a, (work,)) for a in args[:2] if isinstance(a, (str, bytes))
        ):
            raise PermissionError(f"sandbox: {event} outside the working directory")

    sys.addaudithook(hook)


def _status(**fields) -> None:
    with open("status.json", "w", encoding="utf-8") as handle:
        json.dump(fields, handle)


def _raised(exc, path, case) -> None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    message = " ".join(str(exc).split()) or "(no message)"
    _status(
        status="raised",
        type=type(exc).__name__,
        message=message[:300],
        line=frames[-1].lineno if frames else None,
        case=case,
    )


def run(directory: str, name: str, function: str, n_cases: int) -> None:
    """Load every case, lock the process down, then import and call the student's code."""
    cases = []
    for n in range(n_cases):
        with np.load(os.path.join(directory, f"case{n}.npz"), allow_pickle=False) as data:
            params = {k[2:]: data[k] for k in data.files if k.startswith("p_")}
            cases.append((params, data["X"], data["Y"]))
    path = os.path.join(directory, name)
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    install_audit_hook(directory)
    namespace = {"__name__": "student_code", "__file__": path, "__builtins__": __builtins__}
    try:
        exec(compile(source, path, "exec"), namespace)  # noqa: S102 - the sandboxed student code
    except BaseException as exc:  # noqa: B036 - the student's code may raise anything
        return _raised(exc, path, None)
    fn = namespace.get(function)
    if not callable(fn):
        return _status(status="no-function")
    for n, (params, X, Y) in enumerate(cases):
        try:
            result = fn(params, X, Y)
        except BaseException as exc:  # noqa: B036
            return _raised(exc, path, n)
        if not isinstance(result, dict):
            message = f"returned {type(result).__name__}, not a dict of arrays"
            return _status(status="bad-result", message=message)
        if not all(isinstance(k, str) and k.isidentifier() and len(k) <= 40 for k in result):
            return _status(status="bad-result", message="a key of the dict is not a name")
        try:
            arrays = {k: np.asarray(v, dtype=np.float64) for k, v in result.items()}
        except (TypeError, ValueError) as exc:
            return _status(
                status="bad-result", message=f"a value is not an array of numbers: {exc}"
            )
        os.mkdir(f"out{n}")
        for key, array in arrays.items():
            np.save(os.path.join(f"out{n}", f"{key}.npy"), array, allow_pickle=False)
    _status(status="ok")
