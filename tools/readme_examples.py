"""Run the README's command examples and compare what they print (the README cannot rot).

Usage::

    python tools/readme_examples.py --check     # exit 1 and print a diff if an output is stale
    python tools/readme_examples.py --update    # rewrite the stale outputs in README.md in place
    python tools/readme_examples.py --check --only "derive --list"   # only blocks with that text

The convention (write README examples this way):

- A command example is a fenced block whose info string is ``console``::

      ```console
      $ backprop derive --list
      chain-rule   chain rule: ...
      ```

- A line starting with ``$ `` is a command; the lines after it, up to the next ``$ `` line or
  the closing fence, are its expected output (stdout and stderr together, in the order they
  are written). Trailing spaces and blank lines at the end of an output are ignored.
- Commands run with ``bash -c`` in a scratch copy of the repository (so ``-o file`` writes
  there, never into the checkout; every command runs in README order, so a later one reads
  what an earlier one wrote, as for a reader typing them), with
  ``backprop`` and ``python`` first on ``PATH`` (this interpreter, running the checkout's code),
  ``PYTHONPATH`` set to the repository root, ``COLUMNS=100``, ``NO_COLOR=1``, ``TERM=dumb``.
- What varies by machine is masked on both sides before comparing (``MASKS`` below):
  durations (``0.8 s``, ``12 ms``), rates (``1.5 it/s``), the ``"seconds"`` of JSON output,
  rounding-level errors (``2.6e-16``: they depend on the BLAS kernel), the last digits of
  full-precision floats (13 or more decimals: compared to 10 significant digits) and
  temporary paths.
  An output that differs only there is left as written.
- A line that is only ``…`` matches any number of lines (to elide a long output).
- A block whose output must not be checked (benchmarks, machine descriptions) uses the info
  string ``console no-check``, or has the HTML comment ``<!-- readme-examples: no-check -->``
  on the line right before its fence. It is not run. Blocks with any other info string
  (``python``, ``sh``, none) are not commands and are not run either.
- ``--update`` writes the real output of every stale command in place (an elided ``…`` output
  that no longer matches is written out in full: elide it again by hand).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INFO = "console"
NO_CHECK = "no-check"
NO_CHECK_COMMENT = "<!-- readme-examples: no-check -->"
ELLIPSIS = "…"
PROMPT = "$ "
COMMAND_TIMEOUT = 300  # seconds for one command
# (pattern, placeholder): what varies between machines and runs, replaced on both sides.
MASKS = (
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?\s?(?:s|ms|µs|min)\b"), "<TIME>"),
    (re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?[kM]?(?:it|B|examples|samples)?/s\b"), "<RATE>"),
    (re.compile(r'"seconds": [0-9.e+-]+'), '"seconds": <TIME>'),
    # rounding-level errors (below 1e-9 in e-notation, e.g. 2.6e-16) depend on the BLAS kernel
    (re.compile(r"(?<![\w.])\d(?:\.\d+)?e-(?:0?9|[1-9]\d)\b"), "<ROUNDING>"),
    (re.compile(r"/tmp/[^\s'\"),:]+"), "<TMP>"),
    # full-precision floats (JSON's 17 digits): the last digits depend on the BLAS kernel
    (re.compile(r"(?<![\w.])-?\d+\.\d{13,}(?:e[+-]?\d+)?\b"), lambda m: f"{float(m[0]):.10g}"),
)
# copied into the scratch directory: everything but version control, environments and caches
IGNORED = (".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "out")
IGNORED += ("build", "*.egg-info", "ci-artifacts")


@dataclass
class Example:
    """One ``$ command`` and its expected output lines (``gap``: blank lines after it)."""

    command: str
    expected: list[str]
    gap: int = 0
    actual: list[str] | None = None


@dataclass
class Block:
    """A ``console`` block: lines ``start``..``end`` of the README (the fences excluded)."""

    start: int
    end: int
    examples: list[Example] = field(default_factory=list)


def mask(text: str) -> str:
    """The text with every machine-dependent part replaced by its placeholder."""
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def parse(lines: list[str]) -> list[Block]:
    """The checked ``console`` blocks of a README given as lines (without newlines)."""
    blocks, index = [], 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("```") or line[3:].split()[:1] != [INFO]:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        skipped = NO_CHECK in line[3:].split()[1:] or (
            index > 0 and lines[index - 1].strip() == NO_CHECK_COMMENT
        )
        if not skipped:
            blocks.append(Block(index + 1, end, _examples(lines[index + 1 : end])))
        index = end + 1
    return blocks


def unmarked(lines: list[str]) -> list[int]:
    """Line numbers (1-based) of fences without ``console`` whose block starts with ``$ ``:
    a command example that would silently go unchecked (mark it ``console`` or
    ``console no-check``)."""
    found, index, inside = [], 0, False
    for index, line in enumerate(lines):
        if not line.startswith("```"):
            continue
        if inside:
            inside = False
            continue
        inside = True
        info = line[3:].split()[:1]
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if info != [INFO] and nxt.startswith(PROMPT):
            found.append(index + 1)
    return found


def _examples(body: list[str]) -> list[Example]:
    examples: list[Example] = []
    for line in body:
        if line.startswith(PROMPT):
            examples.append(Example(line[len(PROMPT) :], []))
        elif examples:
            examples[-1].expected.append(line.rstrip())
    for example in examples:
        while example.expected and not example.expected[-1]:
            example.expected.pop()
            example.gap += 1
    return examples


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual output lines match the expected ones (masks and ``…`` applied)."""
    pattern = "".join(
        r"(?:.*\n)*?" if line.strip() == ELLIPSIS else re.escape(mask(line)) + r"\n"
        for line in expected
    )
    return re.fullmatch(pattern, "".join(mask(line) + "\n" for line in actual)) is not None


