"""The data map of a run (Swayamdipta et al., 2020): each row's confidence (y) against its
variability (x) over the epochs of `Cartography`'s student, coloured by label, with the rows it
filtered marked. Easy-to-learn rows sit top left, hard-to-learn (often mislabelled) bottom left,
ambiguous ones to the right."""

import base64
import html
import io
from typing import Any, Dict, List, Optional, Sequence

from distilabel_synthesizrr.evaluate.report import Section
from distilabel_synthesizrr.refine.cartography import DYNAMICS_COLUMNS
from distilabel_synthesizrr.run.rundir import SyntheticRun


def _scored(rows: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [r for r in rows if all(isinstance(r.get(c), (int, float)) for c in DYNAMICS_COLUMNS)]


def data_map_figure(kept: Sequence[Dict[str, Any]], dropped: Sequence[Dict[str, Any]] = (), title: str = ""):
    """The data map as a matplotlib figure (Agg), or None when no row has the `confidence` /
    `variability` / `correctness` columns (cartography was off). `dropped` rows with scores are
    those `Cartography` filtered; they are drawn as crosses."""
    kept, filtered = _scored(kept), _scored(dropped)
    if not kept and not filtered:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    title = title.replace("$", r"\$")  # a run's name is text, not mathtext
    labels = sorted({str(r["label"]) for r in [*kept, *filtered]})
    colors = plt.cm.tab10 if len(labels) <= 10 else plt.cm.tab20
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for i, label in enumerate(labels):
        color = colors(i % colors.N)
        for rows, marker, size, name in ((kept, "o", 12, label), (filtered, "x", 22, None)):
            mine = [r for r in rows if str(r["label"]) == label]
            if mine:
                ax.scatter([r["variability"] for r in mine], [r["confidence"] for r in mine], s=size, alpha=0.65,
                           color=color, marker=marker, linewidths=1 if marker == "x" else 0, label=name)
    if filtered:
        reasons = sorted({str(r.get("drop_reason")) for r in filtered})
        ax.scatter([], [], marker="x", color="black", label=f"filtered ({', '.join(reasons)})")
    for x, y, text in ((0.01, 0.97, "easy to learn"), (0.01, 0.03, "hard to learn"), (0.99, 0.5, "ambiguous")):
        ax.text(x, y, text, transform=ax.transAxes, fontsize=8, color="#555", ha="right" if x > 0.5 else "left",
                va="center", bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1})
    ax.set_xlim(left=0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("variability (std of the probability of the intended label over the epochs)", fontsize=8)
    ax.set_ylabel("confidence (mean probability of the intended label)", fontsize=8)
    ax.set_title(f"Data map{': ' + title if title else ''} ({len(kept)} kept, {len(filtered)} filtered)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, title="label", title_fontsize=7)
    return fig


def data_map(kept: Sequence[Dict[str, Any]], dropped: Sequence[Dict[str, Any]] = (), title: str = "") -> Optional[str]:
    """The data map (see `data_map_figure`) as a self-contained `<img src="data:image/png;base64,...">`
    fragment, or None when the rows have no training dynamics."""
    fig = data_map_figure(kept, dropped, title)
    if fig is None:
        return None
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    alt = html.escape(f"data map{' of ' + title if title else ''}", quote=True)
    return f'<img src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}" alt="{alt}">'


def data_map_section(runs: Sequence[SyntheticRun]) -> Optional[Section]:
    """The report section with the data map of every run that has training dynamics (None if
    none has: cartography was off)."""
    maps = [m for m in (data_map(run.rows, run.dropped, run.name) for run in runs) if m]
    if not maps:
        return None
    return Section("datamap", "Data maps", (
        "<p>Training dynamics of a student on each run's rows (dataset cartography, <code>refine.cartography</code>): "
        "rows low on confidence are the likeliest to be mislabelled; crosses are the rows cartography filtered.</p>"
        + "".join(maps)))


__all__ = ["data_map", "data_map_figure", "data_map_section"]
