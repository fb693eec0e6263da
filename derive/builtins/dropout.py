"""Inverted dropout on a layer's output: h̃ = m ⊙ h / (1 − p), a fixed 0/1 mask m per example.

During training each unit is kept (m_j = 1) with probability 1 − p and the kept ones are
scaled by 1/(1 − p), so the expected output is h itself and inference uses h unchanged. The
backward pass goes through the same mask: ∂L/∂h_j = m_j/(1 − p) · ∂L/∂h̃_j. Verification uses
random 0/1 masks and an arbitrary upstream loss L(h̃) = Σ_k (a_k h̃_k + ½ c_k h̃_k²).
"""

from __future__ import annotations

import sympy as sp

from derive import crosscheck, rules
from derive.model import Chain, Derivation, Domain, Step
from derive.registry import register
from derive.symbols import L, h, hv, j, k, n_out

rate = sp.Symbol("p", positive=True)  # the probability that a unit is dropped
mask = sp.IndexedBase("m")  # 1: kept, 0: dropped
dropped = sp.IndexedBase("htilde")  # h̃ = m ⊙ h / (1 − p)
upstream = sp.IndexedBase("g")  # g_k = ∂L/∂h̃_k
a = sp.IndexedBase("a")
c = sp.IndexedBase("c")


def dropped_entry(row):
    """h̃_row = m_row h_row / (1 − p)."""
    return mask[row] * hv[row] / (1 - rate)


def _mask_sampler(rng, count, shape):
    return rng.integers(0, 2, size=(count, *shape)).astype(float)


def _rate_sampler(rng, count, shape):
    return rng.uniform(0.05, 0.9, size=count if shape is None else (count, *shape))


def dropout_domain() -> Domain:
    return Domain(
        definitions={
            L: sp.Sum(a[k] * dropped_entry(k) + c[k] * dropped_entry(k) ** 2 / 2, (k, 1, n_out)),
            upstream: lambda row: a[row] + c[row] * dropped_entry(row),
        },
        samplers={mask: _mask_sampler, rate: _rate_sampler},
        sizes={n_out: [2, 3, 4]},
        indices={j: n_out},
        assumptions=[
            "m ∈ {0,1}ⁿ random, 0 < p < 1",
            "L taken as a random quadratic of u: Σ_k (a_k u_k + ½ c_k u_k²)",
        ],
    )


def _backward() -> Chain:
    start = sp.Sum(upstream[k] * sp.Derivative(dropped_entry(k), hv[j]), (k, 1, n_out))
    done = start.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    picked = rules.eliminate_deltas(rules.split_sums(done))
    return Chain(
        lhs=sp.Derivative(L, hv[j]),
        steps=[
            Step(start, "chain rule through every u_k; g_k = ∂L/∂u_k"),
            Step(done, "∂u_k/∂h_j = m_k 𝟙[k = j] / (1 − p): the mask is a constant"),
            Step(picked, "the Kronecker delta picks k = j"),
        ],
        title="backward: through the same mask",
        key="dh",
        matrix_form=r"\frac{m \odot g}{1 - p}",
        matrix_form_text="m ⊙ g / (1 − p)",
    )


def _expectation() -> Chain:
    """E[u] over m ~ Bernoulli(1 − p) for one unit h: h/(1 − p) with probability 1 − p, else 0."""
    kept = dropped_entry(j).xreplace({mask[j]: 1, hv[j]: h})
    lost = dropped_entry(j).xreplace({mask[j]: 0, hv[j]: h})
    mean = sp.Symbol("E[u]")
    weighted = sp.Add(
        sp.Mul(1 - rate, kept, evaluate=False), sp.Mul(rate, lost, evaluate=False), evaluate=False
    )
    return Chain(
        lhs=mean,
        steps=[
            Step(weighted, "m = 1 with probability 1 − p, m = 0 with probability p"),
            Step(sp.cancel(sp.expand(weighted)), "(1 − p) cancels: inference needs no rescaling"),
        ],
        title="expectation: the training mean is the inference output",
        key="expectation",
        domain=Domain(
            definitions={mean: weighted}, samplers={rate: _rate_sampler}, assumptions=["0 < p < 1"]
        ),
    )


@register("dropout", "inverted dropout: u = m ⊙ h/(1 − p); ∂L/∂h = m ⊙ ∂L/∂u / (1 − p)")
def dropout() -> Derivation:
    domain = dropout_domain()
    backward = _backward()
    checks = crosscheck.standard(domain.definitions[L], hv[j], backward.result, domain)
    return Derivation(
        name="dropout",
        title="Inverted dropout",
        summary="u = m ⊙ h/(1 − p) in training, h at inference; ∂L/∂h = m ⊙ ∂L/∂u / (1 − p)",
        chains=[backward, _expectation()],
        domain=domain,
        conventions=[
            "m ∈ {0,1}ⁿ is drawn once per example and step: m_j = 0 (dropped) with probability p.",
            "u = m ⊙ h / (1 − p) is the layer's output in training; at inference it is h.",
        ],
        cross_checks=checks,
    )


__all__ = ["dropout", "dropped_entry", "mask", "rate"]
