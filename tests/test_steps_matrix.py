"""``check steps`` with lines in matrix notation: the notes' δ derivations (notes 000, 001,
002), each judged line by line as explicit matrices, and their typical mistakes."""

from __future__ import annotations

import pytest

from check import check_steps
from check.steps_matrix import looks_like_matrices
from check.steps_matrix_read import Sizes
from derive.errors import ParseError

# note 001, line 122: the output δ of a 1-2-1 network, e = (y − ŷ)²
DELTA3 = r"""
e = (y - \hat{y})^2
\hat{y} = a^3
a^3 = g(z^3)
\delta^3 &= \nabla_{a^3} e \circ g'(z^3) \\
&= \nabla_{\hat{y}} e \circ g'(z^3) \\
&= 2(\hat{y} - y)g'(z^3).
"""
# note 001, line 126: δ² with the explicit matrices of the 1-2-1 network
DELTA2 = r"""
z^3 = w^3 a^2 + b^3
a^2 = g(z^2)
\delta^2 &= ((w^3)^T \delta^3) \circ g'(z^2) \\
&= \begin{pmatrix} w_{11}^3 \\ w_{12}^3 \end{pmatrix} \delta^3 \circ \begin{bmatrix} g'(z_1^2) \\ g'(z_2^2) \end{bmatrix} \\
&= \begin{bmatrix} \delta^3 w_{11}^3 g'(z_1^2) \\ \delta^3 w_{12}^3 g'(z_2^2) \end{bmatrix}.
"""
# note 000, line 526: dh^2 = (W^3)^T . dz^3, and its entries (line 520)
DH2 = r"""
z^3 = W^3 h^2 + b^3
\frac{\partial L}{\partial h^2}
= dh^2
= (W^3)^T . dz^3
= \begin{bmatrix} dz_1^3 w_{11}^3 + dz_2^3 w_{21}^3 \\ dz_1^3 w_{12}^3 + dz_2^3 w_{22}^3 \end{bmatrix}
"""
# note 002, line 934: e^{(2)} = W^T δ^{(3)}, δ^{(2)} = e^{(2)} · g'(z^{(2)}), g = tanh (line 925)
E2 = r"""
g(z) = \tanh(z)
z^{(3)} = W a^{(2)} + b^{(3)}
a^{(2)} = g(z^{(2)})
e^{(2)} = W^T \delta^{(3)}
\delta^{(2)}
= e^{(2)} \cdot g'(z^{(2)})
"""


def _verdicts(report):
    return [line.valid for line in report.lines]


def test_the_issue_example_is_read_as_matrices():
    report = check_steps(
        "z = W h + b\n\\frac{\\partial L}{\\partial h}\n= W^T \\frac{\\partial L}{\\partial z}"
    )
    assert report.valid and report.final_correct
    assert any("L is not defined" in r for r in report.readings)


def test_note_001_output_delta():
    report = check_steps(DELTA3)
    assert _verdicts(report) == [True, True, True] and report.final_correct


def test_note_001_output_delta_without_g_prime_is_undecided_for_any_g():
    text = DELTA3.replace(r"&= 2(\hat{y} - y)g'(z^3).", r"&= 2(\hat{y} - y).")
    report = check_steps(text)
    assert report.lines[-1].valid is None  # true if g is the identity: never wrong
    assert "identity" in report.lines[-1].method


def test_note_001_output_delta_without_g_prime_is_wrong_for_sigma():
    text = "g(z) = \\sigma(z)\n" + DELTA3.replace(
        r"&= 2(\hat{y} - y)g'(z^3).", r"&= 2(\hat{y} - y)."
    )
    report = check_steps(text)
    assert report.first_wrong.number == 8  # the text opens with g(z) = σ(z) and a blank line
    assert "g′" in report.first_wrong.diagnosis


def test_note_001_hidden_delta_with_explicit_matrices():
    report = check_steps(DELTA2)
    assert _verdicts(report) == [True, True, True] and report.final_correct
    assert any("layer 2: 2, layer 3: 1" in r for r in report.readings)


