"""Builders of the built-in derivations; each module registers its derivations by name."""
