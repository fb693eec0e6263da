"""Scalar forms of the lecture notes (tests/fixtures/notes/*.toml): the mistakes named by the
general rules of check/diagnose_rules.py, and dummy indices printed by their names."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from check import check_answer
from check.steps_text import substitute_index
from derive.errors import ParseError
from derive.render.printer import text as show

# (quantity, answer as the notes print it, params, what the diagnosis must say)
MISTAKES = [
    # the inner product qᵀq where the outer product q qᵀ belongs (note 000, the Jacobian)
    ("softmax:jacobian", "diag(q) - q^T q", {}, r"transposed: .* inner product .* outer product"),
    # the exponential left out of the denominator only (note 004)
    ("softmax:forward", r"\frac{e^{a_{L,j}}}{\sum_{i=1}^k a_{L,i}}", {"layer_index": "subscript"}, r"exponential left out in Σ"),
    # the indicator left out; the reciprocal, also with its sign flipped (note 004)
    ("ce:dp", r"-\frac{1}{\hat{y}_{\ell}}", {"target": "class ell"}, r"missing factor 𝟙\[ℓ = i\]"),
    ("ce:dp", r"-\mathbb{1}_{(i=\ell)} \hat{y}_{\ell}", {"target": "class ell"}, r"reciprocal.*inverse"),
    ("ce:dp", r"\frac{1}{e(\ell)} \hat{y}_{\ell}", {"target": "class ell"}, r"sign error and the reciprocal"),
    # an index slip onto the indicator's other index (note 004, line 2001)
    ("softmax-ce", r"-(\mathbb{1}_{\ell=i} - \hat{y}_{\ell})", {"target": "class ell"}, r"wrong index: p_\{ℓ\} where p_i belongs"),
    # two terms that cancel, one with its sign flipped (note 000)
    ("sigmoid-bce", "p-py-y-py", {}, r"sign error: −p y written where p y belongs"),
]  # fmt: skip


@pytest.mark.parametrize(("quantity", "answer", "params", "said"), MISTAKES)
def test_a_notes_mistake_is_named(quantity, answer, params, said):
    verdict = check_answer(quantity, answer, params=params or None)
    assert verdict.correct is False
    assert verdict.diagnosis and re.search(said, verdict.diagnosis), verdict.diagnosis


@pytest.mark.parametrize(
    ("quantity", "answer", "params"),
    [
        ("softmax:jacobian", "diag(q) - q q^T", {}),
        (
            "softmax:forward",
            r"\frac{e^{a_{L,j}}}{\sum_{i=1}^k e^{a_{L,i}}}",
            {"layer_index": "subscript"},
        ),
        ("ce:dp", r"-\frac{\mathbb{1}_{(i=\ell)}}{\hat{y}_{\ell}}", {"target": "class ell"}),
        ("softmax-ce", r"-(\mathbb{1}_{\ell=i} - \hat{y}_{i})", {"target": "class ell"}),
    ],
)
def test_the_correct_forms_stay_correct(quantity, answer, params):
    assert check_answer(quantity, answer, params=params or None).correct is True


def test_a_dummy_index_prints_by_its_name():
    k, p = sp.Dummy("k", integer=True), sp.IndexedBase("p")
    assert show(sp.Sum(p[k] ** 2, (k, 1, sp.Symbol("K")))) == "Σ_{k=1}^{K} p_k²"
    verdict = check_answer("softmax:jacobian", "diag(q) - q^T q")
    assert (
        "{_k" not in verdict.read_as
        and "p__k" not in verdict.read_as
        and "Σ_{k=1}^{K} p_k²" in verdict.read_as
    )


# -- a Σ written without its index (note 002, line 743: z_i = ∑ w_{ij} a_i^{(l-1)}) -----------


def test_a_sum_without_index_sums_the_repeated_index_and_says_so():
    verdict = check_answer("dense:z", r"\sum w_{ij} a_j^{(l-1)}", params={"bias": False})
    assert verdict.correct is True
    assert "Σ without an index read as Σ over j" in verdict.read_as


def test_the_notes_damaged_sum_is_the_index_summed_on_the_wrong_side():
    verdict = check_answer("dense:z", r"\sum w_{ij} a_i^{(l-1)}", params={"bias": False})
    assert verdict.correct is False
    assert "transposed" in verdict.diagnosis
    assert "Σ_{i′=1}^{n_in} W_{i′,i} h_i′" in verdict.read_as  # the bound i primed


def test_a_sum_whose_index_is_not_evident_is_refused_in_one_line():
    with pytest.raises(ParseError, match=r"a sum needs its index .*indices i, j leave it open"):
        check_answer("dense:z", r"\sum w_{ij} x_{ij}", params={"bias": False})


def test_a_primed_summation_index_is_expanded_in_steps():
    """Note 004, line 1998: ŷ_ℓ = e^{a_{Lℓ}}/∑_{i'} e^{a_{Li'}}; the i of a_{Li} stays."""
    assert substitute_index(r"e^{a_{Li'}} + a_{Li}", "i'", 2) == r"e^{a_{L2}} + a_{Li}"
    assert substitute_index(r"e^{a_{Li'}} + a_{Li}", "i", 2) == r"e^{a_{Li'}} + a_{L2}"


# -- note 003: the output is y^*, so a plain y is the target ----------------------------------


def test_the_target_written_for_the_starred_output_is_named():
    verdict = check_answer("sigmoid", "y(1 - y)", params={"output": "y^*"})
    assert verdict.correct is False and "y and p swapped" in verdict.diagnosis
    assert verdict.read_as == "y·(1 − y)"  # a product: y is not a function


@pytest.mark.parametrize("answer", ["y^*(1 - y^*)", "y^* - (y^*)^2"])
def test_the_starred_output_stays_correct(answer):
    assert check_answer("sigmoid", answer, params={"output": "y^*"}).correct is True


# -- note 004, line 2148: Σ_{m=1}^{k}, k the layer's width ---------------------------------

DH_SUM = r"\sum_{m=1}^{k} \frac{\partial \mathcal{L}(\theta)}{\partial a_{i+1,m}} W_{i+1,%s}"
SUBSCRIPT = {"layer_index": "subscript"}


def test_a_sum_up_to_an_unknown_letter_runs_over_the_whole_size_and_says_so():
    verdict = check_answer("dense:dh", DH_SUM % "m,j", params=SUBSCRIPT)
    assert verdict.correct is True
    assert "Σ up to k read as Σ up to n_out" in verdict.read_as


def test_the_sums_slips_are_named():
    transposed = check_answer("dense:dh", DH_SUM % "j,m", params=SUBSCRIPT)
    assert transposed.correct is False and "transposed" in transposed.diagnosis
    one_term = r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{i+1,j}} W_{i+1,j,j}"
    verdict = check_answer("dense:dh", one_term, params=SUBSCRIPT)
    assert verdict.correct is False
    assert "missing terms: only the term W_jj δ_j" in verdict.diagnosis


def test_the_loss_at_the_true_class_written_for_its_derivative_is_named():
    """Note 004, line 1772: −log ŷ_ℓ where ∂L/∂ŷ_i = −𝟙(i = ℓ)/ŷ_ℓ belongs."""
    verdict = check_answer("ce:dp", r"-\log \hat{y}_{\ell}", params={"target": "class ell"})
    assert verdict.correct is False and "the loss itself" in verdict.diagnosis
