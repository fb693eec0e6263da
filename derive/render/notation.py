"""The notation of the lecture notes in one place: every name and character mapping the renderers use.

The printers (``derive.render.printer``) look up symbol and function names here; the prose
converter (``derive.render.prose``) looks up how each Unicode character of a justification is
written in LaTeX. Adding a notation is one entry in one of these tables.
"""

from __future__ import annotations

from sympy.printing.pretty.pretty_symbology import greek_unicode

# --- symbol names ------------------------------------------------------------------------------

# Name suffixes read as a subscript word: ``zprev`` is z_prev (LaTeX z_{\mathrm{prev}}).
NAME_SUFFIXES = ("prev", "next")

# A name d<letter> is a gradient: LaTeX writes dh as \mathrm{d}h (not the product d·h).
GRADIENT_PREFIX = "d"

# Words that are labels when they appear in a subscript of prose (n_in, z_prev); other runs of
# up to three letters are indices (δ_ki, W_ij).
SCRIPT_WORDS = frozenset({"in", "out", "prev", "next", "max", "min", "old", "new", "true"})

# Greek letter names → Unicode, for the text printer (SymPy's own table: 'delta' → 'δ').
GREEK_TEXT: dict[str, str] = {**greek_unicode, "ell": "ℓ"}  # ℓ: the true class (notes 004)

# Name modifiers → combining Unicode characters, for the text printer ('yhat' → 'ŷ').
# (LaTeX gets \hat{y} etc. from SymPy's own ``translate``.)
MODIFIERS_TEXT = {
    "hat": "\u0302",
    "bar": "\u0304",
    "tilde": "\u0303",
    "dot": "\u0307",
    "ddot": "\u0308",
    "prime": "\u2032",
}

# --- functions ---------------------------------------------------------------------------------


def _functions_text() -> dict[str, str]:
    """SymPy class name → how the terminal writes it, from the function records whose text
    differs from their name (σ, ReLU, H); LaTeX: each class's own ``_latex``."""
    from derive import rulebook  # noqa: PLC0415

    return {
        record.sympy.__name__: record.text
        for record in rulebook.functions().values()
        if isinstance(record.sympy, type) and record.text not in ("", record.name)
    }


FUNCTIONS_TEXT = _functions_text()

# The indicator function 1[z > 0] (Heaviside with H(0) = 0). amsfonts has no blackboard-bold
# digits, so documents define \mathbb{1} themselves (see the LaTeX preamble).
INDICATOR_LATEX = r"\mathbb{1}"
INDICATOR_TEXT = "𝟙"

# The Kronecker delta is written as the indicator 𝟙[i = k], so that δ means only the gradient
# ∂L/∂z (δ_k, δ^(l)) wherever both occur in one formula.
KRONECKER_AS_INDICATOR = True

# A name d<letter> is a gradient ∂L/∂<letter>: dh^(2)_j is written ∂L/∂h^(2)_j, so that no
# upright "d" stands beside an italic h.
GRADIENT_NUMERATOR = "L"

# Words of prose that name functions: set upright as operators (\log), never as italic text.
FUNCTION_WORDS_LATEX = {"log": r"\log", "exp": r"\exp", "tanh": r"\tanh", "ln": r"\ln"}

MINUS_TEXT = "−"  # U+2212, so that p_i − y_i reads as a subtraction, not a hyphen
TIMES_TEXT = "·"
SUPERSCRIPTS_TEXT = str.maketrans("0123456789-+()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾")
# layer labels in terminal prose, as the formulas print them: W^(l-1) → W⁽ˡ⁻¹⁾
LAYER_SUPERSCRIPTS_TEXT = str.maketrans("0123456789-+lL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ˡᴸ")

# --- Unicode in prose (justifications, conventions) → LaTeX math ---------------------------------

# Each entry: character → (kind, LaTeX) where kind is "math" (an ordinary math fragment),
# "sub"/"sup" (a subscript/superscript, joined to what precedes it) or "text" (stays in text).
_GREEK_LATEX = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "ϵ": r"\epsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "π": r"\pi",
    "ρ": r"\rho",
    "σ": r"\sigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\varphi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Ξ": r"\Xi",
    "Π": r"\Pi",
    "Σ": r"\sum",  # in the notes Σ is always a summation
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
}

_SYMBOLS_LATEX = {
    "∂": r"\partial",
    "∇": r"\nabla",
    "∑": r"\sum",
    "∏": r"\prod",
    "∫": r"\int",
    "−": "-",
    "±": r"\pm",
    "×": r"\times",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "∘": r"\circ",
    "⊙": r"\odot",
    "⊗": r"\otimes",
    "⊕": r"\oplus",
    "∈": r"\in",
    "∉": r"\notin",
    "⊂": r"\subset",
    "⊆": r"\subseteq",
    "∪": r"\cup",
    "∩": r"\cap",
    "∀": r"\forall",
    "∃": r"\exists",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "→": r"\to",
    "←": r"\leftarrow",
    "↦": r"\mapsto",
    "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∝": r"\propto",
    "∞": r"\infty",
    "√": r"\surd",
    "‖": r"\|",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "…": r"\ldots",
    "⋯": r"\cdots",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℓ": r"\ell",
    "𝒜": r"\mathcal{A}",  # the activation in notes that write y* = 𝒜(wᵀx)
    "𝟙": INDICATOR_LATEX,
    "⊤": r"\top",
    "✓": r"\checkmark",
    "½": r"\tfrac{1}{2}",
    # ASCII characters that are special in LaTeX text become math
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "~": r"\sim",
    "\\": r"\backslash",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "^": r"\wedge",
    "<": "<",
    ">": ">",
    "|": "|",
}

_SCRIPTS_LATEX = {
    "ᵀ": ("sup", r"\top"),
    "′": ("sup", r"\prime"),
    "″": ("sup", r"\prime\prime"),
    "°": ("sup", r"\circ"),
    # other super- and subscript characters (², ₖ, ᶻ) are recognised by their Unicode decomposition
}

_TEXT_LATEX = {
    "–": "--",
    "—": "---",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
    "\u00a0": " ",
}

# Greek letters spelled out in prose before a script (delta^l) are set as letters.
GREEK_LATEX_NAMES = frozenset(t[1:] for t in _GREEK_LATEX.values() if t[1:].isalpha()) - {"sum"}

PROSE_LATEX: dict[str, tuple[str, str]] = {
    **{c: ("math", t) for c, t in _GREEK_LATEX.items()},
    **{c: ("math", t) for c, t in _SYMBOLS_LATEX.items()},
    **_SCRIPTS_LATEX,
    **{c: ("text", t) for c, t in _TEXT_LATEX.items()},
}

# Combining accents (after NFD normalisation, ŷ is y + U+0302) → LaTeX accents.
ACCENTS = {
    "\u0302": r"\hat",
    "\u0304": r"\bar",
    "\u0303": r"\tilde",
    "\u0307": r"\dot",
    "\u0308": r"\ddot",
    "\u20d7": r"\vec",
}

# ASCII that is safe as is in LaTeX text mode and inside \text{} (also in MathJax/KaTeX).
SAFE_TEXT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'()[]/+=*@\"-`"
)
