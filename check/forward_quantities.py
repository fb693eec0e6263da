"""Forward quantities: the activations themselves (σ(z), tanh(z), ReLU(z), from their records
in the rulebook) and the losses themselves (the cross-entropies' L, from the domain of the
derivation that differentiates them).  The results are the records' and derivations' own
definitions; nothing is typed here.

>>> from check import check_answer
>>> check_answer("sigmoid:forward", "1/(1 + exp(-z))").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import sympy as sp

import derive
from check.quantities import _NOTES_SIGMOID, PREDICTION, STEP_FUNCTIONS, Quantity, made
from derive import rulebook
from derive.errors import ParseError
from derive.language.scalar import ScalarReader
from derive.model import Domain
from derive.symbols import K, L, i, j, k, p, pv, y, yv, z, zv


def _flipped(result) -> list:
    return [(result.subs(z, -z), "sign error: this is the function of −z, not of z")]


def _activation_forward(name: str) -> Quantity:
    """g(z) of the activation record ``name`` (a scalar z)."""
    record = rulebook.activations()[name]

    def build() -> tuple:
        return record.expr, Domain(assumptions=[f"the {name} activation itself, g(z)"])

    return Quantity(
        name=f"{name}:forward",
        derivation="",
        key="",
        meaning=f"{record.shown} itself, the activation (a scalar z)",
        accepts="z or x (pre-activation)",
        symbols={"z": z, "x": z},
        functions=STEP_FUNCTIONS if name == "relu" else _NOTES_SIGMOID if name == "sigmoid" else {},
        build=build,
        mistakes=_flipped,
    )


def _dense_h() -> tuple:
    """h = g(z), the activation of the layer's pre-activation, with the dense derivation's g
    (the domain of its ``delta_below``, where h = g(z_prev) is the layer below's output)."""
    from derive.builtins.dense import g

    below = derive.get("dense")["delta_below"].domain
    return g(z), replace(below, assumptions=[*below.assumptions, "h = g(z) for one unit"])


def generic_activation_only(expr):
    """tanh(z) or ReLU(z) for h = g(z) is right only for that activation: not judged."""
    if isinstance(expr, sp.Basic) and expr.has(sp.tanh, sp.Max, sp.Heaviside, sp.Piecewise):
        raise ParseError("h = g(z) for any activation g: write g(z), or name it (activation)")
    return expr


def _slope_for_output(result) -> list:
    return [(sp.diff(result, z), "g′(z) instead of g(z): the derivative, not the activation")]


def _dense_h_quantity() -> Quantity:
    from derive.builtins.dense import g

    return Quantity(
        name="dense:h",
        derivation="",
        key="",
        meaning="h = g(z), the output of one unit of the dense layer (g the activation)",
        accepts="z (pre-activation, a layer label z^2 allowed); g, σ",
        symbols={"z": z},
        functions={"g": g},
        build=_dense_h,
        tidy=generic_activation_only,
        mistakes=_slope_for_output,
    )


def _sign(result) -> list:
    return [(-result, "sign error: the loss has a minus sign in front")]


def _bce_loss() -> tuple:
    d = derive.get("sigmoid-bce")
    return d.domain.definitions[L], Domain(assumptions=["binary cross-entropy of one output p"])


def _last_class(classes: int) -> dict:
    """y_K = 1 − Σ_{k<K} y_k and p_K = 1 − Σ_{k<K} p_k: a one-hot target and a probability
    vector, so that −y_1 log p_1 − (1 − y_1) log(1 − p_1) is the K = 2 cross-entropy."""
    rest = range(1, classes)
    return {
        yv[classes]: 1 - sum(yv[n] for n in rest),
        pv[classes]: 1 - sum(pv[n] for n in rest),
    }


def _probabilities(classes: int | None) -> dict:
    """Samplers for the loss's p and y: entries in (0, 1), so log p is defined; for K written
    classes, the first K − 1 in (0, 1/K), so p_K = 1 − Σ_{k<K} p_k stays positive."""
    top = 1.0 if classes is None else 1.0 / classes

    def entries(rng, n, shape):
        return rng.uniform(0.01, top, size=n if shape is None else (n, *shape))

    return {pv: entries, yv: entries}


def _ce_loss(classes: int | None):
    def build() -> tuple:
        d = derive.get("softmax-ce")
        loss = d.domain.definitions[L]
        if classes is None:
            sizes = dict(d.domain.sizes)
            shown = ", ".join(str(v) for v in sizes[K])
            return loss, Domain(
                samplers=_probabilities(None),
                sizes=sizes,
                assumptions=[f"K classes, judged for K = {shown}"],
            )
        written = loss.subs(K, classes).doit().xreplace(_last_class(classes))
        return written, Domain(
            samplers=_probabilities(classes), assumptions=[f"{classes} classes, one-hot target y"]
        )

    return build


def _numbered(expr) -> bool:
    return any(ix.is_Integer for a in expr.atoms(sp.Indexed) for ix in a.indices)


class _InnerProducts(ScalarReader):
    """``y^T log p``, ``-y^T \\cdot log(p)``: a transposed vector times a vector is their inner
    product Σ_i y_i log p_i (the pseudocode's loss), not entry i of each."""

    def _read_product(self, node):
        first = node.args[0]
        if first.kind == "neg":  # -y^T log p
            first = first.args[0]
        if first.kind != "transpose" or len(node.args) < 2 or "/" in node.ops[1:]:
            return super()._read_product(node)
        value = super()._read_product(node)
        index = self.index_symbols.get("i")
        if index is None or index not in value.free_symbols:
            return value
        bound = next(ix for ix in (k, j) if ix not in value.free_symbols)
        self.note("a transposed vector times a vector read as their inner product Σ_k")
        return sp.Sum(value.xreplace({index: bound}), (bound, 1, K))


def classes_limit(size=K):
    """Σ_{c=1}^{k}, Σ_{j=1}^{J}: a sum whose upper limit is another letter for the question's
    only size (K classes, m examples), read as that size; the tidy step of such a quantity."""

    def other_limit(e) -> bool:
        if not isinstance(e, sp.Sum) or len(e.limits) != 1:
            return False
        var, low, high = e.limits[0]
        return low == 1 and isinstance(high, sp.Symbol) and high not in (size, var)

    def tidy(expr):
        if not isinstance(expr, sp.Basic):
            return expr
        return expr.replace(other_limit, lambda e: sp.Sum(e.function, (e.limits[0][0], 1, size)))

    return tidy


def _tidy_ce(classes: int | None):
    def tidy(expr):
        if not isinstance(expr, sp.Basic):
            return expr
        if classes is None:
            if _numbered(expr):
                raise ParseError(
                    "numbered entries y_1, p_1 need the number of classes K, which the question does not give"
                )
            return classes_limit()(expr)
        return expr.subs(K, classes).doit().xreplace(_last_class(classes))

    return tidy


def _loss(name: str, meaning: str, build, indexed: bool) -> Quantity:
    prediction = pv[i] if indexed else p
    target = yv[i] if indexed else y
    symbols = {**dict.fromkeys(PREDICTION, prediction), "y": target}
    if not indexed:
        symbols |= {f"{n}_i": p for n in PREDICTION} | {"y_i": y}
    return Quantity(
        name=name,
        derivation="",
        key="",
        meaning=meaning,
        accepts="p, q, ŷ, y*, a (prediction); y (target)"
        + ("; entries p_k, y_k, sums Σ_k" if indexed else ""),
        symbols=symbols | ({"K": K} if indexed else {}),
        indexed={**dict.fromkeys(PREDICTION, pv), "y": yv} if indexed else {},
        index_symbols={"i": i, "j": j, "k": k} if indexed else {},
        swaps=((pv, yv) if indexed else (p, y),),
        build=build,
        tidy=_tidy_ce(None) if indexed else None,
        reader=_InnerProducts if indexed else None,
        mistakes=_sign,
    )


@cache
def ce_loss(classes: int) -> Quantity:
    """ce:loss for a given number of classes K (an answer that writes the sum out term by term)."""
    if not (isinstance(classes, int) and 2 <= classes <= 12):
        raise ParseError("K must be a number of classes from 2 to 12")
    q = replace(
        CE_LOSS,
        name=f"ce:loss ({classes} classes)",
        build=_ce_loss(classes),
        tidy=_tidy_ce(classes),
    )
    return made(q)


def _softmax(classes: int | None):
    def build() -> tuple:
        d = derive.get("softmax-ce")
        sizes = {K: [classes]} if classes is not None else dict(d.domain.sizes)
        entry = d.domain.definitions[pv](i)  # the derivation's own p_i = softmax(z)_i
        if classes is not None:  # the denominator written out, as the answer writes it
            entry = entry.subs(K, classes).doit()
        indices = dict(d.domain.indices)  # i (and j) run over the K classes
        return entry, Domain(sizes=sizes, indices=indices, assumptions=["p = softmax(z), entry i"])

    return build


def _softmax_forward() -> Quantity:
    return Quantity(
        name="softmax:forward",
        derivation="",
        key="",
        meaning="p_i = softmax(z)_i = e^{z_i} / Σ_k e^{z_k} (K classes)",
        accepts="z_i, z_k (logits); sums Σ_k; exp, e^",
        symbols={"K": K, "z": zv[i], "z_i": zv[i]},
        indexed={"z": zv},
        index_symbols={"i": i, "j": j, "k": k},
        build=_softmax(None),
        tidy=_tidy_softmax,  # Σ_{i=1}^{k} e^{a_{L,i}}: k the number of classes K
    )


def _tidy_softmax(expr):
    """A sum up to another letter is up to K; numbered entries need K (e^{z_1}/(e^{z_1} +
    e^{z_2}) is softmax for K = 2 only): refused without it, never judged for every K."""
    if isinstance(expr, sp.Basic) and _numbered(expr):
        raise ParseError(
            "numbered entries z_1, z_2 need the number of classes K, which the question does "
            "not give (give K: --classes K, or K in the question's params)"
        )
    return classes_limit()(expr)


SOFTMAX = _softmax_forward()


@cache
def softmax(classes: int) -> Quantity:
    """softmax:forward for a given number of classes K (a denominator written out)."""
    if not (isinstance(classes, int) and 2 <= classes <= 12):
        raise ParseError("K must be a number of classes from 2 to 12")
    return made(
        replace(
            SOFTMAX,
            name=f"softmax:forward ({classes} classes)",
            build=_softmax(classes),
            tidy=classes_limit(),
        )
    )


CE_LOSS = _loss("ce:loss", "L = −Σ_k y_k log p_k (cross-entropy, K classes)", _ce_loss(None), True)
QUANTITIES = [
    *(_activation_forward(name) for name in ("sigmoid", "tanh", "relu")),
    CE_LOSS,
    SOFTMAX,
    _dense_h_quantity(),
    _loss("bce:loss", "L = −y log p − (1 − y) log(1 − p) (binary cross-entropy)", _bce_loss, False),
]


ELL = sp.Symbol("ell", integer=True, positive=True)  # ℓ, the true class (notes 004)


def _at_true_class(expr):
    """y one-hot at the true class ℓ: y_k = 𝟙(k = ℓ), the indicator's sum done (Σ_k 𝟙(k = ℓ) a_k
    = a_ℓ by the rule records)."""
    from derive import rules

    if not isinstance(expr, sp.Basic):
        return expr
    one_hot = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == yv,
        lambda e: sp.KroneckerDelta(e.indices[0], ELL),
    )
    return rules.eliminate_deltas(rules.split_sums(classes_limit()(one_hot)))


