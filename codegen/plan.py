"""A spec as the ordered, printed lines of a training module: forward, loss and backward.

Layer l (1..L) reads ``X`` (l = 1) or the output of layer l − 1 and has parameters ``Wl``,
``bl``; it computes ``Zl`` and ``Al`` (an identity layer's output is ``Zl`` itself). Backward
computes ``deltal`` = Δ̄ = ∂L/∂Z of the mean loss L (the 1/m folded in at the output, once),
``dWl``, ``dbl`` and ``dAl`` = ∂L/∂Al. Each line is printed from a derived SymPy expression by
:class:`codegen.printer.NumPyIndexPrinter` and carries a comment naming its derivation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from codegen import derivations as rules
from codegen import dropout, stability, stable
from codegen.derivations import DELTA, ROW, H, P, Y, Z
from codegen.inplace import InPlacePrinter
from codegen.printer import IndexPrintingError, index_axes
from codegen.spec import Spec
from codegen.spec_rules import ActivationChoice
from codegen.stability import Checked
from derive.errors import BackpropError, SpecError
from derive.numeric import EvaluationError
from derive.symbols import Wm, bv, i, j, m, z


@dataclass(frozen=True)
class Line:
    """``target = code``, with comment lines saying which derivation it comes from."""

    target: str
    code: str
    comment: tuple[str, ...]
    reads: frozenset[str]  # the array names code reads
    shape: tuple[int | None, ...] | None = None  # of target (None: the batch's rows); arrays only
    in_place: tuple[str, ...] | None = None  # the same expression written into target's buffer
    # a parameter whose shape and memory layout target's buffer copies (dW of W: the update
    # W -= dW is then one contiguous pass, whatever layout the caller's W has)
    like: str | None = None
    column_major: bool = False  # target's buffer is column-major (a row reduction reads it)


@dataclass(frozen=True)
class Layer:
    """One dense layer l: its sizes, initialisation, array names and printed lines."""

    number: int
    units: int
    fan_in: int
    activation: ActivationChoice
    init: str  # "glorot" or "he"
    input: str  # X or the output of the layer below
    output: str  # Al, or Zl for an identity layer
    forward: tuple[Line, ...]
    gradients: tuple[Line, ...]  # dWl, dbl, then (l > 1) dA and delta of the layer below
    dropout: float = 0.0  # a rate p > 0: the layer above reads Dl (codegen/dropout.py)


@dataclass(frozen=True)
class Plan:
    """Everything the template needs besides the spec itself."""

    spec: Spec
    layers: tuple[Layer, ...]
    output_delta: Line
    loss: Line
    helpers: tuple[str, ...]  # names in codegen.stable.NUMPY_HELPERS, sorted
    step_delta: Line  # output_delta with the learning rate in its scale: Δ̄ = (lr/m) Δ
    stability: tuple[Checked, ...] = ()  # the grid check of each elementwise line

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per math line the stability check could not make accurate."""
        return tuple(w for w in (c.warning() for c in self.stability) if w is not None)

    @property
    def forward(self) -> tuple[Line, ...]:
        return tuple(line for layer in self.layers for line in layer.forward)

    @property
    def step(self) -> tuple[Line, ...]:
        """backward from step_delta: every dW, db it computes is the SGD step itself."""
        return (self.step_delta, *self.backward[1:])

    @property
    def buffers(self) -> tuple[tuple[str, str, bool], ...]:
        """(name, allocation code, whether it has a row per example) of each array the
        training step writes in place, in order."""
        lines = (*self.forward, *self.step)
        return tuple(
            (line.target, _allocation(line), line.shape[0] is None)
            for line in lines
            if line.in_place is not None
        )

    @property
    def column_major(self) -> tuple[str, ...]:
        """The buffers of the training step stored column-major."""
        return tuple(line.target for line in (*self.forward, *self.step) if line.column_major)

    @property
    def output(self) -> str:
        return self.layers[-1].output

    @property
    def dropout(self) -> dict[str, tuple[str, str]]:
        """target → (what it is without dropout, the mask) for each line through a mask."""
        found = {}
        for layer in self.layers:
            if layer.dropout:
                n = layer.number
                found |= {f"D{n}": (f"A{n}", f"M{n}"), f"dA{n}": (f"dD{n}", f"M{n}")}
        return found

    @property
    def backward(self) -> tuple[Line, ...]:
        return (
            self.output_delta,
            *(line for layer in reversed(self.layers) for line in layer.gradients),
        )

    @property
    def cache(self) -> tuple[str, ...]:
        """What forward keeps: the arrays backward and the loss read, in forward order."""
        needed = set(self.loss.reads) | _reads_before_written(self.backward)
        masks = {target: mask for target, (_, mask) in self.dropout.items()}
        produced = ["X"]
        for line in (line for layer in self.layers for line in layer.forward):
            produced += [masks[line.target], line.target] if line.target in masks else [line.target]
        return tuple(name for name in produced if name in needed)

    @property
    def backward_reads(self) -> tuple[tuple[str, str], ...]:
        """(name, "params" or "cache") for every array backward reads, in a stable order."""
        names = _reads_before_written(self.backward) - {"Y"}
        cached = [(name, "cache") for name in self.cache if name in names]
        params = sorted(names - set(self.cache), key=_param_order)
        return (*cached, *((name, "params") for name in params))

    @property
    def loss_reads(self) -> tuple[str, ...]:
        return tuple(name for name in self.cache if name in self.loss.reads)


