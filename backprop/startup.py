"""Start-up imports without the cyclic garbage collector.

Importing SymPy, NumPy and the project creates hundreds of thousands of objects that live as
long as the process; the collector runs dozens of times meanwhile and finds no garbage in
them, about 0.1 s of CPU per command. :func:`importing` switches it off for the imports and
then moves every object they made to the permanent generation (``gc.freeze``), so that later
collections, in this process and in the workers forked from it, do not walk them again.
Collection of the command's own work is untouched: it is switched back on afterwards.

>>> with importing():
...     import json
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def importing():
    """Run the body (imports) with the collector off, then freeze what exists and resume."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
