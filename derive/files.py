"""Reading and writing the files users name: regular files only, a size cap, UTF-8 or one line of
error; writes are atomic (a temporary file and a rename), so a failed run never leaves a
half-written file.

>>> read_text("examples/xor.toml")[:6]  # doctest: +SKIP
'# XOR:'

``/dev/zero`` would be read forever, a FIFO would block ``open`` itself, a file that is not
UTF-8 would end in a UnicodeDecodeError: each is a :class:`~derive.errors.BackpropError`
here, raised before anything is read (the file is opened non-blocking and checked with fstat).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from derive.errors import BackpropError

MAX_TEXT = 1 << 20  # a spec, an answers file, a steps file: far below a mebibyte


def open_regular(path: str | os.PathLike, limit: int) -> int:
    """A descriptor of ``path`` if it is a regular file of at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise BackpropError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise BackpropError(f"cannot read {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BackpropError(f"cannot read {path}: not a regular file")
    if info.st_size > limit:
        os.close(fd)
        raise BackpropError(f"cannot read {path}: larger than {limit >> 10} KiB")
    return fd


def read_bytes(path: str | os.PathLike, limit: int = MAX_TEXT) -> bytes:
    """The contents of a regular file of at most ``limit`` bytes."""
    with os.fdopen(open_regular(path, limit), "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise BackpropError(f"cannot read {path}: larger than {limit >> 10} KiB")
    return data


def read_text(path: str | os.PathLike, limit: int = MAX_TEXT) -> str:
    """A UTF-8 text file (BOM allowed) of at most ``limit`` bytes."""
    try:
        return read_bytes(path, limit).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BackpropError(f"cannot read {path}: not UTF-8 text (byte {exc.start})") from None


def check_output_target(path: str | os.PathLike) -> None:
    """Refuse to replace anything but a regular file (``-o /dev/null`` must not destroy it)."""
    target = Path(path)
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise BackpropError(f"cannot write {target}: not a regular file")


def write_text(path: str | os.PathLike | None, text: str) -> None:
    """Write text to path (or stdout for None / "-"), via a temporary file and a rename."""
    if path is None or str(path) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    target = Path(path)
    check_output_target(target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise BackpropError(f"cannot write {target}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise BackpropError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BackpropError(f"cannot write {target}: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