def _reads_before_written(lines) -> set[str]:
    written, read = set(), set()
    for line in lines:
        read |= set(line.reads) - written
        written.add(line.target)
    return read


def _allocation(line: Line) -> str:
    if line.like is not None:
        return f'np.empty_like(params["{line.like}"], dtype=DTYPE)'
    order = ', order="F"' if line.column_major else ""
    return f"np.empty({_shape_code(line.shape)}, dtype=DTYPE{order})"


def _shape_code(shape) -> str:
    sizes = ", ".join("rows" if size is None else str(size) for size in shape)
    return f"({sizes},)" if len(shape) == 1 else f"({sizes})"


def _param_order(name: str):
    return int(name[1:]), name[0]


class _Printer:
    """Prints lines and collects the helpers they call."""

    COMMENT_WIDTH = 92

    def __init__(self, dtype: str = "float64"):
        self.helpers: set[str] = set()
        self.dtype = dtype
        self.activations: dict[ActivationChoice, object] = {}  # activation -> certified rule
        self.checks: list[Checked] = []

    def activation(self, activation: ActivationChoice, key: str, hidden: bool):
        """The certified rule of an activation (forward, and g′ for a hidden layer's kind)."""
        if activation not in self.activations:
            rule = _derived(key, rules.activation_rule, activation)
            rule, checks = stability.activation(rule, self.dtype, rule.source)
            self.activations[activation] = (rule, checks)
            self.checks.append(checks[0])
        rule, checks = self.activations[activation]
        if hidden and checks[1] not in self.checks:
            self.checks.append(checks[1])
        return rule

    def line(self, target, expr, axes, comment, key="", shape=None, like=None) -> Line:
        """The line ``target = expr``; with a shape, also its in-place form (if it has one)."""
        printer = InPlacePrinter()
        try:
            code = printer.print_array(expr, axes)
            in_place = None if shape is None else printer.print_into(expr, axes, target)
        except IndexPrintingError as exc:
            raise SpecError(f"{key}: cannot generate NumPy code: {exc}") from None
        self.helpers |= printer.helpers
        reads = {b.label.name for b in expr.atoms(sp.IndexedBase)}
        comment = (comment,) if isinstance(comment, str) else tuple(comment)
        return Line(target, code, comment, frozenset(reads), shape, in_place, like)

    def common(self, expr, axes, key=""):
        """Lines ``t1 = ...`` for the subexpressions expr repeats, and expr written with them."""
        names = (sp.IndexedBase(f"t{n}") for n in range(1, 1000))
        replacements, (reduced,) = sp.cse(expr, symbols=iter(sp.numbered_symbols("cse")))
        lines, arrays = [], {}
        for symbol, value in replacements:
            value = value.xreplace(arrays)
            # a constant (√(2/π)) or a condition (Piecewise needs a Boolean) stays inline
            if not value.atoms(sp.Indexed) or isinstance(value, sp.logic.boolalg.Boolean):
                arrays[symbol] = value
                continue
            free = index_axes(value)
            array = next(names)[tuple(a for a in axes if a in free)]
            lines.append(self.line(array.base.label.name, value, array.indices, (), key))
            arrays[symbol] = array
        return lines, reduced.xreplace(arrays)

    def comment(self, first: str, second: str) -> tuple[str, ...]:
        """One comment line if both parts fit, else two."""
        joined = f"{first} {second}"
        return (joined,) if len(joined) <= self.COMMENT_WIDTH else (first, second)


