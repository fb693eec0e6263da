"""Quantities made for one question's params, in the notation of the notes that ask it:
``update-rule`` with ``gradient = "<quantity>"`` (θ − α g with g written out, note 003's
w_i − ξ (y* − y) x_i) and an activation with its ``output`` named (note 003's hidden outputs z_i,
so σ′ = z_i(1 − z_i)).  Each is an existing quantity with a wider symbol table; the results come
from the derivations, nothing is typed here."""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check import quantities
from check.quantities import Quantity
from check.update_rule import (
    UPDATE_RULE,
    GradientReader,
    _sgd_step,
    grad,
    grad_v,
    rate,
    theta,
    theta_v,
)
from derive.errors import ParseError, UnknownNameError
from derive.symbols import y as target


def update_with(gradient: str, transposed: bool = False) -> Quantity:
    """``update-rule`` with ``params gradient = "<quantity>"``: θ − α g with g that quantity's
    verified result written out (note 003's w_i − ξ (y* − y) x_i).  The answer may use the
    gradient quantity's symbols.  A gradient with one free index i (∂L/∂w_i) updates the entry
    θ_i, and a vector written bare (w − ξ (y* − y) x) means its entry i, as p − y does for
    softmax-ce.  A gradient whose own result needs a name the update rule takes for θ, α or G
    (another layer's weight w), a matrix gradient, or one with several free indices is refused
    rather than misread."""
    g = quantities.get(gradient)
    expected = g.expected
    own = {n: v for n, v in g.symbols.items() if n in UPDATE_RULE.symbols}
    own |= {n: v for n, v in g.indexed.items() if n in UPDATE_RULE.indexed}
    clash = sorted(n for n, v in own.items() if _needs(expected, v))
    free = list(dict.fromkeys(s for s in g.index_symbols.values() if s in expected.free_symbols))
    named = g.parameter is not None  # the gradient says which entry it is of (w_{ji}^{(1)})
    why = (
        f"its result uses {', '.join(clash)}"
        if clash
        else "it is a matrix quantity"
        if _matrix(g)
        else f"its result has {len(free)} free indices"
        if len(free) > 2 and not named
        else ""
    )
    if why:
        raise UnknownNameError(f"update-rule with gradient '{gradient}' is not supported: {why}")
    # one free index: the entry θ_i; two: the weight w_ij of a layer (∂J/∂w_ij = δ_i a_j)
    parameter = g.parameter if named else theta_v[tuple(free)] if free else theta
    one = len(free) == 1 and not named
    vectors = {n: base[free[0]] for n, base in g.indexed.items()} if one else {}

    if transposed and len(free) == 2 and not named:  # w_ij from unit i to unit j (note 003's
        expected = expected.xreplace(dict(zip(free, free[::-1], strict=True)))  # w_ji order)

    def build() -> tuple:
        step, domain = _sgd_step()
        return step.xreplace({grad: expected, theta: parameter}), g.domain

    def tidy(expr):
        """θ alone is the entry asked about; ∂L/∂θ_j written as such is the gradient at j."""
        if not isinstance(expr, sp.Basic):
            return expr
        expr = g.tidy(expr) if g.tidy is not None else expr
        at = {
            a: expected.xreplace(dict(zip(free, a.indices, strict=True)))
            for a in expr.atoms(sp.Indexed)
            if a.base == grad_v and len(a.indices) == len(free)
        }
        return expr.xreplace({theta: parameter, grad: expected, **at})

    return quantities.made(
        replace(
            UPDATE_RULE,
            name=f"update-rule[{gradient}{'ᵀ' if transposed else ''}]",
            meaning=f"θ − α·({gradient}): one gradient-descent step with the gradient written out",
            symbols={**vectors, **g.symbols, **UPDATE_RULE.symbols},
            indexed={**g.indexed, **UPDATE_RULE.indexed},
            index_symbols={**g.index_symbols, **UPDATE_RULE.index_symbols},
            bare=g.bare,
            reader=_with_gradient(g.reader),
            functions=g.functions,
            swaps=(),  # θ + α g equals θ − α g with y and p swapped: named "uphill" here
            related=g.related,
            build=build,
            tidy=tidy,
            mistakes=lambda result: [
                *UPDATE_RULE.mistakes(result),
                *(
                    (parameter - rate * wrong, f"in the gradient: {why}")
                    for wrong, why in (g.mistakes(expected) if g.mistakes else ())
                ),
            ],
        )
    )


