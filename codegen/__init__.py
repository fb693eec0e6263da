"""Standalone NumPy training modules generated from the verified derivations of ``derive``.

Pipeline: :mod:`codegen.spec` (TOML or dict → validated Spec) → :mod:`codegen.derivations`
(derive's results, lifted to a batch, 1/m folded, stable forms) → :mod:`codegen.plan` (the
module's lines, printed by :mod:`codegen.printer` with the primitives of :mod:`codegen.stable`)
→ :mod:`codegen.generate` (the Jinja2 template; write or import the module).

>>> from codegen import load_module
>>> digits = load_module("examples/digits.toml")  # doctest: +SKIP
>>> params = digits.init_params(seed=0)  # doctest: +SKIP
"""

import importlib

# Loaded on first use, so that a command needing only codegen's plain tables (the optimizer
# names for --help, say) does not import SymPy.
_LAZY = {
    "generate_source": "codegen.generate",
    "load_module": "codegen.generate",
    "write_module": "codegen.generate",
    "Spec": "codegen.spec",
    "load_spec": "codegen.spec",
    "spec_from_dict": "codegen.spec",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'codegen' has no attribute {name!r}")


__all__ = ["Spec", "generate_source", "load_module", "load_spec", "spec_from_dict", "write_module"]
