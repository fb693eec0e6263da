"""Vectors and matrices written entry by entry (derive/language/literals.py and
tensor_literals.py), judged by check answer for layers of the literal's size; the notes' own
forms (notes 000, 001, 004) and their mistakes, and "⊗ ." read as ⊙."""

import pytest

from check.answer import check_answer
from derive.errors import ParseError
from derive.language import parse
from derive.language.literals import MAX_ENTRIES

FUNCTIONS = {"g", "sigma"}

# note 000: a column times a row is the outer product dW^3 = dz^3 (h^2)^T
DW3 = r"\begin{bmatrix} dz_1^3 \\ dz_2^3 \end{bmatrix} \begin{bmatrix} h_1^2 & h_2^2 \end{bmatrix}"
# note 001 (a 1-2-1 network): δ^2 entry by entry
DELTA2 = r"\begin{bmatrix} \delta^3 w_{11}^3 g'(z_1^2) \\ \delta^3 w_{12}^3 g'(z_2^2) \end{bmatrix}"
DELTA2_PRODUCT = (
    r"\begin{pmatrix} w_{11}^3 \\ w_{12}^3 \end{pmatrix} \delta^3 \circ "
    r"\begin{bmatrix} g'(z_1^2) \\ g'(z_2^2) \end{bmatrix}"
)
NOTE001 = {"layer": 2, "sizes": [1, 2, 1]}


def judged(quantity, text, **params):
    return check_answer(quantity, text, params=params)


# -- the grammar ------------------------------------------------------------------------------


def test_a_matrix_literal_is_a_node_of_rows():
    tree = parse(r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", FUNCTIONS)
    assert tree.kind == "matrix"
    assert [[cell.text for cell in row.args] for row in tree.args] == [["a", "b"], ["c", "d"]]


@pytest.mark.parametrize(
    "text",
    [
        r"\begin{pmatrix} a \\ b \end{pmatrix}",
        r"\begin{matrix} a \\ b \end{matrix}",
        r"\begin{array}{c} a \\ b \end{array}",
        r"\begin{bmatrix} a \\ b \\ \end{bmatrix}",  # a trailing \\
    ],
)
def test_every_environment_gives_the_same_column(text):
    tree = parse(text, FUNCTIONS)
    assert tree.kind == "matrix" and [len(row.args) for row in tree.args] == [1, 1]


def test_two_literals_side_by_side_are_a_product():
    tree = parse(DW3, FUNCTIONS)
    assert tree.kind == "product" and [a.kind for a in tree.args] == ["matrix", "matrix"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"\begin{vmatrix} a \end{vmatrix}", "determinants are not supported"),
        (r"\begin{bmatrix} a & b \\ c \end{bmatrix}", "different numbers of entries (2, 1)"),
        (r"\begin{bmatrix} a \end{pmatrix}", "ends with"),
        (r"\begin{bmatrix} a ", "expected '&'"),
        (r"a \end{bmatrix}", "unexpected"),
        (
            r"\begin{bmatrix} " + r" \\ ".join(["a"] * (MAX_ENTRIES + 1)) + r" \end{bmatrix}",
            "too large",
        ),
        ("[..., x_k]", "[\\dots, x_k, \\dots]"),
    ],
)
def test_bad_literals_are_one_line_errors(text, message):
    with pytest.raises(ParseError, match=None) as info:
        parse(text, FUNCTIONS)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_otimes_dot_is_one_hadamard_product():
    for text in (r"dh^{2} \otimes . \sigma'(z^{2})", r"dh^4\otimes.\sigma'(z^4)", "a ⊗· b"):
        tree = parse(text, FUNCTIONS)
        assert tree.kind == "hadamard" and tree.ops == ("", "⊙")
    assert parse(r"dz^3 \otimes h^2", FUNCTIONS).ops == ("", "⊗")  # ⊗ alone is unchanged


def test_a_vector_by_its_generic_entry():
    tree = parse(r"[\dots, g'(a_{ik}), \dots]", FUNCTIONS)
    assert tree.kind == "entries" and tree.args[0].kind == "call"


# -- judged against the derivations ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        DW3,
        r"\begin{bmatrix} dz_1^3 h_1^2 & dz_1^3 h_2^2 \\ dz_2^3 h_1^2 & dz_2^3 h_2^2 \end{bmatrix}",
        r"\begin{bmatrix} dz_1^3 \\ dz_2^3 \end{bmatrix} (h^2)^T",
    ],
)
def test_note000_outer_product_written_out_is_correct(text):
    verdict = judged("dense:dW", text, layer=3)
    assert verdict.correct is True, verdict.to_text()
    assert "n_out = 2" in verdict.read_as


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        # missing transpose: h (dz)ᵀ is dWᵀ
        (
            r"\begin{bmatrix} h_1^2 \\ h_2^2 \end{bmatrix} \begin{bmatrix} dz_1^3 & dz_2^3 \end{bmatrix}",
            "transpos",
        ),
        (
            r"\begin{bmatrix} dz_1^3 h_1^2 & dz_2^3 h_1^2 \\ dz_1^3 h_2^2 & dz_2^3 h_2^2 \end{bmatrix}",
            "transpos",
        ),
        # wrong order: a row times a column is a number
        (
            r"\begin{bmatrix} dz_1^3 & dz_2^3 \end{bmatrix} \begin{bmatrix} h_1^2 \\ h_2^2 \end{bmatrix}",
            "wrong order",
        ),
        # a wrong entry
        (
            r"\begin{bmatrix} dz_1^3 h_1^2 & dz_1^3 h_2^2 \\ dz_2^3 h_1^2 & dz_2^3 h_1^2 \end{bmatrix}",
            "",
        ),
        # the wrong layer in the labels
        (
            r"\begin{bmatrix} dz_1^3 \\ dz_2^3 \end{bmatrix} \begin{bmatrix} h_1^3 & h_2^3 \end{bmatrix}",
            "",
        ),
    ],
)
def test_note000_mistakes_are_incorrect(text, diagnosis):
    verdict = judged("dense:dW", text, layer=3)
    assert verdict.correct is False, verdict.to_text()
    assert diagnosis in (verdict.diagnosis or "")


