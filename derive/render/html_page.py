"""The self-contained HTML page: its template, and KaTeX embedded so that it works offline.

KaTeX (MIT) ships with the package in ``derive/render/katex/``; every page carries its script,
its stylesheet and its fonts (woff2, as data URIs), so the page needs no network and no file
beside it. Formulas are ``<span class="math">TeX</span>`` (``math display`` for display
math); the script at the end of the page typesets each one and marks the page
``data-typeset="ok"`` (or ``"failed"``, with every error on the console).
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

import jinja2

KATEX_VERSION = "0.19.1"

# one @font-face source list: url(fonts/X.woff2) format("woff2"),url(fonts/X.woff) ...
_FONT_SOURCES = re.compile(
    r'url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("\w+"\))*'
)

PAGE = r"""{# A whole HTML page.
   Expects: title (HTML), katex_css, katex_js (the assets, embedded as they are), toc (list of
   id, title, chains (list of id, title)), sections (list of HTML strings), appendix (HTML or
   empty), conventions (list of HTML). #}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="backprop derive --format html (KaTeX {{ katex_version }})">
<title>{{ title }}</title>
<style>
{{ katex_css }}
</style>
<style>
body { font: 17px/1.5 Georgia, "DejaVu Serif", serif; color: #1d1d1f; margin: 0; }
.page { display: flex; max-width: 78rem; margin: 0 auto; }
nav { flex: 0 0 16rem; padding: 1.5rem 1rem; position: sticky; top: 0; align-self: flex-start;
      max-height: 100vh; overflow-y: auto; font-size: 0.9rem; }
nav ol { padding-left: 1.2rem; margin: 0.2rem 0; }
main { flex: 1; min-width: 0; padding: 1rem 2rem 4rem; }
h1 { font-size: 1.9rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
.summary { font-style: italic; }
.chain { overflow-x: auto; }
table.steps { border-collapse: collapse; margin: 0.6rem 0; }
table.steps td { padding: 0.25rem 0.4rem; vertical-align: middle; }
table.steps td.lhs { text-align: right; white-space: nowrap; }
table.steps td.rhs { white-space: nowrap; }
table.steps .katex-display { margin: 0; }
table.steps .katex-display > .katex { text-align: left; }
table.steps td.lhs .katex-display > .katex { text-align: right; }
table.steps td.why { color: #444; font-size: 0.92rem; padding-left: 1.5rem; min-width: 14rem; }
.matrix { margin: 0.4rem 0 0.2rem; }
.badge { display: inline-block; font: 0.78rem/1.6 sans-serif; color: #116b2f; background: #e3f5e8;
         border: 1px solid #9fd3ad; border-radius: 0.8rem; padding: 0 0.6rem; margin-left: 0.6rem;
         vertical-align: middle; }
.badge.failed { color: #8a1111; background: #fbe4e4; border-color: #e3a0a0; }
.record, .record li { font-size: 0.92rem; color: #333; }
.verified { font-size: 0.88rem; color: #355; }
</style>
</head>
<body>
<div class="page">
<nav aria-label="Contents">
<strong>Contents</strong>
<ol>
{% for entry in toc %}
<li><a href="#{{ entry.id }}">{{ entry.title }}</a>
<ol>
{% for chain in entry.chains %}
<li><a href="#{{ chain.id }}">{{ chain.title }}</a></li>
{% endfor %}
</ol>
</li>
{% endfor %}
{% if appendix %}
<li><a href="#verification-record">Verification record</a></li>
{% endif %}
</ol>
</nav>
<main>
<h1>{{ title }}</h1>
<section id="conventions">
<h2>Conventions</h2>
<ul>
{% for convention in conventions %}
<li>{{ convention }}</li>
{% endfor %}
</ul>
</section>
{% for section in sections %}
{{ section }}
{% endfor %}
{% if appendix %}
{{ appendix }}
{% endif %}
</main>
</div>
<script>
{{ katex_js }}
</script>
<script>
(function () {
  var failed = 0;
  var macros = {};
  // as the LaTeX preamble does: KaTeX's fonts have no double-struck digits, so the indicator
  // \mathbb{1} is drawn as two overlapping ones
  var indicator = /\\mathbb\{1\}/g;
  document.querySelectorAll(".math").forEach(function (element) {
    try {
      var tex = element.textContent.replace(indicator, "\\mathrm{1\\kern-0.3em1}");
      katex.render(tex, element, {
        displayMode: element.classList.contains("display"),
        throwOnError: true,
        strict: "ignore",
        macros: macros
      });
    } catch (error) {
      failed += 1;
      console.error("KaTeX could not typeset " + JSON.stringify(element.textContent) + ": " + error);
    }
  });
  document.body.setAttribute("data-typeset", failed ? "failed" : "ok");
})();
</script>
</body>
</html>
"""

SECTION = """{# One derivation.
   Expects d with: id, title, summary, conventions (list), mode ("appendix", "inline" or
   "none"), record_id, checks (inline mode: list of mark, name, detail), chains (list of id,
   title, note, rows (list of lhs, rhs: TeX, HTML-escaped; why: HTML), matrix (TeX or empty),
   badge (the verification summary), passed (bool), verified (list of HTML)). #}
<section id="{{ d.id }}">
<h2>{{ d.title }}</h2>
<p class="summary">{{ d.summary }}</p>
{% if d.conventions %}
<ul>
{% for convention in d.conventions %}
<li>{{ convention }}</li>
{% endfor %}
</ul>
{% endif %}
{% for chain in d.chains %}
<div class="chain" id="{{ chain.id }}">
<h3>{{ chain.title }}{% if d.mode != "none" %} <a class="badge{% if not chain.passed %} failed{% endif %}" href="#{{ d.record_id }}" title="{{ chain.badge }}">✓ verified</a>{% endif %}</h3>
{% if chain.note %}
<p>{{ chain.note }}</p>
{% endif %}
<table class="steps">
{% for row in chain.rows %}
<tr><td class="lhs">{% if row.lhs %}<span class="math display">{{ row.lhs }}</span>{% endif %}</td><td class="rhs"><span class="math display">= {{ row.rhs }}</span></td><td class="why">{{ row.why }}</td></tr>
{% endfor %}
</table>
{% if chain.matrix %}
<p class="matrix">In matrix form: <span class="math">{{ chain.matrix }}</span></p>
{% endif %}
{% if d.mode == "inline" %}
<p class="verified">✓ {% for line in chain.verified %}{{ line }}{% if not loop.last %}; {% endif %}{% endfor %}</p>
{% endif %}
</div>
{% endfor %}
{% if d.checks %}
<h3>Cross-checks</h3>
<ul class="record">
{% for check in d.checks %}
<li>{{ check.mark }} {{ check.name }}: {{ check.detail }}</li>
{% endfor %}
</ul>
{% endif %}
</section>
"""

APPENDIX = """{# The verification record (lecture mode).
   Expects records: list of id, title, chains (list of title, verified (list of HTML)),
   checks (list of mark, name, detail), assumptions (list of HTML). #}
<section id="verification-record" class="record">
<h2>Verification record</h2>
<p>Each step of a chain was checked to equal the step before it: symbolically where that can be
decided, otherwise by evaluating both sides at random points of the domain, for several sizes
of the vectors involved. Each result was then cross-checked by two independent routes: direct
differentiation of the whole composition written out at small sizes, and central finite
differences.</p>
{% for record in records %}
<h3 id="{{ record.id }}">{{ record.title }}</h3>
{% if record.assumptions %}
<p>Sampled with: {{ record.assumptions | join("; ") }}.</p>
{% endif %}
<ul>
{% for chain in record.chains %}
<li><strong>{{ chain.title }}</strong>: {{ chain.verified | join("; ") }}.</li>
{% endfor %}
{% for check in record.checks %}
<li>{{ check.mark }} {{ check.name }}: {{ check.detail }}</li>
{% endfor %}
</ul>
{% endfor %}
</section>
"""

_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # values arrive escaped (see derive.render.html)
)
page = _ENV.from_string(PAGE)
section = _ENV.from_string(SECTION)
appendix = _ENV.from_string(APPENDIX)


def _asset(*parts: str) -> resources.abc.Traversable:
    return resources.files("derive.render").joinpath("katex", *parts)


@functools.cache
def katex_css() -> str:
    """KaTeX's stylesheet with every font embedded (woff2 only: every current browser reads it)."""
    css = _asset("katex.min.css").read_text(encoding="utf-8")

    def embedded(match: re.Match) -> str:
        data = base64.b64encode(_asset("fonts", match.group(1) + ".woff2").read_bytes())
        return 'url(data:font/woff2;base64,%s) format("woff2")' % data.decode("ascii")

    return _FONT_SOURCES.sub(embedded, css)


@functools.cache
def katex_js() -> str:
    """KaTeX's script; ``</`` cannot occur in it, so it is safe inside a ``<script>``."""
    script = _asset("katex.min.js").read_text(encoding="utf-8")
    return script.replace("</script", "<\\/script")
