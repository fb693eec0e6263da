"""The display blocks and their HTML and Markdown printers; every report's Jupyter display."""

from decimal import Decimal

import pytest

from check.code import CodeReport, ParameterVerdict
from check.numbers import ClaimVerdict, EntryVerdict, NumbersReport
from check.report import Verdict
from check.report_display import (
    Code,
    Fields,
    Heading,
    Note,
    Pre,
    Svg,
    Table,
    to_html,
    to_markdown,
)
from check.steps_report import Line, StepsReport

HOSTILE = "<script>alert('x')</script> & *bold* `tick` | $x$ [link](http://e)"


def test_heading_fields_and_table_in_html():
    blocks = [
        Heading("done", True),
        Fields((("answer", Code("p - y")), ("method", "random"))),
        Table(("a", "b"), (("1", Code("x")), ("2", ("first", Code("second"))))),
    ]
    assert to_html(blocks) == (
        '<div class="backprop-report"><h4 class="backprop-ok">✓ done</h4>\n'
        "<table><tr><th>answer</th><td><code>p - y</code></td></tr>"
        "<tr><th>method</th><td>random</td></tr></table>\n"
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>"
        "<tr><td>1</td><td><code>x</code></td></tr>"
        "<tr><td>2</td><td>first<br><code>second</code></td></tr></tbody></table></div>"
    )


def test_marked_table_in_markdown():
    table = Table(("line", "step"), (("3", Code("= p - y")), ("4", Code("a|b"))), (True, False))
    assert to_markdown([table]) == (
        "|  | line | step |\n|---|---|---|\n| ✓ | 3 | `= p - y` |\n| ✗ | 4 | `a\\|b` |"
    )


@pytest.mark.parametrize("block", [Note(HOSTILE), Pre(HOSTILE), Heading(HOSTILE, None)])
def test_html_escapes_all_text(block):
    html = to_html([block])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;" in html and "&#x27;x&#x27;" in html


def test_html_escapes_code_and_field_labels():
    html = to_html([Fields(((HOSTILE, Code(HOSTILE)),))])
    assert "<script>" not in html and html.count("&lt;script&gt;") == 2


def test_markdown_escapes_plain_text():
    text = to_markdown([Note(HOSTILE)])
    assert text == (
        "\\<script\\>alert('x')\\</script\\> \\& \\*bold\\* \\`tick\\` \\| \\$x\\$ "
        "\\[link\\](http://e)"
    )


def test_markdown_code_span_holds_backticks_and_html_verbatim():
    assert to_markdown([Fields((("answer", Code("a`b <i>")),))]) == "- answer: ``a`b <i>``"
    assert to_markdown([Fields((("answer", Code("`x")),))]) == "- answer: `` `x ``"


def test_markdown_text_never_starts_a_list_and_pre_fence_is_longer_than_its_text():
    assert to_markdown([Note("- not a list")]) == "\\- not a list"
    assert to_markdown([Pre("a\n```\nb")]) == "````text\na\n```\nb\n````"


def test_svg_is_inline_in_html_and_a_data_uri_in_markdown():
    svg = Svg("<svg></svg>", "curves")
    assert to_html([svg]).endswith(
        "<figure><svg></svg><figcaption>curves</figcaption></figure></div>"
    )
    assert to_markdown([svg]) == "![curves](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)"


# -- the reports --------------------------------------------------------------------------

COUNTEREXAMPLE = {"at": {"y": 0.5, "p": 0.25}, "answer": -0.25, "expected": 0.25}


