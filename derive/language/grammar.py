"""The grammar of the expression language, in one place: tokens → a small syntax tree.

Grammar (``^`` is right associative; juxtaposition multiplies like ``*``; ⊙ and ⊗ bind
looser than products, so ``g'(z) ⊙ Wᵀ δ`` is g′(z) ⊙ (Wᵀ δ))::

    equation := relation ("=" relation)*            an answer may be written "∂L/∂z = p - y"
    relation := sum (("<" | ">" | "<=" | ">=") sum)?
    sum      := hadamard (("+" | "-") (hadamard | dots))*
    hadamard := product (("⊙" | "⊗" | "⊗ ." | "⊗·") product)*    "⊗ ." is ⊙ (note 000)
    product  := unary (("*" | "·" | "/" | "@") unary | unary)*     the second: juxtaposition
    unary    := ("+" | "-")* power | ∑ limits product | d/dz-operator product | ∇_{x}? power
    power    := postfix ("^" unary)?
    postfix  := atom sup*  |  call "_" sub          ^T, ^*, ^{(l)}, ^[l], ^{l-1}: not powers;
                                                    e(ℓ)_i: entry i of a vector function
    atom     := number | name | call | "(" equation ")" | "[" … "]" | "{" … "}" | \\frac arg arg
              | ∂ atom | 𝟙[relation] | \\begin{cases} value & relation \\\\ … \\end{cases}
              | \\begin{bmatrix} sum & sum \\\\ sum & sum \\end{bmatrix}    (pmatrix, matrix, array)
              | "[" dots "," sum "," dots "]"            [\\dots, g'(a_k), \\dots]: entry k given
    name     := deco* letters ("_" sub | "^" sup | "'")*      y_j^*, h^{(l)}_i, \\hat{\\mathbf{y}}
    call     := function ("^" count)? "'"* ("(" args ")" | "{" equation "}" | power)
    args     := arg ("," arg)*        arg := name "=" relation | relation

A name's superscript is a *layer label* when it is written so (``h^{(3)}``, ``W^{[l]}``,
``z^{L+1}``, ``a^l``) and ``^T``/``^\\top`` is a transpose; a digit (``h^2``) may be either, so
the tree keeps both readings (``pow`` with ``maybe_layer``) for the reader to choose from.
The tree has no meaning yet: :mod:`.scalar` reads it as SymPy, :mod:`.tensor` as matrices.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

from derive.errors import ParseError
from derive.language import literals
from derive.language.lexer import CLOSERS, Token, describe

MAX_NESTING = 100  # parser recursion: brackets plus chained exponents and calls
_LOSS_NAMES = frozenset({"L", "calL", "J", "E", "C"})  # ∂L(θ)/∂a: the loss of the parameters θ
LAYER_LETTERS = frozenset({"l", "L"})  # superscripts made of these (and numbers) are layers

_ATOM_START = {"num", "name", "open", "frac", "deco", "partial", "nabla", "sum", "cases"}
_ATOM_START |= {"matrix"}


@dataclass(frozen=True)
class Node:
    """A syntax-tree node.  ``kind`` says which (see :class:`Parser`); ``args`` are child nodes,
    ``ops`` the operators between them (sum, product, hadamard), ``text`` a name or number."""

    kind: str
    tok: Token
    args: tuple = ()
    ops: tuple = ()
    text: str = ""
    sub: Node | None = None  # name: its subscript
    layer: Node | None = None  # name: its layer label
    marks: frozenset = field(
        default_factory=frozenset
    )  # name: hat, star, cal, bold; pow: maybe_layer
    keywords: tuple = ()  # call: (name, node) pairs
    primes: int = 0  # call or name: g'(z) has 1


def _is_layer(node: Node) -> bool:
    """A superscript like l, L, l-1, L+1 (letters l/L with numbers): a layer, not a power."""
    if node.kind == "name":
        return node.text in LAYER_LETTERS and node.sub is None
    if node.kind == "sum":
        parts = [a for a in node.args if a.kind != "num"]
        return len(parts) == 1 and _is_layer(parts[0])
    return False


def _label_then_t(node: Node) -> Node | None:
    """The label of ``{(k)T}`` (a label, then T written beside it), else None."""
    if node.kind != "product" or len(node.args) != 2 or node.ops[1:] != ("",):
        return None
    label, t = node.args
    if t.kind == "name" and t.text == "T" and t.sub is None and label.kind in ("name", "num"):
        return label
    return None


class Parser:
    """Recursive descent over tokens; ``functions`` are the names that take arguments."""

    def __init__(self, tokens: list[Token], functions: Collection[str]):
        self.tokens, self.pos, self.depth = tokens, 0, 0
        self.functions = functions

    # -- token helpers --------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += tok.kind != "end"
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not texts or tok.text in texts)

    def fail(self, message: str, tok: Token | None = None) -> ParseError:
        return ParseError(f"{message} at column {(tok or self.peek()).col}")

    def close(self, opener: Token) -> None:
        want, tok = CLOSERS[opener.text], self.peek()
        if tok.kind == "close" and tok.text == want:
            self.next()
        elif tok.kind == "end":
            raise ParseError(f"'{opener.src}' at column {opener.col} is never closed")
        else:
            raise self.fail(f"expected '{want}' but found {describe(tok)}", tok)

    def nested(self):
        """Count one level of recursion (a context manager would cost as much)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail("expression nested too deeply")

    # -- grammar ------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.equation()
        if not self.at("end"):
            raise self.fail(f"unexpected {describe(self.peek())}")
        return node

    def equation(self) -> Node:
        first, sides = self.peek(), [self.relation()]
        while self.at("rel", "="):
            self.next()
            sides.append(self.relation())
        return sides[0] if len(sides) == 1 else Node("eq", first, tuple(sides))

    def relation(self) -> Node:
        value = self.sum()
        if self.at("rel", "<", ">", "<=", ">="):
            tok = self.next()
            value = Node("rel", tok, (value, self.sum()), text=tok.text)
        return value

    def sum(self) -> Node:
        first = self.peek()
        terms, ops = [self.hadamard()], ["+"]
        while self.at("op", "+", "-"):
            ops.append(self.next().text)
            if self.at("dots"):
                terms.append(Node("dots", self.next()))
            else:
                terms.append(self.hadamard())
        return terms[0] if len(terms) == 1 else Node("sum", first, tuple(terms), tuple(ops))

    def hadamard(self) -> Node:
        first = self.peek()
        factors, ops = [self.product()], [""]
        while self.at("op", "⊙", "⊗"):
            op = self.next().text
            if op == "⊗" and self.at("op", "·"):  # "⊗ ." / "⊗·": the notes' Hadamard product
                self.next()
                op = "⊙"
            ops.append(op)
            factors.append(self.product())
        if len(factors) == 1:
            return factors[0]
        return Node("hadamard", first, tuple(factors), tuple(ops))

    def product(self) -> Node:
        first = self.peek()
        factors, ops = [self.unary()], [""]
        while True:
            tok = self.peek()
            if self.at("op", "*", "·", "/", "@"):
                self.next()
                ops.append(tok.text)
                factors.append(self.unary())
            elif tok.kind in _ATOM_START:  # implicit multiplication: 2z, p(1-p), y log(p)
                ops.append("")
                factor = self.power()
                if tok.kind == "open" and tok.text == "(" and factors[-1].kind == "name":
                    name = factors.pop()  # p(1-p) or foo(z): the reader decides
                    ops.pop()
                    factor = Node("apply", name.tok, (name, factor))
                factors.append(factor)
            else:
                break
        factors, ops = _leibniz_quotients(factors, ops)
        if len(factors) == 1:
            return factors[0]
        return Node("product", first, tuple(factors), tuple(ops))

    def unary(self) -> Node:
        self.nested()
        try:
            negate, tok = False, self.peek()
            while self.at("op", "+", "-"):
                negate ^= self.next().text == "-"
            if self.at("sum"):
                value = self.big_sum()
            elif self.at("nabla"):
                value = self.gradient()
            else:
                value = self.power()
                if value.kind == "diffop":  # d/dz f(z): the operator takes the product after it
                    value = replace(value, args=(value.args[0], self.product()))
            return Node("neg", tok, (value,)) if negate else value
        finally:
            self.depth -= 1

    def power(self) -> Node:
        grouped = self.at("open", "(") or self.at("open", "{")  # (δ)^2: a power, not a layer
        base = self.postfix()
        if self.at("op", "^"):
            tok = self.next()
            bracketed = base.kind == "name" and base.text == "e" and self.bracketed_superscript()
            exponent = self.unary()
            maybe = (
                base.kind == "name"
                and not grouped
                and exponent.kind == "num"
                and exponent.text.isdigit()
            )
            if bracketed and exponent.kind in ("name", "num", "sum"):  # e^{(k)}: the error of
                return self.label_of_e(base, exponent, tok)  # layer k, or e to the power k
            label = _label_then_t(exponent) if bracketed else None
            if label is not None:  # e^{(k)T}: the error of layer k, transposed
                return Node("transpose", tok, (self.label_of_e(base, label, tok),))
            marks = (
                frozenset({"maybe_layer"})
                if maybe and 0 <= int(exponent.text) <= 9
                else frozenset()
            )
            base = Node("pow", tok, (base, exponent), marks=marks)
        return base

    def postfix(self) -> Node:
        value = self.atom()
        if value.kind == "call" and self.at("sub"):  # e(ℓ)_i, f(x)_i: an entry of a vector
            tok = self.next()
            value = Node("entry", tok, (value, self.subscript()))
        while self.at("op", "^") and self.superscript_is_label(value):
            tok = self.next()
            value = self.label(value, tok)
            if self.at("sub") and value.kind == "name" and value.sub is None:
                self.next()  # DZ^l_n (note 000): the subscript after the layer label
                value = replace(value, sub=self.subscript())
        return value

    def superscript_is_label(self, base: Node) -> bool:
        """After '^': T, *, (l), [l], {(l)}, {T}, or a layer letter l, L, {l-1}, {L+1}."""
        nxt, after = self.peek(1), self.peek(2)
        if nxt.kind == "name" and nxt.text == "T" or nxt.kind == "op" and nxt.text == "*":
            return True
        if base.kind == "name" and base.text == "e":
            return False
        if nxt.kind == "open" and nxt.text in "([":
            return self.bracketed_label(2)
        if nxt.kind == "open" and nxt.text == "{":
            inner = after
            if inner.kind == "open" and inner.text in "([":
                return self.bracketed_label(3)
            if (
                inner.kind == "name"
                and inner.text == "T"
                or inner.kind == "op"
                and inner.text == "*"
            ):
                return True
            return inner.kind == "name" and inner.text in LAYER_LETTERS
        return nxt.kind == "name" and nxt.text in LAYER_LETTERS

    def bracketed_superscript(self) -> bool:
        """After '^': ``(k)``, ``{(k)}``, ``(3)``, ``{(k+1)}`` (a layer in parentheses)."""
        if self.at("open", "("):
            return self.bracketed_label(1)
        opened = self.at("open", "{") and self.peek(1).kind == "open" and self.peek(1).text == "("
        return opened and self.bracketed_label(2)

    def label_of_e(self, base: Node, exponent: Node, tok: Token) -> Node:
        """``e^{(k)}`` (notes 002: the error of layer k): both readings, as ``h^2`` has; a
        transpose after it (``e^{(k)T}``, ``(e^{(k)})^T``) is the vector's."""
        node = Node("pow", tok, (base, exponent), marks=frozenset({"maybe_layer"}))
        if self.at("op", "^") and self.peek(1).kind == "name" and self.peek(1).text == "T":
            self.next()
            self.next()
            return Node("transpose", tok, (node,))
        return node

    def bracketed_label(self, ahead: int) -> bool:
        """``(3)``, ``[l]``, ``(l-1)``, ``(n)``: a number or one letter, maybe ± a number."""
        inside = []
        while len(inside) < 5:
            tok = self.peek(ahead + len(inside))
            if tok.kind == "close":
                break
            inside.append(tok)
        kinds = [t.kind if t.kind != "op" or t.text in "+-" else "bad" for t in inside]
        if not inside or kinds[0] not in ("num", "name") or len(inside) not in (1, 3):
            return False
        if kinds[0] == "name" and len(inside[0].text) != 1:
            return False
        return len(inside) == 1 or kinds[1] == "op" and kinds[2] == "num"

    def label(self, value: Node, tok: Token) -> Node:
        """One superscript that is not a power: a transpose, a star or a layer label."""
        braced = self.at("open", "{")
        opener = self.next() if braced else None
        if self.at("name", "T") and (not braced or self.peek(1).kind == "close"):
            self.next()
            result = Node("transpose", tok, (value,))
        elif self.at("op", "*"):
            self.next()
            result = self.mark(value, "star", tok)
            if braced and self.at("open", "(") and self.bracketed_label(1):
                inner = self.next()  # y_j^{*(n)} (note 003): the star, then the example (n)
                layer = self.sum()
                self.close(inner)
                result = self.with_layer(result, layer, tok)
        else:
            inner = self.peek()
            if inner.kind == "open" and inner.text in "([":
                self.next()
                layer = self.sum()
                self.close(inner)
            else:
                layer = self.sum() if braced else Node("name", self.next(), text=inner.text)
            if not (braced or inner.kind == "open") and layer.kind != "name":
                raise self.fail("expected a layer label", inner)
            result = self.with_layer(value, layer, tok)
        if opener is not None:
            if result.kind == "name" and self.at("op", "*"):  # y^{*(n)}: the star, then (n)
                self.next()
                result = self.mark(result, "star", tok)
            self.close(opener)
        return result

    def mark(self, value: Node, mark: str, tok: Token) -> Node:
        if value.kind != "name":
            raise self.fail("'^*' must follow a name", tok)
        return replace(value, marks=value.marks | {mark})

    def with_layer(self, value: Node, layer: Node, tok: Token) -> Node:
        if value.kind == "name" and value.layer is None:
            return replace(value, layer=layer)
        if value.kind == "call" and not value.args:
            return replace(value, layer=layer)
        if _is_layer(layer) or layer.kind == "num":
            raise self.fail("a layer label must follow a name", tok)
        return Node("pow", tok, (value, layer))

    def atom(self) -> Node:
        tok = self.next()
        if tok.kind == "num":
            if tok.text == "1" and self.at("open", "[") and not self.peek().spaced:
                return self.indicator(tok)  # 1[z > 0]: the tool's own text for 𝟙[z > 0]
            return Node("num", tok, text=tok.text)
        if tok.kind == "name" and self.split_before_call(tok):  # ylog(p): y·log(p)
            return self.atom()
        if tok.kind in ("name", "deco"):
            return self.name(tok)
        if tok.kind == "open" and tok.text == "[" and self.at("dots"):
            return literals.generic_vector(self, tok)
        if tok.kind == "matrix":
            return literals.matrix(self, tok)
        if tok.kind == "open":
            value = self.equation()
            self.close(tok)
            return value
        if tok.kind == "frac":
            return self.fraction(tok)
        if tok.kind == "partial":
            if self.peek().kind not in _ATOM_START:
                return Node("partial", tok, ())
            return Node("partial", tok, (self.loss_of_parameters(self.power()),))
        if tok.kind == "cases":
            return self.cases(tok)
        if tok.kind in ("sum", "nabla"):
            self.pos -= 1
            return self.unary()
        raise self.fail(f"unexpected {describe(tok)}", tok)

    def fraction(self, tok: Token) -> Node:
        top, bottom = self.frac_arg(), self.frac_arg()
        if top.kind == "partial" or top.kind == "name" and top.text == "d":
            if bottom.kind == "partial" or bottom.kind == "name" and bottom.text.startswith("d"):
                return self.leibniz(tok, top, bottom)
        of = self.differential_of_function(top)
        if of is not None and bottom.kind == "name" and len(bottom.text) > 1:
            if bottom.text.startswith("d") and bottom.sub is None and bottom.layer is None:
                return self.leibniz(tok, Node("partial", top.tok, (of,)), bottom)
        return Node("frac", tok, (top, bottom))

    def differential_of_function(self, node: Node) -> Node | None:
        """``df`` in ``\frac{df}{dg}`` (Leibniz's chain rule): d and a function's name run
        together, the function alone (the reader says what f alone stands for); else None."""
        if node.kind != "name" or node.sub is not None or node.layer is not None or node.primes:
            return None
        if not node.text.startswith("d") or node.text[1:] not in self.functions:
            return None
        return replace(node, text=node.text[1:])

    def leibniz(self, tok: Token, top: Node, bottom: Node) -> Node:
        """∂L/∂z, dL/dz (a derivative) or ∂/∂z, d/dz (an operator on what follows)."""
        if bottom.kind == "name":  # \frac{d}{dz}: the name "dz" is d and z
            bottom = replace(bottom, text=bottom.text[1:]) if len(bottom.text) > 1 else None
            if bottom is None:
                raise self.fail("expected the variable after 'd'", tok)
        wrt = bottom.args[0] if bottom.kind == "partial" and bottom.args else bottom
        if wrt.kind == "partial":
            raise self.fail("expected the variable after '∂'", tok)
        of = top.args[0] if top.kind == "partial" and top.args else None
        return Node("diffop", tok, (wrt,)) if of is None else Node("deriv", tok, (of, wrt))

    def frac_arg(self) -> Node:
        """One argument of ``\\frac``: a braced group or, as in ``\\frac12``, one character."""
        tok = self.peek()
        if tok.splittable and len(tok.text) > 1 and (tok.text.isdigit() or tok.text.isalpha()):
            head = replace(tok, text=tok.text[0], src=tok.text[0])
            rest = replace(tok, text=tok.text[1:], src=tok.text[1:], col=tok.col + 1)
            self.tokens[self.pos : self.pos + 1] = [head, rest]
        if self.at("open", "{"):
            opener = self.next()
            self.nested()
            try:
                value = self.equation() if not self.at("partial") else self.atom()
                if value.kind == "partial" and not self.at("close"):
                    value = Node("product", value.tok, (value, self.product()), ("", ""))
                self.close(opener)
            finally:
                self.depth -= 1
            return value
        return self.atom()

    def name(self, tok: Token) -> Node:
        """A name with its decorations, subscripts, stars, primes and layer labels; a call."""
        node = self.decorated(tok)
        if node.kind != "name":
            return node
        if node.text == "𝟙":
            return self.indicator(node.tok)
        return self.name_suffixes(node, node.tok)

    def decorated(self, tok: Token) -> Node:
        r"""``\hat{\mathbf{y}}``, ``\mathcal A``, ``\operatorname{ReLU}``: the bare name."""
        if tok.kind != "deco":
            return Node("name" if tok.kind == "name" else "num", tok, text=tok.text)
        opener = self.next() if self.at("open", "{") else None
        inner_tok = self.next()
        braced_name = inner_tok.kind in ("name", "deco", "num") and (
            opener is None or inner_tok.kind == "deco" or self.at("close")
        )
        if not braced_name:
            if opener is None:
                raise self.fail(f"'{tok.src}' must be followed by a letter", inner_tok)
            self.pos -= 1  # \mathbf{W x}: the decoration of a group is dropped
            value = self.equation()
            self.close(opener)
            return value
        inner = self.decorated(inner_tok)
        if opener is not None:
            self.close(opener)
        text = inner.text
        if tok.text == "hat":
            text += "hat"
        elif tok.text == "cal":
            text = "cal" + text
        elif tok.text in ("tilde", "bar"):
            text += tok.text
        if text == "1" and tok.text == "bold":
            text = "𝟙"
        if inner.kind == "num" and text != "𝟙":
            return inner
        return Node("name", inner.tok, text=text)

    def split_before_call(self, tok: Token) -> bool:
        """``ylog(p)``, ``plog(y)`` (notes 000, spaces lost): letters run into a function name
        before its '(' are a factor and the call; the tokens are split in place (True)."""
        text = tok.text
        if not tok.splittable or text in self.functions or not self.at("open", "("):
            return False
        if self.peek().spaced or not text.isalpha():
            return False
        head, call = text[:1], text[1:]  # one letter run in: y·log(p), not soft·max(z)
        if len(call) < 2 or call not in self.functions or head in self.functions:
            return False
        first = replace(tok, text=head, src=head)
        second = replace(tok, text=call, src=call, col=tok.col + 1, spaced=False)
        self.tokens[self.pos - 1 : self.pos] = [first, second]
        self.pos -= 1
        return True

    def name_suffixes(self, node: Node, tok: Token) -> Node:
        def adjacent() -> bool:
            return not self.peek().spaced

        while True:
            if self.at("sub") and self.peek(1).kind == "name" and self._joined(node):
                self.next()  # leaky_relu, log_sigmoid: one function name with an underscore
                node = replace(node, text=f"{node.text}_{self.next().text}")
            elif self.at("sub") and node.sub is None:
                self.next()
                node = replace(node, sub=self.subscript())
            elif self.at("prime"):
                self.next()
                node = replace(node, primes=node.primes + 1)
            elif self.at("open", "[") and adjacent() and node.sub is None:
                if node.text in self.functions:
                    break
                opener = self.next()
                node = replace(node, sub=self.index_list(opener), marks=node.marks | {"bracket"})
            elif self.at("op", "*") and node.text == "y" and adjacent() and self._star_ends():
                self.next()
                node = replace(node, marks=node.marks | {"star"})
            else:
                break
        if node.text in self.functions and node.sub is None and self.call_follows():
            return self.call(node, tok)
        return node

    def _joined(self, node: Node) -> bool:
        return node.sub is None and f"{node.text}_{self.peek(1).text}" in self.functions

    def call_follows(self) -> bool:
        """A function name is a call when an argument (or ^count, or a prime) follows."""
        tok = self.peek()
        if tok.kind == "op" and tok.text == "^":  # \tanh^2(z) is a call; σ − σ^2 is not
            after = {"num": 2, "open": 4}.get(self.peek(1).kind)
            if after == 4 and self.peek(2).kind == "open" and self.peek(2).text == "(":
                # g^{(l+1)}: a layer label; a call only where an argument follows it (alone,
                # the function of that layer with its argument lost, as OCR leaves δ^{(l+1)})
                end = self._group_end(1)
                return end is not None and self.argument_at(end)
            if after == 4 and not (self.peek(2).kind == "num" and self.peek(3).kind == "close"):
                return True  # \tanh^{…}: as before
            return after is not None and self.argument_at(after)
        return tok.kind in _ATOM_START or tok.kind == "prime"

    def _group_end(self, ahead: int) -> int | None:
        """How far ahead the token after the group opened at ``peek(ahead)`` is (None if the
        group does not close)."""
        depth = 0
        while self.peek(ahead).kind != "end":
            kind = self.peek(ahead).kind
            depth += (kind == "open") - (kind == "close")
            ahead += 1
            if depth == 0:
                return ahead
        return None

    def argument_at(self, ahead: int) -> bool:
        nxt = self.peek(ahead)
        return nxt.kind in _ATOM_START or nxt.kind == "prime"

    def _star_ends(self) -> bool:
        """``y*`` is the starred y when nothing that can be multiplied follows the star."""
        after = self.peek(1)
        if after.kind in ("close", "end", "comma", "rel", "sub"):
            return True
        return after.kind == "op" and after.text in "+-/^"

    def subscript(self) -> Node:
        if self.at("open", "{"):
            opener = self.next()
            value = self.index_list(opener)
            return value
        tok = self.next()
        if tok.kind not in ("name", "num"):
            raise self.fail(f"expected a subscript but found {describe(tok)}", tok)
        run_on = tok.text.isalpha() and self.at("sub")  # w_Dx_D: a subscript has no subscript
        if (
            tok.kind == "name"
            and len(tok.text) > 1
            and tok.splittable
            and (run_on or not tok.text.isalpha())
        ):
            # a_1b, w_Dx_D: only the first character is the subscript (as TeX reads it)
            head = replace(tok, text=tok.text[0], src=tok.text[0])
            rest = replace(tok, text=tok.text[1:], src=tok.text[1:], col=tok.col + 1)
            self.tokens[self.pos - 1 : self.pos] = [head, rest]
            return Node("name", head, text=head.text)
        return Node("num" if tok.kind == "num" else "name", tok, text=tok.text)

    def index_list(self, opener: Token) -> Node:
        """The inside of ``_{...}`` or ``[...]``: one expression or several, comma-separated."""
        self.nested()
        try:
            items = [self.index_item()]
            while self.at("comma"):
                self.next()
                items.append(self.index_item())
            self.close(opener)
        finally:
            self.depth -= 1
        return items[0] if len(items) == 1 else Node("indices", opener, tuple(items))

    def index_item(self) -> Node:
        """One index, or ``·`` alone (\\cdot): every index there (W_{i+1,·,j}, a column)."""
        if self.at("op", "·") and self.peek(1).kind in ("comma", "close"):
            return Node("slice", self.next(), text="·")
        return self.relation()

    def indicator(self, tok: Token) -> Node:
        """𝟙[z > 0], 𝟙(z > 0) or 𝟙_{z > 0}: 1 where the condition holds, else 0; the
        condition may be an equality of indices too (𝟙[i = j], 𝟙_{i≠j})."""
        if self.at("sub"):
            self.next()
            if not self.at("open", "{"):
                return Node("indicator", tok, (self.subscript(),))
        if self.at("open"):
            return Node("indicator", tok, (self.bracketed_condition(),))
        raise self.fail("'𝟙' needs a condition, as in 𝟙[z > 0]", tok)

    def bracketed_condition(self) -> Node:
        """``[i = j]``, ``(z > 0)``, ``{(i = ℓ)}``: a condition in one or more brackets."""
        opener = self.next()
        self.nested()
        try:
            if self.at("open") and self.peek(1).kind != "open":  # {(i = ℓ)}
                saved = self.pos
                try:
                    cond = self.bracketed_condition()
                    if not self.at("close"):
                        raise ParseError("not one bracketed condition")
                except ParseError:
                    self.pos, cond = saved, self.condition()
            else:
                cond = self.condition()
            self.close(opener)
        finally:
            self.depth -= 1
        return cond

    def condition(self) -> Node:
        """A relation where '=' and '≠' compare too (only inside 𝟙[…]: elsewhere '=' is an
        equation's)."""
        value = self.relation()
        if value.kind != "rel" and self.at("rel", "=", "!="):
            tok = self.next()
            value = Node("rel", tok, (value, self.sum()), text=tok.text)
        return value

    def call(self, node: Node, tok: Token) -> Node:
        self.nested()
        try:
            return self.call_parts(node, tok)
        finally:
            self.depth -= 1

    def call_parts(self, node: Node, tok: Token) -> Node:
        count = None
        if self.at("op", "^") and self.peek(1).kind in ("num", "open"):  # \tanh^2(z)
            self.next()
            count = self.atom()
        primes = node.primes
        while self.at("prime"):
            self.next()
            primes += 1
        opener = self.peek()
        if (
            opener.kind == "open"
            and opener.text == "{"
            or opener.kind == "open"
            and opener.text == "["
        ):
            if opener.text == "[" and node.text == "sqrt":
                raise self.fail("n-th roots \\sqrt[n]{x} are not supported", opener)
        args, keywords = self.arguments(node.text)
        return Node(
            "call", tok, tuple(args), text=node.text, keywords=tuple(keywords), primes=primes,
            marks=node.marks, layer=node.layer, ops=(count,) if count is not None else (),
        )  # fmt: skip

    def arguments(self, name: str) -> tuple[list, list]:
        opener = self.peek()
        if opener.kind == "open":
            self.next()
            self.nested()
            try:
                args, keywords = [], []
                if not self.at("close"):
                    self.argument(args, keywords)
                while opener.text != "{" and self.at("comma"):
                    self.next()
                    self.argument(args, keywords)
                self.close(opener)
            finally:
                self.depth -= 1
            return args, keywords
        if opener.kind in _ATOM_START:  # LaTeX style: \log p, \sqrt x
            return [self.power()], []
        raise self.fail(f"function '{name}' needs an argument", opener)

    def argument(self, args: list, keywords: list) -> None:
        joined = self.at("name") and self.peek(1).kind == "sub" and self.peek(2).kind == "name"
        if joined and self.peek(3).kind == "rel" and self.peek(3).text == "=":
            key = f"{self.next().text}_{(self.next(), self.next())[1].text}"  # negative_slope=
            self.next()
            keywords.append((key, self.relation()))
        elif self.at("name") and self.peek(1).kind == "rel" and self.peek(1).text == "=":
            key = self.next().text
            self.next()
            keywords.append((key, self.relation()))
        else:
            if keywords:
                raise self.fail("a positional argument after a keyword argument")
            args.append(self.relation())

    def big_sum(self) -> Node:
        """∑_{k=1}^{K} body, ∑_k body, ∑ body: the body is the product that follows."""
        tok = self.next()
        index = lower = upper = None
        if self.at("sub"):
            self.next()
            if self.at("open", "{"):
                opener = self.next()
                bound = self.equation()
                self.close(opener)
            else:
                bound = self.subscript()
            if bound.kind == "eq":
                index, lower = bound.args[0], bound.args[1]
            else:
                index = bound
            if index.kind != "name":
                raise self.fail("expected the summation index, as in \\sum_{k=1}^{K}", tok)
        if self.at("op", "^"):
            self.next()
            upper = self.atom()
        body = self.product()
        return Node("bigsum", tok, (index, lower, upper, body))

    def gradient(self) -> Node:
        """∇_{a_L} L: the gradient of L with respect to a_L."""
        tok = self.next()
        if not self.at("sub"):  # ∇θ_t, its subscript lost in print: the reader decides
            return Node("gradat", tok, (self.power(),))
        self.next()
        wrt = self.subscript()
        return Node("deriv", tok, (self.loss_of_parameters(self.power()), wrt))

    def loss_of_parameters(self, of: Node) -> Node:
        """``\\mathcal{L}(\\theta)`` after ∂ or ∇: the loss L, written as a function of the
        parameters θ; the ``(θ)`` says what L depends on and is dropped (not L times θ), and so
        is ``(θ_t)``, the parameters at step t (note 004's ∇_θ 𝓛(θ_t))."""
        is_loss = of.kind == "name" and of.text in _LOSS_NAMES and of.sub is None
        if (
            is_loss
            and self.at("open", "(")
            and self.peek(1).kind == "name"
            and self.peek(1).text == "theta"
        ):
            saved = self.pos
            self.next()
            try:
                inner = self.atom()
            except ParseError:
                inner = None
            at_step = inner is not None and inner.kind == "name" and inner.layer is None
            step = inner.sub if at_step else None
            at_step = at_step and (step is None or step.kind == "name" and step.text == "t")
            if at_step and self.at("close", ")"):
                self.next()
            else:
                self.pos = saved
        return of

    def cases(self, tok: Token) -> Node:
        """\\begin{cases} a & z > 0 \\\\ b & \\text{otherwise} \\end{cases}."""
        if tok.text != "begin":
            raise self.fail("'\\end{cases}' without '\\begin{cases}'", tok)
        pieces = []
        while True:
            value = self.sum()
            cond = None
            if self.at("amp"):
                self.next()
                if self.at("name", "otherwise", "else") or self.at("deco"):
                    self.atom()
                    if self.at("name", "otherwise", "else"):
                        self.next()
                else:
                    cond = self.relation()
            pieces.append((value, cond))
            if self.at("newline"):
                self.next()
                if self.at("cases", "end"):
                    break
                continue
            break
        end = self.next()
        if end.kind != "cases" or end.text != "end":
            raise self.fail(f"expected '\\end{{cases}}' but found {describe(end)}", end)
        flat = tuple(x for piece in pieces for x in piece)
        return Node("cases", tok, flat)


def _leibniz_quotients(factors: list, ops: list) -> tuple[list, list]:
    """``∂L/∂z`` written with a slash: the quotient of two ∂ terms is a derivative."""
    out_f, out_o = [factors[0]], [ops[0]]
    for factor, op in zip(factors[1:], ops[1:], strict=True):
        last = out_f[-1]
        if op == "/" and last.kind == "partial" and factor.kind == "partial" and factor.args:
            of = last.args[0] if last.args else None
            wrt = factor.args[0]
            out_f[-1] = (
                Node("deriv", last.tok, (of, wrt)) if of else Node("diffop", last.tok, (wrt,))
            )
        else:
            out_f.append(factor)
            out_o.append(op)
    return out_f, out_o


def parse_tree(tokens: list[Token], functions: Collection[str]) -> Node:
    """The syntax tree of ``tokens`` (from :func:`.lexer.tokenize`); ParseError otherwise."""
    try:
        return Parser(tokens, functions).parse()
    except RecursionError:
        raise ParseError("expression nested too deeply") from None
