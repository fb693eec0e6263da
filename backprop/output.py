"""Writing output files atomically (the writers live in :mod:`derive.files`, beside the readers,
so that libraries need not import the CLI package)."""

from derive.files import write_bytes, write_text

__all__ = ["write_bytes", "write_text"]
