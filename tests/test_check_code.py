"""check.code: student gradient code run in a subprocess and judged against generated code."""

import json
from pathlib import Path

import numpy as np
import pytest

from backprop.cli import main
from check.code import check_code, relative_error
from derive.errors import BackpropError

REPO = Path(__file__).resolve().parent.parent
STUDENT = REPO / "examples" / "check"
SPEC = REPO / "examples" / "lecture.toml"


def verdicts(report):
    return {p.name: (p.verdict, p.diagnosis) for p in report.parameters}


def test_relative_error_convention():
    a, b = np.array([1.0, 0.0, -2.0]), np.array([1.0, 0.0, -2.0 + 2e-8])
    assert relative_error(a, b) == pytest.approx(1e-8)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_correct_code_agrees_despite_prints():
    report = check_code(f"{STUDENT / 'student_correct.py'}:gradients", SPEC)
    assert report.ok and report.exit_code == 0, report.to_text()
    assert all(p.error <= 1e-7 for p in report.parameters)


@pytest.mark.parametrize(
    "student, expected",
    [
        (
            "transposed",
            {
                "W1": "the correct gradient transposed",
                "W3": "it is the correct gradient transposed",
            },
        ),
        ("scaled_by_m", {"W1": "scaled by m", "b3": "scaled by m"}),
        ("sign_error", {"W3": "wrong sign", "b3": "wrong sign", "W1": "wrong sign"}),
    ],
)
def test_slips_are_diagnosed(student, expected):
    report = check_code(f"{STUDENT / f'student_{student}.py'}:gradients", SPEC)
    assert report.exit_code == 1
    found = verdicts(report)
    for name, fragment in expected.items():
        assert fragment in found[name][1], report.to_text()


def test_raising_code_is_one_line_with_the_students_line():
    report = check_code(f"{STUDENT / 'student_raises.py'}:gradients", SPEC)
    assert not report.ok
    assert report.problem.startswith("raised ValueError: matmul")
    assert report.problem.endswith("at student_raises.py line 26")
    assert "\n" not in report.problem


def test_wrong_keys_are_reported():
    report = check_code(f"{STUDENT / 'student_wrong_keys.py'}:gradients", SPEC)
    assert verdicts(report)["W1"][0] == "missing" and verdicts(report)["b3"][0] == "missing"
    assert report.extra_keys == ["dW1", "db1"]


def test_infinite_loop_hits_the_time_limit():
    report = check_code(f"{STUDENT / 'student_loops_forever.py'}:gradients", SPEC, timeout=1.0)
    assert "did not finish within the time limit of 1 s" in report.problem


def test_non_finite_and_non_dict_results(tmp_path):
    nan = tmp_path / "nan.py"
    nan.write_text(
        "import numpy as np\n"
        "def g(params, X, Y):\n"
        "    return {k: np.full(v.shape, np.nan) for k, v in params.items()}\n"
        "def h(params, X, Y):\n"
        "    return [1, 2]\n"
    )
    report = check_code(f"{nan}:g", SPEC)
    assert {p.verdict for p in report.parameters} == {"not finite"}
    assert check_code(f"{nan}:h", SPEC).problem == "bad result: returned list, not a dict of arrays"


def test_bad_input_exits_2(capsys, tmp_path):
    with pytest.raises(BackpropError, match="no such file"):
        check_code(f"{tmp_path / 'missing.py'}:g", SPEC)
    with pytest.raises(BackpropError, match="no function 'nope'"):
        check_code(f"{STUDENT / 'student_correct.py'}:nope", SPEC)
    with pytest.raises(BackpropError, match="expected FILE.py:FUNCTION"):
        check_code(str(STUDENT / "student_correct.py"), SPEC)
    assert (
        main(["check", "code", f"{STUDENT / 'student_correct.py'}:g", "--spec", "nope.toml"]) == 2
    )
    assert capsys.readouterr().err.startswith("backprop: error: nope.toml")


def test_cli_json_and_exit_codes(capsys):
    target = f"{STUDENT / 'student_scaled_by_m.py'}:gradients"
    assert main(["check", "code", target, "--spec", str(SPEC), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["correct"] is False
    assert data["parameters"][0]["diagnosis"].startswith("scaled by m")
    assert (
        main(["check", "code", f"{STUDENT / 'student_correct.py'}:gradients", "--spec", str(SPEC)])
        == 0
    )
    assert "all gradients agree" in capsys.readouterr().out