def test_note_001_missing_transpose_names_the_shapes():
    text = DELTA2.replace(r"((w^3)^T \delta^3)", r"(w^3 \delta^3)")
    report = check_steps(text)
    wrong = report.first_wrong
    assert wrong.number == 4 and "1×2 and 2×1" in wrong.diagnosis
    assert "transpose" in wrong.diagnosis


def test_note_000_dh2_and_its_entries():
    report = check_steps(DH2)
    assert _verdicts(report) == [True, True, True] and report.final_correct


def test_note_000_missing_transpose():
    report = check_steps(DH2.replace("(W^3)^T . dz^3", "W^3 . dz^3"))
    assert report.first_wrong.number == 5
    assert "transpose" in report.first_wrong.diagnosis


def test_note_002_error_then_delta():
    report = check_steps(E2)
    assert _verdicts(report) == [True] and report.final_correct
    assert any("W read as W^3" in r for r in report.readings)


def test_note_002_g_prime_dropped():
    report = check_steps(E2 + "= e^{(2)}\n")
    assert _verdicts(report) == [True, False] and report.final_correct is False
    assert "g′" in report.lines[-1].diagnosis


def test_sizes_and_shapes():
    sizes = Sizes({3: 1, 2: 2})
    assert sizes.shape("w", "3") == (1, 2) and sizes.shape("delta", "3") == (1, 1)
    assert Sizes({}).shape("W", "") == (2, 3)  # z (2) = W h (3): adjacent layers differ
    assert Sizes({}, layout="cols").shape("W", "") == (3, 2)


def test_markers():
    assert looks_like_matrices(r"(W^3)^T \delta")
    assert looks_like_matrices(r"\begin{bmatrix} a \\ b \end{bmatrix}")
    assert not looks_like_matrices(r"d/dz (-y*log(p))")


def test_unreadable_line_keeps_a_one_line_error():
    with pytest.raises(ParseError) as info:
        check_steps("z = W h + b\n\\frac{\\partial L}{\\partial h}\n= W^T @@")
    assert "\n" not in str(info.value)


def test_shapes_that_only_the_default_sizes_break_decide_nothing():
    from check.steps_matrix_judge import check_matrix_steps

    # no transpose, literal or W: a and b might be numbers; the sizes 3 and 2 are a guess
    report = check_matrix_steps("\\frac{\\partial L}{\\partial a}\n= a b")
    assert report.first_wrong is None and report.lines[0].valid is None
    assert "sizes assumed" in report.lines[0].method


def test_a_gradient_written_as_a_row_is_undecided_not_wrong():
    report = check_steps("z = W h + b\n\\frac{\\partial L}{\\partial h}\n= \\delta^T W")
    assert report.lines[0].valid is None and "row" in report.lines[0].method
    wrong = check_steps("z = W h + b\n\\frac{\\partial L}{\\partial h}\n= \\delta^T W^T")
    assert wrong.first_wrong is not None  # 1×2 times 3×2 does not fit


def test_names_never_defined_decide_nothing():
    report = check_steps("\\frac{\\partial L}{\\partial h}\n= W^T \\delta")
    assert report.first_wrong is None


def test_a_bare_w_that_is_a_number_is_judged_as_scalars_too():
    """One neuron, z = W x + b with W a number: as matrices ∂L/∂W = 2(z − y) x does not fit,
    as scalars it is right; never a wrong verdict for the scalar reading."""
    text = "z = W x + b\nL = (z - y)^2\n\\frac{\\partial L}{\\partial W}\n= 2(z - y) x\n"
    report = check_steps(text)
    assert report.valid and report.final_correct, report.to_text()
    assert any("W read as a number" in r for r in report.readings)
    wrong = check_steps(text.replace("= 2(z - y) x", "= 2(z - y) W"))
    assert wrong.first_wrong is wrong.lines[-1]
