"""The report's charts: matplotlib figures as self-contained PNG `data:` URIs.

Every figure is drawn WIDTH inches wide at DPI, so a report read at 1280 px shows it at its
natural size: the fonts set below stay legible (about 14 px) instead of being scaled down.
Legends sit outside the axes, where they hide no bar or point. Each column (a run, or the real
data) keeps one colour in every chart (`palette`).
"""

import base64
import io
import textwrap
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

DPI = 100
#: Inches: 1,150 px at DPI, within the page's 1,200 px column.
WIDTH = 11.5
FONTS = {"font.size": 11, "axes.titlesize": 12.5, "axes.labelsize": 11, "xtick.labelsize": 11,
         "ytick.labelsize": 11, "legend.fontsize": 11, "figure.titlesize": 13}
REAL_COLOR = "#555555"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display: a report is written by a server or a test as often as by a person
    import matplotlib.pyplot as plt

    return plt


def png(fig) -> str:
    """The figure as a `data:image/png;base64,...` URI (closes the figure)."""
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def value(metrics: Mapping[str, Any], key: str) -> Optional[float]:
    """A metric as a float, or None when it is missing or not a number."""
    v = metrics.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def palette(names: Sequence[str]) -> Dict[str, Any]:
    """One colour per column: tab10 for runs, grey for the real data (columns named `real...`)."""
    plt = _pyplot()
    colors: Dict[str, Any] = {}
    runs = [n for n in names if not n.startswith("real")]
    for i, name in enumerate(runs):
        colors[name] = plt.cm.tab10(i % 10)
    for name in names:
        colors.setdefault(name, REAL_COLOR)
    return colors


def metric_bars(columns: Mapping[str, Mapping[str, Any]], shown: Sequence[Tuple[str, str]],
                colors: Mapping[str, Any]) -> Optional[str]:
    """One horizontal bar chart per metric (three to a row), the column names read once per
    row, each bar labelled with its value. None when no column has any of the metrics."""
    shown = [(k, t) for k, t in shown if any(value(m, k) is not None for m in columns.values())]
    if not shown:
        return None
    plt = _pyplot()
    names = list(columns)
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    with plt.rc_context(FONTS):
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, (0.45 * len(names) + 1.3) * rows),
                                 squeeze=False, sharey=True, layout="constrained")
        y = np.arange(len(names))
        for ax, (key, title) in zip(axes.flat, shown):
            values = [value(columns[n], key) for n in names]
            bars = ax.barh(y, [v or 0.0 for v in values], color=[colors[n] for n in names])
            ax.bar_label(bars, labels=["n/a" if v is None else f"{v:.3g}" for v in values], padding=3)
            ax.set_title(textwrap.fill(title, 34), loc="left")  # a third of the width: long titles wrap
            ax.set_yticks(y, names)
            top = max(v or 0.0 for v in values)
            ax.set_xlim(0, top * 1.2 if top > 0 else 1.0)  # room for the value labels; all-zero bars on a 0-1 axis
            ax.spines[["top", "right"]].set_visible(False)
        axes[0, 0].invert_yaxis()  # the first column on top (once: the rows share their y axis)
        for ax in list(axes.flat)[len(shown):]:
            ax.axis("off")
        return png(fig)


