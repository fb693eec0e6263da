"""Maintenance scripts (not installed): the README's examples and pictures."""
