"""Verified, step-by-step derivations of the gradients backpropagation needs.

>>> import derive
>>> d = derive.get("softmax-ce")
>>> d.result
p[i] - y[i]
>>> print(d.to_latex())  # doctest: +SKIP

``names()`` lists the built-ins; ``custom_activation("log(1 + exp(z))")`` and
``custom_loss("(p - y)**2")`` derive user-defined rules; ``mlp(...)`` the recurrence of a network.
``register_activation("softsign2", "z / (1 + abs(z))")`` and ``register_loss(name, expr)`` add
named rules (as ``--rules FILE.toml`` does, through ``load_rules``).
"""

from derive.errors import BackpropError, DerivationError, ParseError, SpecError, UnknownNameError

# Everything else needs SymPy: imported on first use, so that ``backprop --help`` and the
# error types stay cheap (PEP 562).
_LAZY = {
    **dict.fromkeys(("custom_activation", "custom_loss"), "derive.custom"),
    **dict.fromkeys(("Chain", "Check", "Derivation", "Step"), "derive.model"),
    **dict.fromkeys(("mlp", "mlp_from_options"), "derive.network"),
    **dict.fromkeys(("entries", "get", "get_in_notation", "names"), "derive.registry"),
    **dict.fromkeys(("register_activation", "register_loss", "load_rules"), "derive.rulebook"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


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
    "get_in_notation",
    "load_rules",
    "mlp",
    "mlp_from_options",
    "names",
    "register_activation",
    "register_loss",
]
