"""The ``mlp`` derivation for any network given by sizes, activations and an output/loss pair."""

from __future__ import annotations

from derive import rulebook
from derive.builtins import mlp as mlp_builder
from derive.custom import activation_from_name_or_expression
from derive.errors import SpecError
from derive.model import Derivation
from derive.verify import verify


def mlp(sizes, hidden, output="softmax", loss="cross-entropy") -> Derivation:
    """The verified backward recurrence of a network.

    sizes: layer sizes, input first (e.g. (2, 2, 2, 3)); hidden: one activation per hidden
    layer, a built-in name or an expression in z; output: softmax | sigmoid | identity.
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
    return verify(mlp_builder.build(net, acts))


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


def mlp_from_options(layers: str | None, hidden: str | None, output: str | None, loss: str | None):
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
    return mlp(sizes, acts, output or default.output, loss or default.loss)


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