def test_verdict_display():
    verdict = Verdict(
        "sigmoid-bce", HOSTILE, "p − y", False, read_as="y − p", method="random evaluation",
        counterexample=COUNTEREXAMPLE, diagnosis="sign error",
    )  # fmt: skip
    assert verdict._repr_html_() == (
        '<div class="backprop-report"><h4 class="backprop-bad">✗ sigmoid-bce: incorrect</h4>\n'
        "<table><tr><th>answer</th><td><code>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; "
        "&amp; *bold* `tick` | $x$ [link](http://e)</code></td></tr>"
        "<tr><th>read as</th><td><code>y − p</code></td></tr>"
        "<tr><th>expected</th><td><code>p − y</code></td></tr>"
        "<tr><th>decided by</th><td>random evaluation</td></tr>"
        "<tr><th>counterexample</th><td><code>at y = 0.5, p = 0.25: answer = -0.25, "
        "expected = 0.25</code></td></tr>"
        "<tr><th>diagnosis</th><td>sign error</td></tr></table></div>"
    )
    assert verdict._repr_markdown_().splitlines()[:3] == [
        "**✗ sigmoid-bce: incorrect**",
        "",
        "- answer: ``<script>alert('x')</script> & *bold* `tick` | $x$ [link](http://e)``",
    ]


def test_correct_verdict_shows_only_what_it_has():
    verdict = Verdict("sigmoid", "s(1 - s)", "σ(z)(1 − σ(z))", True)
    assert verdict._repr_markdown_() == (
        "**✓ sigmoid: correct**\n\n- answer: `s(1 - s)`\n- expected: `σ(z)(1 − σ(z))`"
    )


def test_undecided_verdict_and_its_explanation():
    verdict = Verdict("mse", "p", "p − y", None, explanation="L = (p − y)²/2\n∂L/∂p = p − y")
    html = verdict._repr_html_()
    assert html.startswith('<div class="backprop-report"><h4 class="backprop-undecided">? mse')
    assert html.endswith("<pre>L = (p − y)²/2\n∂L/∂p = p − y</pre></div>")


def _steps_report() -> StepsReport:
    start = Line(1, "d/dz (-y*log(p))")
    lines = [
        Line(2, "= -y/p * p*(1-p)", valid=True, method="random evaluation"),
        Line(3, "= y <b>", valid=False, method="random evaluation",
             counterexample=COUNTEREXAMPLE, diagnosis="sign error"),
        Line(4, "= q", valid=None, method="could not decide"),
    ]  # fmt: skip
    report = StepsReport(start, lines, expected="p − y", assumptions=["y one-hot"])
    report.final_correct = False
    return report


def test_steps_report_display_line_by_line():
    html = _steps_report()._repr_html_()
    assert html.startswith(
        '<div class="backprop-report"><h4 class="backprop-bad">✗ first wrong line: 3</h4>\n'
        "<table><tr><th>start (line 1)</th><td><code>d/dz (-y*log(p))</code></td></tr>"
        "<tr><th>assuming</th><td>y one-hot</td></tr></table>\n"
    )
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = body.split("</tr><tr>")
    assert len(rows) == 3
    assert rows[0] == (
        '<tr><td class="backprop-ok">✓</td><td>2</td><td><code>= -y/p * p*(1-p)</code></td>'
        "<td></td>"
    )
    assert rows[1] == (
        '<td class="backprop-bad">✗</td><td>3</td><td><code>= y &lt;b&gt;</code></td>'
        "<td>random evaluation<br><code>counterexample: at y = 0.5, p = 0.25: this line = "
        "-0.25, previous line = 0.25</code><br>diagnosis: sign error</td>"
    )
    assert rows[2] == (
        '<td class="backprop-undecided">?</td><td>4</td><td><code>= q</code></td>'
        "<td>could not decide</td></tr>"
    )
    assert html.endswith("<p>last line equals the correct result p − y: no</p></div>")


def test_steps_report_markdown_table():
    lines = _steps_report()._repr_markdown_().splitlines()
    assert lines[0] == "**✗ first wrong line: 3**"
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "|  | line | step | notes |"
    assert [row.split(" | ")[0] for row in table[2:]] == ["| ✓", "| ✗", "| ?"]


def test_valid_steps_report_heading():
    report = StepsReport(Line(1, "d/dz z"), [Line(2, "= 1", valid=True)], final_correct=True)
    assert report._repr_markdown_().startswith("**✓ every step is valid**")


