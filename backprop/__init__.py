"""Verified backpropagation: derivations, checks of hand-worked answers, generated NumPy code.

The whole tool from Python; each object displays itself in Jupyter.

>>> import backprop
>>> d = backprop.derive.get("softmax-ce")  # doctest: +SKIP
>>> d.result  # doctest: +SKIP
p[i] - y[i]
>>> backprop.check_answer("softmax-ce", "y_i - p_i").diagnosis  # doctest: +SKIP
'sign error: the answer is −1 times the correct result'
>>> result = backprop.train("examples/xor.toml", "xor", epochs=300)  # doctest: +SKIP

``derive`` is the derivation package (``get``, ``names``, ``mlp``, ``custom_activation``,
``custom_loss``); ``check_answer``, ``check_steps``, ``check_numbers`` and ``check_code`` judge
students' work; ``generate``, ``load_module`` and ``train`` turn a network spec into a trained
NumPy module. Everything is imported on first use (PEP 562), so ``import backprop`` and the
command line's ``--help`` stay fast and free of SymPy. The command line is ``backprop.cli``.
"""

from derive.errors import BackpropError, DerivationError, ParseError, SpecError, UnknownNameError

_LAZY = {
    **dict.fromkeys(("check_answer", "check_code", "check_numbers", "check_steps"), "backprop.api"),
    **dict.fromkeys(("generate", "load_module", "train"), "backprop.api"),
    **dict.fromkeys(("Dataset", "load_dataset"), "backprop.datasets"),
    "Result": "backprop.training",
    **dict.fromkeys(("Spec", "load_spec", "spec_from_dict"), "codegen.spec"),
    "Derivation": "derive.model",
    **dict.fromkeys(("render", "render_many"), "derive.render"),
    "Verdict": "check.report",
    "StepsReport": "check.steps_report",
    "NumbersReport": "check.numbers",
    "CodeReport": "check.code",
}
_MODULES = {"derive": "derive", "datasets": "backprop.datasets"}


def __getattr__(name: str):
    """The API's names, imported on first use (PEP 562)."""
    import importlib

    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'backprop' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "BackpropError",
    "CodeReport",
    "Dataset",
    "Derivation",
    "DerivationError",
    "NumbersReport",
    "ParseError",
    "Result",
    "Spec",
    "SpecError",
    "StepsReport",
    "UnknownNameError",
    "Verdict",
    "check_answer",
    "check_code",
    "check_numbers",
    "check_steps",
    "datasets",
    "derive",
    "generate",
    "load_dataset",
    "load_module",
    "load_spec",
    "render",
    "render_many",
    "spec_from_dict",
    "train",
]
