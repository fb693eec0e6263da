"""The ``mlp`` derivation for any network given by sizes, activations and an output/loss pair."""

from __future__ import annotations

import functools

from derive import rulebook
from derive.builtins import mlp as mlp_builder
from derive.custom import activation_from_name_or_expression
from derive.errors import DerivationError, SpecError
from derive.model import Derivation
from derive.network_check import verify_network


def mlp(sizes, hidden, output="softmax", loss="cross-entropy", progress=None) -> Derivation:
    """The verified backward recurrence of a network.

    sizes: layer sizes, input first (e.g. (2, 2, 2, 3)); hidden: one activation per hidden
    layer, a built-in name or an expression in z; output: softmax | sigmoid | identity;
    progress: None, or a wrapper of an iterable (tqdm) told about each chain as it is verified.
    """
    if isinstance(hidden, str):
        raise SpecError("network: hidden activations must be a list, e.g. ['tanh']")
    sizes = _sizes(sizes)
    acts = {}
    names = []
    for text in hidden:
        act = activation_from_name_or_expression(text)
        acts[act.name] = act
        names.append(act.name)
    net = mlp_builder.Network(tuple(int(s) for s in sizes), tuple(names), output, _loss(loss))
    derivation = mlp_builder.build(net, acts)
    small = narrow(net)
    if small == net:
        return _verified(derivation, net, acts, progress)
    checked = _verified(mlp_builder.build(small, acts), small, acts, progress)
    return _verified_as(derivation, checked, small)


CHECK_WIDTH = 3  # units per layer of the network each line is verified on


def narrow(net):
    """The network with every layer at most CHECK_WIDTH wide: same depth, the same kind of
    layer at each position, the same output and loss. Its recurrence has the same lines as
    net's, each the same rule (a line is built per layer by one size-generic builder), so
    verifying its lines verifies net's at a cost that does not grow with width."""
    sizes = tuple(min(size, CHECK_WIDTH) for size in net.sizes)
    return mlp_builder.Network(sizes, net.hidden, net.output, net.loss)


def _verified(derivation: Derivation, net, acts, progress) -> Derivation:
    """Every line checked in one vectorised pass (derive/network_check.py), with the weights
    drawn at the scale of :func:`weight_samplers` and each chain reported to ``progress``
    (an iterable wrapper such as tqdm, or None); then the cross-checks."""
    for domain in {id(d): d for d in _domains(derivation)}.values():
        domain.samplers.update(weight_samplers(net.sizes))
    verify_network(derivation, net, acts, progress)
    derivation.checks = []
    for run in derivation.cross_checks:
        check = run()
        derivation.checks.append(check)
        if not check.passed:
            raise DerivationError(f"mlp: cross-check failed: {check.name}: {check.detail}")
    derivation.verified = True
    return derivation


def _verified_as(derivation: Derivation, checked: Derivation, small) -> Derivation:
    """derivation marked verified by the checked derivation of the narrow network, line by
    line (they correspond one to one: same depth, same kinds, same positions)."""
    pairs = list(zip(derivation.chains, checked.chains, strict=True))
    for chain, proof in pairs:
        if len(chain.steps) != len(proof.steps):  # a bug, not input
            raise AssertionError(f"mlp: {chain.title} and its narrow twin differ")
    sizes = "-".join(str(size) for size in small.sizes)
    for chain, proof in pairs:
        for step, proved in zip(chain.steps, proof.steps, strict=True):
            step.verified_by = (
                f"the same line on the {sizes} network with these layers: {proved.verified_by}"
            )
    derivation.checks = list(checked.checks)
    derivation.verified = True
    return derivation


def weight_samplers(sizes) -> dict:
    """W^(l) drawn uniform in ±√(3/n_(l−1)) (variance 1/n_(l−1), as initialisations draw
    them), so that z^(l) stays of order 1 however wide and deep the network is.

    The recurrence is an identity for every weight; what the scale decides is whether the
    numeric check can see it. With entries of order 1 (the default sampler, ±2) z grows by
    about √n_(l−1) per layer: 8 layers of 16 give logits near 10⁴, where the ε = 10⁻³ five-point
    differences cross ReLU kinks at most points and round-off (≈ 10⁻¹³·|L|/ε) exceeds the
    tolerance (the 3·10⁻⁶ against 10⁻⁷ that 8 layers used to fail with)."""
    out = {}
    for number, fan_in in enumerate(sizes[:-1], start=1):
        bound = (3.0 / fan_in) ** 0.5
        out[mlp_builder.layer("W", number)] = functools.partial(_uniform, bound)
    return out


def _uniform(bound, rng, n, shape):
    return rng.uniform(-bound, bound, size=(n, *shape))


def _domains(derivation: Derivation):
    yield derivation.domain
    for chain in derivation.chains:
        if chain.domain is not None:
            yield chain.domain


def _loss(text) -> str:
    """The loss record's name for a name or alias (``ce``, ``bce``) the recurrence supports."""
    supported = list(dict.fromkeys(loss for _, loss in mlp_builder.OUTPUT_RULES))
    record = rulebook.loss_named(text) if isinstance(text, str) else None
    if record is None or record.name not in supported:
        raise SpecError(f"network: unknown loss '{text}' ({', '.join(supported)})")
    return record.name


def _sizes(sizes) -> tuple[int, ...]:
    out = []
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int):
            raise SpecError(f"network: layer sizes must be positive integers, got {size!r}")
        out.append(size)
    return tuple(out)


def mlp_from_options(
    layers: str | None, hidden: str | None, output: str | None, loss: str | None, progress=None
):
    """``mlp`` from command-line text: ``--layers 2,2,2,3 --hidden sigmoid,sigmoid``."""
    default = mlp_builder.LECTURE_NETWORK
    try:
        sizes = [int(s) for s in layers.split(",")] if layers else list(default.sizes)
    except ValueError:
        problem = f"expected comma-separated integers, got '{layers}'"
        raise SpecError(f"layers: {problem}", cli_message=f"--layers: {problem}") from None
    if hidden is not None:
        acts = split_top_level(hidden) if hidden.strip() else []
    else:
        acts = [default.hidden[0]] * (len(sizes) - 2)
    return mlp(sizes, acts, output or default.output, loss or default.loss, progress)


def split_top_level(text: str) -> list[str]:
    """Split at commas outside brackets: "relu,max(0.01*z, z)" → ["relu", "max(0.01*z, z)"]."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts
