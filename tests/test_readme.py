"""The README cannot rot: every ``console`` example is run and its output compared.

``tools/readme_examples.py`` holds the convention (``$ `` commands, masks for timings and
rounding, ``…`` to elide, ``console no-check`` to opt out); ``--update`` rewrites the outputs.
"""

from __future__ import annotations

import pytest

from tools import readme_examples as examples

SAMPLE = r"""# A README

```console
$ echo one; echo two
one
two

$ printf 'took 0.25 s\nerror 3.1e-16\n'
took 9.9 s
error 1.0e-15
```

<!-- readme-examples: no-check -->
```console
$ false
anything
```

```console no-check
$ false
```

```python
$ not a command
```

```console
$ seq 1 5
1
…
5
$ echo new
old
```
"""


def test_parse_finds_the_checked_blocks_and_their_commands():
    blocks = examples.parse(SAMPLE.split("\n"))
    assert [[e.command for e in b.examples] for b in blocks] == [
        ["echo one; echo two", r"printf 'took 0.25 s\nerror 3.1e-16\n'"],
        ["seq 1 5", "echo new"],
    ]
    first = blocks[0].examples[0]
    assert first.expected == ["one", "two"] and first.gap == 1


def test_masks_hide_what_varies_by_machine():
    assert examples.mask("30 epochs in 0.8 s, 12 ms, 3.5 it/s") == (
        "30 epochs in <TIME>, <TIME>, <RATE>"
    )
    assert examples.mask('"seconds": 0.105, 2.6e-16, 1e-07') == (
        '"seconds": <TIME>, <ROUNDING>, 1e-07'
    )
    assert examples.mask("wrote /tmp/pytest-1/notes.tex") == "wrote <TMP>"
    assert examples.mask("24 random points (K=2, K=3)") == "24 random points (K=2, K=3)"


def test_matches_with_masks_and_ellipsis():
    assert examples.matches(["took 9.9 s"], ["took 0.25 s"])
    assert not examples.matches(["took 9.9 s", "x"], ["took 0.25 s", "y"])
    assert examples.matches(["1", "…", "5"], ["1", "2", "3", "4", "5"])
    assert examples.matches(["1", "…", "5"], ["1", "5"])
    assert not examples.matches(["1", "…", "5"], ["1", "2", "3"])
    assert not examples.matches(["a"], ["a", "b"])


def test_update_rewrites_only_stale_outputs(tmp_path):
    lines = SAMPLE.split("\n")
    blocks = examples.parse(lines)
    examples.run_blocks(blocks, tmp_path)
    assert [e.command for e in examples.stale(blocks)] == ["echo new"]
    new = examples.updated(lines, blocks)
    text = "\n".join(new)
    assert "$ echo new\nnew\n```" in text
    assert "took 9.9 s" in text and "1\n…\n5" in text  # matching outputs stay as written
    assert new[: new.index("$ echo new")] == lines[: lines.index("$ echo new")]
    assert "-old\n+new" in examples.diff(lines, new, "README.md")


def test_main_check_and_update(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(SAMPLE, encoding="utf-8")
    assert examples.main(["--check", str(readme)]) == 1
    assert "+new" in capsys.readouterr().out
    assert examples.main(["--update", str(readme)]) == 0
    assert examples.main(["--check", str(readme)]) == 0


@pytest.mark.slow
def test_every_readme_example_prints_what_the_readme_shows():
    lines = examples.README.read_text(encoding="utf-8").split("\n")
    blocks = examples.parse(lines)
    assert sum(len(b.examples) for b in blocks) >= 20
    examples.run_blocks(blocks, examples.ROOT)
    stale = examples.stale(blocks)
    assert not stale, (
        examples.diff(lines, examples.updated(lines, blocks), "README.md")
        + "\nrun `python tools/readme_examples.py --update` and read the diff"
    )


def test_every_command_block_is_marked_console():
    """A ``$ `` block without ``console`` would silently go unchecked."""
    sample = ["```", "$ backprop derive dense", "out", "```", "```console", "$ echo", "```"]
    assert examples.unmarked(sample) == [1]
    readme = (examples.ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    assert examples.unmarked(readme) == []
