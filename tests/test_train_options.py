"""``backprop train``'s optimizer flags: they regenerate the module for the updated [train]
table, early stopping prints its curve and stop epoch, and bad values are one-line errors."""

from __future__ import annotations

import pytest
from example_modules import EXAMPLES

from backprop import cli


def _run(capsys, *argv):
    code = cli.main(["train", str(EXAMPLES / "xor.toml"), "--dataset", "xor", "-q", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_flags_choose_the_optimizer(capsys):
    code, out, err = _run(
        capsys, "--optimizer", "adam", "--lr", "0.05", "--weight-decay", "1e-4", "--epochs", "50"
    )
    assert code == 0 and err == ""
    assert "(adam, batch size 4, learning rate 0.05, weight decay 0.0001, seed 1)" in out


def test_early_stopping_prints_the_curve_and_the_stop(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "curves.png"
    argv = ["--optimizer", "momentum", "--early-stopping", "--n-iter-no-change", "3"]
    argv += ["--validation-fraction", "0.25", "--epochs", "300", "--plot", str(plot)]
    code, out, err = _run(capsys, *argv)
    assert code == 0 and err == "", err
    assert "validation loss by epoch:" in out and "stopped at epoch" in out
    assert "restored the parameters of epoch" in out
    assert plot.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--optimizer", "adan"],
            "train.optimizer: unknown optimizer 'adan' (did you mean 'adam'?)",
        ),
        (["--momentum", "1.5"], "train.momentum: must be a number in [0, 1], got 1.5"),
        (["--schedule", "cos"], "train.schedule: unknown schedule 'cos'"),
        (["--betas", "0.9", "1.2"], "train.betas[1]: must be a number in (0, 1), got 1.2"),
        (["--weight-decay", "-1"], "train.weight_decay: must be a non-negative number, got -1.0"),
    ],
)
def test_bad_values_are_one_line_errors(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"backprop: error: {message}") and err.count("\n") == 1