def _derived(key: str, rule, *args):
    """rule(*args); derive failing on a user's expression is an error naming the spec key."""
    try:
        return rule(*args)
    except EvaluationError as exc:  # e.g. erf: parsed, but derive cannot evaluate it
        raise SpecError(f"{key}: cannot derive it: {exc}") from None
    except BackpropError as exc:
        raise SpecError(f"{key}: {exc}") from None


STEP_SCALE = sp.Symbol("scale", positive=True)  # learning_rate / m, set by the training step


def make_plan(spec: Spec) -> Plan:
    """The lines of the module for ``spec``."""
    printer = _Printer(spec.dtype)
    batch = rules.batch_rules()
    kinds = [(layer.activation, f"layers[{n}].activation") for n, layer in enumerate(spec.layers)]
    kinds.append((spec.output.activation, "output.activation"))
    rates = [layer.dropout for layer in spec.layers] + [0.0]
    sizes = spec.sizes
    layers = []
    below = "X"
    for number, (activation, key) in enumerate(kinds, start=1):
        hidden = number < len(kinds)
        rule = None if activation.rule is None else printer.activation(activation, key, hidden)
        forward, output = _forward(printer, batch, number, below, rule, key, sizes[number])
        rate = rates[number - 1]
        if rate:
            forward += (dropout.forward_line(printer, ROW, number, sizes[number], rate),)
        layers.append(
            Layer(
                number=number,
                units=sizes[number],
                fan_in=sizes[number - 1],
                activation=activation,
                init="he" if rule is not None and rule.relu_like else "glorot",
                input=below,
                output=output,
                forward=forward,
                gradients=(),
                dropout=rate,
            )
        )
        below = f"D{number}" if rate else output
    layers = [
        _with_gradients(printer, batch, layer, layers[n - 1] if n else None)
        for n, layer in enumerate(layers)
    ]
    return Plan(
        spec=spec,
        layers=tuple(layers),
        output_delta=_output_delta(printer, spec, layers[-1]),
        loss=_loss(printer, spec, layers[-1]),
        helpers=tuple(sorted(printer.helpers)),
        step_delta=_output_delta(printer, spec, layers[-1], STEP_SCALE),
        stability=tuple(printer.checks),
    )


