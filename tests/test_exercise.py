"""backprop exercise make: the files of the contract, determinism, templates, rosters, CLI errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backprop.cli import main
from classroom.exercise import load_template, make_files
from classroom.exercise.pdf import pdflatex
from classroom.exercise.roster import Student, roster_from_text
from classroom.exercise.template import template_from_dict
from derive.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "exercise" / "template.toml"
ROSTER = ROOT / "examples" / "exercise" / "roster.csv"
IDS = ("s001", "s002", "s003")
TEMPLATE_DOC = {
    "precision": 3,
    "ask": ["h1", "loss", "dW1[2,1]"],
    "network": {"layers": [2, 2, 1], "activations": ["tanh", "sigmoid"], "loss": "mse"},
    "ranges": {
        "weights": {"low": -1, "high": 1, "decimals": 1},
        "biases": {"low": -1, "high": 1, "decimals": 1},
        "inputs": {"low": 0, "high": 2, "decimals": 1},
        "targets": {"low": 0, "high": 1, "decimals": 0},
    },
}


def make(tmp_path, *extra, roster=ROSTER, out="out", seed="7"):
    argv = ["exercise", "make", str(TEMPLATE), "--students", str(roster), "--seed", seed]
    return main([*argv, "-o", str(tmp_path / out), "--no-pdf", *extra])


def tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_writes_the_paths_of_the_contract(tmp_path, capsys):
    assert make(tmp_path) == 0
    files = set(tree(tmp_path / "out"))
    expected = {f"{i}/{name}" for i in IDS for name in ("exercise.tex", "answers.toml")}
    expected |= {f"solutions/{i}.{ext}" for i in IDS for ext in ("toml", "tex")}
    assert files == expected
    out = capsys.readouterr().out
    assert out.startswith(f"3 exercises from {TEMPLATE} (seed 7) in {tmp_path / 'out'}/")
    assert "  s002  Turing, Alan  s002/exercise.tex  s002/answers.toml  solutions/s002.toml" in out
    assert "12 files written" in out


def test_same_seed_and_roster_same_bytes_whatever_the_order(tmp_path):
    lines = ROSTER.read_text(encoding="utf-8").splitlines()
    reversed_roster = tmp_path / "reversed.csv"
    reversed_roster.write_text("\n".join([lines[0], *lines[:0:-1]]) + "\n", encoding="utf-8")
    assert make(tmp_path, out="a") == 0
    assert make(tmp_path, out="b", roster=reversed_roster) == 0
    assert make(tmp_path, out="c", seed="8") == 0
    first, again, other = (tree(tmp_path / name) for name in "abc")
    assert first == again
    assert all(first[f"{i}/answers.toml"] != other[f"{i}/answers.toml"] for i in IDS)


def test_a_variant_depends_on_the_seed_and_id_only():
    template = load_template(TEMPLATE)
    alone = make_files(template, [Student("s002", "Alan")], 7)[1]
    with_class = make_files(template, [Student(i, "Someone") for i in IDS], 7)[1]
    assert (
        alone["solutions/s002.toml"].splitlines()[3:]
        == (
            with_class["solutions/s002.toml"].splitlines()[3:]  # after the header (the name)
        )
    )


def test_answers_file_is_the_solution_with_blanks():
    template = load_template(TEMPLATE)
    files = make_files(template, [Student("s001", 'Ada "Countess" Lovelace')], 3)[1]
    blank, solved = files["s001/answers.toml"], files["solutions/s001.toml"]
    head = blank.split("[claims]")[0].splitlines()
    assert head[3:] == solved.split("[claims]")[0].splitlines()[3:]
    claims = blank.split("[claims]\n")[1]
    assert claims.startswith('z1 = ["?", "?"]\nh1 = ["?", "?"]\nyhat = ["?"]\nloss = "?"\n')
    assert '"dW1[1,2]" = "?"\nW2_new = [["?", "?"]]\n' in claims
    assert 'Ada "Countess" Lovelace' in files["s001/exercise.tex"]


def test_latex_escapes_names(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('id,name\nx1,"Tom & Jerry_{}$#%^~\\\\"\n', encoding="utf-8")
    assert make(tmp_path, roster=roster) == 0
    tex = (tmp_path / "out" / "x1" / "exercise.tex").read_text(encoding="utf-8")
    assert r"Tom \& Jerry\_\{\}\$\#\%\textasciicircum{}\textasciitilde{}" in tex


@pytest.mark.skipif(pdflatex() is None, reason="pdflatex is not installed")
def test_pdfs_are_compiled_and_reproducible(tmp_path):
    roster = tmp_path / "one.csv"
    roster.write_text("id,name\ns001,Ada Lovelace\n", encoding="utf-8")
    argv = ["exercise", "make", str(TEMPLATE), "--students", str(roster), "--seed", "7"]
    for out in ("a", "b"):
        assert main([*argv, "-o", str(tmp_path / out)]) == 0
    first, again = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert set(first) >= {"s001/exercise.pdf", "solutions/s001.pdf"}
    assert first["s001/exercise.pdf"].startswith(b"%PDF")
    assert first == again


@pytest.mark.skipif(pdflatex() is None, reason="pdflatex is not installed")
def test_a_name_pdflatex_cannot_typeset_keeps_its_tex(tmp_path, capsys):
    roster = tmp_path / "one.csv"
    roster.write_text("id,name\nli,李华\n", encoding="utf-8")
    argv = ["exercise", "make", str(TEMPLATE), "--students", str(roster), "--seed", "7"]
    assert main([*argv, "-o", str(tmp_path / "out")]) == 0
    files = set(tree(tmp_path / "out"))
    assert files == {"li/exercise.tex", "li/answers.toml", "solutions/li.tex", "solutions/li.toml"}
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("backprop: warning: pdflatex failed on li/exercise.tex: ! ")
    assert err[1].startswith("backprop: warning: pdflatex failed on solutions/li.tex: ! ")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"precision": 0}, "precision: expected a whole number from 1 to 6"),
        ({"ask": []}, "ask: expected a list of claim names"),
        ({"ask": ["h1", "h1"]}, "ask: a name is asked twice"),
        ({"ask": ["foo1"]}, "unknown claim name 'foo1'"),
        ({"ask": ["dW1[3,1]"]}, "index 3 out of range"),
        ({"ask": ["W1_new"]}, "learning_rate: needed by the asked update"),
        ({"colour": "red"}, "colour: unknown key"),
        (
            {"network": {"layers": [2, 9, 1], "activations": ["tanh", "sigmoid"], "loss": "mse"}},
            "network.layers[1]: at most 4 units",
        ),
        (
            {"network": {"layers": [2, 1], "activations": ["z**2"], "loss": "mse"}},
            "network.activations[0]: 'z**2' is not one of",
        ),
        (
            {"ranges": {**TEMPLATE_DOC["ranges"], "inputs": {"low": 1, "high": 0, "decimals": 1}}},
            "ranges.inputs: low must not be above high",
        ),
        (
            {"ranges": {**TEMPLATE_DOC["ranges"], "inputs": {"low": 0, "high": 1, "decimals": 3}}},
            "ranges.inputs.decimals: expected a whole number from 0 to 2",
        ),
        (
            {"ranges": {**TEMPLATE_DOC["ranges"], "targets": "one-hot"}},
            'ranges.targets: "one-hot" exactly when the output is softmax',
        ),
    ],
)
def test_template_errors_name_the_key(change, message):
    with pytest.raises(SpecError, match=None) as error:
        template_from_dict({**TEMPLATE_DOC, **change})
    assert message in str(error.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("name\nAda\n", "the header row needs the columns id and name"),
        ("id,name\ns1,Ada\ns1,Bob\n", "row 3: id 's1' appears twice"),
        ("id,name\n../x,Ada\n", "must be 1 to 64 letters"),
        ("id,name\nsolutions,Ada\n", "'solutions' is taken"),
        ("id,name\ns1,\n", "the name must be 1 to 200 printable characters"),
        ("id,name\n", "no students after the header row"),
    ],
)
def test_roster_errors_name_the_row(text, message):
    with pytest.raises(SpecError) as error:
        roster_from_text(text)
    assert message in str(error.value)


def test_roster_from_a_spreadsheet_with_semicolons_or_tabs():
    expected = [Student("s1", "Ada, Countess"), Student("s2", "Bob")]
    assert roster_from_text("\ufeffid;name\ns1;Ada, Countess\ns2;Bob\n") == expected
    assert roster_from_text("name\tid\nAda, Countess\ts1\nBob\ts2\n") == expected


def test_roster_keeps_order_and_ignores_other_columns():
    students = roster_from_text('email,name,id\na@x,"Turing, Alan",t2\nb@x,Ada,a1\n')
    assert students == [Student("t2", "Turing, Alan"), Student("a1", "Ada")]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seed", "-1"], "argument --seed: must be from 0"),
        (["--seed", "x"], "argument --seed: expected a whole number"),
        (["--students", "/nonexistent.csv"], "cannot read /nonexistent.csv: no such file"),
        (["--students", str(TEMPLATE)], "the header row needs the columns id and name"),
        (["-o", str(TEMPLATE)], "not a folder"),
        (["--template", str(ROSTER)], "invalid TOML"),
    ],
)
def test_cli_errors_are_one_line_exit_2(argv, message, capsys):
    options = {"--students": str(ROSTER), "--seed": "7", "-o": "/tmp/unused-exercise-out"}
    template = str(TEMPLATE)
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        if flag == "--template":
            template = value
        else:
            options[flag] = value
    flat = [word for pair in options.items() for word in pair]
    assert main(["exercise", "make", template, *flat, "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("backprop: error: ")
    assert message in err


def test_no_pleasant_variant_is_one_line(tmp_path, capsys):
    narrow = dict(TEMPLATE_DOC, max_draws=3, precision=6)
    narrow["ask"] = ["z1", "h1", "yhat", "loss", "delta1", "dW1", "db1"]
    with pytest.raises(SpecError, match=r"student s1: no pleasant variant in 3 draws \(rejected"):
        make_files(template_from_dict(narrow), [Student("s1", "A")], 1)


def test_help_does_not_import_sympy():
    code = (
        "import sys\nfrom backprop.cli import main\ntry:\n    main(['exercise', 'make', '--help'])\n"
        "except SystemExit:\n    pass\nprint('sympy' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip().endswith("False"), out.stdout + out.stderr
