"""Reading a class roster (CSV with a header row; ``id`` and ``name`` columns, others ignored;
separated by commas, or semicolons or tabs as some spreadsheets write).

::

    id,name
    s001,Ada Lovelace
    s002,"Turing, Alan"

An id names the student's folder, so it is 1 to 64 letters, digits, ``_``, ``-`` or ``.``
(not starting with ``.``) and unique; ``solutions`` is taken by the solutions folder.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from derive.errors import SpecError
from derive.files import read_text

ID_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")
RESERVED_IDS = {"solutions"}
MAX_STUDENTS = 5000
MAX_NAME = 200
DELIMITERS = (",", ";", "\t")  # the first that occurs most in the header row separates


@dataclass(frozen=True)
class Student:
    id: str
    name: str


def load_roster(path: str | Path) -> list[Student]:
    """The students of the CSV file at ``path``, in the file's order."""
    return roster_from_text(read_text(path), str(path))


def roster_from_text(text: str, source: str = "roster") -> list[Student]:
    """The students of a CSV text (see the module docstring); SpecError names the row."""
    text = text.removeprefix("\ufeff")  # a spreadsheet's byte-order mark
    first = text.lstrip().partition("\n")[0]
    delimiter = max(DELIMITERS, key=first.count)  # "," or what a spreadsheet wrote instead
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise SpecError(f"{source}: not a CSV file ({exc})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SpecError(f"{source}: empty (expected a header row: id,name)")
    header = [cell.strip().lower() for cell in rows[0]]
    if "id" not in header or "name" not in header:
        raise SpecError(f"{source}: the header row needs the columns id and name")
    id_at, name_at = header.index("id"), header.index("name")
    if len(rows) - 1 > MAX_STUDENTS:
        raise SpecError(f"{source}: more than {MAX_STUDENTS} students")
    students, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        where = f"{source}, row {line}"
        if len(row) <= max(id_at, name_at):
            raise SpecError(f"{where}: expected an id and a name")
        student = Student(_id(row[id_at].strip(), where), _name(row[name_at].strip(), where))
        if student.id in seen:
            raise SpecError(f"{where}: id {student.id!r} appears twice")
        seen.add(student.id)
        students.append(student)
    if not students:
        raise SpecError(f"{source}: no students after the header row")
    return students


def _id(value: str, where: str) -> str:
    if not ID_PATTERN.fullmatch(value) or value in RESERVED_IDS:
        raise SpecError(
            f"{where}: id {value[:70]!r} must be 1 to 64 letters, digits, _, - or . "
            "(it names a folder; 'solutions' is taken)"
        )
    return value


def _name(value: str, where: str) -> str:
    if not value or len(value) > MAX_NAME or any(ord(c) < 32 or c == "\x7f" for c in value):
        raise SpecError(f"{where}: the name must be 1 to {MAX_NAME} printable characters")
    return value
