"""The HTML page: self-contained, and typeset in a real browser (headless Chromium).

The browser test runs where Debian's ``chromium`` is installed (``.ci/run`` installs it) and
skips elsewhere. It loads ``backprop derive --all --format html -o notes.html`` from a file
with no network, and checks that every formula was typeset by KaTeX, that no script failed
and that no raw TeX (``$``, ``\\frac``) is left in the visible text. It takes a screenshot;
with ``BACKPROP_ARTIFACTS=DIR`` the screenshot is kept there (CI's artifact, the README's
picture).
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

import derive
from backprop.cli import main
from derive.render import html_page, render, render_many, webpage
from tools import readme_images

CHROMIUM = readme_images.chromium()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "notes.html"
    assert main(["derive", "--all", "--format", "html", "-o", str(out)]) == 0
    return out


def test_page_is_self_contained(page):
    source = page.read_text(encoding="utf-8")
    assert source.startswith("<!DOCTYPE html>")
    # nothing is fetched: no external script, stylesheet, font or image
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", source)
    assert "url(fonts/" not in source and "url(http" not in source
    assert source.count("url(data:font/woff2;base64,") == 20  # KaTeX's fonts, embedded
    assert "katex.render(" in source


def test_table_of_contents_badges_and_record(page):
    source = page.read_text(encoding="utf-8")
    for name in derive.names():
        anchor = "sec-" + "".join(c if c.isalnum() else "-" for c in name)
        assert f'<a href="#{anchor}">' in source and f'<section id="{anchor}">' in source
    chains = sum(len(derive.get(name).chains) for name in derive.names())
    assert source.count(">✓ verified</a>") == chains
    assert source.count('<section id="verification-record"') == 1


def test_every_justification_is_typeset():
    page = render(derive.get("softmax-ce"), "html")
    # the justification of step 6: its math in a KaTeX span, its words as text
    assert (
        '<td class="why"><span class="math">\\sum_{k} y_{k} = 1</span> because '
        '<span class="math">y</span> is one-hot</td>'
    ) in page
    assert "$" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)


def test_verification_modes_and_escaping():
    d = derive.get("softmax-ce")
    inline = render_many([d], "html", verification="inline")
    assert 'class="verified"' in inline and "verification-record" not in inline
    none = render_many([d], "html", verification="none")
    assert "✓ verified" not in none and "random points" not in none
    # TeX is escaped for HTML, and KaTeX reads it back from the text
    assert webpage.typeset("x < y & z") == '<span class="math">x &lt; y \\&amp; z</span>'
    assert webpage.typeset("<b>bold</b>") == (
        '<span class="math">&lt;b&gt;</span>bold<span class="math">&lt;/b&gt;</span>'
    )


def test_katex_assets_ship_with_the_package():
    assert html_page.KATEX_VERSION in html_page._asset("README.md").read_text(encoding="utf-8")
    assert "MIT" in html_page._asset("LICENSE").read_text(encoding="utf-8")


def _visible_text(dom: str) -> str:
    for block in ("script", "style", "annotation", "title"):
        dom = re.sub(rf"<{block}\b.*?</{block}>", " ", dom, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_page_renders_in_headless_chromium(page, tmp_path):
    common = readme_images.chromium_command(tmp_path / "profile", (1280, 1400))
    url = page.resolve().as_uri()
    dumped = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=180
    )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert 'data-typeset="ok"' in dom, "KaTeX did not finish: " + dumped.stderr[-2000:]
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "error" in line.lower()], console
    assert "Uncaught" not in dumped.stderr
    source = page.read_text(encoding="utf-8")
    formulas = source.count('<span class="math')
    assert formulas > 500
    assert dom.count('class="katex"') == formulas  # every formula typeset
    assert 'class="katex-error"' not in dom
    visible = _visible_text(dom)
    assert "$" not in visible and "\\frac" not in visible and "\\sum" not in visible
    # the README's picture, made the same way (tools/readme_images.py)
    screenshot = readme_images.screenshot(page, tmp_path / readme_images.HTML_IMAGE, tmp_path / "p")
    assert screenshot.stat().st_size > 10_000
    readme_images.keep_artifact(screenshot)