def per_label_bars(columns: Mapping[str, Mapping[str, Any]], shown: Sequence[Tuple[str, str]],
                   colors: Mapping[str, Any]) -> Optional[str]:
    """Grouped bars per label, one panel per metric, one legend above the panels."""
    labels = sorted({label for m in columns.values() for label in (m.get("per_label") or {})})

    def per_label(name: str, label: str, key: str) -> Optional[float]:
        return value((columns[name].get("per_label") or {}).get(label) or {}, key)

    shown = [(k, t) for k, t in shown if any(per_label(n, lb, k) is not None for n in columns for lb in labels)]
    if not labels or not shown:
        return None
    plt = _pyplot()
    names = list(columns)
    width = 0.8 / len(names)
    x = np.arange(len(labels))
    # Each label has WIDTH / len(labels) inches: at about 10 characters an inch, longer names slant.
    rotation = 25 if max(len(lb) for lb in labels) > 10 * WIDTH / len(labels) else 0
    with plt.rc_context(FONTS):
        fig, axes = plt.subplots(len(shown), 1, figsize=(WIDTH, 2.9 * len(shown) + 0.6), sharex=True, squeeze=False,
                                 layout="constrained")
        for ax, (key, title) in zip(axes[:, 0], shown):
            for i, name in enumerate(names):
                values = [per_label(name, label, key) or 0.0 for label in labels]
                ax.bar(x + (i - (len(names) - 1) / 2) * width, values, width, label=name, color=colors[name])
            ax.set_title(f"{title}, per label", loc="left")
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
        axes[-1, 0].set_xticks(x, labels, rotation=rotation, ha="right" if rotation else "center")
        handles, names_shown = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, names_shown, loc="outside upper center", ncol=min(len(names), 5), frameon=False)
        return png(fig)


def embedding_map(embeddings: Mapping[str, Optional[np.ndarray]], colors: Mapping[str, Any]) -> Optional[str]:
    """Real and synthetic texts' embeddings projected to 2-D (PCA), the legend to the right."""
    parts = [(n, v) for n, v in embeddings.items() if v is not None and len(v)]
    if not parts or sum(len(v) for _, v in parts) < 3:
        return None
    from sklearn.decomposition import PCA

    plt = _pyplot()
    points = PCA(n_components=2, random_state=0).fit_transform(np.vstack([v for _, v in parts]))
    with plt.rc_context(FONTS):
        fig, ax = plt.subplots(figsize=(WIDTH * 0.8, 6.5), layout="constrained")
        start = 0
        for name, v in parts:
            p = points[start: start + len(v)]
            start += len(v)
            ax.scatter(p[:, 0], p[:, 1], s=28, alpha=0.7, label=f"{name} ({len(v)})",
                       marker="x" if name.startswith("real") else "o", color=colors.get(name, REAL_COLOR))
        ax.set_title("Real vs synthetic texts: embeddings projected to 2-D (PCA)", loc="left")
        fig.legend(loc="outside right upper", frameon=False, markerscale=1.5)
        ax.spines[["top", "right"]].set_visible(False)
        return png(fig)


def confusion_matrices(matrices: Mapping[str, Tuple[List[str], np.ndarray]]) -> Optional[str]:
    """Small multiples of confusion matrices (rows: true label, columns: predicted), shaded by
    the share of each true label, with the counts written in the cells."""
    if not matrices:
        return None
    plt = _pyplot()
    cols = min(3, len(matrices))
    rows = -(-len(matrices) // cols)
    n_labels = max(len(labels) for labels, _ in matrices.values())
    side = WIDTH / 3
    with plt.rc_context(FONTS):
        fig, axes = plt.subplots(rows, cols, figsize=(side * cols, side * rows), squeeze=False, layout="constrained")
        for ax, (name, (labels, matrix)) in zip(axes.flat, matrices.items()):
            matrix = np.asarray(matrix, dtype=float)
            shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
            ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
            ticks = np.arange(len(labels))
            ax.set_xticks(ticks, labels, rotation=45 if n_labels > 3 else 0, ha="right" if n_labels > 3 else "center")
            ax.set_yticks(ticks, labels)
            ax.set_xlabel("predicted")
            ax.set_ylabel("true")
            ax.set_title(name, loc="left")
            if len(labels) <= 12:
                for (i, j), count in np.ndenumerate(matrix):
                    ax.text(j, i, f"{count:.0f}", ha="center", va="center", fontsize=9 if n_labels > 6 else 11,
                            color="white" if shares[i, j] > 0.5 else "#222222")
        for ax in list(axes.flat)[len(matrices):]:
            ax.axis("off")
        return png(fig)
