"""L2 weight decay: the penalty (λ/2) Σ‖W‖² added to the mean loss, and what it adds to dW, db.

Index notation as in the dense layer (z = W h + b): the regularised loss is
L_λ = L + (λ/2) Σ_{k,l} W_kl², so ∂L_λ/∂W_ij = ∂L/∂W_ij + λ W_ij and ∂L_λ/∂b_i = ∂L/∂b_i (the
penalty holds no bias). That is torch.optim's ``weight_decay=λ`` on the weights' parameter group
(coupled L2); scikit-learn's ``alpha`` adds (alpha / (2 n)) Σ‖W‖² to a batch of n, so its
alpha is λ times the batch size. codegen takes the penalty's term from the weights' result
here; the derivation for the biases is what tells it the biases gain nothing.
"""

from __future__ import annotations

import sympy as sp

from derive import crosscheck, rules
from derive.builtins.dense import dense_domain
from derive.model import Chain, Derivation, Step
from derive.registry import register
from derive.symbols import L, Wm, bv, i, j, k, l, n_in, n_out

lam = sp.Symbol("lambda", positive=True)  # the weight decay λ
L_reg = sp.Symbol("L_lambda", real=True)  # the regularised loss L_λ = L + (λ/2) Σ‖W‖²
PENALTY = lam / 2 * sp.Sum(Wm[k, l] ** 2, (k, 1, n_out), (l, 1, n_in))


def _lam_sampler(rng, count, shape):
    return rng.uniform(0.01, 2.0, size=count if shape is None else (count, *shape))


def penalty_gradient(chain: Chain, wrt) -> sp.Expr:
    """What the penalty adds to ∂L/∂(wrt): the chain's result less the unregularised ∂L/∂(wrt)."""
    return sp.expand(chain.result - sp.Derivative(L, wrt))


def _chain(key, wrt, title, matrix, matrix_text) -> Chain:
    split = sp.Derivative(L, wrt) + sp.Derivative(PENALTY, wrt)
    done = sp.Derivative(L, wrt) + sp.Derivative(PENALTY, wrt).doit()
    picked = sp.Derivative(L, wrt) + rules.eliminate_deltas(rules.split_sums(done - split.args[0]))
    picked = sp.Derivative(L, wrt) + sp.simplify(picked - sp.Derivative(L, wrt))
    steps = [Step(split, "L_λ = L + (λ/2) Σ_kl W_kl²: the derivative of a sum is the sum")]
    if done == picked:  # no W in it: nothing for Kronecker deltas to pick
        steps.append(Step(done, "the penalty holds no bias: its derivative is 0"))
    else:
        steps += [
            Step(done, "differentiate the penalty: ∂W_kl²/∂W_ij = 2 W_kl 𝟙[k = i] 𝟙[l = j]"),
            Step(picked, "the indicators pick the single term k = i, l = j"),
        ]
    return Chain(
        lhs=sp.Derivative(L_reg, wrt),
        steps=steps,
        title=title,
        matrix_form=matrix,
        matrix_form_text=matrix_text,
        key=key,
    )


@register("l2", "L2 weight decay: ∂L_λ/∂W = ∂L/∂W + λW, ∂L_λ/∂b = ∂L/∂b")
def l2() -> Derivation:
    domain = dense_domain()
    domain.definitions[L_reg] = domain.definitions[L] + PENALTY
    domain.samplers[lam] = _lam_sampler
    domain.assumptions.append("λ > 0 random")
    chains = [
        _chain(
            "dW", Wm[i, j], "weights", r"\frac{\partial L}{\partial W} + \lambda W", "∂L/∂W + λW"
        ),
        _chain(
            "db",
            bv[i],
            "biases (the penalty holds none)",
            r"\frac{\partial L}{\partial b}",
            "∂L/∂b",
        ),
    ]
    checks = []
    for chain in chains:
        wrt = chain.lhs.variables[0]
        checks += crosscheck.standard(domain.definitions[L_reg], wrt, chain.result, domain)
    return Derivation(
        name="l2",
        title="L2 regularisation (weight decay) of a dense layer",
        summary="∂L_λ/∂W = ∂L/∂W + λW; ∂L_λ/∂b = ∂L/∂b: the penalty decays weights, not biases",
        chains=chains,
        domain=domain,
        conventions=[
            "L_λ = L + (λ/2) Σ_{k,l} W_kl² with L the mean loss of the batch; biases are not "
            "penalised.",
            "As torch.optim's weight_decay=λ on the weights (coupled L2); scikit-learn's "
            "alpha = λ · batch size.",
        ],
        cross_checks=checks,
    )


__all__ = ["L_reg", "PENALTY", "l2", "lam", "penalty_gradient"]
