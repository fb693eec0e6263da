"""Verified, step-by-step derivations of the gradients backpropagation needs.

>>> import derive
>>> d = derive.get("softmax-ce")
>>> d.result
p[i] - y[i]
>>> print(d.to_latex())  # doctest: +SKIP

``names()`` lists the built-ins; ``custom_activation("log(1 + exp(z))")`` and
``custom_loss("(p - y)**2")`` derive user-defined rules; ``mlp(...)`` the recurrence of a network.
"""

from derive.custom import custom_activation, custom_loss
from derive.errors import BackpropError, DerivationError, ParseError, SpecError, UnknownNameError
from derive.model import Chain, Check, Derivation, Step
from derive.network import mlp, mlp_from_options
from derive.registry import entries, get, names

__all__ = [
    "BackpropError",
    "Chain",
    "Check",
    "Derivation",
    "DerivationError",
    "ParseError",
    "SpecError",
    "Step",
    "UnknownNameError",
    "custom_activation",
    "custom_loss",
    "entries",
    "get",
    "mlp",
    "mlp_from_options",
    "names",
]