# the gradients an update rule asked without params may be written out as: a single unit's
# ∂L/∂w_i = (y* − y) x_i (note 003's w_i − ξ (y* − y) x_i; y* the prediction, as everywhere),
# and one layer's ∂J/∂w_ij = δ_i a_j (note 002's w_ij − α δ_i a_j, the delta rule: w_ij from
# unit j to unit i); w_ij from i to j, as other notes write it, is judged too
WRITTEN_OUT_GRADIENTS = (
    ({"gradient": "logreg:dw"}, "the gradient written out, read as logreg:dw"),
    (
        {"gradient": "softmax-regression:dW"},
        "the gradient written out, read as softmax-regression:dW",
    ),
    (
        {"gradient": "softmax-regression:dW", "transposed": True},
        "the gradient written out, read as softmax-regression:dW with w_ij from unit i to unit j",
    ),
)
# one weight of a dense layer, δ_i h_j written out (note 000's w_{11}^3 − α dz_1^3 h_1^2)
DENSE_ENTRY = (
    ({"gradient": "dense:dW entry"}, "the gradient written out as δ_i h_j, dense:dW"),
    (
        {"gradient": "dense:dW entry", "transposed": True},
        "the gradient written out as δ_j h_i, dense:dW with w_ij from unit i to unit j",
    ),
)
# batch:se-loss with two indices ŷ_{ij} (note 004: example i, output j of 3): K outputs each
K_OUTPUTS = (({"outputs": "K"}, "read with K outputs per example, the sum's count 3 as K"),)


# h = g(z) with z written out (note 003's z_1 = 𝒜(w_11 x_1 + w_21 x_2))
PRE_ACTIVATION_WRITTEN_OUT = (({"argument": "dense:z"}, "z written out: h = g(W h + b)"),)


def wider_readings(quantity, params: dict, undecided: bool) -> tuple:
    """(params, what they mean) to judge an answer with when the quantity's own reading cannot
    read it (``undecided`` False) or, where the wider reading applies only to answers the own
    one cannot judge, not decide it (True): the plain update rule with its gradient written
    out, the batch squared error with K outputs per example."""
    if quantity == "update-rule" and "gradient" not in params and not undecided:
        return WRITTEN_OUT_GRADIENTS + DENSE_ENTRY
    if quantity == "batch:se-loss" and "outputs" not in params:
        return K_OUTPUTS
    if quantity == "dense:h" and "argument" not in params and not undecided:
        return PRE_ACTIVATION_WRITTEN_OUT
    return ()


def update_dense_entry(transposed: bool = False) -> Quantity:
    """``update-rule`` for one weight of a dense layer with its gradient written out as the
    dense derivation's ∂L/∂W_ij = δ_i h_j (note 000's w_{11}^3 − α dz_1^3 h_1^2: δ of layer 3,
    h of the layer below); θ_ij the weight, its labels checked as the dense layer's are.
    ``transposed``: w_ij from unit i to unit j (θ_ij − α δ_j h_i), as other notes write it."""
    import derive
    from check.reading import DENSE_LAYERS
    from derive.symbols import deltav, hv, i, j

    def build() -> tuple:
        d = derive.get("dense")
        step, _ = _sgd_step()
        gradient = d["dW"].rhs.xreplace({i: j, j: i} if transposed else {})
        return step.xreplace({grad: gradient, theta: theta_v[i, j]}), d.domain

    vectors = {**dict.fromkeys(("dz", "delta"), deltav), **dict.fromkeys(("h", "a", "x"), hv)}
    return quantities.made(
        replace(
            UPDATE_RULE,
            name=f"update-rule[dense:dW entry{'ᵀ' if transposed else ''}]",
            meaning="θ_ij − α δ_i h_j: one weight's step, the dense layer's gradient written out",
            indexed={**vectors, **UPDATE_RULE.indexed},
            layers=dict(DENSE_LAYERS),
            build=build,
            tidy=_weight_entry,
            mistakes=lambda result: [*UPDATE_RULE.mistakes(result)],
        )
    )


def _weight_entry(expr):
    """w_{11}: the weight's entry (1, 1), as W_{12} is for the dense layer (the update rule
    reads a two-digit subscript as one index)."""
    if not isinstance(expr, sp.Basic):
        return expr

    def split(a):
        (ix,) = a.indices
        return a.base[int(str(ix)[0]), int(str(ix)[1])]

    entries = [
        a
        for a in expr.atoms(sp.Indexed)
        if a.base in (theta_v, grad_v)
        and len(a.indices) == 1
        and a.indices[0].is_Integer
        and 11 <= a.indices[0] <= 99
        and "0" not in str(a.indices[0])
    ]
    return expr.xreplace({a: split(a) for a in entries})


def _matrix(g: Quantity) -> bool:
    """A quantity answered in matrix notation (the dense layer's, a batch's)."""
    from derive.language.tensor import TensorReader

    tensor_reader = isinstance(g.reader, type) and issubclass(g.reader, TensorReader)
    return tensor_reader or g.tensors is not None or g.shape is not None


def _with_gradient(reader: type | None) -> type:
    """The update rule's reader (∂L/∂θ as G), with the gradient quantity's own notation first
    (w_{ji}^{(1)} the layer's weight, δ_i^{(1)} the network's δ) where it has one."""
    if reader is None or issubclass(reader, GradientReader):
        return GradientReader
    return type(f"{reader.__name__}Update", (reader, GradientReader), {})


def _needs(expr, value) -> bool:
    """Whether ``expr`` contains ``value`` (a symbol, or an IndexedBase's entries)."""
    if isinstance(value, sp.IndexedBase):
        return any(a.base == value for a in expr.atoms(sp.Indexed))
    return isinstance(value, sp.Basic) and expr.has(value)