def test_numbers_report_display():
    right = ClaimVerdict("z1", [EntryVerdict("z1[1]", Decimal("0.7"), 0.7, True, Decimal("0.1"))])
    wrong = EntryVerdict(
        "loss", Decimal("0.5844"), 0.292245, False, Decimal("0.0001"),
        formula="loss = ½(ŷ − y)²", diagnosis="off by a factor 2",
    )  # fmt: skip
    report = NumbersReport([right, ClaimVerdict("loss", [wrong])])
    assert report._repr_html_() == (
        '<div class="backprop-report"><h4 class="backprop-bad">✗ 1 of 2 claims correct</h4>\n'
        "<p>entries counted from 1</p>\n"
        "<table><thead><tr><th></th><th>claim</th><th>claimed</th><th>correct values</th>"
        "</tr></thead><tbody>"
        '<tr><td class="backprop-ok">✓</td><td><code>z1</code></td><td><code>[0.7]</code></td>'
        "<td></td></tr>"
        '<tr><td class="backprop-bad">✗</td><td><code>loss</code></td><td><code>0.5844</code>'
        "</td><td><code>loss: correct 0.292245 (±0.0001)</code><br><code>loss = ½(ŷ − y)²</code>"
        "<br>diagnosis: off by a factor 2</td></tr></tbody></table></div>"
    )


def test_code_report_display_a_row_per_gradient():
    report = CodeReport(
        "student.py:gradients",
        [
            ParameterVerdict("W1", (2, 3), 1.5e-15, "agrees"),
            ParameterVerdict("b1", (2,), None, "missing"),
            ParameterVerdict("W2", (1, 2), 0.5, "wrong", "scaled by m"),
        ],
        sandbox=["own network namespace"],
    )
    html = report._repr_html_()
    assert html.startswith(
        '<div class="backprop-report"><h4 class="backprop-bad">✗ student.py:gradients: '
        "INCORRECT</h4>\n<table><thead><tr><th></th><th>gradient</th><th>shape</th>"
        "<th>relative error</th><th>verdict</th><th>diagnosis</th></tr></thead><tbody>"
    )
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("</tr><tr>")
    assert rows == [
        '<tr><td class="backprop-ok">✓</td><td><code>W1</code></td><td><code>(2, 3)</code></td>'
        "<td>1.5e-15</td><td>agrees</td><td></td>",
        '<td class="backprop-bad">✗</td><td><code>b1</code></td><td><code>(2,)</code></td>'
        "<td>-</td><td>missing</td><td></td>",
        '<td class="backprop-bad">✗</td><td><code>W2</code></td><td><code>(1, 2)</code></td>'
        "<td>5.0e-01</td><td>wrong</td><td>scaled by m</td></tr>",
    ]
    assert html.endswith("<p>sandbox: own network namespace</p></div>")


def test_code_report_with_a_problem_shows_it_and_no_table():
    report = CodeReport("s.py:f", problem="f raised ValueError: <bad>")
    assert report._repr_markdown_() == (
        "**✗ s.py:f: INCORRECT**\n\nf raised ValueError: \\<bad\\>\n\nsandbox: none"
    )


class _Printer:
    def __init__(self):
        self.shown = []

    def text(self, text):
        self.shown.append(text)


def test_ipython_plain_text_is_the_report_text():
    verdict = Verdict("sigmoid", "s(1 - s)", "σ(z)(1 − σ(z))", True)
    printer = _Printer()
    verdict._repr_pretty_(printer, False)
    assert printer.shown == [verdict.to_text()]


def test_numbers_report_display_of_a_blank_gives_nothing_away():
    blank = EntryVerdict("h1[1]", "?", 0.6682, False, Decimal("0.0001"))
    report = NumbersReport([ClaimVerdict("h1", [blank])])
    html = report._repr_html_()
    assert "h1[1]: not answered" in html and "0.6682" not in html
    assert "1 not answered" in html and '<td class="backprop-undecided">?</td>' in html
