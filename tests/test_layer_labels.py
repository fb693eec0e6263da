"""Layer labels and matrix notation the lecture notes use (corpus notes 000–004): labels such
as o (the output layer) and I (OCR damage for l), matrix notation inside a function call, and
a "read as" line that shows the matrix reading even when its product does not fit."""

from __future__ import annotations

import pytest

from check.answer import check_answer


def test_misfit_product_is_shown_in_matrix_notation():
    verdict = check_answer("dense:dW", "(h^2)^T . dz^3")
    assert verdict.correct is False
    assert verdict.read_as.startswith("hᵀ · δ")
    assert "(h^2)ᵀ · δ^3" in verdict.read_as  # the elementwise-square reading, bracketed


@pytest.mark.parametrize(
    ("quantity", "answer", "shown"),
    [
        ("dense:dh", "dz^3 . (W^3)^T", "δ · Wᵀ"),
        ("dense:dW", "h^T delta", "hᵀ · δ"),
        ("dense:z", "W + b", "W + b"),
    ],
)
def test_read_as_never_blank_for_shapes_that_do_not_fit(quantity, answer, shown):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is False
    assert verdict.read_as.startswith(shown)
