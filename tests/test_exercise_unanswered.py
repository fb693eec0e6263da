"""check numbers with "?" claims: asked and not answered yet, per claim and per entry."""

import json
from decimal import Decimal

from backprop.cli import main
from check.numbers import check_numbers

NETWORK = {
    "network": {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "mse"},
    "parameters": {
        "W1": [[0.1, 0.2], [0.3, 0.4]],
        "b1": [0.5, 0.5],
        "W2": [[0.6, 0.7], [0.8, 0.9]],
        "b2": [0.1, 0.1],
    },
    "data": {"x": [1.0, 0.5], "y": [0.0, 1.0], "learning_rate": 0.5},
}


def doc(claims):
    return {**NETWORK, "claims": claims}


def test_blank_claims_are_not_answered_and_not_correct():
    report = check_numbers(doc({"h1": "?", "loss": "?", "dW2[1,1]": "?"}))
    assert not report.ok and report.exit_code == 1  # not correct, and not an error (2)
    assert report.unanswered == 3
    assert [c.answered for c in report.claims] == [False, False, False]
    assert [len(c.entries) for c in report.claims] == [2, 1, 1]  # "h1" = "?" is both entries
    text = report.to_text()
    assert "? h1 = [?, ?]   not answered" in text
    assert "? dW2[1,1] = ?   not answered" in text
    assert text.endswith("0 of 3 claims correct, 3 not answered")


def test_blank_entries_beside_numbers():
    # z1 = W1 x + b1 = [0.7, 1.0]: the first entry right, the second blank
    report = check_numbers(doc({"z1": [Decimal("0.7"), "?"], "z2[1]": Decimal("1.0")}))
    z1 = report.claims[0]
    assert [e.answered for e in z1.entries] == [True, False]
    assert z1.entries[0].correct and not z1.correct
    text = report.to_text()
    assert "? z1 = [0.7, ?]   partly answered" in text
    assert "    z1[2]: not answered" in text
    assert text.endswith("1 of 2 claims correct, 1 not answered")


def test_a_wrong_entry_beside_a_blank_is_wrong():
    report = check_numbers(doc({"z1": [Decimal("0.9"), "?"]}))
    text = report.to_text()
    assert "✗ z1 = [0.9, ?]" in text
    assert "z1[1]: claimed 0.9, correct" in text and "z1[2]: not answered" in text


def test_answered_file_counts_no_blanks():
    report = check_numbers(doc({"z1": [Decimal("0.7"), Decimal("1.0")]}))
    assert report.ok and report.unanswered == 0
    assert report.to_text().endswith("1 of 1 claims correct")


def test_json_does_not_give_the_blank_answers_away():
    data = check_numbers(doc({"h1": "?", "z1[1]": Decimal("0.7")})).to_dict()
    assert data["unanswered"] == 1 and data["correct"] is False
    blank = data["claims"][0]
    assert blank["answered"] is False
    assert blank["entries"][0] == {
        "entry": "h1[1]",
        "claimed": "?",
        "answered": False,
        "correct": False,
    }
    assert data["claims"][1]["answered"] is True
    assert data["claims"][1]["entries"][0]["correct"] is True
    assert "0.668" not in json.dumps(data)  # h1[1] = σ(0.7) = 0.66819 is not shown


def test_cli_on_an_unfilled_file(tmp_path, capsys):
    path = tmp_path / "answers.toml"
    path.write_text(
        "[network]\nlayers = [2, 2, 2]\nactivations = ['sigmoid', 'sigmoid']\nloss = 'mse'\n"
        "[parameters]\nW1 = [[0.1, 0.2], [0.3, 0.4]]\nb1 = [0.5, 0.5]\n"
        "W2 = [[0.6, 0.7], [0.8, 0.9]]\nb2 = [0.1, 0.1]\n"
        "[data]\nx = [1.0, 0.5]\ny = [0.0, 1.0]\n"
        '[claims]\nh1 = ["?", "?"]\nloss = "?"\n',
        encoding="utf-8",
    )
    assert main(["check", "numbers", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.strip().endswith("0 of 2 claims correct, 2 not answered")
    assert out.err == ""


def test_other_text_is_still_an_error(capsys):
    assert main(["check", "numbers", "/dev/null"]) == 2  # not a regular file: one line
    for bad in ("??", "", "x"):
        try:
            check_numbers(doc({"loss": bad}))
        except Exception as exc:  # noqa: BLE001 - the type is the point
            assert type(exc).__name__ == "SpecError"
            assert "expected a number" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")
