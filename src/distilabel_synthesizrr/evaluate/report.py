"""A self-contained `report.html`: a page of sections, each a heading and a fragment of HTML.

The built-in sections (`report_sections`): the metrics table, the students' results (from
`synthesizrr experiment`), example texts per label, bar charts per metric, per-label charts and a
2-D map of real vs synthetic texts. Another section is a `Section` passed to `write_report`.
Charts are PNG `data:` URIs, the style is inline: the page fetches nothing, offline or not.
Every string from the data (texts, labels, names) is escaped: model output is untrusted text.
"""

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np

from distilabel_synthesizrr.evaluate import report_charts as charts
from distilabel_synthesizrr.evaluate.report_examples import CSS as EXAMPLES_CSS
from distilabel_synthesizrr.evaluate.report_examples import examples_html
from distilabel_synthesizrr.evaluate.report_students import students_html

OVERALL = [
    ("self_bleu5", "Self-BLEU-5 (lower = more diverse)"),
    ("distinct2", "distinct-2 (higher = more diverse)"),
    ("entity_entropy", "entity entropy, bits (higher = more diverse)"),
    ("mauve", "MAUVE vs real texts (higher = more human-like)"),
    ("mean_pairwise_cosine", "mean pairwise cosine (lower = more diverse)"),
    ("label_preservation", "label preservation (higher = labels kept)"),
    ("seed_copy_rate", "near-copies of seeds, share (lower = less copying)"),
    ("context_copy_rate", "copies of own passage, share (lower = more rewriting)"),
]
PER_LABEL = [
    ("label_preservation", "Label preservation (higher = labels kept)"),
    ("self_bleu5", "Self-BLEU-5 (lower = more diverse)"),
    ("mauve", "MAUVE vs real texts (higher = more human-like)"),
]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:15px;line-height:1.45;
max-width:1200px;margin:1.5em auto;padding:0 16px;color:#222;background:#fafafa}
h1{margin:.2em 0}h2{margin-top:2em;padding-top:.6em;border-top:1px solid #ddd}h3 small{color:#666;font-weight:normal}
nav a{margin-right:1.2em}
table{border-collapse:collapse;margin:1em 0;background:#fff}
td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th:first-child{text-align:left}
img{max-width:100%;height:auto;display:block;margin:1em 0}
"""


@dataclass(frozen=True)
class Section:
    """A part of the report: `id` names its anchor, `title` its heading; `body` is HTML that its
    maker has already escaped."""

    id: str
    title: str
    body: str


def _columns(metrics: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The report's columns: each run, then the real data (top-level dicts named `real...`)."""
    columns: Dict[str, Dict[str, Any]] = dict(metrics.get("runs", {}))
    for key, value in metrics.items():
        if key.startswith("real") and isinstance(value, dict):
            columns[key] = value
    return columns


def _number(v: Any) -> str:
    """A table cell's value: four significant digits (the metrics' own rounding varies)."""
    if v is None:
        return ""
    return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))


def metrics_table(columns: Mapping[str, Mapping[str, Any]]) -> str:
    """The overall metrics, a row per metric and a column per run (and the real data)."""
    keys = [(k, t) for k, t in OVERALL if any(charts.value(m, k) is not None for m in columns.values())]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in columns)
    body = []
    for key, title in [("n", "examples"), *keys]:
        cells = "".join(f"<td>{_number(columns[n].get(key))}</td>" for n in columns)
        body.append(f"<tr><th>{html.escape(title)}</th>{cells}</tr>")
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(body)}</table>"


def _notes(metrics: Mapping[str, Any]) -> str:
    def field(key: str) -> str:
        return html.escape(str(metrics.get(key)))

    return (
        f"<p>Task <b>{field('task')}</b>; reference {field('reference')}; costly metrics on at most "
        f"{field('sample_size')} texts per run; embeddings: {field('embedding_model')}; label preservation: "
        f"{field('label_classifier')}. A method can win on some metrics by copying (see the copy rates), and the "
        "retrieval corpus dominates results: read the figures together.</p>"
    )


def _image(uri: Optional[str], alt: str) -> str:
    return f'<img src="{uri}" alt="{html.escape(alt, quote=True)}">' if uri else ""


def report_sections(
    metrics: Mapping[str, Any],
    embeddings: Optional[Mapping[str, Optional[np.ndarray]]] = None,
    rows: Optional[Mapping[str, Sequence[Mapping[str, Any]]]] = None,
    students: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> List[Section]:
    """The built-in sections, in reading order; a section with nothing to show is left out."""
    columns = _columns(metrics)
    colors = charts.palette(list(columns) + [n for n in (embeddings or {}) if n not in columns])
    sections = [Section("metrics", "Metrics", _notes(metrics) + metrics_table(columns)),
                Section("students", "Students", students_html(students or {})),
                Section("examples", "Example texts", examples_html(rows or {})),
                Section("charts", "Metrics, charted",
                        _image(charts.metric_bars(columns, OVERALL, colors), "bar charts of the metrics per run")),
                Section("per-label", "Per label",
                        _image(charts.per_label_bars(columns, PER_LABEL, colors), "per-label metrics per run")),
                Section("map", "Real vs synthetic texts",
                        _image(charts.embedding_map(embeddings or {}, colors), "2-D map of the texts' embeddings"))]
    return [s for s in sections if s.body]


def render_page(title: str, sections: Sequence[Section]) -> str:
    """The HTML page: a heading, links to the sections, then the sections."""
    nav = "".join(f'<a href="#{html.escape(s.id, quote=True)}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{html.escape(s.id, quote=True)}"><h2>{html.escape(s.title)}</h2>{s.body}</section>'
                   for s in sections)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{CSS}{EXAMPLES_CSS}</style></head>
<body><h1>{html.escape(title)}</h1><nav>{nav}</nav>{body}</body></html>
"""


def write_report(
    metrics: Mapping[str, Any],
    path: Path,
    embeddings: Optional[Mapping[str, Optional[np.ndarray]]] = None,
    rows: Optional[Mapping[str, Sequence[Mapping[str, Any]]]] = None,
    students: Optional[Mapping[str, Mapping[str, Any]]] = None,
    sections: Sequence[Section] = (),
) -> Path:
    """Writes the HTML report of `evaluate_runs`' output.

    Args:
        metrics: what `evaluate_runs` returns (`runs` and the `real...` columns).
        path: the file to write.
        embeddings: per column, embeddings of its texts, for the 2-D map.
        rows: per column, its rows (`text`, `label`, optional `context` and `seed_text`), for
            the example texts.
        students: per training set, a student's results (`synthesizrr experiment`).
        sections: more sections, shown after the built-in ones.
    """
    title = f"SynthesizRR report: {metrics.get('task')}"
    page = render_page(title, [*report_sections(metrics, embeddings, rows, students), *sections])
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
