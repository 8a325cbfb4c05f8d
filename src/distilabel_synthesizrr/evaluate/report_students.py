"""The report's student results (written by `synthesizrr experiment`): accuracy and macro-F1 of
each student on the real test set, F1 per label, and confusion matrices.

A student's results are what `distill.student.classification_metrics` returns (`accuracy`,
`macro_f1`, `per_class`, plus `train_examples` and `test_examples`); a `confusion_matrix` (rows:
true labels, columns: predicted labels, both in `per_class` order) is drawn when present.
"""

import html
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from distilabel_synthesizrr.evaluate.report_charts import confusion_matrices, value


def _cell(v: Any, best: Optional[float] = None) -> str:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return "<td>-</td>"
    text = f"{v:.3f}" if isinstance(v, float) else str(v)
    return f"<td><b>{text}</b></td>" if best is not None and v == best else f"<td>{text}</td>"


def _best(students: Mapping[str, Mapping[str, Any]], key: str) -> Optional[float]:
    values = [v for v in (value(s, key) for s in students.values()) if v is not None]
    return max(values) if values else None


def _matrix(student: Mapping[str, Any]) -> Optional[Tuple[List[str], np.ndarray]]:
    """The student's confusion matrix with its labels, or None when it has none (or a malformed one)."""
    labels = list(student.get("per_class") or {})
    matrix = student.get("confusion_matrix")
    if not labels or matrix is None:
        return None
    matrix = np.asarray(matrix, dtype=float)
    return (labels, matrix) if matrix.shape == (len(labels), len(labels)) else None


def students_html(students: Mapping[str, Mapping[str, Any]]) -> str:
    """The students' results as tables (the best accuracy and macro-F1 in bold) and a figure
    of confusion matrices; "" when there are no students."""
    students = {name: s for name, s in students.items() if s}
    if not students:
        return ""
    best_acc, best_f1 = _best(students, "accuracy"), _best(students, "macro_f1")
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th>{_cell(s.get('train_examples'))}{_cell(s.get('test_examples'))}"
        f"{_cell(s.get('accuracy'), best_acc)}{_cell(s.get('macro_f1'), best_f1)}</tr>"
        for name, s in students.items()
    )
    parts = [
        "<p>A SetFit student trained on each training set and tested on the same real test examples "
        "(<i>gold</i>: as many real training examples; <i>seeds only</i>: the seeds alone).</p>",
        "<table><tr><th>training data</th><th>training examples</th><th>test examples</th><th>accuracy</th>"
        f"<th>macro-F1</th></tr>{rows}</table>",
    ]
    labels: List[str] = []
    for s in students.values():
        labels += [label for label in (s.get("per_class") or {}) if label not in labels]
    if labels:
        head = "".join(f"<th>{html.escape(name)}</th>" for name in students)
        body = "".join(
            f"<tr><th>{html.escape(label)}</th>"
            + "".join(_cell(((s.get("per_class") or {}).get(label) or {}).get("f1")) for s in students.values())
            + "</tr>"
            for label in labels
        )
        parts.append(f"<h3>F1 per label</h3><table><tr><th>label</th>{head}</tr>{body}</table>")
    matrices: Dict[str, Tuple[List[str], np.ndarray]] = {}
    for name, s in students.items():
        found = _matrix(s)
        if found is not None:
            matrices[name] = found
    image = confusion_matrices(matrices)
    if image:
        parts.append('<h3>Confusion matrices</h3><p>Rows: the true label; columns: the predicted one; shading: the '
                     f'share of the row.</p><img src="{image}" alt="confusion matrices of the students">')
    return "".join(parts)
