"""`check answer`'s options for what the quantity's name alone does not say: --classes K,
--entry, --layer, --sizes (the same ``params`` a TOML question gives)."""

import pytest

from backprop.cli import main

SOFTMAX_3 = "e^{z_1}/(e^{z_1}+e^{z_2}+e^{z_3})"


def test_classes_for_a_sum_written_out(capsys):
    assert main(["check", "answer", "softmax:forward", SOFTMAX_3, "--classes", "3"]) == 0
    assert "3 classes" in capsys.readouterr().out


def test_classes_missing_term_named(capsys):
    text = "e^{z_1}/(e^{z_1}+e^{z_2})"
    assert main(["check", "answer", "softmax:forward", text, "--classes", "3"]) == 1
    assert "missing term" in capsys.readouterr().out


def test_without_classes_the_refusal_says_what_to_give(capsys):
    assert main(["check", "answer", "softmax:forward", SOFTMAX_3]) == 2
    assert "number of classes K" in capsys.readouterr().err


def test_entry(capsys):
    assert main(["check", "answer", "dense:dW", "dz_1 h_2", "--entry", "1,2"]) == 0
    assert main(["check", "answer", "dense:dW", "dz_2 h_1", "--entry", "1,2"]) == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--classes", "0"),
        ("--classes", "x"),
        ("--sizes", "2,x"),
        ("--sizes", "3"),
        ("--layer", "foo"),
    ],
)
def test_bad_values_are_one_line_errors(capsys, option, value):
    assert main(["check", "answer", "dense:dW", "x", option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("backprop: error: argument " + option)
    assert "Traceback" not in "\n".join(err)


def test_layer_by_number_and_by_letter():
    assert main(["check", "answer", "dense:dh", "(W^4)^T dz^4", "--layer", "3"]) == 0
    assert main(["check", "answer", "dense:dh", "(W^3)^T dz^3", "--layer", "3"]) == 1
    assert main(["check", "answer", "dense:dh", "(W^{l+1})^T dz^{l+1}", "--layer", "l"]) == 0