def scratch_copy(root: Path, into: Path) -> Path:
    """A copy of the repository (without .git, environments, caches) to run commands in."""
    target = into / "repo"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(*IGNORED), symlinks=True)
    return target


def commands_dir(into: Path) -> Path:
    """``backprop`` and ``python`` as this interpreter runs them (whatever is installed)."""
    bin_dir = into / "bin"
    bin_dir.mkdir()
    for name, args in (("backprop", "-m backprop.cli "), ("python", "")):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args}"$@"\n')
        script.chmod(0o755)
    return bin_dir


def environment(root: Path, bin_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PATH=os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONPATH=str(root),
        COLUMNS="100",
        LINES="50",
        NO_COLOR="1",
        TERM="dumb",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("FORCE_COLOR", None)
    return env


def run(command: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """The output lines of one command (stdout and stderr interleaved, trailing blanks cut)."""
    try:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=COMMAND_TIMEOUT,
        )
        output = result.stdout.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        output = f"readme_examples: timed out after {COMMAND_TIMEOUT} s\n"
    lines = [line.rstrip() for line in output.replace(str(cwd), ".").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_blocks(blocks: list[Block], root: Path, only: str | None = None) -> None:
    """Run every example of the blocks, filling ``actual``: one scratch copy, every command
    in README order (as a reader would type them)."""
    chosen = [
        block
        for block in blocks
        if not only or any(only in example.command for example in block.examples)
    ]
    with tempfile.TemporaryDirectory(prefix="readme-examples-") as tmp:
        cwd = scratch_copy(root, Path(tmp))
        env = environment(root, commands_dir(Path(tmp)))

        def run_block(block: Block) -> None:
            for example in block.examples:
                example.actual = run(example.command, cwd, env)

        for block in chosen:  # in README order: a later block may read what an earlier wrote
            run_block(block)


def stale(blocks: list[Block]) -> list[Example]:
    """The examples whose output no longer matches."""
    return [
        example
        for block in blocks
        for example in block.examples
        if example.actual is not None and not matches(example.expected, example.actual)
    ]


def updated(lines: list[str], blocks: list[Block]) -> list[str]:
    """The README lines with each stale example's output replaced by its real output."""
    new = list(lines)
    for block in reversed(blocks):
        body: list[str] = []
        for example in block.examples:
            output = example.expected
            if example.actual is not None and not matches(example.expected, example.actual):
                output = example.actual
            body += [PROMPT + example.command, *output, *[""] * example.gap]
        new[block.start : block.end] = body
    return new


def diff(lines: list[str], new: list[str], name: str) -> str:
    return "".join(
        difflib.unified_diff(
            [line + "\n" for line in lines],
            [line + "\n" for line in new],
            f"{name} (as written)",
            f"{name} (as the commands print it)",
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 with a diff if stale")
    mode.add_argument("--update", action="store_true", help="rewrite stale outputs in place")
    parser.add_argument("--only", metavar="TEXT", help="only blocks with a command containing TEXT")
    parser.add_argument("readme", nargs="?", type=Path, default=README)
    args = parser.parse_args(argv)
    lines = args.readme.read_text(encoding="utf-8").split("\n")
    blocks = parse(lines)
    run_blocks(blocks, ROOT, args.only)
    new = updated(lines, blocks)
    if new == lines:
        ran = sum(example.actual is not None for block in blocks for example in block.examples)
        print(f"{args.readme.name}: every output as written ({ran} commands run)")
        return 0
    if args.update:
        args.readme.write_text("\n".join(new), encoding="utf-8")
        print(f"{args.readme.name}: updated {len(stale(blocks))} outputs")
        return 0
    sys.stdout.write(diff(lines, new, args.readme.name))
    print(f"{len(stale(blocks))} stale outputs; `python tools/readme_examples.py --update`")
    return 1


if __name__ == "__main__":
    sys.exit(main())
