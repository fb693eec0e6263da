"""Standalone NumPy training modules generated from the verified derivations of ``derive``.

Pipeline: :mod:`codegen.spec` (TOML or dict → validated Spec) → :mod:`codegen.derivations`
(derive's results, lifted to a batch, 1/m folded, stable forms) → :mod:`codegen.plan` (the
module's lines, printed by :mod:`codegen.printer` with the primitives of :mod:`codegen.stable`)
→ :mod:`codegen.generate` (the Jinja2 template; write or import the module).

>>> from codegen import load_module
>>> digits = load_module("examples/digits.toml")  # doctest: +SKIP
>>> params = digits.init_params(seed=0)  # doctest: +SKIP
"""

from codegen.generate import generate_source, load_module, write_module
from codegen.spec import Spec, load_spec, spec_from_dict

__all__ = ["Spec", "generate_source", "load_module", "load_spec", "spec_from_dict", "write_module"]
