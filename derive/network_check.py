"""Every line of an ``mlp`` recurrence checked at once, in one vectorised forward pass.

The network's forward pass (z = W h + b, h = g(z), the output activation and the loss, each
from the derivation's own definitions) is evaluated on N random points stacked with every
shifted copy a five-point difference needs: one shift of each entry of every W, b, z and h.
That one pass gives ∂L/∂θ for every parameter and every intermediate quantity of every layer.
Each line's right-hand side is then evaluated with the true values of its inputs (δ and
∂L/∂h from the differences, W, b, z, h from the forward pass) and compared, at every entry,
with the difference quotient of its left-hand side. So each line is checked on its own (a wrong
line fails, whatever the others are) and the cost is one pass plus a few small evaluations
per line, instead of a forward pass per line through the whole depth.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from derive.activations import ACTIVATIONS
from derive.builtins import mlp as mlp_builder
from derive.builtins.mlp import layer
from derive.errors import DerivationError
from derive.numeric import Definitions, evaluate
from derive.substitute import expand_sum
from derive.symbols import pv as p
from derive.symbols import yv as y
from derive.symbols import z
from derive.verify import LAZY_RTOL, N_POINTS, SMOOTH_TRIES, sample

x = mlp_builder.x
EPS = Definitions.EPS
STEPS = Definitions.STEPS
WIDTHS = (EPS, EPS / 8)  # two stencils: where they disagree the point is at a kink
SHIFTS = [step * eps for eps in WIDTHS for step in STEPS]


def verify_network(derivation, net, acts, progress=None) -> None:
    """Mark every line of ``derivation`` (the recurrence of ``net``) verified, or raise
    DerivationError naming the first line that is wrong or could not be checked."""
    builder = mlp_builder._Builder(net, {**ACTIVATIONS, **acts})
    domain = derivation.domain
    rng = np.random.default_rng(0)
    chains = list(derivation.chains)
    for attempt in range(SMOOTH_TRIES):  # deep ReLU networks: redraw where kinks took the points
        values = _values(builder, domain, rng)
        compared = {id(c): list(_pairs(c, values)) for c in chains}
        short = [c for c in chains if _usable(compared[id(c)]).sum() < N_POINTS // 2]
        if not short:
            break
        if attempt == SMOOTH_TRIES - 1:
            raise DerivationError(
                f"{derivation.name}: '{short[0].title}' could not be checked: too few points "
                "where the function is smooth"
            )
    how = (
        f"numeric: {N_POINTS} random points at every entry, ∂L/∂θ by five-point central "
        f"differences of one vectorised forward pass of the whole network, each line evaluated "
        f"with the true values of its inputs (rtol {LAZY_RTOL:g}; points where the function is "
        f"not smooth within ε are left out){''.join('; ' + a for a in domain.assumptions)}"
    )
    for chain in progress(chains) if progress is not None else chains:
        _check_line(chain, compared[id(chain)], derivation.name)
        for step in chain.steps:
            step.verified_by = how


def _pairs(chain, arrays):
    """[(want, got)]: the difference quotient of the left-hand side and the line evaluated with
    the true values of its inputs, each (N, entries) over every entry of the left-hand side.

    The line is evaluated once for all its entries: each entry W_kj of the written-out line is
    the array of W over the points and every (i, j) of the line at once."""
    free = list(chain.domain.indices)
    grid = np.indices(tuple(int(chain.domain.indices[ix]) for ix in free)).reshape(len(free), -1)
    where = dict(zip(free, grid, strict=True))
    rhs = chain.steps[-1].rhs
    line = rhs.replace(lambda e: isinstance(e, sp.Sum), _written_out) if rhs.has(sp.Sum) else rhs
    values = {
        atom: _gather(arrays, atom.base, atom.indices, where) for atom in line.atoms(sp.Indexed)
    }
    entries = grid.shape[1]
    values |= {ix: np.broadcast_to(where[ix] + 1.0, (N_POINTS, entries)) for ix in free}
    target = chain.lhs.variables[0]
    want = _gather(arrays, ("d", target.base), target.indices, where)
    with np.errstate(all="ignore"):
        got = np.asarray(evaluate(line, values), dtype=float)
    return [(free, grid, want, np.broadcast_to(got, want.shape))]


def _written_out(s: sp.Sum):
    """Σ_{k=1}^{3} f(k) term by term (replace works bottom-up: no sum is left inside f)."""
    (var, lo, hi), *rest = s.limits
    if rest or not (lo.is_Integer and hi.is_Integer):
        return expand_sum(s)
    return sp.Add(*[s.function.xreplace({var: sp.Integer(v)}) for v in range(lo, hi + 1)])


def _gather(arrays, base, indices, where):
    """arrays[base] (N, *shape) at the entries: an integer index picks one, an index of the
    line takes its value at every entry. Shape (N, entries)."""
    picks = [int(ix) - 1 if ix.is_Integer else where[ix] for ix in indices]
    entries = len(next(iter(where.values()))) if where else 1
    out = arrays[base][(slice(None), *picks)] if picks else arrays[base]
    return np.broadcast_to(out.reshape(N_POINTS, -1), (N_POINTS, entries))


def _usable(pairs):
    """Points usable at every entry of a chain (smooth, finite)."""
    ok = np.ones(N_POINTS, dtype=bool)
    for _, _, want, got in pairs:
        ok &= (np.isfinite(want) & np.isfinite(got)).all(axis=1)
    return ok


def _check_line(chain, pairs, name):
    if len(chain.steps) != 1:  # a bug, not input
        raise AssertionError(f"{name}: {chain.title} is not one line")
    for free, grid, want, got in pairs:
        usable = np.isfinite(want) & np.isfinite(got)
        close = ~usable | np.isclose(got, want, rtol=LAZY_RTOL, atol=1e-9)
        short = usable.sum(axis=0) < N_POINTS // 2
        if short.any() or not close.all():
            point, entry = np.unravel_index(int(np.argmin(close & ~short)), close.shape)
            where = {str(ix): int(grid[n, entry]) + 1 for n, ix in enumerate(free)}
            raise DerivationError(
                f"{name}: '{chain.title}' ({chain.steps[-1].why}) does not equal ∂L/∂θ at "
                f"{where}: {got[point, entry]:.8g} vs {want[point, entry]:.8g} by differences"
            )


def _values(builder, domain, rng) -> dict:
    """Base -> values at every point, (N, *shape): x, y, W, b, z, h (p) from the forward pass;
    δ^(l) = ∂L/∂z^(l), dh^(l) = ∂L/∂h^(l) and ("d", base) = ∂L/∂base from the differences."""
    net = builder.net
    params = _draw(builder, domain, rng)
    probes = _probes(net)
    rows = 1 + len(SHIFTS) * len(probes)
    offsets = {key: np.zeros((rows, 1, *arr.shape[1:])) for key, arr in params.items()}
    for key in [("z", n) for n in range(1, net.depth + 1)] + [
        ("h", n) for n in range(1, net.depth)
    ]:
        offsets[key] = np.zeros((rows, 1, net.sizes[key[1]]))
    for number, (key, entry) in enumerate(probes):
        start = 1 + number * len(SHIFTS)
        offsets[key][(slice(start, start + len(SHIFTS)), 0, *entry)] = SHIFTS
    loss, quantities = _forward(builder, params, offsets)
    arrays = {_base(net, key): arr for key, arr in {**params, **quantities}.items()}
    shifted = loss[1:].reshape(len(probes), len(WIDTHS), len(STEPS), N_POINTS)
    for key, arr in {**params, **quantities}.items():
        if key[0] in ("W", "b", "z", "h") and key[1] >= 1:
            arrays[("d", _base(net, key))] = np.full(arr.shape, np.nan)
    for (key, entry), f in zip(probes, shifted, strict=True):
        arrays[("d", _base(net, key))][(slice(None), *entry)] = _quotient(f, loss[0])
    for number in range(1, net.depth + 1):
        arrays[layer("delta", number)] = arrays[("d", layer("z", number))]
        if number < net.depth:
            arrays[layer("dh", number)] = arrays[("d", layer("h", number))]
    return arrays


def _quotient(f, f0):
    """f: (widths, steps, N) shifted losses → five-point differences, NaN where the two step
    widths disagree (a kink within ε), as derive.numeric's lazy derivative does."""
    coarse, fine = (
        (row[0] - 8 * row[1] + 8 * row[2] - row[3]) / (12 * eps)
        for row, eps in zip(f, WIDTHS, strict=True)
    )
    scale = np.maximum(1.0, np.abs(coarse)) + np.abs(f).max(axis=(0, 1))
    return np.where(np.abs(coarse - fine) <= 1e-10 * scale, coarse, np.nan)