def _forward(printer, batch, number, below, rule, key, units):
    """Z = H Wᵀ + b, then the activation (softmax when rule is None); and the layer's output."""
    names = {
        H: sp.IndexedBase(below),
        Wm: sp.IndexedBase(f"W{number}"),
        bv: sp.IndexedBase(f"b{number}"),
    }
    z_name = f"Z{number}"
    lines = [
        printer.line(
            z_name,
            batch.pre_activation.xreplace(names),
            (ROW, i),
            "batch: Z = H Wᵀ + b, one example per row",
            shape=(None, units),
        )
    ]
    logits = sp.IndexedBase(z_name)
    if rule is None:
        entry = rules.softmax_on_batch().xreplace({Z: logits})
        lse = _log_partition(number)
        comment = printer.comment(
            "softmax: p = exp(log_softmax(z)), log_softmax(z) = z − logsumexp(z);",
            f"{lse.label} = logsumexp(z) of each row, computed once: p and the loss read it",
        )
        (partition,) = _row_partitions(_unfolded(entry, logits), logits)
        # the logits column-major: logsumexp's row max and sum then run along contiguous
        # columns, not one short row at a time (4× faster at 10 classes)
        lines[0] = replace(lines[0], column_major=True)
        lines.append(printer.line(lse.label.name, partition, (ROW,), comment, key))
        entry = _through_log_partition(entry, logits)
        lines.append(printer.line(f"A{number}", entry, (ROW, i), (), key, (None, units)))
        return tuple(lines), f"A{number}"
    if rule.is_identity:
        return tuple(lines), z_name
    temporaries, value = printer.common(rule.forward.xreplace({z: logits[ROW, i]}), (ROW, i), key)
    comment = f"activation: h = {sp.sstr(rule.forward)}"
    if temporaries:
        temporaries[0] = replace(temporaries[0], comment=(comment,))
        comment = ()
    output = printer.line(f"A{number}", value, (ROW, i), comment, key, (None, units))
    lines += [*temporaries, output]
    return tuple(lines), f"A{number}"


def _log_partition(number: int) -> sp.IndexedBase:
    """lse = logsumexp(Z) of each row of a softmax layer's logits Z, one value per example."""
    return sp.IndexedBase(f"lse{number}")


def _of_row(e, kind, logits) -> bool:
    """e is kind (a row function of codegen.stable) of one whole row of the logits."""
    return isinstance(e, kind) and e.body == logits[ROW, e.limits[0]]


def _unfolded(expr, logits):
    """softmax and log_softmax of the logits' rows written out: through logsumexp."""
    for kind in (stable.softmax, stable.log_softmax):
        expr = expr.replace(lambda e, kind=kind: _of_row(e, kind, logits), lambda e: e.definition())
    return expr


def _row_partitions(expr, logits) -> set:
    return {e for e in sp.preorder_traversal(expr) if _of_row(e, stable.logsumexp, logits)}


def _through_log_partition(expr, logits):
    """expr reading lse[n] wherever it computed logsumexp of row n of the logits.

    softmax(Z)_i = exp(Z_i − lse) and log softmax(Z)_i = Z_i − lse: the same values, but the
    output, the loss and Δ̄ share one row reduction instead of computing one each.
    """
    lse = _log_partition(int(logits.label.name[1:]))
    return _unfolded(expr, logits).replace(
        lambda e: _of_row(e, stable.logsumexp, logits), lambda e: lse[ROW]
    )


def _with_gradients(printer, batch, layer: Layer, layer_below: Layer | None) -> Layer:
    delta = sp.IndexedBase(f"delta{layer.number}")
    names = {DELTA: delta, H: sp.IndexedBase(layer.input), Wm: sp.IndexedBase(f"W{layer.number}")}
    n = layer.number
    lines = [
        printer.line(
            f"dW{n}",
            batch.weights.xreplace(names),
            (i, j),
            "batch: dW = Δ̄ᵀ H (the mean's 1/m is in Δ̄)",
            shape=(layer.units, layer.fan_in),
            like=f"W{n}",
        ),
        printer.line(
            f"db{n}",
            batch.biases.xreplace(names),
            (i,),
            "batch: db = Σ_n Δ̄_n",
            shape=(layer.units,),
        ),
    ]
    if layer_below is not None:
        below = layer_below.number
        grad = sp.IndexedBase(f"d{'D' if layer_below.dropout else 'A'}{below}")
        lines.append(
            printer.line(
                grad.label.name,
                batch.layer_input.xreplace(names),
                (ROW, j),
                "batch: dH = Δ̄ W, the gradient at the output of the layer below",
                shape=(None, layer.fan_in),
            )
        )
        if layer_below.dropout:
            through = dropout.backward_line(printer, ROW, below, layer.fan_in, layer_below.dropout)
            lines.append(through)
            grad = sp.IndexedBase(through.target)
        rule = printer.activation(layer_below.activation, "", True)
        slope = rules.slope_on_batch(
            rule, sp.IndexedBase(layer_below.output)[ROW, j], sp.IndexedBase(f"Z{below}")[ROW, j]
        )
        temporaries, slope = printer.common(slope, (ROW, j))
        where = "in its cached output h" if rule.in_output else "in z (it has no form in h)"
        comment = printer.comment(
            f"dense: Δ̄ = dH ⊙ g′, g′ of {rule.source} {where}:", f"g′ = {sp.sstr(rule.slope)}"
        )
        delta_below = printer.line(
            f"delta{below}",
            batch.delta_below(grad[ROW, j], slope),
            (ROW, j),
            comment,
            shape=(None, layer.fan_in),
        )
        if temporaries:
            temporaries[0] = replace(temporaries[0], comment=comment)
            delta_below = replace(delta_below, comment=())
        lines += [*temporaries, delta_below]
    return replace(layer, gradients=tuple(lines))


