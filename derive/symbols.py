"""Shared symbols and the notation of the lecture notes.

Vectors are ``IndexedBase`` objects indexed from 1 (``z[i]`` renders as z_i); index symbols
are plain integer symbols whose range (1..K, 1..n) is recorded by each derivation rather than
in SymPy ``Idx`` objects, whose stock LaTeX is unreadable.
"""

import sympy as sp

# scalars
z = sp.Symbol("z", real=True)  # pre-activation
h = sp.Symbol("h", real=True)  # activation output h = g(z)
y = sp.Symbol("y", real=True)  # target
p = sp.Symbol("p", real=True)  # predicted probability / output
L = sp.Symbol("L", real=True)  # loss

# sizes
K = sp.Symbol("K", integer=True, positive=True)  # number of classes
m = sp.Symbol("m", integer=True, positive=True)  # batch size
n_in = sp.Symbol("n_in", integer=True, positive=True)
n_out = sp.Symbol("n_out", integer=True, positive=True)

# indices
i, j, k, l, r, s = sp.symbols("i j k l r s", integer=True, positive=True)

# vectors and matrices (index notation)
zv = sp.IndexedBase("z")
pv = sp.IndexedBase("p")
yv = sp.IndexedBase("y")
hv = sp.IndexedBase("h")
bv = sp.IndexedBase("b")
Wm = sp.IndexedBase("W")
deltav = sp.IndexedBase("delta")
