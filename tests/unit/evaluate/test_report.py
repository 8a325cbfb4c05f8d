import numpy as np

from distilabel_synthesizrr.evaluate.report import write_report


def test_report_is_self_contained_html_with_plots(tmp_path):
    per_label = {"a": {"label_preservation": 0.9, "self_bleu5": 10.0, "mauve": 0.5},
                 "b": {"label_preservation": 0.7, "self_bleu5": 12.0, "mauve": 0.4}}
    run = {"n": 10, "self_bleu5": 11.0, "distinct2": 0.8, "label_preservation": 0.8, "mauve": 0.45,
           "seed_copy_rate": 0.1, "per_label": per_label}
    metrics = {"task": "t<x>", "reference": "p:test", "sample_size": 10, "embedding_model": "m",
               "label_classifier": "lr", "runs": {"synthesizrr": run, "fewgen": {**run, "self_bleu5": 30.0}},
               "real (reference)": {**run, "seed_copy_rate": None}, "real_column": "a note, not a column"}
    rng = np.random.default_rng(0)
    path = write_report(metrics, tmp_path / "report.html",
                        embeddings={"synthesizrr": rng.normal(size=(10, 4)), "real (reference)": rng.normal(size=(10, 4))})
    page = path.read_text()
    assert page.startswith("<!doctype html>") and "t&lt;x&gt;" in page
    assert page.count('<img src="data:image/png;base64,') == 5
    assert "<th>fewgen</th>" in page and "<td>30.0</td>" in page
    assert "http" not in page.split("<body>")[1]  # nothing fetched from elsewhere
