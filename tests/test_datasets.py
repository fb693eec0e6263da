"""backprop.datasets: built-in truth tables, scikit-learn's bundled sets, CSV and NPZ files, and
a one-line error for every kind of bad data."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from backprop.datasets import SKLEARN, load_dataset
from derive.errors import BackpropError, UnknownNameError


def test_truth_tables():
    xor, or_ = load_dataset("xor"), load_dataset("or")
    assert xor.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert xor.y.tolist() == [0, 1, 1, 0] and or_.y.tolist() == [0, 1, 1, 1]
    assert (xor.task, xor.n_classes, xor.holdout) == ("classification", 2, False)


SHAPES = {
    "digits": (1797, 64, "classification", 10),
    "iris": (150, 4, "classification", 3),
    "wine": (178, 13, "classification", 3),
    "breast-cancer": (569, 30, "classification", 2),
    "diabetes": (442, 10, "regression", 0),
}


@pytest.mark.parametrize("name", list(SKLEARN))
def test_sklearn_datasets(name):
    pytest.importorskip("sklearn")
    data = load_dataset(name)
    m, n, task, n_classes = SHAPES[name]
    assert data.X.shape == (m, n) and data.y.shape == (m,)
    assert (data.task, data.n_classes, data.name) == (task, n_classes, name)
    assert len(data.feature_names) == n and data.holdout
    assert data.X.dtype == data.y.dtype == np.float64


def test_names_accept_underscores_and_capitals():
    pytest.importorskip("sklearn")
    assert load_dataset("Breast_Cancer").name == "breast-cancer"


def test_missing_sklearn_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(BackpropError) as error:
        load_dataset("digits")
    assert str(error.value) == (
        "dataset 'digits' needs scikit-learn: pip install 'backprop-derive[train]'"
    )


def test_built_ins_take_no_label():
    with pytest.raises(BackpropError, match="label is for CSV and NPZ files; dataset 'xor'"):
        load_dataset("xor", label="y")


def test_unknown_name():
    with pytest.raises(
        UnknownNameError, match="unknown dataset 'mnist': use one of xor, or, digits"
    ):
        load_dataset("mnist")


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_with_named_label(tmp_path):
    data = load_dataset(write(tmp_path, "a,b,kind\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n"), label="kind")
    assert data.X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert data.y.tolist() == [0, 1, 1, 0]
    assert (data.feature_names, data.task, data.n_classes) == (("a", "b"), "classification", 2)


def test_csv_label_column_by_convention_and_text_labels(tmp_path):
    data = load_dataset(write(tmp_path, "x,label\n1,cat\n2,dog\n3,cat\n4,eel\n\n"))
    assert data.y.tolist() == [0, 1, 0, 2] and data.class_names == ("cat", "dog", "eel")


def test_csv_continuous_label_is_regression(tmp_path):
    data = load_dataset(write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,2.5\n4,3.25\n"))
    assert (data.task, data.n_classes) == ("regression", 0)


BAD_CSV = [
    ("a,b,label\n1,2,0\n3,nan,1\n5,6,0\n7,8,1\n", None, "line 3, column 'b': nan is not a finite"),
    ("a,b,label\n1,2,0\n3,inf,1\n5,6,0\n7,8,1\n", None, "column 'b': inf is not a finite number"),
    ("a,b,label\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n", None, "line 3, column 'b': 'x' is not a number"),
    ("a,b,label\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", None, "line 3, column 'b': missing value"),
    ("a,b,label\n1,2,0\n3,4\n5,6,0\n7,8,1\n", None, "line 3: 2 fields, but the header has 3"),
    ("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", "kind", "no column 'kind' (columns: a, b, label)"),
    ("a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", None, "name the label column with label="),
    ("1,2,0\n3,4,1\n5,6,0\n7,8,1\n", None, "the first row must be a header"),
    ("a,a,label\n1,2,0\n", None, "the header names a column twice"),
    ("label\n1\n2\n3\n4\n", None, "no feature columns besides the label 'label'"),
    ("a,label\n1,0\n2,1\n", None, "data.csv has 2 examples; at least 4 are needed"),
    ("", None, "is empty"),
]


@pytest.mark.parametrize("text, label, message", BAD_CSV)
def test_bad_csv(tmp_path, text, label, message):
    with pytest.raises(BackpropError) as error:
        load_dataset(write(tmp_path, text), label=label)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(BackpropError, match="dataset file .*nope.csv does not exist"):
        load_dataset(str(tmp_path / "nope.csv"))


def save_npz(tmp_path, **arrays):
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    return str(path)


def test_npz_default_and_named_labels(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    data = load_dataset(save_npz(tmp_path, X=X, y=[0, 1, 0, 1, 0, 1]))
    assert data.X.tolist() == X.tolist() and (data.task, data.n_classes) == ("classification", 2)
    data = load_dataset(save_npz(tmp_path, X=X, price=np.linspace(0, 1, 6)[:, None]), "price")
    assert data.y.shape == (6,) and data.task == "regression"
    data = load_dataset(save_npz(tmp_path, X=X, y=np.ones((6, 2)) / 3))
    assert data.y.shape == (6, 2) and data.task == "regression"


BAD_NPZ = [
    ({"X": np.ones((5, 2))}, "no array 'y' (arrays: X)"),
    ({"X": np.ones((5, 2)), "y": np.ones(4)}, "X has 5 rows but 'y' has 4"),
    (
        {"X": np.array([[1.0], [np.nan], [1], [1]]), "y": np.ones(4)},
        "'X' has a NaN or infinite value at row 1",
    ),
    (
        {"X": np.ones((4, 1)), "y": np.array([0, 1, np.inf, 1])},
        "'y' has a NaN or infinite value at row 2",
    ),
    ({"X": np.array([["a"], ["b"], ["c"], ["d"]]), "y": np.ones(4)}, "array 'X' is not numeric"),
    ({"X": np.ones((4, 2, 2)), "y": np.ones(4)}, "X must be 2-D"),
]


@pytest.mark.parametrize("arrays, message", BAD_NPZ)
def test_bad_npz(tmp_path, arrays, message):
    with pytest.raises(BackpropError) as error:
        load_dataset(save_npz(tmp_path, **arrays))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_corrupt_npz(tmp_path):
    path = write(tmp_path, "not a zip", "data.npz")
    with pytest.raises(BackpropError, match="cannot read .*data.npz"):
        load_dataset(path)