def _draw(builder, domain, rng) -> dict:
    """x, y, W^(l), b^(l) drawn by the domain's samplers: key -> array (N, *shape)."""
    net = builder.net
    shapes = {("x", 0): (net.sizes[0],), ("y", 0): (net.sizes[-1],)}
    for n in range(1, net.depth + 1):
        shapes[("W", n)] = (net.sizes[n], net.sizes[n - 1])
        shapes[("b", n)] = (net.sizes[n],)
    atoms = set()
    for key, shape in shapes.items():
        base = _base(net, key)
        atoms |= {base[tuple(sp.Integer(e + 1) for e in i)] for i in np.ndindex(*shape)}
    drawn = sample(domain, atoms, {}, N_POINTS, rng)
    out = {}
    for key, shape in shapes.items():
        base = _base(net, key)
        entries = [drawn[base[tuple(sp.Integer(e + 1) for e in i)]] for i in np.ndindex(*shape)]
        out[key] = np.stack(entries, axis=-1).reshape(N_POINTS, *shape)
    return out


def _base(net, key):
    return _named(key, net.depth)


@functools.cache
def _named(key, depth):
    """The IndexedBase of a quantity of the network (built once: SymPy's constructor is slow)."""
    name, number = key
    if name == "x" or (name == "h" and number == 0):
        return x
    if name == "y":
        return y
    if name == "h" and number == depth:
        return p
    return layer(name, number)


