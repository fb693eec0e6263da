"""The dense layer z = W h + b in index notation, and the mini-batch form with examples as rows.

Index notation first (SymPy differentiates entries W_ij, b_i, h_j), then the matrix form is
stated: ∂L/∂W = δ hᵀ, ∂L/∂b = δ, ∂L/∂h = Wᵀ δ, δ_prev = (Wᵀ δ) ⊙ g′(z_prev). MatrixSymbol
calculus breaks once an elementwise activation is applied, which is why entries are used.

Verification needs a concrete upstream loss: L(z) = Σ_k (a_k z_k + ½ c_k z_k²) with random
a, c, so δ_k = ∂L/∂z_k = a_k + c_k z_k is an arbitrary vector and nothing special is assumed.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive import crosscheck, rules
from derive.builtins.losses import labelled
from derive.model import Chain, Derivation, Domain, Step
from derive.registry import register
from derive.symbols import L, Wm, bv, deltav, hv, i, j, k, l, m, n_in, n_out, r

a = sp.IndexedBase("a")  # random coefficients of the test upstream loss
c = sp.IndexedBase("c")
zprev = sp.IndexedBase("zprev")  # pre-activation of the layer below: h = g(zprev)
g = sp.Function("g")  # any differentiable activation
H = sp.IndexedBase("H")  # batch: layer input, one example per row (m × n_in)
Z = sp.IndexedBase("Z")  # batch: pre-activations (m × n_out)
Delta = sp.IndexedBase("Delta")  # batch: Δ_nk = ∂ℓ_n/∂Z_nk, per-example gradients
n = sp.Symbol("n", integer=True, positive=True)  # example index


def pre_activation(row):
    """z_row = Σ_l W_{row,l} h_l + b_row."""
    return sp.Sum(Wm[row, l] * hv[l], (l, 1, n_in)) + bv[row]


def upstream_loss(zvec, limit=n_out):
    return sp.Sum(a[k] * zvec(k) + c[k] * zvec(k) ** 2 / 2, (k, 1, limit))


def _sizes_sampler(rng, count, shape):
    return rng.uniform(-2.0, 2.0, size=(count, *shape))


def dense_domain(h_is_leaf: bool = True, pre=pre_activation) -> Domain:
    """``pre``: z_row as a function of the row (:func:`pre_activation`, W n_out × n_in)."""
    definitions = {
        L: upstream_loss(pre),
        deltav: lambda row: a[row] + c[row] * pre(row),
    }
    if not h_is_leaf:
        definitions[hv] = lambda col: g(zprev[col])
        definitions[g] = _tanh_g()
    return Domain(
        definitions=definitions,
        samplers={},
        sizes={n_out: [2, 3], n_in: [3, 2]},
        indices={i: n_out, j: n_in},
        assumptions=["L taken as a random quadratic of z: Σ_k (a_k z_k + ½ c_k z_k²)"],
    )


def _tanh_g():
    x = sp.Dummy("x")
    return sp.Lambda(x, sp.tanh(x))


def _through_z(wrt, pre=pre_activation):
    """Σ_k δ_k ∂z_k/∂(wrt): the chain rule through every output of the layer."""
    return sp.Sum(deltav[k] * sp.Derivative(pre(k), wrt), (k, 1, n_out))


def _differentiate_and_pick(expr):
    """Do the inner derivatives (SymPy), then let the Kronecker deltas pick their terms."""
    done = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    return done, rules.eliminate_deltas(rules.split_sums(done))


def gradient_chain(
    key, wrt, title, partial_why, matrix_form, matrix_text, domain=None, pre=pre_activation
):
    """∂L/∂(wrt) by the chain rule through every z_k = ``pre(k)``, in three verified steps."""
    start = _through_z(wrt, pre)
    done, picked = _differentiate_and_pick(start)
    steps = [
        Step(start, "chain rule: L depends on it through every z_k; δ_k = ∂L/∂z_k"),
        Step(done, partial_why),
        Step(picked, "each indicator keeps one term of its sum"),
    ]
    return Chain(
        lhs=sp.Derivative(L, wrt),
        steps=steps,
        title=title,
        matrix_form=matrix_form,
        matrix_form_text=matrix_text,
        domain=domain,
        key=key,
    )


def pre_activation_in_out(row):
    """z_row = Σ_l W_{l,row} h_l + b_row: W is n_in × n_out (z = Wᵀ h + b), as some notes write."""
    return sp.Sum(Wm[l, row] * hv[l], (l, 1, n_in)) + bv[row]


# what differs between the two weight layouts, and nothing else
_LAYOUTS = {
    "n_out × n_in": dict(
        name="dense",
        pre=pre_activation,
        weight=Wm[i, j],
        dW_why="∂z_k/∂W_ij = 𝟙[k = i] h_j",
        dW_form=(r"\delta h^{\top}", "δ hᵀ"),
        dh_why="∂z_k/∂h_j = W_kj",
        dh_form=(r"W^{\top} \delta", "Wᵀ δ"),
        delta_form=(
            r"\left(W^{\top} \delta\right) \odot g'\left(z_{\mathrm{prev}}\right)",
            "(Wᵀ δ) ⊙ g′(z_prev)",
        ),
        rows="",
        title="The dense layer z = W h + b",
        summary="∂L/∂W = δ hᵀ, ∂L/∂b = δ, ∂L/∂h = Wᵀ δ, δ_prev = (Wᵀ δ) ⊙ g′(z_prev)",
        weights="W ∈ ℝ^{n_out × n_in}",
        z="z_k = Σ_l W_kl h_l + b_k",
    ),
    "n_in × n_out": dict(
        name="dense-in-out",
        pre=pre_activation_in_out,
        weight=Wm[j, i],
        dW_why="∂z_k/∂W_ji = 𝟙[k = i] h_j",
        dW_form=(r"h \delta", "h δ"),
        dh_why="∂z_k/∂h_j = W_jk",
        dh_form=(r"\delta W^{\top}", "δ Wᵀ"),
        delta_form=(
            r"\left(\delta W^{\top}\right) \odot g'\left(z_{\mathrm{prev}}\right)^{\top}",
            "(δ Wᵀ) ⊙ g′(z_prev)ᵀ",
        ),
        rows="δ = ∂L/∂z and ∂L/∂h are row vectors (1 × n_out, 1 × n_in); h and z are column "
        "vectors.",
        title="The dense layer z = Wᵀ h + b (W is n_in × n_out)",
        summary="∂L/∂W = h δ, ∂L/∂b = δ, ∂L/∂h = δ Wᵀ, δ_prev = (δ Wᵀ) ⊙ g′(z_prev)ᵀ (δ a row)",
        weights="W ∈ ℝ^{n_in × n_out} (W_ji joins input j to output i)",
        z="z_k = Σ_l W_lk h_l + b_k",
    ),
}


@register("dense", "dense layer: " + _LAYOUTS["n_out × n_in"]["summary"])
def dense() -> Derivation:
    return dense_layer("n_out × n_in")


@register("dense-in-out", "dense layer, W n_in × n_out: " + _LAYOUTS["n_in × n_out"]["summary"])
def dense_in_out() -> Derivation:
    return dense_layer("n_in × n_out")


def dense_layer(layout: str) -> Derivation:
    """The dense layer's gradients for the weight layout ``layout`` (a key of _LAYOUTS)."""
    spec = _LAYOUTS[layout]
    pre = spec["pre"]
    domain = dense_domain(pre=pre)
    dW = gradient_chain("dW", spec["weight"], "weights", spec["dW_why"], *spec["dW_form"], pre=pre)
    db = gradient_chain("db", bv[i], "biases", "∂z_k/∂b_i = 𝟙[k = i]", r"\delta", "δ", pre=pre)
    dh = gradient_chain("dh", hv[j], "layer input", spec["dh_why"], *spec["dh_form"], pre=pre)
    # δ of the layer below: h_j = g(zprev_j) is now a function of zprev
    below = dense_domain(h_is_leaf=False, pre=pre)
    chain_h = dh.result * sp.Derivative(g(zprev[j]), zprev[j])
    delta_latex, delta_text = spec["delta_form"]
    delta_prev = Chain(
        lhs=sp.Derivative(L, zprev[j]),
        steps=[
            Step(
                chain_h,
                "chain rule through h_j = g(z_prev,j); ∂L/∂h_j from the line above",
            ),
        ],
        title="delta of the layer below",
        note="g is any differentiable activation; checked with g = tanh",
        matrix_form=delta_latex,
        matrix_form_text=delta_text,
        domain=below,
        key="delta_below",
    )
    chains = [dW, db, dh, delta_prev]
    checks = []
    for chain in chains:
        leaf = chain.lhs.variables[0]
        d = chain.domain or domain
        checks += labelled(
            crosscheck.standard(d.definitions[L], leaf, chain.result, d), chain.title
        )
    return Derivation(
        name=spec["name"],
        title=spec["title"],
        summary=spec["summary"],
        chains=chains,
        domain=domain,
        conventions=[
            f"One example: h ∈ ℝ^{{n_in}} (column vector), {spec['weights']}, b, z ∈ ℝ^{{n_out}}.",
            f"{spec['z']}, and δ_k = ∂L/∂z_k is the gradient arriving from above.",
            "h = g(z_prev) is the output of the layer below; ⊙ is the elementwise product.",
            *([spec["rows"]] if spec["rows"] else []),
        ],
        cross_checks=checks,
    )


