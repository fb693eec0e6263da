"""Start-up cost: commands that do not need SymPy do not import it; answers may begin with '-'."""

import os
import subprocess
import sys

import pytest

from backprop.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys\nfrom backprop.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\nprint('MODULES', ' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=60
    )
    last = out.stdout.splitlines()[-1].split()
    assert last[0] == "MODULES", out.stdout + out.stderr
    return set(last[1:])


@pytest.mark.parametrize(
    "argv", [["--help"], ["derive", "--help"], ["generate", "--help"], ["train", "--help"]]
)
def test_help_does_not_import_sympy(argv):
    modules = _modules_after(argv)
    assert "backprop.cli" in modules
    assert "sympy" not in modules


def test_errors_module_does_not_import_sympy():
    assert "sympy" not in _modules_after([])  # no command: the help, exit 2


@pytest.mark.parametrize("answer", ["-y/p", "-(y - p)", "-y + p"])
def test_answer_beginning_with_minus_is_an_answer(answer, capsys):
    status = main(["check", "answer", "sigmoid-bce", answer])
    out = capsys.readouterr().out
    assert f"answer:   {answer}" in out
    assert status == (0 if answer != "-y/p" else 1)


def test_options_and_separator_still_work(capsys):
    assert main(["check", "answer", "sigmoid-bce", "--timeout", "5", "--", "-(y - p)"]) == 0
    assert main(["check", "answer", "--json", "sigmoid-bce", "-y + p"]) == 0
    assert '"correct": true' in capsys.readouterr().out
    assert main(["check", "answer", "--bogus", "sigmoid-bce", "p - y"]) == 2


def test_import_backprop_does_not_import_sympy():
    env = {**os.environ, "PYTHONPATH": ROOT}
    code = "import sys, backprop\nprint('sympy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_help_does_not_import_numpy():
    assert "numpy" not in _modules_after(["--help"])
    assert "numpy" not in _modules_after(["train", "--help"])


def test_check_answer_imports_only_its_own_mode():
    modules = _modules_after(["check", "answer", "sigmoid", "sigma(z)(1 - sigma(z))"])
    assert "check.answer" in modules
    assert not modules & {"check.code", "check.numbers", "check.steps", "codegen.generate"}


def test_the_program_exits_with_the_status_and_the_whole_output():
    # entry() skips interpreter teardown: the output must still be flushed, the status kept
    env = {**os.environ, "PYTHONPATH": ROOT}
    for answer, status in (("sigma(z)*(1 - sigma(z))", 0), ("sigma(z)", 1)):
        argv = ["check", "answer", "sigmoid", answer]
        out = subprocess.run(
            [sys.executable, "-m", "backprop.cli", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert out.returncode == status, out.stderr
        assert out.stdout.startswith("sigmoid: ") and "decided by" in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "backprop.cli", "check", "answer", "nosuch", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("backprop: error: unknown quantity")


def test_importing_freezes_what_it_imported_and_restores_the_collector():
    import gc

    from backprop.startup import importing

    enabled = gc.isenabled()
    with importing():
        assert not gc.isenabled()
        import json  # noqa: F401
    assert gc.isenabled() == enabled
    assert gc.get_freeze_count() > 0
