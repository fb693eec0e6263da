"""check.sandbox: hostile student code is contained, reported, and never changes a verdict.

Every attack file below does its attack, then returns the gradients of student_correct.py, so
a verdict that is not "agrees" would mean the attack changed it; where the attack replaces the
answer (forged files, os._exit) the verdict must be INCORRECT. The limits are set before any
student code runs, so "allocate 20 GB" never allocates.
"""

import os
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

from check.code import check_code
from check.sandbox import Sandbox, read_npy

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "examples" / "lecture.toml"
CORRECT = (REPO / "examples" / "check" / "student_correct.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def box():
    with Sandbox() as sandbox:
        yield sandbox


def judge(tmp_path, box, attack: str, name="attack.py", timeout=10.0):
    """The report for a file doing ``attack`` (inside gradients), then returning correct ones."""
    body = textwrap.indent(textwrap.dedent(attack).strip(), "    ")
    source = CORRECT.replace("def gradients(params, X, Y):", "def _correct(params, X, Y):")
    source += f"\n\ndef gradients(params, X, Y):\n{body}\n    return _correct(params, X, Y)\n"
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return check_code(f"{path}:gradients", SPEC, timeout=timeout, sandbox=box)


def test_correct_code_agrees_in_the_sandbox_and_protections_are_listed(tmp_path, box):
    report = judge(tmp_path, box, "pass")
    assert report.ok, report.to_text()
    assert "audit hook" in report.to_text() and report.to_dict()["sandbox"] == box.protections


@pytest.mark.parametrize(
    "attack, refused",
    [
        ("open(f'/proc/{os.getppid()}/cmdline').read()", "reading /proc/"),
        ("os.kill(os.getppid(), 9)", "os.kill"),
        ("open(f'/proc/{os.getppid()}/fd/1', 'w').write('all gradients agree')", "writing"),
        ("import subprocess; subprocess.Popen(['sleep', '600'], start_new_session=True)", ""),
        ("open('/tmp/backprop-pwned', 'w').write('x')", "writing /tmp/backprop-pwned"),
        ("import socket", "importing socket"),
        ("[os.fork() for _ in range(200)]", "os.fork"),
        ("import sys; sys._getframe(1).f_locals", "sys._getframe"),
        ("import ctypes; ctypes.CDLL(None).kill(os.getppid(), 9)", "ctypes"),
        ("open(os.path.join(REPO, 'codegen', 'generate.py')).read()", "reading"),
    ],
)
def test_attacks_are_refused_and_reported(tmp_path, box, attack, refused):
    report = judge(tmp_path, box, f"import os\nREPO = {str(REPO)!r}\n{attack}")
    assert not report.ok
    assert report.problem.startswith("raised PermissionError: sandbox: "), report.problem
    assert refused in report.problem
    assert not Path("/tmp/backprop-pwned").exists()
    assert str(SPEC) not in report.to_text()


def test_a_teachers_file_is_not_readable_nor_leaked(tmp_path, box):
    secret = tmp_path / "answers_key.txt"
    secret.write_text("THE-SECRET", encoding="utf-8")
    secret.chmod(0o644)
    report = judge(tmp_path, box, f"raise ValueError(open({str(secret)!r}).read())")
    assert "THE-SECRET" not in report.to_text() and "PermissionError" in report.problem


def test_the_tools_reference_modules_cannot_be_imported(tmp_path, box):
    for module in ("check.code", "codegen.generate", "derive", "generated.lecture"):
        report = judge(tmp_path, box, f"import {module}")
        assert report.problem.startswith("raised ModuleNotFoundError"), report.problem


def test_memory_is_limited_before_anything_is_allocated(tmp_path, box):
    report = judge(tmp_path, box, "import numpy as np\nnp.ones(20 * 2**30 // 8)")
    assert report.problem.startswith("raised MemoryError"), report.problem


def test_an_infinite_loop_times_out_and_the_worker_goes_on(tmp_path, box):
    report = judge(tmp_path, box, "while True: pass", timeout=1.0)
    assert "time limit of 1 s" in report.problem
    assert judge(tmp_path, box, "pass").ok


def test_os_exit_and_forged_files_give_no_verdict(tmp_path, box):
    report = judge(tmp_path, box, "import os\nos._exit(0)")
    assert not report.ok and "the process died" in report.problem
    forge = """
    import json, os, pickle
    json.dump({"status": "ok"}, open("status.json", "w"))
    for n in range(3):
        os.makedirs(f"out{n}", exist_ok=True)
        for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
            pickle.dump(object(), open(f"out{n}/{key}.npy", "wb"))
    os._exit(0)
    """
    report = judge(tmp_path, box, forge)
    assert not report.ok and report.problem.startswith("bad result: the array"), report.problem
    garbage = "open('status.json', 'w').write('{not json' * 1000)\nimport os\nos._exit(0)"
    assert "the process died" in judge(tmp_path, box, garbage).problem


def test_patching_numpy_changes_nothing_in_the_parent(tmp_path, box):
    report = judge(tmp_path, box, "import numpy as np\nnp.allclose = lambda *a, **k: True")
    assert report.ok
    sabotage = "import numpy as np\nnp.allclose = lambda *a, **k: True\nreturn {}"
    assert not judge(tmp_path, box, sabotage).ok


def test_megabytes_of_prints_are_capped_and_do_not_change_the_verdict(tmp_path, box):
    report = judge(tmp_path, box, "for _ in range(50): print('x' * 10**6)")
    assert report.ok, report.to_text()


def test_no_process_is_left_behind(tmp_path, box):
    marker = "backprop-sandbox-marker-417"
    judge(tmp_path, box, f"import os\nos.system('sleep 600 # {marker} &')")
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, check=False)
    assert found.stdout == b""


def test_npy_headers_are_checked_before_reading(tmp_path):
    good = tmp_path / "good.npy"
    np.save(good, np.arange(3.0))
    assert read_npy(good).tolist() == [0.0, 1.0, 2.0]
    huge = tmp_path / "huge.npy"
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    huge.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    assert read_npy(huge) is None
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([object()]), allow_pickle=True)
    assert read_npy(objects) is None
    link = tmp_path / "link.npy"
    os.symlink(good, link)
    assert read_npy(link) is None
