"""Mode 1, ``backprop check answer QUANTITY "ANSWER"``: one symbolic answer against a result.

>>> check_answer("sigmoid", "sigma(z)(1 - sigma(z))").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check import diagnose_rules, literals, quantities
from check.answer_entries import (
    align_indices,
    at_layer,
    entry_assignment,
    entry_candidates,
    split_quantity,
)
from check.damage import damage_diagnosis
from check.diagnose import Diagnoser, show
from check.equivalence import DEFAULT_TIMEOUT, decide
from check.matrix_verdicts import (
    against_layout,
    entry_of,
    matrix_verdict,
    oriented,
    shape_verdict,
    writes_weights,
)
from check.params_quantities import given_quantity
from check.quantities import Quantity
from check.question import question
from check.reading import ShapeError, Tensor, answer_readings
from check.report import Verdict
from derive.errors import ParseError
from derive.language import Reading
from derive.language import profiles as notation_profiles
from derive.model import Domain
from derive.symbols import Wm, deltav, hv, n_in, n_out

ONE = sp.Integer(1)


def read_answer(q: Quantity, text: str, notation: str | None = None) -> sp.Expr | Tensor:
    """The answer's first reading: SymPy (index notation), or a Tensor for dense-layer matrix
    notation.  ParseError for unreadable text, ShapeError for shapes that do not fit."""
    value = answer_readings(q, text, _profile(notation, text))[0].value
    if isinstance(value, ShapeError):
        raise value
    return value


def _profile(notation: str | None, text: str):
    """The named profile; without a name, the default one, its readings ordered as the
    notation the answer seems to use would read it (every reading is still judged)."""
    if notation:
        return notation_profiles.get(notation)
    inferred = notation_profiles.infer(text) if isinstance(text, str) else None
    default = notation_profiles.default_profile()
    if inferred is None or inferred is default:
        return default
    return replace(default, prefers=inferred.prefers, name=f"default, as {inferred.name}")


def check_answer(
    quantity: str,
    text: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    explain: bool = False,
    notation: str | None = None,
    params: dict | None = None,
) -> Verdict:
    """Judge ``text`` as the value of ``quantity``. ParseError / UnknownNameError for bad input.

    ``params`` say what the name alone does not (see :func:`check.question.question`):
    ``entry`` ([1, 2] or ["j", "i"]), ``layer`` (the layer of the gradient: 3, "l", "o"),
    ``hidden_layers`` (L, so that o, the output layer, is L + 1: dz^o (h^2)ᵀ), ``activation``.
    Every plausible reading of the text is judged; if one is correct the verdict is correct
    and says which reading it was ("read as"); otherwise the verdict on the first reading.
    With ``notation`` (a profile's name), "read as" and "expected" are written in that
    profile's symbols, as ``backprop derive --notation`` writes the derivation."""
    chosen = notation or (params or {}).get("notation")
    if not isinstance(chosen, str) or not chosen:
        return _last_resort(_check_answer(quantity, text, timeout, explain, notation, params))
    from derive.render import profile_notation

    notation_profiles.get(chosen)  # UnknownNameError, listing the profiles, before anything
    with profile_notation.using(chosen):
        return _last_resort(_check_answer(quantity, text, timeout, explain, notation, params))


def _last_resort(verdict: Verdict) -> Verdict:
    """A wrong answer no reading's diagnosis explains: the damage check.damage finds, if any
    (w_{21} where w_1² belongs), tried only now so that it never hides a named mistake."""
    if verdict.correct is False and not verdict.diagnosis and verdict.last_resort:
        verdict.diagnosis = verdict.last_resort
    return verdict


def _check_answer(quantity, text, timeout, explain, notation, params) -> Verdict:
    """The quantity's own reading first; where it cannot read the answer (or, for some, not
    decide it), the wider readings of :func:`check.params_quantities.wider_readings`."""
    from check.params_quantities import wider_readings

    try:
        verdict, unread = _check_named(quantity, text, timeout, explain, notation, params), None
    except ParseError as exc:
        verdict, unread = None, exc
    if verdict is not None and verdict.correct is not None:
        return verdict
    verdicts = []  # every wider reading is judged: one correct wins
    for extra, said in wider_readings(quantity, params or {}, undecided=verdict is not None):
        try:
            wider = _check_named(
                quantity, text, timeout, explain, notation, {**(params or {}), **extra}
            )
        except ParseError:
            continue
        wider.read_as += f"  [{said}]"
        if wider.correct:
            return wider
        if wider.correct is not None:
            verdicts.append(wider)
    if verdicts:
        return _reported(verdicts)
    if verdict is not None:
        return verdict
    raise unread


def _check_named(quantity, text, timeout, explain, notation, params) -> Verdict:
    if isinstance(quantity, Quantity):  # made from the question's text (--activation, --loss)
        q, entry, layer = quantity, None, None
        name = q.name
    elif quantity in quantities.QUANTITIES:  # a name that holds its entry: net121:dW3[1,2]
        name, entry, layer = quantity, None, None
    else:
        name, entry, layer = split_quantity(quantity)
    ask = question(name, entry, layer, params or {})
    if not isinstance(quantity, Quantity):
        q = given_quantity(name, params or {}) or quantities.get(name)
        names_class = _names_true_class(name, text) or "ell" in (ask.entry or ())
        if q is quantities.QUANTITIES.get(name) and names_class and _has_target(name):
            from check import forward_quantities as forward

            q = forward.at_true_class(name)  # ŷ_ℓ, 𝟙(i = ℓ): y one-hot at the true class ℓ
    if "ell" in (ask.entry or ()) and "ell" not in q.index_symbols:
        ask = replace(ask, entry=None)  # ŷ_ℓ = softmax(z)_ℓ: ℓ is only the index's name here
    profile = _profile(notation or ask.notation, text)
    if ask.layout == "columns":
        profile = replace(profile, examples="columns")
    elif ask.layout:
        profile = replace(profile, weights=ask.layout, gradient_rows=ask.rows)
    if ask.layer_index == "subscript":  # the question writes layers as subscripts: h_{i-1}, W_k
        # and, as in the notes that write them so (a_i = b_i + W_i h_{i-1}), a is the
        # pre-activation where the quantity has no a of its own (h_i = g(a_i))
        subscript = notation_profiles.get("preactivation-a-subscript-layers")
        profile = replace(
            profile,
            layer_letters=subscript.layer_letters,
            aliases={**subscript.aliases, **profile.aliases},
        )
    if ask.hidden_layers is not None:  # o, the output layer, is hidden_layers + 1
        profile = replace(profile, hidden_layers=ask.hidden_layers)
    if ask.letter_layer is not None:  # layer = "t-1": the labels must name that layer
        profile = replace(profile, result_layer=ask.letter_layer)
    from derive.render import profile_notation

    with profile_notation.weights_written(profile.weights):  # W_ji shown as the notes index it
        return _judged(q, text, profile, ask, timeout, explain, notation)


def _judged(q: Quantity, text: str, profile, ask, timeout, explain, notation) -> Verdict:
    """Every reading of ``text`` judged; the first correct one, else the reported one."""
    layer = ask.layer
    sizes = ask.layer_sizes()
    q, found = _readings(q, text, profile, sizes)
    found = _in_range(found, profile.index_base)
    found = [r if layer is None else at_layer(r, layer) for r in found]
    verdicts = []
    for reading in found:
        domain = ask.domain(q, text)
        verdict = _judge(q, text, reading, timeout, ask.entry, domain, profile)
        if len(found) > 1 or reading.notes or notation:
            verdict.read_as = _with_notes(verdict.read_as, reading, notation and profile.name)
        if verdict.correct:
            return _explained(verdict, q, explain)
        verdicts.append(verdict)
    verdict = _reported(verdicts)
    if len(verdicts) > 1:
        others = "; ".join(f"{v.read_as}: {_status(v)}" for v in verdicts if v is not verdict)
        verdict.read_as += f"  (also read as {others})"
    return _explained(verdict, q, explain)


def _readings(q: Quantity, text: str, profile, sizes) -> tuple[Quantity, list[Reading]]:
    """The answer's readings as ``q``; where index notation cannot read it and ``q`` has a
    matrix-notation form (σ(W^l h^{l-1} + b^l) for h = g(z)), the readings of that form."""
    try:
        return q, answer_readings(q, text, profile, sizes)
    except ParseError as scalar_error:
        from check.matrix_forms import matrix_form

        matrix = matrix_form(q)
        if matrix is None:
            raise
        try:
            found = answer_readings(matrix, text, profile, sizes)
        except ParseError:
            raise scalar_error from None
        if not all(isinstance(r.value, Tensor | Exception) for r in found):
            raise scalar_error from None  # index notation is the scalar quantity's, not this
        if not any(writes_weights(r.value, text) for r in found):
            raise scalar_error from None  # tanh(z): the scalar quantity's refusal stands
        return matrix, found


def _reported(verdicts: list[Verdict]) -> Verdict:
    """The verdict when no reading is correct: undecided if any reading is (the answer may be
    right under it); else the first reading whose mistake is named, else the first."""
    undecided = [v for v in verdicts if v.correct is None]
    if undecided:
        return undecided[0]
    return next((v for v in verdicts if v.diagnosis), verdicts[0])


_TRUE_CLASS_NAME = re.compile(r"ℓ|\\ell(?![A-Za-z])|(?<![A-Za-z\\])ell(?![A-Za-z])")


def _has_target(name: str) -> bool:
    from check.forward_quantities import TRUE_CLASS

    return name in TRUE_CLASS


def _names_true_class(name: str, text) -> bool:
    """An answer about softmax-ce or ce:dp written with ℓ, the true class (notes 004)."""
    if not _has_target(name) or not isinstance(text, str):
        return False
    return _TRUE_CLASS_NAME.search(text) is not None


def _in_range(found: list[Reading], base: int) -> list[Reading]:
    """The readings whose numbered entries (p_1, δ_2) exist when vectors are indexed from
    ``base``; ParseError naming the index if none does (p_0 where indices start at 1)."""
    kept, low = [], None
    for reading in found:
        value = reading.value
        atoms = (
            sorted(value.atoms(sp.Indexed), key=sp.default_sort_key)
            if isinstance(value, sp.Basic)
            else ()
        )
        bad = [ix for a in atoms for ix in a.indices if ix.is_Integer and int(ix) < base]
        if bad:
            low = low or next(a for a in atoms if any(ix in bad for ix in a.indices))
        else:
            kept.append(reading)
    if kept or low is None:
        return kept
    raise ParseError(
        f"index out of range in {show(low)}: vectors are indexed from {base} "
        f"({'1, …, K' if base == 1 else '0, …, K − 1'}) as in the derivations, so off by one?"
    )


def _status(verdict: Verdict) -> str:
    return {True: "correct", False: "incorrect", None: "undecided"}[verdict.correct]


def _with_notes(read_as: str, reading: Reading, notation: str | None) -> str:
    notes = list(reading.notes) + ([f"notation {notation}"] if notation else [])
    return f"{read_as}  [{'; '.join(notes)}]" if notes else read_as


def _judge(
    q: Quantity,
    text: str,
    reading: Reading,
    timeout: float,
    entry: tuple | None = None,
    domain: Domain | None = None,
    layout=None,
) -> Verdict:
    """The verdict on one reading of the answer, on ``domain`` (default: the quantity's), in
    the weight ``layout`` of the notation (a profile)."""
    expected = q.expected  # built and verified before the worker forks, so it is inherited
    answer = reading.value
    if isinstance(answer, ShapeError):
        return shape_verdict(q, text, answer)
    if getattr(answer, "is_verdict", False):  # layer labels that do not fit (or not placed)
        read = getattr(answer, "value", None)
        shown = read.text if isinstance(read, Tensor) else show(read) if read is not None else text
        correct = None if getattr(answer, "undecided", False) else False
        return Verdict(
            q.name, text, show(expected), correct, read_as=shown, method="layers",
            diagnosis=str(answer),
        )  # fmt: skip
    if isinstance(answer, Tensor) and reading.sizes:

        def decided(entry, expected, note, at):
            return _decided(q, text, entry, expected, note, timeout, domain, at)

        return literals.verdict(q, text, answer, dict(reading.sizes), decided)
    if isinstance(answer, Tensor):
        if against_layout(q, answer, layout):
            return Verdict(
                q.name, text, show(expected), False, read_as=answer.describe(), method="shapes",
                diagnosis="transposed: with W n_in × n_out, as in the notes, ∂L/∂W is n_in × n_out "
                "(h δᵀ); the answer is n_out × n_in",
            )  # fmt: skip
        if "delta-row" in reading.flags and layout is not None:  # δ a row: so are its results
            layout = replace(layout, gradient_rows=True)
        answer = oriented(q, answer, layout)
        verdict = matrix_verdict(q, answer, text, expected)
        if verdict is not None:
            return verdict
        candidates = [(entry_of(q, answer), expected, "")]
    else:
        candidates = align_indices(q, answer, expected)
    if entry is not None:
        candidates = entry_candidates(q, candidates, entry, answer)
    domain = _written_out(q, candidates[0][0], domain or q.domain)
    at = entry_assignment(q, entry) if entry is not None else {}
    verdicts = [_decided(q, text, *c, timeout, domain, at) for c in candidates[:4]]
    return next((v for v in verdicts if v.correct), verdicts[0])


# the size summed over in each result: z_i = Σ_l W_il h_l + b_i, (Wᵀ δ)_j = Σ_k W_kj δ_k
_SUMMED = {
    "dense:z": (n_in, 1),
    "dense:h": (n_in, 1),
    "dense:dh": (n_out, 0),
    "dense:delta": (n_out, 0),
}


def _written_out(q: Quantity, answer, domain: Domain) -> Domain:
    """A sum written term by term (w_11 h_1 + w_12 h_2 + b_1) is for that many terms: the size
    summed over is the largest index written, unless the question says (``inputs``)."""
    summed = _SUMMED.get(q.name.split(" ")[0])
    if summed is None or "inputs)" in q.name or not isinstance(answer, sp.Basic):
        return domain
    size, position = summed
    vector = hv if size == n_in else deltav
    used = [
        int(a.indices[position if a.base == Wm else 0])
        for a in answer.atoms(sp.Indexed)
        if (a.base == Wm and len(a.indices) == 2 or a.base == vector)
        and a.indices[position if a.base == Wm else 0].is_Integer
    ]
    if len(set(used)) < 2 or set(used) != set(range(1, max(used) + 1)):
        return domain  # not a sum written out in full (one term is not a layer of one)
    return replace(domain, sizes={**domain.sizes, size: [max(used)]})


def _decided(
    q: Quantity, text: str, answer, expected, note: str, timeout: float, domain=None, at=None
) -> Verdict:
    """``at``: the entry asked for ({i: 3, j: 1}), applied to the typical mistakes as well."""
    alternatives = quantities.alternative_results(q)
    if at:
        alternatives = [(label, e.xreplace(at)) for label, e in alternatives]
        alternatives += diagnose_rules.diagonal_formula(q.expected, at)
    diagnoser = Diagnoser(
        answer,
        expected,
        swaps=q.swaps,
        related=q.related,
        alternatives=tuple(alternatives),
    )
    outcome, diagnosis = decide(answer, expected, domain or q.domain, timeout, explain=diagnoser)
    last_resort = None
    if outcome.equal is False and not diagnosis:  # said if no other reading names the mistake
        defined = frozenset((domain or q.domain).definitions)
        last_resort = damage_diagnosis(answer, expected, q.tidy, defined)
    return Verdict(
        quantity=q.name,
        answer=text,
        read_as=show(answer),
        expected=show(expected) + note,
        correct=outcome.equal,
        method=outcome.method,
        counterexample=outcome.counterexample,
        diagnosis=diagnosis,
        last_resort=last_resort,
    )


def _explained(verdict: Verdict, q: Quantity, explain: bool) -> Verdict:
    if explain:
        verdict.explanation = q.explanation
    return verdict
