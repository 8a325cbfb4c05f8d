"""A self-contained `report.html`: the metrics table, bar charts per metric, a per-label
breakdown, and a 2-D map of real vs synthetic texts (PNG images embedded as base64)."""

import base64
import html
import io
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

OVERALL = [
    ("self_bleu5", "Self-BLEU-5 (lower = more diverse)"),
    ("distinct2", "distinct-2 (higher = more diverse)"),
    ("entity_entropy", "entity entropy, bits (higher = more diverse)"),
    ("mauve", "MAUVE vs real texts (higher = more human-like)"),
    ("mean_pairwise_cosine", "mean pairwise cosine (lower = more diverse)"),
    ("label_preservation", "label preservation (higher = labels kept)"),
    ("seed_copy_rate", "near-copies of seeds, share (lower = less copying)"),
    ("context_copy_rate", "copies of own passage, share (lower = more rewriting)"),
    ("student_accuracy", "student accuracy on the real test set"),
    ("student_macro_f1", "student macro-F1 on the real test set"),
]


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _value(metrics: Dict[str, Any], key: str) -> Optional[float]:
    v = metrics.get(key)
    return float(v) if isinstance(v, (int, float)) else None


def _bars(columns: Dict[str, Dict[str, Any]]) -> Optional[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(k, t) for k, t in OVERALL if any(_value(m, k) is not None for m in columns.values())]
    if not shown:
        return None
    cols = 3
    rows = (len(shown) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    names = list(columns)
    colors = plt.cm.tab10(np.arange(len(names)) % 10)
    for ax, (key, title) in zip(axes.flat, shown):
        values = [_value(columns[n], key) or 0.0 for n in names]
        ax.bar(range(len(names)), values, color=colors)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)


def _per_label(columns: Dict[str, Dict[str, Any]], key: str, title: str) -> Optional[str]:
    import matplotlib.pyplot as plt

    labels = sorted({label for m in columns.values() for label in (m.get("per_label") or {})})
    if not labels or not any(
        _value((m.get("per_label") or {}).get(label, {}), key) is not None for m in columns.values() for label in labels
    ):
        return None
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(labels) * max(1, len(columns)) / 2), 3.2))
    width = 0.8 / len(columns)
    for i, (name, m) in enumerate(columns.items()):
        values = [_value((m.get("per_label") or {}).get(label, {}), key) or 0.0 for label in labels]
        ax.bar(np.arange(len(labels)) + i * width, values, width, label=name)
    ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2, labels, rotation=30, ha="right")
    ax.set_title(f"{title} per label", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def _map(embeddings: Dict[str, np.ndarray]) -> Optional[str]:
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    parts = [(n, v) for n, v in embeddings.items() if v is not None and len(v)]
    if not parts or sum(len(v) for _, v in parts) < 3:
        return None
    stacked = np.vstack([v for _, v in parts])
    points = PCA(n_components=2, random_state=0).fit_transform(stacked)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    start = 0
    for name, v in parts:
        p = points[start : start + len(v)]
        start += len(v)
        ax.scatter(p[:, 0], p[:, 1], s=9, alpha=0.6, label=f"{name} ({len(v)})",
                   marker="x" if name.startswith("real") else "o")
    ax.set_title("Real vs synthetic texts: embeddings projected to 2-D (PCA)", fontsize=10)
    ax.legend(fontsize=7)
    return _png(fig)


def _table(columns: Dict[str, Dict[str, Any]]) -> str:
    keys = [(k, t) for k, t in OVERALL if any(_value(m, k) is not None for m in columns.values())]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in columns)
    body = []
    for key, title in [("n", "examples"), *keys]:
        cells = "".join(
            f"<td>{'' if columns[n].get(key) is None else html.escape(str(columns[n].get(key)))}</td>" for n in columns
        )
        body.append(f"<tr><th>{html.escape(title)}</th>{cells}</tr>")
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(body)}</table>"


def write_report(metrics: Dict[str, Any], path: Path, embeddings: Optional[Dict[str, np.ndarray]] = None) -> Path:
    """Writes the HTML report of `evaluate_runs`' output."""
    columns: Dict[str, Dict[str, Any]] = dict(metrics.get("runs", {}))
    for key, value in metrics.items():
        if key.startswith("real") and isinstance(value, dict):  # the real-data column(s)
            columns[key] = value
    images: List[str] = []
    for image in (
        _bars(columns),
        _per_label(columns, "label_preservation", "Label preservation"),
        _per_label(columns, "self_bleu5", "Self-BLEU-5"),
        _per_label(columns, "mauve", "MAUVE"),
        _map(embeddings or {}),
    ):
        if image:
            images.append(f'<img src="{image}" alt="plot">')
    notes = (
        f"Task <b>{html.escape(str(metrics.get('task')))}</b>; reference {html.escape(str(metrics.get('reference')))}; "
        f"costly metrics on at most {metrics.get('sample_size')} texts per run; embeddings: "
        f"{html.escape(str(metrics.get('embedding_model')))}; label preservation: "
        f"{html.escape(str(metrics.get('label_classifier')))}. "
        "A method can win on some metrics by copying (see the copy rates), and the retrieval corpus "
        "dominates results: read the figures together."
    )
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>SynthesizRR report: {html.escape(str(metrics.get('task')))}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
th:first-child{{text-align:left}}img{{max-width:100%;display:block;margin:1em 0}}</style></head>
<body><h1>SynthesizRR report</h1><p>{notes}</p>{_table(columns)}{''.join(images)}</body></html>"""
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
