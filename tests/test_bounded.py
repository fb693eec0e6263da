"""Every checker bounded, every input file checked: the issue's red-team cases, one line each.

Symbolic blow-ups run under a 3 s limit here (the CLI's default is 60 s); nothing is ever
allowed to grow: the limits are in place before the work starts.
"""

import os
import zipfile
from pathlib import Path

import pytest

import derive.bounded
from backprop.cli import main
from derive.bounded import bounded_call
from derive.errors import BackpropError

REPO = Path(__file__).resolve().parent.parent
XOR = REPO / "examples" / "xor.toml"


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(derive.bounded, "SECONDS", 3.0)


def error_of(capsys, *argv) -> str:
    """The one stderr line of a command that must fail with exit status 2."""
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("backprop: error: "), err
    return err


def test_bounded_call_returns_results_and_replays_prints(capsys):
    assert bounded_call(lambda: print("hi") or 42, seconds=5) == 42
    assert capsys.readouterr().out == "hi\n"


def test_bounded_call_stops_at_the_time_and_memory_limits():
    with pytest.raises(BackpropError, match="gave up after 1 s"):
        bounded_call(lambda: [0 for _ in iter(int, 1)], seconds=1)
    with pytest.raises(BackpropError, match="memory"):
        bounded_call(lambda: bytearray(20 << 30), seconds=5, memory=256 << 20)


def test_nested_g_prime_answer_is_decided_at_once(capsys):
    """It used to double in time per level (32 s at 8): now one reading, left undecided."""
    nested = "g'(" * 10 + "z" + ")" * 10
    assert main(["check", "answer", "dense:delta", nested]) == 1
    assert "dense:delta: undecided" in capsys.readouterr().out


@pytest.mark.parametrize("function, depth", [("exp", 100), ("tanh", 150)])
def test_deeply_nested_activations_are_refused(capsys, function, depth):
    text = f"\\{function}(" * depth + "z" + ")" * depth
    assert "nested too deeply" in error_of(capsys, "derive", "--activation", text)


def test_huge_power_in_steps_and_chained_definitions_are_bounded(capsys, tmp_path):
    power = tmp_path / "power.txt"
    power.write_text("d/dz (a+b+c+f+g+k)^100\n= 100*(a+b+c+f+g+k)^99\n", encoding="utf-8")
    chain = tmp_path / "chain.txt"
    lines = ["a0 = z"] + [f"a{k + 1} = a{k}^100 + a{k}" for k in range(30)]
    chain.write_text("\n".join([*lines, "d/dz a30", "= 1"]) + "\n", encoding="utf-8")
    for path in (power, chain):
        main(["check", "steps", str(path)])  # correct, incorrect or given up: never a hang
        err = capsys.readouterr().err
        assert err == "" or err.startswith("backprop: error: ") and err.count("\n") == 1


def function_file(tmp_path, loss, w, extra=""):
    path = tmp_path / "f.toml"
    path.write_text(
        f'[function]\nloss = "{loss}"\n[parameters]\nw = {w}\n[data]\nlearning_rate = 0.1\n'
        f"[claims]\n{extra}dw = 10\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "loss, w, extra, message",
    [
        ("w^2", "1e999999999", "", "out of range"),
        ("w^2", "5", "tolerance = 1e-999999999\n", "out of range"),
        ("exp(exp(exp(w)))", "100", "", "gave up"),
        ("sqrt(w)", "-1", "", "not a finite real number"),
    ],
)
def test_numbers_extremes(capsys, tmp_path, loss, w, extra, message):
    path = function_file(tmp_path, loss, w, extra)
    assert message in error_of(capsys, "check", "numbers", path)


def test_input_files_must_be_small_regular_utf8(capsys, tmp_path):
    assert "not a regular file" in error_of(capsys, "generate", "/dev/zero")
    fifo = tmp_path / "spec.toml"
    os.mkfifo(fifo)
    assert "not a regular file" in error_of(capsys, "generate", fifo)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\ninputs = 2\n")
    assert "not UTF-8" in error_of(capsys, "generate", latin)
    big = tmp_path / "big.toml"
    big.write_text(XOR.read_text().replace("units = 2", "units = 1000000000"))
    assert "limit" in error_of(capsys, "generate", big)
    rate = tmp_path / "rate.toml"
    rate.write_text(XOR.read_text().replace("learning_rate = 2.0", "learning_rate = inf"))
    assert "learning_rate" in error_of(capsys, "generate", rate)


def test_output_onto_a_device_is_refused(capsys):
    assert "not a regular file" in error_of(capsys, "generate", XOR, "-o", "/dev/null")
    assert Path("/dev/null").is_char_device()


def test_npz_header_claiming_a_trillion_entries(capsys, tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", npy)
        archive.writestr("y.npy", npy)
    assert "header claims" in error_of(capsys, "train", XOR, "--dataset", path)


def test_training_flags(capsys):
    assert "diverged at epoch" in error_of(
        capsys, "train", REPO / "examples" / "digits.toml", "--dataset", "digits", "--lr", "1e6"
    )
    assert "--seed" in error_of(capsys, "train", XOR, "--dataset", "xor", "--seed", "-1")
    for timeout in ("nan", "inf", "-1"):
        err = error_of(capsys, "check", "code", "x.py:f", "--spec", XOR, "--timeout", timeout)
        assert "--timeout" in err