@pytest.mark.parametrize("text", [DELTA2, DELTA2_PRODUCT])
def test_note001_delta_entries_are_correct(text):
    verdict = judged("dense:delta", text, **NOTE001)
    assert verdict.correct is True, verdict.to_text()
    assert "n_in = 2, n_out = 1" in verdict.read_as


def test_note001_delta_entries_without_the_sizes_are_still_correct():
    """Without sizes, a layer of one unit is one of the readings (δ^3 one number)."""
    assert judged("dense:delta", DELTA2, layer=2).correct is True


@pytest.mark.parametrize(
    "text",
    [
        r"\begin{bmatrix} \delta^3 w_{11}^3 g'(z_1^2) \\ \delta^3 w_{12}^3 g'(z_1^2) \end{bmatrix}",
        r"\begin{bmatrix} \delta^3 w_{12}^3 g'(z_1^2) \\ \delta^3 w_{11}^3 g'(z_2^2) \end{bmatrix}",
    ],
)
def test_note001_wrong_indices_are_incorrect(text):
    verdict = judged("dense:delta", text, **NOTE001)
    assert verdict.correct is False and "index" in verdict.diagnosis


def test_note001_missing_derivative_is_incorrect():
    text = r"\begin{bmatrix} \delta^3 w_{11}^3 \\ \delta^3 w_{12}^3 \end{bmatrix}"
    assert judged("dense:delta", text, **NOTE001).correct is False


def test_note001_transposed_weights_are_incorrect():
    """w_{21}, w_{22}: the column of W, not its row (a missing transpose)."""
    text = (
        r"\begin{bmatrix} \delta^3 w_{21}^3 g'(z_1^2) \\ \delta^3 w_{22}^3 g'(z_2^2) \end{bmatrix}"
    )
    assert judged("dense:delta", text, **NOTE001).correct is False


@pytest.mark.parametrize(
    "text",
    [
        r"\nabla_{h_i} \mathcal{L}(\theta) \odot [\dots, g'(a_{ik}), \dots]",
        r"\nabla_{h_{k-1}} \mathscr{L}(\theta) \odot [\dots, g'(a_{k-1,j}), \dots]",
    ],
)
def test_note004_vector_by_its_entry_is_correct(text):
    verdict = judged("dense:dz", text, layer_index="subscript")
    assert verdict.correct is True, verdict.to_text()


def test_note004_vector_by_its_entry_without_the_prime_is_incorrect():
    text = r"\nabla_{h_i} \mathcal{L}(\theta) \odot [\dots, g(a_{ik}), \dots]"
    verdict = judged("dense:dz", text, layer_index="subscript")
    assert verdict.correct is False and "derivative" in verdict.diagnosis


@pytest.mark.parametrize(
    ("text", "layer", "correct"),
    [
        (r"dh^{2} \otimes . \sigma'(z^{2})", 2, True),
        (r"dh^4\otimes.\sigma'(z^4)", 4, True),
        (r"dh^3 \otimes .  \sigma'(z^3)", 4, False),
        (r"dh^4 \otimes . \sigma(z^4)", 4, False),
    ],
)
def test_note000_otimes_dot_hadamard(text, layer, correct):
    verdict = judged("dense:dz", text, layer=layer, activation="sigmoid")
    assert verdict.correct is correct, verdict.to_text()


def test_a_literal_where_the_size_is_not_fixed_is_refused():
    with pytest.raises(ParseError, match="entry by entry cannot be judged"):
        check_answer("softmax-ce", r"\begin{bmatrix} p_1 - y_1 \\ p_2 - y_2 \end{bmatrix}")
    with pytest.raises(ParseError, match="entry by entry is not judged for batch:dW"):
        check_answer("batch:dW", r"\begin{bmatrix} a \end{bmatrix}")


def test_one_term_of_the_sum_is_incorrect_for_layers_of_the_literals_size():
    """Without sizes the literal's own size (2) is read first: one term of Σ_k is missing."""
    text = r"\begin{bmatrix} w_{11}^3 dz_1^3 g'(z_1^2) \\ w_{12}^3 dz_1^3 g'(z_2^2) \end{bmatrix}"
    verdict = judged("dense:delta", text, layer=2)
    assert verdict.correct is False, verdict.to_text()


def test_the_question_sizes_fix_the_layers():
    """sizes = [2, 2, 3]: layer 3 has 3 units, so a 2×2 literal for dW^3 is the wrong shape."""
    verdict = judged("dense:dW", DW3, layer=3, sizes=[2, 2, 3])
    assert verdict.correct is False and "wrong shape" in verdict.diagnosis
    assert judged("dense:dW", DW3, layer=3, sizes=[2, 2, 2]).correct is True


@pytest.mark.parametrize("sizes", [[0, 2], [2], "2,2", [True, 2], [2] * 17])
def test_sizes_that_are_not_layer_sizes_are_ignored(sizes):
    from check.question import question

    assert question("dense:dW", None, None, {"layer": 2, "sizes": sizes}).layer_sizes() == {}