def _ce_loss_true_class() -> tuple:
    """ce:loss with a one-hot target at the true class ℓ: the softmax-ce derivation's L with
    y_k = 𝟙(k = ℓ)."""
    loss, domain = _ce_loss(None)()
    return _at_true_class(loss), replace(
        domain,
        indices={ELL: K},
        assumptions=[*domain.assumptions, "y one-hot at the true class ℓ: y_k = 𝟙(k = ℓ)"],
    )


@cache
def ce_loss_true_class() -> Quantity:
    """ce:loss written for the true class ℓ (−log ŷ_ℓ): the question's ``target = "class ell"``
    or an answer that names ℓ."""
    return made(
        replace(
            CE_LOSS,
            name="ce:loss (true class ℓ)",
            index_symbols={**CE_LOSS.index_symbols, "ell": ELL},
            build=_ce_loss_true_class,
            tidy=_at_true_class,
        )
    )


def _jacobian_at_true_class() -> list:
    """∂p_ℓ/∂z_i and ∂p_i/∂z_ℓ, entries of the softmax Jacobian at the true class ℓ (a step of
    note 004's derivation), where ∂L/∂z_i belongs, also with one index slipped (p_i(𝟙[ℓ = i]
    − p_i)); from the softmax derivation's Jacobian."""
    from check.diagnose_rules import index_slips
    from derive.render.printer import text

    jacobian = derive.get("softmax")["jacobian"]
    found = []
    for row, col in ((ELL, i), (i, ELL)):
        at = {i: row, j: col}
        lhs, rhs = jacobian.lhs.xreplace(at), jacobian.rhs.xreplace(at)
        label = (
            f"derivative with respect to the wrong variable: this is {text(lhs)} = {text(rhs)}, "
            "an entry of the softmax Jacobian, where ∂L/∂z_i belongs"
        )
        found.append((rhs, label))
        found += [(slipped, f"{label}; and a {slip}") for slipped, slip in index_slips(rhs)]
    return found