def batch_domain() -> Domain:
    def z_row(row, col):
        return sp.Sum(H[row, l] * Wm[col, l], (l, 1, n_in)) + bv[col]

    per_example = sp.Sum(
        sp.Sum(a[k] * z_row(n, k) + c[k] * z_row(n, k) ** 2 / 2, (k, 1, n_out)), (n, 1, m)
    )
    return Domain(
        definitions={
            L: per_example / m,
            Z: z_row,
            Delta: lambda row, col: a[col] + c[col] * z_row(row, col),
        },
        sizes={m: [3, 2], n_out: [2, 3], n_in: [3, 2]},
        indices={i: n_out, j: n_in, r: m},
        assumptions=["per-example ℓ(z) = Σ_k (a_k z_k + ½ c_k z_k²), a, c random"],
    )


@register("batch", "mini-batch mean: dW = (1/m) Δᵀ H, db = (1/m) Σ_n Δ_n")
def batch() -> Derivation:
    domain = batch_domain()
    chains = []
    for key, wrt, title, why, matrix, text in [
        (
            "dW",
            Wm[i, j],
            "weights",
            "∂Z_nk/∂W_ij = 𝟙[k = i] H_nj",
            r"\frac{1}{m} \Delta^{\top} H",
            "(1/m) Δᵀ H",
        ),
        (
            "db",
            bv[i],
            "biases",
            "∂Z_nk/∂b_i = 𝟙[k = i]",
            r"\frac{1}{m} \Delta^{\top} \mathbf{1}",
            "(1/m) Σ_n Δ_n (column sums)",
        ),
        (
            "dH",
            H[r, j],
            "layer input (row r of the batch)",
            "∂Z_nk/∂H_rj = 𝟙[n = r] W_kj",
            r"\frac{1}{m} \Delta W",
            "(1/m) Δ W",
        ),
    ]:
        z_nk = sp.Sum(H[n, l] * Wm[k, l], (l, 1, n_in)) + bv[k]
        start = sp.Sum(sp.Sum(Delta[n, k] * sp.Derivative(z_nk, wrt), (k, 1, n_out)), (n, 1, m)) / m
        done, picked = _differentiate_and_pick(start)
        chains.append(
            Chain(
                lhs=sp.Derivative(L, wrt),
                steps=[
                    Step(
                        start, "L = (1/m) Σ_n ℓ_n; chain rule through every Z_nk; Δ_nk = ∂ℓ_n/∂Z_nk"
                    ),
                    Step(done, why),
                    Step(picked, "each indicator keeps one term of its sum"),
                ],
                title=title,
                matrix_form=matrix,
                matrix_form_text=text,
                key=key,
            )
        )
    checks = []
    for chain in chains:
        checks += labelled(
            crosscheck.standard(
                domain.definitions[L], chain.lhs.variables[0], chain.result, domain
            ),
            chain.title,
        )
    return Derivation(
        name="batch",
        title="Mini-batch gradients (examples as rows)",
        summary="∂L/∂W = (1/m) Δᵀ H, ∂L/∂b = (1/m) Σ_n Δ_n, with Δ_n = ∂ℓ_n/∂z_n per example",
        chains=chains,
        domain=domain,
        conventions=[
            "A batch of m examples as rows: H ∈ ℝ^{m × n_in}, Z = H Wᵀ + 1 bᵀ ∈ ℝ^{m × n_out}.",
            "L = (1/m) Σ_n ℓ_n is the mean loss; Δ_nk = ∂ℓ_n/∂Z_nk is each example's own gradient.",
            "So 1/m appears exactly once, in ∂L/∂W and ∂L/∂b; Δ of lower layers is computed per example "
            "(Δ_prev = (Δ W) ⊙ g′(Z_prev)) without it. Equivalently, scale Δ of the output by 1/m once.",
        ],
        cross_checks=checks,
    )


__all__ = ["batch", "dense", "dense_domain", "gradient_chain", "np", "pre_activation"]
