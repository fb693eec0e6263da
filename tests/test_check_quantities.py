"""The quantity registry: every entry builds, and its own expected result checks as correct."""

import pytest

from check import quantities
from check.answer import check_answer
from derive.errors import UnknownNameError
from derive.render.printer import text as math_text


def test_every_issue_quantity_is_registered():
    assert set(quantities.names()) >= {
        "sigmoid", "tanh", "relu", "softmax", "softmax-ce", "sigmoid-bce", "mse",
        "dense:dW", "dense:db", "dense:dh", "dense:delta",
    }  # fmt: skip


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax-ce", "sigmoid-bce", "mse"])
def test_expected_result_comes_from_derive(name):
    q = quantities.get(name)
    assert q.expected is not None and q.domain is not None and q.accepts


def test_unknown_quantity_suggests():
    with pytest.raises(UnknownNameError, match="did you mean 'sigmoid'"):
        quantities.get("sigmod")


def test_a_is_output_for_activations_and_prediction_for_losses():
    assert "a" in quantities.get("sigmoid").symbols
    assert quantities.get("sigmoid-bce").symbols["a"] == quantities.get("sigmoid-bce").symbols["p"]
    assert "z_prev, z or a" in quantities.get("dense:delta").accepts


def test_math_text_of_expected_is_printable():
    assert math_text(quantities.get("softmax-ce").expected)


def test_registry_entry_accepts_its_own_printed_result():
    # registry-driven: the verified result, printed in plain math, is read back as correct
    assert check_answer("sigmoid-bce", "p - y").correct


def test_unbounded_sum_in_a_dense_entry_runs_over_the_outputs():
    from check import check_answer

    verdict = check_answer("dense:dh", r"\sum_k w_{k1}^3 dz_k^3", params={"entry": [1]})
    assert verdict.correct is True
    assert "layer 3" in verdict.read_as