# the quantities whose target y may be given as the true class ℓ (y_k = 𝟙(k = ℓ))
TRUE_CLASS = ("ce:dp", "softmax-ce", "ce:loss")


@cache
def at_true_class(name: str) -> Quantity:
    """``name`` (ce:dp, softmax-ce) with a one-hot target at the true class ℓ, as note 004
    writes them (−𝟙(i = ℓ)/ŷ_ℓ, ŷ_i − 𝟙(ℓ = i)): the result with y_k = 𝟙(k = ℓ), and each
    reading of an answer too (so −y_i/ŷ_i is still read)."""
    from check import quantities

    if name == "ce:loss":
        return ce_loss_true_class()
    base = quantities.get(name)

    def build() -> tuple:
        domain = base.domain
        told = "y one-hot at the true class ℓ: y_k = 𝟙(k = ℓ)"
        return _at_true_class(base.expected), replace(
            domain,
            indices={**domain.indices, ELL: K},
            assumptions=[*(a for a in domain.assumptions if a != "y one-hot"), told],
        )

    def tidy(value):
        return _at_true_class(base.tidy(value) if base.tidy is not None else value)

    def mistakes(_expected) -> list:
        """The base quantity's typical mistakes (the loss itself, …) and its results for
        other variables (∂L/∂p_i, the softmax Jacobian) at the true class too."""
        found = list(base.mistakes(base.expected)) if base.mistakes is not None else []
        found += [(e, label) for label, e in quantities.alternative_results(base)]
        if name == "softmax-ce":
            found += _jacobian_at_true_class()
        return [(_at_true_class(e), message) for e, message in found]

    return made(
        replace(
            base,
            name=f"{name} (true class ℓ)",
            index_symbols={**base.index_symbols, "ell": ELL},
            build=build,
            tidy=tidy,
            mistakes=mistakes,
        )
    )


__all__ = ["QUANTITIES", "TRUE_CLASS", "at_true_class", "ce_loss", "ce_loss_true_class", "softmax"]