def output_named(name: str, spelled: str) -> Quantity | None:
    """``sigmoid`` with ``output = "z_i"``: the notes call the unit's output z_i (note 003's
    hidden units), so z_i stands for the output h; z alone stays the pre-activation.  Only a
    plain name with at most one index or a star (z_i, z_{i}, y^*) is taken; others are ignored."""
    q = quantities.get(name)
    h = q.bare.get(name) or q.symbols.get("h")
    text = spelled.replace("{", "").replace("}", "").replace(" ", "").replace("^*", "star")
    if h is None or not re.fullmatch(r"[A-Za-z]+(?:star)?(?:_[A-Za-z0-9])?", text):
        return None
    if text in q.symbols:
        return _with_target(q, h, text)  # already a spelling of the quantity (y^* for sigmoid)
    return _with_target(replace(q, symbols={**q.symbols, text: h}), h, text)


def _with_target(q: Quantity, h: sp.Symbol, text: str) -> Quantity | None:
    """Where the output is starred (y^*, note 003), the plain letter (y) is the target: read,
    so that y(1 − y) for y^*(1 − y^*) is named as the target written for the prediction."""
    plain = text.removesuffix("star")
    if plain == text or plain in q.symbols or plain in q.bare or plain in q.functions:
        return q
    # the prediction as the result writes it: h, or the call h stands for (σ(z))
    meant = q.domain.definitions.get(h)
    calls = q.expected.atoms(sp.Function) if meant is not None else set()
    same = [f for f in calls if sp.simplify(f.rewrite(sp.exp) - meant) == 0]
    outputs = [h] * q.expected.has(h) + sorted(same, key=sp.default_sort_key)
    swaps = tuple((x, target) for x in outputs)
    return replace(q, symbols={**q.symbols, plain: target}, swaps=(*q.swaps, *swaps))


def given_quantity(name: str, params: dict) -> Quantity | None:
    """The quantity that ``name`` with the question's ``params`` asks for, where params make
    one (``derivative`` with ``of`` and ``wrt``, ``dense:z`` with ``bias = false`` or a number
    of ``inputs``, ``K`` classes, …), else None: the named quantity itself."""
    if name == "dense:h" and params.get("argument") == "dense:z":  # g(w_11 x_1 + w_21 x_2)
        from check.more_quantities import activated_pre_activation

        return activated_pre_activation(params.get("bias") is not False, params.get("inputs"))
    if name == "dense:z" and ("bias" in params or "inputs" in params):  # made for them
        from check.more_quantities import pre_activation

        return pre_activation(params.get("bias") is not False, params.get("inputs"))
    if name in ("linreg:forward", "logreg:forward") and params.get("bias") is False:
        from check.model_quantities import without_bias

        return without_bias(name)
    if name == "network:forward" and "layers" in params:  # the network, for its layers
        from check.network_quantities import network_forward

        return network_forward(params.get("layers"))
    if name == "logreg:dw" and params.get("batch") == "sum":  # Σ_i over the examples
        from check.regression_quantities import LOGREG_BATCH_DW

        return LOGREG_BATCH_DW
    if name == "logreg:dw" and params.get("batch") is not None:
        raise ParseError("logreg:dw over a batch: give batch = sum (the sum over the examples)")
    if params.get("target") == "class ell":  # −log ŷ_ℓ, −𝟙(i = ℓ)/ŷ_ℓ: ℓ the true class
        from check import forward_quantities as forward

        if name != "ce:loss" and name not in forward.TRUE_CLASS:
            raise ParseError(f"target = class ell: {name} has no one-hot target y")
        return forward.at_true_class(name)
    if name in ("ce:loss", "softmax:forward") and "K" in params:  # sums written out for K
        from check import forward_quantities as forward

        return (forward.ce_loss if name == "ce:loss" else forward.softmax)(params["K"])
    if name == "forward" and "of" in params:  # the given expression itself
        from check import custom_quantities

        return custom_quantities.expression(params["of"])
    if name == "scalar-chain:dw" and params.get("layer") == "l+1":  # ∂J/∂w^{(l+1)}
        from check.net_quantities import scalar_dw_above

        return scalar_dw_above()
    if name == "batch:se-loss" and params.get("outputs") == "K":  # Σ_{j=1}^{3}: K outputs
        from check.batch_quantities import se_loss_outputs

        return se_loss_outputs()
    if name == "update-rule" and params.get("gradient") == "dense:dW entry":
        from check.params_quantities import update_dense_entry

        return update_dense_entry(params.get("transposed") is True)
    if name == "update-rule" and isinstance(params.get("gradient"), str):
        from check.params_quantities import update_with

        return update_with(params["gradient"], params.get("transposed") is True)
    if isinstance(params.get("output"), str):  # an activation's output spelled as the notes do
        from check.params_quantities import output_named

        return output_named(name, params["output"])
    if name != "derivative":
        return None
    if "of" not in params or "wrt" not in params:
        raise UnknownNameError("'derivative' needs the expression and the variable: of, wrt")
    from check import custom_quantities

    return custom_quantities.derivative(params["of"], params["wrt"])
