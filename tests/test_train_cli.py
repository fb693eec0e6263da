"""``backprop train``: the report, --json, --plot, --save, and a one-line error (exit 2) for
every bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from example_modules import EXAMPLES, load

from backprop import cli
from backprop.commands import train as train_cmd


def spec(name: str) -> str:
    return str(EXAMPLES / f"{name}.toml")


def backprop(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_on_stdout_report_on_stderr(capsys):
    pytest.importorskip("sklearn")
    code, out, err = backprop(capsys, "train", spec("digits"), "--dataset", "digits", "--json")
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == (
        "training digits (64-32-10; tanh hidden, softmax output, cross-entropy loss) on digits"
    )
    assert lines[1].split() == ["loss", "accuracy"]
    assert lines[2].startswith("train (1438)") and lines[3].startswith("test (359)")
    result = json.loads(out)  # stdout is the JSON and nothing else
    assert result["test_accuracy"] >= 0.95 and result["epochs"] == 30
    assert set(result) >= {"train_loss", "test_loss", "train_accuracy", "seconds"}


def test_regression_json_and_flags_override_the_spec(capsys):
    pytest.importorskip("sklearn")
    argv = ["train", spec("diabetes"), "--dataset", "diabetes", "--epochs", "3"]
    code, out, err = backprop(capsys, *argv, "--lr", "0.03", "--batch-size", "16", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["epochs"] == 3 and {"train_r2", "test_r2"} <= set(result)
    assert "accuracy" not in err and "batch size 16, learning rate 0.03, seed 0" in err


def test_quiet_json_prints_only_the_json(capsys):
    code, out, _ = backprop(capsys, "train", spec("xor"), "--dataset", "xor", "-q", "--json")
    assert code == 0 and len(out.splitlines()) == 1
    assert json.loads(out)["test_accuracy"] == 1.0


def test_plot_writes_a_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "curve.png"
    argv = ["train", spec("xor"), "--dataset", "xor", "--epochs", "20", "--plot", str(png)]
    code, out, _ = backprop(capsys, *argv)
    assert code == 0 and f"curves: {png}" in out
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_saved_parameters_reproduce_the_predictions(capsys, tmp_path):
    code, out, _ = backprop(
        capsys, "train", spec("xor"), "--dataset", "xor", "--save", str(tmp_path / "xor")
    )
    assert code == 0 and f"parameters: {tmp_path / 'xor.npz'}" in out
    with np.load(tmp_path / "xor.npz") as saved:
        arrays = dict(saved)
    X = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]]) - arrays["x_mean"]) / arrays["x_scale"]
    params = {key: value for key, value in arrays.items() if key[0] in "Wb"}
    assert np.ravel(load("xor").predict(params, X)).tolist() == [0, 1, 1, 0]
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temporary file


def one_line_error(capsys, *argv: str) -> str:
    code, out, err = backprop(capsys, *argv)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("backprop: error: ")
    return err


def test_unknown_dataset(capsys):
    err = one_line_error(capsys, "train", spec("xor"), "--dataset", "mnist")
    assert "unknown dataset 'mnist'" in err


def test_csv_with_nan(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n0,0,0\n0,1,1\n1,nan,1\n1,1,0\n")
    err = one_line_error(capsys, "train", spec("xor"), "--dataset", str(path))
    assert "line 4, column 'b': nan is not a finite number" in err


def test_missing_label_column(capsys, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,out\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    argv = ["train", spec("xor"), "--dataset", str(path), "--label", "target"]
    assert "no column 'target' (columns: a, b, out)" in one_line_error(capsys, *argv)


def test_a_csv_trains(capsys, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,out\n" + "0,0,0\n0,1,1\n1,0,1\n1,1,0\n" * 5)
    argv = ["train", spec("xor"), "--dataset", str(path), "--label", "out", "--json"]
    code, out, _ = backprop(capsys, *argv, "--epochs", "5")
    assert code == 0 and json.loads(out)["epochs"] == 5


def test_wrong_shape(capsys):
    pytest.importorskip("sklearn")
    err = one_line_error(capsys, "train", spec("digits"), "--dataset", "iris")
    assert "spec digits takes 64 inputs, but dataset iris has 4 features" in err


def test_divergence(capsys):
    pytest.importorskip("sklearn")
    argv = ["train", spec("diabetes"), "--dataset", "diabetes", "--lr", "1e6"]
    err = one_line_error(capsys, *argv)
    assert "training diverged at epoch" in err and "try a smaller learning rate" in err


@pytest.mark.parametrize("flag", ["--save", "--plot"])
def test_output_in_a_missing_directory(capsys, tmp_path, flag):
    argv = ["train", spec("xor"), "--dataset", "xor", "--epochs", "1"]
    err = one_line_error(capsys, *argv, flag, str(tmp_path / "missing" / "out"))
    assert f"directory {tmp_path / 'missing'} does not exist" in err


def test_dataset_is_required(capsys):
    assert "--dataset" in one_line_error(capsys, "train", spec("xor"))


def test_missing_spec(capsys, tmp_path):
    err = one_line_error(capsys, "train", str(tmp_path / "none.toml"), "--dataset", "xor")
    assert "cannot read" in err


def test_plot_without_matplotlib(capsys, tmp_path, monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)  # makes importing it fail
    argv = ["train", spec("xor"), "--dataset", "xor", "--epochs", "1"]
    err = one_line_error(capsys, *argv, "--plot", str(tmp_path / "c.png"))
    assert "--plot needs matplotlib: pip install 'backprop-derive[train]'" in err


def test_committed_module_is_reused_only_for_its_own_spec(tmp_path):
    assert train_cmd.load_module(spec("xor")).__file__.endswith("generated/xor.py")
    changed = tmp_path / "xor.toml"
    changed.write_text(Path(spec("xor")).read_text().replace("epochs = 2000", "epochs = 9"))
    module = train_cmd.load_module(str(changed))
    assert module.SPEC["train"]["epochs"] == 9 and not module.__file__.endswith(".py")
