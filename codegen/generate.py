"""Render a spec into the source of a standalone NumPy training module, write it, import it.

>>> module = load_module("examples/xor.toml")  # doctest: +SKIP
>>> params = module.init_params(seed=0)  # doctest: +SKIP
>>> module.train(params, X, Y, epochs=500, batch_size=4, learning_rate=2.0)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import json
import linecache
import os
import types
from pathlib import Path, PurePath

import jinja2
import sympy as sp

from codegen import certify
from codegen.plan import Plan, make_plan
from codegen.spec import OUTPUT_ONLY, Spec, load_spec, spec_from_dict, spec_to_toml
from codegen.stable import NUMPY_HELPERS
from codegen.training import make_training
from derive.activations import ACTIVATIONS
from derive.custom import parse_activation, parse_loss
from derive.errors import BackpropError
from derive.files import write_text
from derive.losses import LOSSES

TEMPLATE = "module.py.j2"
_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("codegen", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # noqa: S701 - the output is Python source, not HTML
)


def generate_source(spec: Spec | dict, spec_path=None, out_path=None) -> str:
    """The module's source. ``spec_path``/``out_path`` appear in its header as given."""
    return generate(spec, spec_path, out_path)[0]


def generate(
    spec: Spec | dict, spec_path=None, out_path=None, rules=()
) -> tuple[str, tuple[str, ...]]:
    """(the module's source, a warning per math line the stability check found inaccurate).
    ``rules``: the ``--rules`` files the spec's names need, named in the regenerate command."""
    spec = spec if isinstance(spec, Spec) else spec_from_dict(spec)
    plan = make_plan(spec)
    return _render(spec, plan, spec_path, out_path, rules), plan.warnings


def _render(spec: Spec, plan: Plan, spec_path, out_path, rules=()) -> str:
    source = _posix(spec_path) if spec_path is not None else "a spec dict"
    command = "backprop generate " + (_posix(spec_path) if spec_path else "SPEC.toml")
    for path in rules:
        command += f" --rules {_posix(path)}"
    if out_path is not None:
        command += f" -o {_posix(out_path)}"
    return _ENVIRONMENT.get_template(TEMPLATE).render(
        spec=spec,
        plan=plan,
        source=source,
        command=command,
        spec_toml=spec_to_toml(spec).splitlines(),
        spec_literal=python_literal(spec.to_dict()),
        description=describe(spec),
        helpers=[NUMPY_HELPERS[name].rstrip("\n") for name in plan.helpers],
        stability=stability_header(plan),
        training=make_training(spec),
        buffer_names=[name for name, _, _ in plan.buffers],
        **_targets(spec),
        **_predictions(spec, plan),
    )


def stability_header(plan: Plan) -> list[str]:
    """The header's account of the stability check (codegen/certify.py), one line each."""
    dtype = plan.spec.dtype
    lines = [
        f"Stability (codegen/certify.py): each elementwise line below was run in {dtype}, on",
        f"inputs computed as this module computes them, for {certify.RANGE} "
        f"({len(certify.Z_GRID)} values of z; targets",
        ", ".join(f"{v:g}" for v in certify.Y_GRID)
        + f") and compared with the same expression in {certify.DIGITS[dtype]}-digit mpmath;",
        "tolerance: a few ulps times the line's condition number.",
    ]
    for checked in plan.stability:
        lines += [f"  {line}" for line in checked.lines()]
    return lines


def write_module(spec_path, out_path) -> None:
    """Generate the module for the TOML spec at ``spec_path`` and write it atomically."""
    write_text(out_path, generate_source(load_spec(spec_path), spec_path, out_path))


def load_module(spec_or_path) -> types.ModuleType:
    """A generated module, imported: from a Spec, a spec dict, a TOML path or a .py file."""
    if isinstance(spec_or_path, str | os.PathLike) and str(spec_or_path).endswith(".py"):
        return _import_file(Path(spec_or_path))
    if isinstance(spec_or_path, str | os.PathLike):
        spec, path = load_spec(spec_or_path), spec_or_path
    else:
        spec, path = spec_or_path, None
    spec = spec if isinstance(spec, Spec) else spec_from_dict(spec)
    source = generate_source(spec, path)
    filename = f"<generated {spec.name}>"
    module = types.ModuleType(f"generated_{spec.name}")
    module.__file__ = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - our own output
    return module


def _import_file(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _posix(path) -> str:
    """A path for the header comments: printable, or it could end a comment and start code."""
    text = PurePath(path).as_posix()
    if not text.isprintable():
        raise BackpropError(f"path {text!r} contains control characters")
    return text


def describe(spec: Spec) -> str:
    """The layers and the loss in a sentence: 'Hidden layer: tanh. Output: softmax, ...'"""
    hidden = [_prose(layer.activation) for layer in spec.layers]
    layers = (
        f"Hidden layer{'s' if len(hidden) > 1 else ''}: {', '.join(hidden)}. " if hidden else ""
    )
    output = spec.output
    return f"{layers}Output: {_prose(output.activation)}, with the {_prose(output.loss)} loss."


def _prose(rule: str) -> str:
    """A built-in name as it is; a user expression as SymPy prints it once parsed (never the raw
    text, whose backslashes and quotes must not reach the module's docstring)."""
    if rule in ACTIVATIONS or rule in OUTPUT_ONLY or rule in LOSSES:
        return rule
    try:
        return sp.sstr(parse_activation(rule).expr)
    except BackpropError:
        return sp.sstr(parse_loss(rule))


def _targets(spec: Spec) -> dict:
    units = spec.output.units
    if spec.output.activation == "softmax":
        return {
            "targets_doc": f"(m, {units}) one-hot or (m,) integer labels",
            "targets_shape": f"(m, {units}) or (m,)",
            "targets_conversion_doc": ", one-hot rows; integer labels (m,) are converted",
            "output_shape": f"m, {units}",
        }
    single = units == 1
    return {
        "targets_doc": "(m,) or (m, 1)" if single else f"(m, {units})",
        "targets_shape": "(m,) or (m, 1)" if single else f"(m, {units})",
        "targets_conversion_doc": "; a vector (m,) becomes a column" if single else "",
        "output_shape": f"m, {units}",
    }


def _predictions(spec: Spec, plan: Plan) -> dict:
    single = spec.output.units == 1
    if spec.task == "classification":
        return {"predict_doc": "Class indices (m,)", "predict_code": "output.argmax(axis=1)"}
    if spec.task == "binary":
        column = "[:, 0]" if single else ""
        return {
            "predict_doc": "Labels 0/1 " + ("(m,)" if single else f"(m, {spec.output.units})"),
            "predict_code": f"(output{column} > 0.5).astype(np.int64)",
        }
    return {
        "predict_doc": "Predicted values " + ("(m,)" if single else f"(m, {spec.output.units})"),
        "predict_code": "output[:, 0]" if single else "output",
    }


def python_literal(value, indent: int = 0) -> str:
    """value (dicts, lists, str, int, float) as Python source, expanded as ruff formats it."""
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = "".join(
            f"{pad}{json.dumps(key)}: {python_literal(item, indent + 4)},\n"
            for key, item in value.items()
        )
        return "{\n" + items + " " * indent + "}" if value else "{}"
    if isinstance(value, list | tuple):
        items = "".join(f"{pad}{python_literal(item, indent + 4)},\n" for item in value)
        return "[\n" + items + " " * indent + "]" if value else "[]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)
