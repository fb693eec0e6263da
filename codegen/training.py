"""What the generated ``train`` needs beyond the plan: the optimizer, schedule, flat layout, L2.

Parameters live in one flat vector during training (the weights first, then the biases), so
an optimizer's update is a handful of ufuncs over one vector however many layers there are;
``_views`` gives each W (column-major, as ``init_params`` makes them) and b as a view of it.
The L2 lines are printed from the derivation ``l2``: the penalty's term of ∂L_λ/∂W, lifted to
the flat weights; its result for the biases is checked to add nothing.

>>> from codegen.spec import spec_from_dict
>>> spec = spec_from_dict({"inputs": 2, "layers": [{"units": 3, "activation": "tanh"}],
...     "output": {"units": 1, "activation": "sigmoid", "loss": "bce"},
...     "train": {"optimizer": "adam", "weight_decay": 0.01}})
>>> training = make_training(spec)
>>> training.l2
('np.multiply(theta_w, weight_decay, out=s_w)', 'grad_w += s_w')
>>> [(v.name, v.start, v.stop, v.shape) for v in training.layout]
[('W1', 0, 6, (3, 2)), ('W2', 6, 9, (1, 3)), ('b1', 9, 12, (3,)), ('b2', 12, 13, (1,))]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sympy as sp

from codegen.inplace import print_into
from codegen.optimizers import (
    EARLY_STOPPING,
    OPTIMIZERS,
    SCHEDULES,
    Optimizer,
    Schedule,
    algorithm_text,
)
from codegen.spec import Spec
from derive.errors import DerivationError
from derive.symbols import L, Wm, bv, i, j

# The update runs block by block over vectors longer than two blocks: a block's five vectors
# (128 KiB each, 640 KiB together) stay in the L2 cache (1 MiB a core here) through the
# optimizer's statements, instead of every statement streaming whole vectors (8 MiB each at
# 2 million float32 parameters) from memory. The block is a size in bytes, so a float64
# block holds half the elements of a float32 one: 32768 float64 elements (256 KiB a vector,
# 1.25 MiB for five) spill out of L2 and cost a wide Adam step 12 ms instead of 9.
UPDATE_BLOCK_BYTES = 131_072
UPDATE_BLOCK = UPDATE_BLOCK_BYTES // 4  # float32 elements per block


def update_block(dtype: str) -> int:
    """Elements of ``dtype`` per block of the update: UPDATE_BLOCK_BYTES of them."""
    return UPDATE_BLOCK_BYTES // (4 if dtype == "float32" else 8)


@dataclass(frozen=True)
class View:
    """A parameter's slice theta[start:stop] of the flat vector, and its shape."""

    name: str
    start: int
    stop: int
    shape: tuple[int, ...]

    @property
    def code(self) -> str:
        """The view of ``flat`` as Python source."""
        if len(self.shape) == 1:
            return f"flat[{self.start}:{self.stop}]"
        return f'flat[{self.start}:{self.stop}].reshape({self.shape}, order="F")'


@dataclass(frozen=True)
class Training:
    """The optimizer's record and statements, the schedule, the flat layout, train()'s keywords."""

    optimizer: Optimizer
    schedule: Schedule
    layout: tuple[View, ...]
    weight_count: int
    l2: tuple[str, ...]  # statements adding the derived λθ_w to grad_w (coupled weight decay)
    algorithm: tuple[str, ...]  # the comment above the update
    keywords: tuple[tuple[str, str], ...]  # (name, default as source) after learning_rate
    learning_rate: str
    dtype: str = "float64"

    @property
    def parameter_count(self) -> int:
        return self.layout[-1].stop

    @property
    def block(self) -> int | None:
        """Elements per block of the update, or None: small vectors are updated whole."""
        block = update_block(self.dtype)
        return block if self.parameter_count > 2 * block else None

    @property
    def update_arguments(self) -> tuple[str, ...]:
        """The hyperparameters _update takes after weight_decay (betas as beta1, beta2)."""
        names = []
        for name in self.optimizer.hyperparameters:
            names += ["beta1", "beta2"] if name == "betas" else [name]
        return tuple(names)

    @property
    def reads_epoch(self) -> bool:
        """Whether the schedule reads e, the epoch number."""
        return re.search(r"\be\b", self.schedule.code) is not None

    @property
    def gradients(self) -> tuple[str, ...]:
        return tuple(f"d{view.name}" for view in self.layout)


def make_training(spec: Spec) -> Training:
    """The training settings of ``spec`` as the template uses them."""
    sizes = spec.sizes
    shapes = [(f"W{n}", (sizes[n], sizes[n - 1])) for n in range(1, len(sizes))]
    shapes += [(f"b{n}", (sizes[n],)) for n in range(1, len(sizes))]
    layout, start = [], 0
    for name, shape in shapes:
        size = shape[0] * (shape[1] if len(shape) > 1 else 1)
        layout.append(View(name, start, start + size, shape))
        start += size
    optimizer = OPTIMIZERS[spec.train.optimizer]
    schedule = SCHEDULES[spec.train.schedule]
    return Training(
        optimizer=optimizer,
        schedule=schedule,
        layout=tuple(layout),
        weight_count=sum(v.stop - v.start for v in layout if v.name.startswith("W")),
        l2=() if optimizer.decoupled_decay else l2_statements(),
        algorithm=tuple(algorithm_text(optimizer.name, not optimizer.decoupled_decay)),
        keywords=_keywords(spec),
        learning_rate=repr(spec.train.learning_rate),
        dtype=spec.dtype,
    )


@functools.cache
def l2_statements() -> tuple[str, ...]:
    """grad_w += λ θ_w, the term the L2 penalty adds to ∂L/∂W (derivation ``l2``), in place."""
    import derive
    from derive.builtins.regularization import lam, penalty_gradient

    l2 = derive.get("l2")
    weights, biases = l2["dW"].chain, l2["db"].chain
    if penalty_gradient(biases, bv[i]) != 0:
        raise DerivationError("l2: the penalty was expected to leave the biases' gradient alone")
    term = penalty_gradient(weights, Wm[i, j])
    if weights.result != sp.Derivative(L, Wm[i, j]) + term:
        raise DerivationError("l2: the weights' result is not ∂L/∂W plus a penalty term")
    flat = term.xreplace({Wm: sp.IndexedBase("theta_w"), lam: sp.Symbol("weight_decay")})
    into_scratch = print_into(flat, (i, j), "s_w")
    if into_scratch is None:
        raise DerivationError(f"l2: cannot print {term} in place")
    return (*into_scratch, "grad_w += s_w")


def _keywords(spec: Spec) -> tuple[tuple[str, str], ...]:
    """train()'s keywords after learning_rate, in order, with the spec's values as defaults."""
    t = spec.train
    names = [*t.relevant[t.relevant.index("optimizer") + 1 :]]
    names = [name for name in names if name not in ("schedule", "early_stopping")]
    names.insert(names.index("weight_decay") + 1, "early_stopping")
    for name in EARLY_STOPPING:
        if name not in names:
            names.append(name)
    return tuple((name, repr(getattr(t, name))) for name in names)


__all__ = ["Training", "View", "l2_statements", "make_training"]
