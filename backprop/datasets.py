"""Datasets to train on: truth tables, scikit-learn's bundled sets, and CSV or NPZ files.

>>> data = load_dataset("xor")
>>> data.X.shape, data.y.tolist(), data.task, data.n_classes
((4, 2), [0.0, 1.0, 1.0, 0.0], 'classification', 2)

Every dataset is an (m, n) float64 feature matrix ``X`` and a float64 target ``y``: class labels
of shape (m,) for classification (the spec decides how they are encoded), values of shape (m,)
or (m, k) for regression. Every problem with the data is a one-line ``BackpropError``.
"""

from __future__ import annotations

import csv
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backprop.dataset_names import BUILT_INS, SKLEARN, TRUTH_TABLES
from derive.errors import BackpropError, UnknownNameError
from derive.files import open_regular

MIN_EXAMPLES = 4
# a CSV without --label uses the first of these column names it has
LABEL_NAMES = ("label", "target", "y", "class")
INSTALL_HINT = "pip install 'backprop-derive[train]'"


@dataclass(frozen=True)
class Dataset:
    """Examples as rows.

    X: (m, n) float64 features.  y: (m,) float64 class labels (classification) or (m,) / (m, k)
    float64 values (regression).  task: "classification" or "regression" as far as the data can
    tell (integer or text labels read from a file count as classes; a regression spec may still
    use them as values).  n_classes: distinct labels (0 for regression).  class_names: a name per
    class index when the labels were text.  holdout: False for a truth table, whose rows are
    both the training and the test set.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    n_classes: int
    name: str
    class_names: tuple[str, ...] = ()
    holdout: bool = True


def _truth_table(name: str, outputs: list[int]) -> Dataset:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return Dataset(
        X, np.array(outputs, dtype=float), "classification", ("a", "b"), 2, name, holdout=False
    )


def load_dataset(name_or_path: str, label: str | None = None) -> Dataset:
    """A built-in dataset by name (see ``BUILT_INS``), or a .csv / .npz file.

    label: the CSV column or NPZ array holding the targets (CSV default: a column named one of
    ``LABEL_NAMES``; NPZ default: the array ``y``).
    """
    key = name_or_path.lower().replace("_", "-")
    if key in BUILT_INS and label is not None:
        raise BackpropError(
            f"label is for CSV and NPZ files; dataset '{key}' has its labels",
            cli_message=f"--label is for CSV and NPZ files; dataset '{key}' has its labels",
        )
    if key in TRUTH_TABLES:
        return _truth_table(key, TRUTH_TABLES[key])
    if key in SKLEARN:
        return _sklearn(key)
    path = Path(name_or_path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".npz"):
        if not path.is_file():
            raise BackpropError(f"dataset file {path} does not exist")
        data = _csv(path, label) if suffix == ".csv" else _npz(path, label)
        return _checked(data)
    raise UnknownNameError(
        f"unknown dataset '{name_or_path}': use one of {', '.join(BUILT_INS)}, "
        "or a .csv or .npz file"
    )


def _sklearn(name: str) -> Dataset:
    loader, task = SKLEARN[name]
    try:
        import sklearn.datasets
    except ImportError:
        raise BackpropError(f"dataset '{name}' needs scikit-learn: {INSTALL_HINT}") from None
    bunch = getattr(sklearn.datasets, loader)()  # bundled with scikit-learn: no download
    X, y = np.asarray(bunch.data, dtype=float), np.asarray(bunch.target, dtype=float)
    names = tuple(str(f) for f in getattr(bunch, "feature_names", ()))
    if task == "regression":
        return Dataset(X, y, task, names, 0, name)
    classes = tuple(str(c) for c in getattr(bunch, "target_names", range(int(y.max()) + 1)))
    return Dataset(X, y, task, names, len(classes), name, classes)


def _csv(path: Path, label: str | None) -> Dataset:
    """A CSV file with a header row; every feature column numeric, the label numeric or text."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = [(reader.line_num, row) for row in reader if any(f.strip() for f in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BackpropError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if not rows:
        raise BackpropError(f"{path} is empty")
    header = [name.strip() for name in rows[0][1]]
    if all(_is_number(name) for name in header):
        raise BackpropError(f"{path}: the first row must be a header naming the columns")
    if len(set(header)) != len(header):
        raise BackpropError(f"{path}: the header names a column twice")
    column = _label_column(path, header, label)
    features = [j for j in range(len(header)) if j != column]
    if not features:
        raise BackpropError(f"{path}: no feature columns besides the label '{header[column]}'")
    X = np.zeros((len(rows) - 1, len(features)))
    for n, (line, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise BackpropError(
                f"{path} line {line}: {len(row)} fields, but the header has {len(header)}"
            )
        X[n] = [_number(path, line, header[j], row[j]) for j in features]
    labeled = [(line, row[column].strip()) for line, row in rows[1:]]
    y, task, classes = _labels(path, header[column], labeled)
    n_classes = len(np.unique(y)) if task == "classification" else 0
    return Dataset(X, y, task, tuple(header[j] for j in features), n_classes, path.name, classes)


def _label_column(path: Path, header: list[str], label: str | None) -> int:
    if label is None:
        found = [name for name in LABEL_NAMES if name in header]
        if not found:
            columns = ", ".join(header)
            raise BackpropError(
                f"{path}: name the label column with label= (columns: {columns})",
                cli_message=f"{path}: name the label column with --label (columns: {columns})",
            )
        label = found[0]
    if label not in header:
        raise BackpropError(f"{path}: no column '{label}' (columns: {', '.join(header)})")
    return header.index(label)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(path: Path, line: int, column: str, text: str) -> float:
    text = text.strip()
    if not text:
        raise BackpropError(f"{path} line {line}, column '{column}': missing value")
    try:
        value = float(text)
    except ValueError:
        raise BackpropError(
            f"{path} line {line}, column '{column}': '{text}' is not a number"
        ) from None
    if not np.isfinite(value):
        raise BackpropError(f"{path} line {line}, column '{column}': {text} is not a finite number")
    return value


def _labels(
    path: Path, column: str, labeled: list[tuple[int, str]]
) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Numeric labels as they are (integers count as classes); text labels as class indices."""
    for line, text in labeled:
        if not text:
            raise BackpropError(f"{path} line {line}, column '{column}': missing value")
    if all(_is_number(text) for _, text in labeled):
        y = np.array([_number(path, line, column, text) for line, text in labeled])
        integral = bool(np.all(y == np.round(y)))
        return y, ("classification" if integral else "regression"), ()
    classes, y = np.unique([text for _, text in labeled], return_inverse=True)
    return y.astype(float), "classification", tuple(str(c) for c in classes)


MAX_NPZ_BYTES = 1 << 30
MAX_NPZ_ENTRIES = 1 << 27  # entries per array (1 GiB of float64)


def _check_npz_headers(path: Path) -> None:
    """Every member's .npy header, read before any data: a bounded shape that matches the
    member's real size (a header may claim 10¹² entries)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                read = getattr(np.lib.format, f"read_array_header_{version[0]}_0", None)
                if read is None:
                    raise ValueError(f"{info.filename}: unsupported .npy version {version}")
                shape, _, dtype = read(member, max_header_size=10_000)
                entries = int(np.prod(shape, dtype=object)) if shape else 1
                if entries > MAX_NPZ_ENTRIES or member.tell() + entries * dtype.itemsize != (
                    info.file_size
                ):
                    raise ValueError(f"{info.filename}: header claims {entries} entries")


def _npz(path: Path, label: str | None) -> Dataset:
    """An .npz archive with a feature array ``X`` and a label array (``y`` or --label NAME)."""
    label = label or "y"
    os.close(open_regular(path, MAX_NPZ_BYTES))  # no FIFO, device or huge file: before reading
    try:
        _check_npz_headers(path)
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise BackpropError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
    for name in ("X", label):
        if name not in arrays:
            raise BackpropError(
                f"{path}: no array '{name}' (arrays: {', '.join(arrays) or 'none'})"
            )
    X, y = arrays["X"], arrays[label]
    for name, array in (("X", X), (label, y)):
        if array.dtype.kind not in "biuf":
            raise BackpropError(f"{path}: array '{name}' is not numeric (dtype {array.dtype})")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or y.ndim not in (1, 2):
        raise BackpropError(
            f"{path}: X must be 2-D and '{label}' 1-D or 2-D, not shapes {X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise BackpropError(f"{path}: X has {len(X)} rows but '{label}' has {len(y)}")
    X, y = X.astype(float), y.astype(float)
    for name, array in (("X", X), (label, y)):
        bad = ~np.isfinite(array)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise BackpropError(f"{path}: array '{name}' has a NaN or infinite value at row {row}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    integral = y.ndim == 1 and bool(np.all(y == np.round(y)))
    task = "classification" if integral else "regression"
    n_classes = len(np.unique(y)) if integral else 0
    names = tuple(f"x{j}" for j in range(X.shape[1]))
    return Dataset(X, y, task, names, n_classes, path.name)


def _checked(data: Dataset) -> Dataset:
    if len(data.X) < MIN_EXAMPLES:
        raise BackpropError(
            f"dataset {data.name} has {len(data.X)} examples; at least {MIN_EXAMPLES} are needed"
        )
    return data
