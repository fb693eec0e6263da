"""The misconception report: one self-contained HTML page (inline SVG chart, no external files).

>>> html = misconception_page(assignment, result)  # doctest: +SKIP
>>> html.startswith("<!DOCTYPE html>")  # doctest: +SKIP
True

Sections: the assignment's tasks with the number of students per verdict and the mean points;
a bar chart (matplotlib, inlined as SVG) of how many students made each diagnosed mistake; a
table of the mistakes with the worst example of each (the student's answer and the checker's
diagnosis); the answers that could not be graded (errors, unreadable). Every piece of student
text is HTML-escaped; the page runs no script and loads nothing.
"""

from __future__ import annotations

import io
from html import escape

from classroom.grade.credit import OTHER
from classroom.grade.report import VERDICTS, misconceptions, totals, verdict_counts
from derive.errors import BackpropError

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 62em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre { white-space: pre-wrap; margin: 0; font-size: .9em; }
.chart svg { max-width: 100%; height: auto; }
"""


def misconception_page(assignment, result) -> str:
    """The whole page as text (UTF-8 HTML)."""
    grades = result.grades
    found = misconceptions(grades)
    named = [m for m in found if m.key != OTHER]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Misconceptions: {escape(assignment.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Misconceptions: {escape(assignment.title)}</h1>",
        _summary(assignment, grades),
        "<h2>Diagnosed mistakes</h2>",
        f'<div class="chart" id="chart">{mistake_chart(named)}</div>' if named else
        "<p>No diagnosed mistakes.</p>",
        _mistakes_table(found),
        _ungraded_table(grades),
        "</body></html>",
    ]  # fmt: skip
    return "\n".join(parts) + "\n"


def _summary(assignment, grades) -> str:
    students = len({g.student for g in grades})
    scores = totals(grades)
    best = float(sum(t.points for t in assignment.tasks))
    mean = sum(scores.values()) / len(scores) if scores else 0.0
    head = "".join(f"<th>{escape(v)}</th>" for v in VERDICTS)
    rows = []
    for task in assignment.tasks:
        counts = verdict_counts(grades, task.name)
        points = [g.points for g in grades if g.task == task.name]
        average = sum(points) / len(points) if points else 0.0
        cells = "".join(f'<td class="n">{counts[v]}</td>' for v in VERDICTS)
        rows.append(
            f"<tr><td>{escape(task.name)}</td><td>{escape(task.mode)}</td>"
            f'<td class="n">{average:.2f} / {float(task.points):g}</td>{cells}</tr>'
        )
    return (
        f"<p>{students} students; mean total {mean:.2f} of {best:g} points.</p>"
        f'<table id="tasks"><tr><th>task</th><th>mode</th><th>mean points</th>{head}</tr>'
        + "".join(rows)
        + "</table>"
    )


def _mistakes_table(found) -> str:
    if not found:
        return ""
    rows = []
    for m in found:
        w = m.worst
        rows.append(
            f"<tr><td>{escape(m.key)}</td><td>{escape(m.meaning)}</td>"
            f'<td class="n">{m.students}</td><td>{escape(", ".join(m.tasks))}</td>'
            f"<td>{escape(w.student)} ({escape(w.task)}, {w.points:g}/{w.max_points:g})"
            f"<pre>{escape(w.shown)}</pre></td><td>{escape(w.diagnosis)}</td></tr>"
        )
    return (
        '<table id="mistakes"><tr><th>mistake</th><th>meaning</th><th>students</th>'
        "<th>tasks</th><th>worst example</th><th>diagnosis</th></tr>" + "".join(rows) + "</table>"
    )


def _ungraded_table(grades) -> str:
    rows = [
        f"<tr><td>{escape(g.student)}</td><td>{escape(g.task)}</td><td>{escape(g.verdict)}</td>"
        f"<td>{escape(g.diagnosis)}</td></tr>"
        for g in grades
        if g.verdict in ("error", "unreadable", "undecided", "wrong variant")
    ]
    if not rows:
        return ""
    return (
        "<h2>Not graded automatically</h2>"
        '<table id="ungraded"><tr><th>student</th><th>task</th><th>verdict</th><th>reason</th></tr>'
        + "".join(rows)
        + "</table>"
    )


def mistake_chart(found) -> str:
    """A horizontal bar chart of students per mistake, as an inline ``<svg>`` element."""
    try:
        from matplotlib import rc_context
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise BackpropError(
            "the misconception chart needs matplotlib: pip install matplotlib"
        ) from None
    labels = [m.key for m in reversed(found)]
    counts = [m.students for m in reversed(found)]
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "backprop"}):
        figure = Figure(figsize=(7, 0.45 * len(found) + 1.2), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.subplots()
        bars = axes.barh(labels, counts, color="#c0504d")
        axes.bar_label(bars, padding=3)
        axes.set_xlabel("students")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title("students per diagnosed mistake")
        axes.spines[["top", "right"]].set_visible(False)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline in HTML
