"""Certify each emitted line against high precision, over a grid reaching |z| = 1000.

A line is an expression in the arrays it reads (``z``, ``h``, ``P[n, i]``, ``Y[n, i]``...).
It is printed exactly as the module prints it, evaluated in the module's dtype on inputs
computed as the module computes them (``h`` from the printed forward line, in that dtype), and
compared with the same expression evaluated with mpmath (:mod:`codegen.exact`) at those very
inputs. A point passes when the dtype value is within

    tolerance = (4 + operations) · ε · (1 + κ) · |exact|  (+ the dtype's smallest normal number)

of the exact value, κ = Σ_x |x ∂f/∂x| / |f| being the line's condition number in its inputs: an
ill-conditioned line (1 − h² at h ≈ 1) may lose what its inputs' rounding forces it to lose, a
well-conditioned one (1 − e^{−h} at small h, κ ≈ 1) may not. An exact value beyond the dtype's
range must come out as ±inf (or its largest number); where the exact value is undefined
(log 0, 0/0), nothing is asked.

>>> import sympy as sp
>>> from sympy.codegen.cfunctions import expm1
>>> h, z = sp.symbols("h z", real=True)
>>> forward = stable.softplus(z)  # h = softplus(z), softplus′ = σ(z) = 1 − e^{−h}
>>> bad = check(1 - sp.exp(-h), "float64", {"h": forward})
>>> bad.ok, bad.failures
(False, ('inaccurate (relative error 1) for z in [-700, -8]',))
>>> check(-expm1(-h), "float64", {"h": forward}).ok
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from codegen import exact, stable
from codegen.printer import NumPyIndexPrinter, index_axes

# |z| = 0 … 1000, densest where float32/float64 overflow (88, 709) and underflow (103, 745) and
# where naive forms of σ and softplus break (17, 37)
_MAGNITUDES = (
    1e-8, 1e-4, 0.01, 0.1, 0.5, 1, 2, 3, 5, 8, 12, 17, 20, 25, 30, 37, 40, 50, 70, 88, 89,
    100, 104, 200, 300, 500, 700, 709, 710, 745, 746, 800, 1000,
)  # fmt: skip
Z_GRID = np.array(sorted({0.0, *_MAGNITUDES, *(-v for v in _MAGNITUDES)}))
Y_GRID = np.array([0.0, 0.25, 1.0, 3.0])  # targets: the ends of [0, 1], inside it, a count
RANGE = "|z| <= 1000"
DIGITS = {"float32": 80, "float64": 400}  # enough to resolve 1 + e^{-1000} in float64


@dataclass(frozen=True)
class Certificate:
    """What the grid check found for one line in one dtype."""

    line: str  # printed code
    dtype: str
    points: int  # grid points where the exact value is defined
    worst: float  # largest error / tolerance (≤ 1 passes)
    failures: tuple[str, ...]  # e.g. "not finite for z in [710, 1000]"
    bad: int = 0  # failing points

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.ok:  # not the worst ratio: it may differ in its last digit across CPUs
            return f"accurate at {self.points} points"
        return "; ".join(self.failures)


class NotCertifiable(ValueError):
    """A line the grid check cannot evaluate exactly (it reads a row function, ...)."""


def check(expr: sp.Expr, dtype: str, inputs: dict, reference: sp.Expr | None = None) -> Certificate:
    """Certify ``expr`` in ``dtype``: inputs maps each array it reads (by name) to the
    expression in z that computes it (``{"h": forward}``; ``"z"`` is the grid itself, ``"Y"``
    or ``"y"`` the targets). ``reference``: the line whose exact values expr must reproduce
    (a rewrite is checked against the line as derived; default expr itself). Raises
    NotCertifiable if expr holds what mpmath cannot evaluate."""
    inputs = tuple(sorted((k, v) for k, v in inputs.items()))
    return _check(expr, dtype, inputs, expr if reference is None else reference)


@functools.cache
def _check(expr, dtype, inputs, reference) -> Certificate:
    arrays = arrays_of(expr) | arrays_of(reference)
    names = {name for name in arrays}
    grid = _grid(dtype, targets=bool(names & {"Y", "y"}))
    given = dict(inputs)
    values = _grid_values(expr, names, dtype, grid, given)
    code = _printed(expr)
    computed = _numpy(expr, dtype, values)
    symbols = {name: arrays[name] for name in names}
    composite = _composite(reference, symbols, given)
    return _compare(reference, code, dtype, computed, values, symbols, grid["z"], composite)


def _grid_values(expr, names, dtype, grid, given) -> dict:
    """The arrays expr reads on the grid: z and the targets, the others computed from z."""
    values = {}
    for name in names:
        if name in ("z", "Z") or name.startswith("Z"):
            values[name] = grid["z"]
        elif name in ("Y", "y"):
            values[name] = grid["y"]
        elif name in given:
            values[name] = _numpy(given[name], dtype, {"z": grid["z"]})
        else:
            raise NotCertifiable(f"no input for {name} in {sp.sstr(expr)}")
    return values


def warns(expr: sp.Expr, dtype: str, inputs: dict) -> bool:
    """Whether the printed line, run on the grid in dtype, overflows, divides by zero or takes
    an invalid operation anywhere (NumPy's RuntimeWarning), even where its value is right:
    np.where computes both branches. inputs as for :func:`check`."""
    names = set(arrays_of(expr))
    grid = _grid(dtype, targets=bool(names & {"Y", "y"}))
    values = _grid_values(expr, names, dtype, grid, dict(inputs))
    arrays = {name: np.asarray(v, dtype=dtype) for name, v in values.items()}
    try:
        run_printed(expr, _axes(expr), arrays, errors="raise")
    except FloatingPointError:
        return True
    return False


def _composite(expr, symbols, given):
    """(expr with each computed input replaced by its definition in z, the symbol z): the exact
    value where the rounded inputs leave expr undefined (log P where P underflowed to 0)."""
    z = sp.Symbol("z", real=True)
    for source in given.values():
        z = next((s for s in source.free_symbols if s.name == "z"), z)
    grid_arrays = {atom: z for name, atom in symbols.items() if name not in given}
    grid_arrays = {atom: v for atom, v in grid_arrays.items() if str(atom).startswith(("z", "Z"))}
    replaced = {atom: given[name] for name, atom in symbols.items() if name in given}
    return expr.xreplace(grid_arrays).xreplace(replaced), z


def arrays_of(expr) -> dict:
    """The arrays an expression reads: {name: the atom standing for it}."""
    out = {atom.base.label.name: atom for atom in expr.atoms(sp.Indexed)}
    for atom in expr.free_symbols - set().union(*(a.free_symbols for a in out.values())):
        if not atom.is_integer:  # index symbols n, i are not arrays
            out[atom.name] = atom
    return out


def _grid(dtype: str, targets: bool) -> dict:
    zs = Z_GRID.astype(dtype)
    if not targets:
        return {"z": zs, "y": np.zeros_like(zs)}
    z, y = np.meshgrid(zs, Y_GRID.astype(dtype), indexing="ij")
    return {"z": z.ravel(), "y": y.ravel()}


def _axes(expr) -> tuple:
    """The line's axes, the example index first as in the module (n, then units)."""
    return tuple(sorted(index_axes(expr), key=lambda a: (a.name != "n", a.name)))


def _printed(expr) -> str:
    return NumPyIndexPrinter().print_array(expr, _axes(expr))


def run_printed(expr, axes, values: dict, helpers=(), errors="ignore") -> tuple[object, str]:
    """expr's printed NumPy code (over ``axes``) run on ``values`` (name → array, or a function
    of the namespace giving them, to build inputs with a helper), with the module's helpers it
    calls (plus ``helpers``) defined: (result, code); ``errors``: NumPy's floating-point
    error handling while it runs (under is ignored). The code is the
    printer's own output for an expression the parser built, never user text."""
    printer = NumPyIndexPrinter()
    code = printer.print_array(expr, axes)
    namespace = {"np": np}
    for helper in sorted(printer.helpers | set(helpers)):
        exec(stable.NUMPY_HELPERS[helper], namespace)  # noqa: S102 - our own source
    # the tanh helper takes np.tanh where NumPy's loop is SIMD, else an exp form within 4 ε
    # absolute (tests/test_stable.py): the certificate is of np.tanh's path, on every machine,
    # since generated headers are byte-checked
    namespace["_VECTORISED_TANH"] = {"f": True, "d": True}
    namespace |= values(namespace) if callable(values) else values
    with np.errstate(all=errors, under="ignore"):
        out = eval(compile(code, "<line>", "eval"), namespace)  # noqa: S307 - our own printed code
    return out, code


def _numpy(expr, dtype, values: dict) -> np.ndarray:
    """expr as the module computes it: its printed code run on arrays of dtype."""
    arrays = {name: np.asarray(v, dtype=dtype) for name, v in values.items()}
    out, _ = run_printed(expr, _axes(expr), arrays)
    size = len(next(iter(values.values()))) if values else 1
    return np.broadcast_to(np.asarray(out, dtype=dtype), (size,))


def _compare(expr, code, dtype, computed, values, symbols, zs, composite) -> Certificate:
    info = np.finfo(dtype)
    digits = DIGITS[dtype]
    # targets are data, given exactly: only computed inputs (z, h, P) carry rounding
    slopes = {atom: sp.diff(expr, atom) for name, atom in symbols.items() if name not in "Yy"}
    slack = 4 + sp.count_ops(expr)
    bad_finite, bad_accuracy, worst, defined = [], [], 0.0, 0
    worst_relative = 0.0
    for n in range(len(computed)):
        point = {symbols[name]: float(v[n]) for name, v in values.items()}
        try:
            value = exact.evaluate(expr, point, digits)
        except exact.NotEvaluable as error:
            raise NotCertifiable(str(error)) from None
        except (ZeroDivisionError, ValueError):
            value = None
        got = float(computed[n])
        if value is None or not _is_real(value):  # undefined at the rounded inputs: is it in z?
            if _defined_in_z(composite, symbols, values, zs[n], n, digits):
                defined += 1
                if not np.isfinite(got):
                    bad_finite.append(zs[n])
            continue
        defined += 1
        if abs(value) > info.max:  # overflows the dtype: ±inf (or its largest number) is right
            if not (np.sign(got) == np.sign(float(value)) and abs(got) >= info.max / 2):
                (bad_finite if not np.isfinite(got) else bad_accuracy).append(zs[n])
            continue
        if not np.isfinite(got):
            bad_finite.append(zs[n])
            continue
        kappa = _condition(slopes, point, value, digits)
        tolerance = slack * float(info.eps) * (1 + kappa) * abs(float(value)) + float(info.tiny)
        error = abs(got - float(value))
        worst = max(worst, error / tolerance)
        if error > tolerance:
            bad_accuracy.append(zs[n])
            if float(value) != 0:  # (a value below the dtype's range has no relative error)
                worst_relative = max(worst_relative, error / abs(float(value)))
    failures = []
    if bad_finite:
        failures.append(f"not finite for z in {_interval(bad_finite)}")
    if bad_accuracy:
        failures.append(
            f"inaccurate (relative error {worst_relative:.2g}) for z in {_interval(bad_accuracy)}"
        )
    bad = len(bad_finite) + len(bad_accuracy)
    return Certificate(code, dtype, defined, worst, tuple(failures), bad)


def _defined_in_z(composite, symbols, values, z_value, n, digits) -> bool:
    """Whether the exact value through z (inputs from their definitions) is a finite number."""
    import mpmath

    expr, z = composite
    point = {z: float(z_value)}
    point.update({atom: float(values[name][n]) for name, atom in symbols.items() if name in "Yy"})
    try:
        value = exact.evaluate(expr, point, digits)
    except (exact.NotEvaluable, ZeroDivisionError, ValueError):
        return False
    return _is_real(value) and bool(mpmath.isfinite(value))


def _is_real(value) -> bool:
    import mpmath

    return (
        isinstance(value, mpmath.mpf)
        and mpmath.isfinite(value)
        or (isinstance(value, mpmath.mpf) and mpmath.isinf(value))
    )


def _condition(slopes, point, value, digits) -> float:
    """κ = Σ |x ∂f/∂x| / |f| at the point (0 where f = 0 or a slope cannot be evaluated)."""
    if value == 0:
        return 0.0
    total = 0.0
    for atom, atom_slope in slopes.items():
        x = point[atom]
        try:
            slope = exact.evaluate(atom_slope, point, digits)
        except (exact.NotEvaluable, ZeroDivisionError, ValueError):
            continue
        if _is_real(slope):
            total += float(abs(slope * x / value)) if x != 0 else 0.0
    return total


def _interval(points) -> str:
    """Failing grid values as runs of neighbouring grid points: '[-1000, -710] and [710, 1000]'."""
    grid = sorted(float(v) for v in Z_GRID)
    failing = sorted({grid.index(min(grid, key=lambda g, p=p: abs(g - p))) for p in points})
    runs, start = [], failing[0]
    for before, after in zip(failing, [*failing[1:], None], strict=True):
        if after != before + 1:
            runs.append((grid[start], grid[before]))
            start = after
    return " and ".join(f"[{low:.4g}, {high:.4g}]" for low, high in runs)


__all__ = [
    "DIGITS",
    "RANGE",
    "Z_GRID",
    "Y_GRID",
    "Certificate",
    "NotCertifiable",
    "arrays_of",
    "check",
]
