"""The report's example texts: per label, a few texts of every column (run, or the real data)
side by side, each with the passage (`context`) and the seed (`seed_text`) it came from.

Generated texts are untrusted model output: every string goes through `html.escape` and is shown
as text, never as markup.
"""

import html
import re
from typing import Any, Dict, List, Mapping, Sequence

from distilabel_synthesizrr.data.sources import sample_up_to

#: Texts shown per label and column.
PER_LABEL = 3
#: Words shown: a text; the passage folded (its first words, a click opens the rest); the seed.
TEXT_WORDS = 120
TEASER_WORDS = 14
PASSAGE_WORDS = 80
SEED_WORDS = 40

CSS = """
.labels a{margin-right:.8em}
.examples{display:grid;gap:12px;margin:.5em 0 1.5em}
.examples h4{margin:0 0 6px;font-size:15px;overflow-wrap:anywhere}
.example{border:1px solid #ddd;border-radius:6px;padding:8px 10px;margin:0 0 10px;background:#fff}
.example .text{margin:0 0 6px;white-space:pre-wrap;overflow-wrap:anywhere}
.example .source{margin:4px 0 0;font-size:13px;color:#555;white-space:pre-wrap;overflow-wrap:anywhere}
.example .source b{color:#333;font-weight:600}
.example summary{cursor:pointer}
.example details[open] .teaser{display:none}
.examples .none{color:#888;font-style:italic}
"""


def _cut(text: Any, words: int) -> str:
    """The first `words` words of `text` (with an ellipsis when cut), whitespace kept."""
    text = "" if text is None else str(text)
    found = list(re.finditer(r"\S+", text))
    return text if len(found) <= words else text[: found[words - 1].end()] + " …"


def anchor(label: str) -> str:
    """The id of a label's examples (ids hold no spaces)."""
    return "examples-" + re.sub(r"[^\w-]+", "-", label)


def pick_examples(rows: Sequence[Mapping[str, Any]], label: str, k: int = PER_LABEL) -> List[Mapping[str, Any]]:
    """`k` rows of `label` with a text, drawn at random but the same on every report of the
    same rows (the draw depends on the label, not on the other labels)."""
    of_label = [r for r in rows if str(r.get("label")) == label and r.get("text")]
    return sample_up_to(of_label, k, sum(map(ord, label)))


def _passage(text: str) -> str:
    if len(text.split()) <= TEASER_WORDS:
        return f'<p class="source"><b>passage:</b> {html.escape(text)}</p>'
    return (f'<details class="source"><summary><b>passage:</b> <span class="teaser">'
            f'{html.escape(_cut(text, TEASER_WORDS))}</span></summary>{html.escape(_cut(text, PASSAGE_WORDS))}</details>')


def _example(row: Mapping[str, Any]) -> str:
    parts = [f'<p class="text">{html.escape(_cut(row.get("text"), TEXT_WORDS))}</p>']
    if row.get("context"):
        parts.append(_passage(str(row["context"])))
    if row.get("seed_text"):
        parts.append(f'<p class="source"><b>seed:</b> {html.escape(_cut(row["seed_text"], SEED_WORDS))}</p>')
    return f'<div class="example">{"".join(parts)}</div>'


def examples_html(rows: Mapping[str, Sequence[Mapping[str, Any]]], k: int = PER_LABEL) -> str:
    """Per label, `k` texts of every column side by side (a column per run or real data set),
    or "" when no column has rows."""
    rows = {name: list(r) for name, r in rows.items() if r}
    if not rows:
        return ""
    labels = sorted({str(r.get("label")) for rs in rows.values() for r in rs if r.get("label") is not None})
    columns = f"grid-template-columns:repeat({len(rows)},minmax(0,1fr))"
    blocks: List[str] = []
    for label in labels:
        picked: Dict[str, List[Mapping[str, Any]]] = {name: pick_examples(rs, label, k) for name, rs in rows.items()}
        cells = []
        for name, examples in picked.items():
            body = "".join(_example(r) for r in examples) or '<p class="none">no text of this label</p>'
            cells.append(f"<div><h4>{html.escape(name)}</h4>{body}</div>")
        count = ", ".join(f"{html.escape(n)}: {sum(1 for r in rs if str(r.get('label')) == label)}"
                          for n, rs in rows.items())
        blocks.append(f'<h3 id="{anchor(label)}">{html.escape(label)} <small>(texts: {count})</small></h3>'
                      f'<div class="examples" style="{columns}">{"".join(cells)}</div>')
    links = " ".join(f'<a href="#{anchor(label)}">{html.escape(label)}</a>' for label in labels)
    intro = (f"<p>Up to {k} texts per label from each column, drawn at random (the same ones on every report of "
             "the same data). Under each text, the passage it was written from (click to read it all) and the seed "
             "that retrieved the passage, where the method has them. All of it is shown as plain text.</p>"
             f'<p class="labels">Labels: {links}</p>')
    return intro + "".join(blocks)