def _probes(net):
    """(key, entry) of every quantity differentiated: each entry of W, b, z and h."""
    out = []
    for n in range(1, net.depth + 1):
        out += [(("W", n), e) for e in np.ndindex(net.sizes[n], net.sizes[n - 1])]
        out += [(("b", n), e) for e in np.ndindex(net.sizes[n])]
        out += [(("z", n), e) for e in np.ndindex(net.sizes[n])]
        if n < net.depth:
            out += [(("h", n), e) for e in np.ndindex(net.sizes[n])]
    return out


def _forward(builder, params, offsets):
    """The loss (rows, N) and the unshifted z^(l), h^(l) (each (N, n_l)) of the stacked pass."""
    net = builder.net
    below = params[("x", 0)][None]
    quantities = {}
    for n in range(1, net.depth + 1):
        W = params[("W", n)][None] + offsets[("W", n)]
        b = params[("b", n)][None] + offsets[("b", n)]
        zl = (W * below[..., None, :]).sum(axis=-1) + b + offsets[("z", n)]  # W h, many tiny
        below = _activate(builder, n, zl)
        if n < net.depth:
            below = below + offsets[("h", n)]
        quantities[("z", n)], quantities[("h", n)] = zl[0], below[0]
    return _loss(builder, below, params[("y", 0)][None]), quantities


def _activate(builder, number, zl):
    net = builder.net
    if number == net.depth and net.output == "softmax":
        e = np.exp(zl - zl.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    name = net.output if number == net.depth else net.hidden[number - 1]
    with np.errstate(all="ignore"):
        out = evaluate(builder.acts[name].expr, {z: zl})
    return np.broadcast_to(np.asarray(out, dtype=float), zl.shape)


def _loss(builder, probs, targets):
    """The derivation's own loss expression evaluated on the stacked outputs."""
    n = probs.shape[-1]
    values = {p[sp.Integer(r + 1)]: probs[..., r] for r in range(n)}
    values |= {y[sp.Integer(r + 1)]: targets[..., r] for r in range(n)}
    with np.errstate(all="ignore"):
        out = evaluate(builder._loss(), values, Definitions({}, values))
    return np.broadcast_to(np.asarray(out, dtype=float), probs.shape[:-1])


__all__ = ["verify_network"]
