"""The misconception page: self-contained, student text escaped, rendered by headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_grade_class import graded

from classroom.grade.credit import Grade
from classroom.grade.page import misconception_page
from classroom.grade.report import misconceptions

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _Tags(HTMLParser):
    """Counts what a page holds: tags by name, rows per table id, external references."""

    def __init__(self):
        super().__init__()
        self.tags: dict[str, int] = {}
        self.rows: dict[str, int] = {}
        self.external: list[str] = []
        self._table = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "table":
            self._table = attrs.get("id")
        if tag == "tr" and self._table:
            self.rows[self._table] = self.rows.get(self._table, 0) + 1
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith("#"):
                self.external.append(attrs[name])


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


class _Assignment:
    title = "Escaping <test>"
    tasks = ()


class _Result:
    def __init__(self, grades):
        self.grades = grades
        self.protections = []


def test_student_text_is_escaped():
    hostile = Grade(
        "<img src=x onerror=alert(1)>", "dz", 0.0, 2.0, "incorrect",
        "sign error: the answer is −1 times the correct result", "sign",
        "<script>alert('x')</script> & y_i - p_i",
    )  # fmt: skip
    html = misconception_page(_Assignment(), _Result([hostile]))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; y_i - p_i" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Escaping &lt;test&gt;" in html


def test_page_is_self_contained_with_chart_and_tables():
    data = graded()
    html = misconception_page(data["assignment"], data["result"])
    tags = _tags(html)
    found = misconceptions(data["result"].grades)
    assert tags.external == [] and "script" not in tags.tags
    assert tags.tags.get("svg") == 1
    assert tags.rows["tasks"] == 1 + len(data["assignment"].tasks)
    assert tags.rows["mistakes"] == 1 + len(found)
    chart = html[html.index('<div class="chart"') : html.index("</svg>")]
    for m in found:
        if m.key != "other":
            assert f">{m.key}<" in chart  # each bar labelled (text kept as text in the SVG)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="headless Chromium is not installed")
def test_page_renders_in_headless_chromium(tmp_path):
    data = graded()
    page = tmp_path / "misconceptions.html"
    page.write_text(misconception_page(data["assignment"], data["result"]), encoding="utf-8")
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    tags = _tags(dom)
    assert tags.tags.get("svg") == 1 and tags.tags.get("rect", 0) >= 1
    assert tags.rows["mistakes"] == 1 + len(misconceptions(data["result"].grades))
    assert re.search(r"<h1>Misconceptions: Synthetic class</h1>", dom)
    shot = tmp_path / "page.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
