"""The optimizers and learning-rate schedules of a generated ``train``, one record each.

Each :class:`Optimizer` holds its update written once as an algorithm (``text``, the lines the
generated comment quotes, and ``latex``) beside the in-place NumPy statements that perform it.
The statements work on flat vectors: ``theta`` (all parameters, the weights first: ``theta_w``
is their slice), ``grad`` (∂L/∂θ of the mean loss, L2 included), a scratch vector ``s`` and the
optimizer's state vectors; scalars are ``lr`` (this epoch's learning rate, a Python float),
``t`` (the step number, from 1) and the hyperparameters by name. One ufunc per statement over
one vector: no temporary arrays, whatever the number of layers (bench/bench_update.py times
them against the epoch). Each follows ``torch.optim`` (float64 runs
agree with it to rounding; tests/test_optimizers.py).

>>> print("\\n".join(OPTIMIZERS["momentum"].text))
v ← μ·v + g
θ ← θ − η·v
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Optimizer:
    """One update rule: its hyperparameters (train() keywords), state vectors and statements."""

    name: str
    torch: str  # the torch.optim class it matches
    hyperparameters: tuple[str, ...]
    state: tuple[str, ...]  # flat vectors, zero at the first step
    text: tuple[str, ...]
    latex: tuple[str, ...]
    update: tuple[str, ...]
    decay: tuple[str, ...] = ()  # decoupled weight decay on theta_w, before the update
    stored: str = ""  # how the state vectors hold the algorithm's, where they are scaled

    @property
    def decoupled_decay(self) -> bool:
        """Weight decay as θ_w ← θ_w(1 − ηλ) (AdamW), not as L2 in g."""
        return bool(self.decay)


_ADAM_TEXT = (
    "m ← β₁·m + (1 − β₁)·g",
    "v ← β₂·v + (1 − β₂)·g²",
    "θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)",
)
_ADAM_LATEX = (
    r"m \leftarrow \beta_1 m + (1 - \beta_1)\, g",
    r"v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2",
    r"\theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \cdot "
    r"\frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}",
)
# The state keeps the moments' sums, M = m/(1 − β₁) and V = v/(1 − β₂) (M ← β₁M + g needs no
# (1 − β₁)·g pass, V ← β₂V + g² no (1 − β₂)·g² pass), and the last step is rearranged so that
# the scalars meet before the vectors do:
#   η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε) = M / ((√V + ε·√((1 − β₂ᵗ)/(1 − β₂))) · k),
#   k = (1 − β₁ᵗ)·√(1 − β₂) / (η·(1 − β₁)·√(1 − β₂ᵗ)):
# ten passes over the vector (twelve with torch's moments). The scalars are Python floats,
# so a float32 vector stays float32 (a NumPy float64 scalar would make the ufunc compute in
# float64). tests/test_optimizers.py holds the result to torch's within 1e-10 in float64.
_ADAM_UPDATE = (
    "exp_sum *= beta1",
    "exp_sum += grad",
    "exp_sum_sq *= beta2",
    "np.square(grad, out=s)",
    "exp_sum_sq += s",
    "np.sqrt(exp_sum_sq, out=s)",
    "s += eps * ((1 - beta2**t) / (1 - beta2)) ** 0.5",
    "s *= (1 - beta1**t) * (1 - beta2) ** 0.5 / (lr * (1 - beta1) * (1 - beta2**t) ** 0.5)",
    "np.divide(exp_sum, s, out=s)",
    "theta -= s",
)
_ADAM_STATE = ("exp_sum", "exp_sum_sq")  # m/(1 − β₁) and v/(1 − β₂): torch's exp_avg(_sq) scaled
_ADAM_STORED = "stored: exp_sum = m/(1 − β₁), exp_sum_sq = v/(1 − β₂)"

OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer(
            "sgd",
            "torch.optim.SGD",
            (),
            (),
            ("θ ← θ − η·g",),
            (r"\theta \leftarrow \theta - \eta\, g",),
            ("np.multiply(grad, lr, out=s)", "theta -= s"),
        ),
        Optimizer(
            "momentum",
            "torch.optim.SGD(momentum=μ)",
            ("momentum",),
            ("velocity",),
            ("v ← μ·v + g", "θ ← θ − η·v"),
            (r"v \leftarrow \mu v + g", r"\theta \leftarrow \theta - \eta\, v"),
            (
                "velocity *= momentum",
                "velocity += grad",
                "np.multiply(velocity, lr, out=s)",
                "theta -= s",
            ),
        ),
        Optimizer(
            "nesterov",
            "torch.optim.SGD(momentum=μ, nesterov=True)",
            ("momentum",),
            ("velocity",),
            ("v ← μ·v + g", "θ ← θ − η·(g + μ·v)"),
            (r"v \leftarrow \mu v + g", r"\theta \leftarrow \theta - \eta\,(g + \mu v)"),
            (
                "velocity *= momentum",
                "velocity += grad",
                "np.multiply(velocity, momentum, out=s)",
                "s += grad",
                "s *= lr",
                "theta -= s",
            ),
        ),
        Optimizer(
            "rmsprop",
            "torch.optim.RMSprop",
            ("alpha", "eps"),
            ("square_sum",),  # R = r/(1 − α), torch's square_avg scaled: no (1 − α)·g² pass
            ("r ← α·r + (1 − α)·g²", "θ ← θ − η·g / (√r + ε)"),
            (
                r"r \leftarrow \alpha r + (1 - \alpha)\, g^2",
                r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{r} + \epsilon}",
            ),
            (  # η·g/(√r + ε) = g / ((√R + ε/√(1 − α))·√(1 − α)/η): eight passes, not nine
                "square_sum *= alpha",
                "np.square(grad, out=s)",
                "square_sum += s",
                "np.sqrt(square_sum, out=s)",
                "s += eps / (1 - alpha) ** 0.5",
                "s *= (1 - alpha) ** 0.5 / lr",
                "np.divide(grad, s, out=s)",
                "theta -= s",
            ),
            stored="stored: square_sum = r/(1 − α)",
        ),
        Optimizer(
            "adam",
            "torch.optim.Adam",
            ("betas", "eps"),
            _ADAM_STATE,
            _ADAM_TEXT,
            _ADAM_LATEX,
            _ADAM_UPDATE,
            stored=_ADAM_STORED,
        ),
        Optimizer(
            "adamw",
            "torch.optim.AdamW",
            ("betas", "eps"),
            _ADAM_STATE,
            ("θ_w ← θ_w·(1 − η·λ)  (decoupled weight decay, weights only)", *_ADAM_TEXT),
            (r"\theta_W \leftarrow \theta_W (1 - \eta\lambda)", *_ADAM_LATEX),
            _ADAM_UPDATE,
            decay=("theta_w *= 1 - lr * weight_decay",),
            stored=_ADAM_STORED,
        ),
    )
}


@dataclass(frozen=True)
class Schedule:
    """The learning rate of epoch e (from 0) as a Python expression over train()'s arguments."""

    name: str
    parameters: tuple[str, ...]
    text: str
    code: str
    torch: str


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("constant", (), "η_e = η", "learning_rate", "none"),
        Schedule(
            "step",
            ("step_size", "gamma"),
            "η_e = η·γ^⌊e / step_size⌋",
            "learning_rate * gamma ** (e // step_size)",
            "torch.optim.lr_scheduler.StepLR",
        ),
        Schedule(
            "cosine",
            (),
            "η_e = η·(1 + cos(π·e / epochs)) / 2",
            "learning_rate * (1 + np.cos(np.pi * e / epochs)) / 2",
            "torch.optim.lr_scheduler.CosineAnnealingLR(T_max=epochs)",
        ),
        Schedule(
            "invscaling",
            ("power_t",),
            "η_e = η / (e·n + 1)^power_t, n training rows (scikit-learn's)",
            "learning_rate / (e * X.shape[0] + 1) ** power_t",
            "MLPClassifier(learning_rate='invscaling')",
        ),
    )
}

EARLY_STOPPING = ("validation_fraction", "n_iter_no_change", "tol")


def algorithm_text(optimizer: str, weight_decay: bool = False) -> list[str]:
    """The update as the generated comment quotes it; g includes λθ_w when L2 applies."""
    record = OPTIMIZERS[optimizer]
    lines = ["g = ∂L/∂θ of the mean loss"]
    if weight_decay and not record.decoupled_decay:
        lines[0] += " + λ·θ_w (L2 on the weights: `backprop derive l2`)"
    return [*lines, *record.text]


def algorithm_latex(optimizer: str) -> str:
    """The update as a LaTeX ``aligned`` block."""
    lines = OPTIMIZERS[optimizer].latex
    return "\\begin{aligned}\n" + " \\\\\n".join(f"&{line}" for line in lines) + "\n\\end{aligned}"


__all__ = ["EARLY_STOPPING", "OPTIMIZERS", "SCHEDULES", "Optimizer", "Schedule", "algorithm_text"]
