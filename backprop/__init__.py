"""The ``backprop`` command line: derive, generate, train, check, demo."""
