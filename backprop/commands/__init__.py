"""Subcommands; each module has ``register(subparsers)`` setting ``run`` on its parser."""

from backprop.commands import check, demo, derive_cmd, exercise, train
from backprop.commands import generate as generate_cmd
from backprop.commands import grade as grade_cmd

SUBCOMMANDS = [
    derive_cmd.register,
    generate_cmd.register,
    train.register,
    demo.register,
    check.register,
    exercise.register,
    grade_cmd.register,
]
