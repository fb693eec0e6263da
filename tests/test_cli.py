"""backprop.cli and backprop.commands: the ``backprop derive`` command, run in-process.

User errors must come out as one line ``backprop: error: ...`` on stderr with exit status 2.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from backprop.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, out, err, *fragments):
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("backprop: error: ")
    assert "Traceback" not in err and "Traceback" not in out
    for fragment in fragments:
        assert fragment in lines[0]


# --- listing and rendering -------------------------------------------------------------------


def test_list_names_every_derivation(capsys):
    status, out, err = run(capsys, "derive", "--list")
    assert status == 0 and err == ""
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == derive.names()
    assert "p_i − y_i" in out  # the summaries are shown next to the names


def test_derive_softmax_ce_prints_the_result(capsys):
    status, out, err = run(capsys, "derive", "softmax-ce")
    assert status == 0 and err == ""
    assert "= p_i − y_i" in out
    assert "✓" in out  # the verification is shown


def test_json_format_parses(capsys):
    status, out, _ = run(capsys, "derive", "softmax-ce", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert data["name"] == "softmax-ce"
    assert data["verified"] is True


def test_latex_format_is_an_align_environment(capsys):
    status, out, _ = run(capsys, "derive", "softmax-ce", "--format", "latex")
    assert status == 0
    assert r"\begin{align" in out
    assert r"\documentclass" not in out  # a fragment unless asked for a document


def test_out_writes_the_file_and_nothing_to_stdout(capsys, tmp_path):
    target = tmp_path / "softmax.md"
    status, out, err = run(capsys, "derive", "softmax", "-o", str(target))
    assert status == 0 and out == "" and err == ""
    text = target.read_text(encoding="utf-8")
    assert text.strip()
    # the format follows the extension: the same as asking for Markdown explicitly
    status, markdown, _ = run(capsys, "derive", "softmax", "--format", "markdown")
    assert markdown.strip() == text.strip()
    assert [p.name for p in tmp_path.iterdir()] == ["softmax.md"]  # no temporary files left


def test_all_to_a_tex_file_is_a_standalone_document(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp").mkdir()
    status, out, err = run(capsys, "derive", "--all", "-o", "tmp/derivations.tex")
    assert status == 0 and out == "" and err == ""
    text = (tmp_path / "tmp" / "derivations.tex").read_text(encoding="utf-8")
    assert text.lstrip().startswith(r"\documentclass")
    assert r"\begin{document}" in text and text.rstrip().endswith(r"\end{document}")
    for name in derive.names():
        assert f"sec:{name}" in text, name


def test_custom_activation_on_the_command_line(capsys):
    status, out, err = run(capsys, "derive", "--activation", "log(1 + exp(z))")
    assert status == 0 and err == ""
    assert "= 1 − exp(−h)" in out  # the output form


# --- errors: one line, exit status 2 ---------------------------------------------------------


def test_unknown_name(capsys):
    assert_one_line_error(*run(capsys, "derive", "softmax-cee"), "softmax-cee", "did you mean")


def test_unknown_flag(capsys):
    assert_one_line_error(*run(capsys, "derive", "softmax", "--bogus"), "--bogus")


def test_unknown_format(capsys):
    assert_one_line_error(*run(capsys, "derive", "softmax", "--format", "pdf"), "pdf")


def test_no_name(capsys):
    assert_one_line_error(*run(capsys, "derive"))


def test_bad_activation_expression(capsys):
    assert_one_line_error(*run(capsys, "derive", "--activation", "foo(z)"), "foo")
    assert_one_line_error(*run(capsys, "derive", "--activation", "__import__('os')"))


def test_bad_loss_expression(capsys):
    assert_one_line_error(*run(capsys, "derive", "--loss", "(p - y"))


def test_unknown_output_activation_for_a_loss(capsys):
    argv = ["derive", "--loss", "(p - y)^2", "--output-activation", "softmax"]
    assert_one_line_error(*run(capsys, *argv), "softmax")


def test_out_into_a_missing_directory_creates_nothing(capsys, tmp_path):
    target = tmp_path / "missing" / "x.tex"
    assert_one_line_error(*run(capsys, "derive", "softmax", "-o", str(target)), "does not exist")
    assert not target.exists() and not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere"
)
def test_out_into_a_read_only_directory_creates_nothing(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert_one_line_error(*run(capsys, "derive", "softmax", "-o", str(locked / "x.tex")))
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_bad_layers(capsys):
    assert_one_line_error(*run(capsys, "derive", "mlp", "--layers", "2,x"), "2,x")
    assert_one_line_error(*run(capsys, "derive", "mlp", "--layers", "2"))


def test_bad_hidden_activation(capsys):
    argv = ["derive", "mlp", "--layers", "2,3,2", "--hidden", "foo"]
    assert_one_line_error(*run(capsys, *argv), "foo")


def test_no_command_prints_help_and_fails(capsys):
    status, out, _ = run(capsys)
    assert status == 2 and "usage" in out


# --- the module entry point ------------------------------------------------------------------


def test_module_entry_point_runs_in_a_fresh_interpreter():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "backprop.cli", "derive", "--list"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == derive.names()[0]
    assert "softmax-ce" in done.stdout


def test_output_names_the_output_activation_of_a_custom_loss(capsys):
    assert main(["derive", "--loss", "(p - y)^2", "--output", "softplus"]) == 0
    assert "on a softplus output" in capsys.readouterr().out
    assert main(["derive", "--loss", "(p - y)^2"]) == 0
    assert "on a sigmoid output" in capsys.readouterr().out
    args = ["derive", "--loss", "(p - y)^2", "--output", "softplus", "--output-activation", "tanh"]
    assert main(args) == 2
    assert "two output activations" in capsys.readouterr().err