def _output_arrays(layer: Layer) -> dict:
    return {
        P: sp.IndexedBase(layer.output),
        Y: sp.IndexedBase("Y"),
        Z: sp.IndexedBase(f"Z{layer.number}"),
    }


def _output_delta(printer, spec: Spec, layer: Layer, scale=1 / m) -> Line:
    """Δ̄ = scale · Δ at the output: 1/m for the gradients, learning_rate/m for a step."""
    rule = _derived("output.loss", rules.output_rule, spec.output.activation, spec.output.loss)
    label = f"output: Δ = ∂ℓ/∂z ({rule.source})"
    delta, checked = stability.output_delta(
        rule.delta, _output_forward(printer, spec), spec.dtype, label
    )
    if scale == 1 / m:
        printer.checks.append(checked)
    if not delta.atoms(sp.Indexed):  # a loss linear in p: Δ is a number, still one per entry
        delta = stable.filled(delta, sp.IndexedBase(f"Z{layer.number}")[ROW, i])
    carries = (
        "Δ̄ = Δ/m carries the 1/m of the mean loss, once"
        if scale == 1 / m
        else "Δ̄ = scale·Δ: the mean's 1/m and the learning rate in one scale"
    )
    return printer.line(
        f"delta{layer.number}",
        _shared(layer, delta.xreplace(_output_arrays(layer))) * scale,
        (ROW, i),
        (
            f"{rule.source}: ∂ℓ/∂z = {rule.text} for each example;",
            *(f"stable: {note};" for note in checked.notes),
            carries,
        ),
        "output.loss",
        (None, layer.units),
    )


def _loss(printer, spec: Spec, layer: Layer) -> Line:
    rule = _derived("output.loss", rules.loss_rule, spec.output.activation, spec.output.loss)
    comment = [f"{spec.output.loss.text}, the mean over the batch"]
    if rule.from_logits:
        comment = [comment[0] + ", from the logits:"]
        comment += list(rule.notes)
    label = f"loss: ℓ of each output ({spec.output.loss.text})"
    mean, checked = stability.loss(rule.mean, _output_forward(printer, spec), spec.dtype, label)
    printer.checks.append(checked)
    mean = _shared(layer, mean.xreplace(_output_arrays(layer)))
    return printer.line("mean_loss", mean, (), comment, "output.loss")


def _output_forward(printer, spec: Spec):
    """The network's output p = g(z) as certified (None for softmax: a row function)."""
    if spec.output.activation.rule is None:  # softmax
        return None
    return printer.activation(spec.output.activation, "output.activation", False).forward


def _shared(layer: Layer, expr):
    """expr through the softmax layer's lse (see _through_log_partition); else as it is."""
    if layer.activation.rule is not None:  # not softmax
        return expr
    return _through_log_partition(expr, sp.IndexedBase(f"Z{layer.number}"))
