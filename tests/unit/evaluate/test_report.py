import base64
import re
import struct

import numpy as np
import pytest

from distilabel_synthesizrr.evaluate.report import Section, render_page, report_sections, write_report
from distilabel_synthesizrr.evaluate.report_examples import examples_html, pick_examples
from distilabel_synthesizrr.evaluate.report_students import students_html

HOSTILE = "<script>alert(1)</script>"


def _metrics():
    per_label = {"a": {"label_preservation": 0.9, "self_bleu5": 10.0, "mauve": 0.5},
                 "b": {"label_preservation": 0.7, "self_bleu5": 12.0, "mauve": 0.4}}
    run = {"n": 10, "self_bleu5": 11.0, "distinct2": 0.8, "label_preservation": 0.8, "mauve": 0.45,
           "seed_copy_rate": 0.1, "per_label": per_label}
    return {"task": "t<x>", "reference": "p:test", "sample_size": 10, "embedding_model": "m",
            "label_classifier": "lr", "runs": {"synthesizrr": run, "fewgen": {**run, "self_bleu5": 30.0}},
            "real (reference)": {**run, "seed_copy_rate": None}, "real_column": "a note, not a column"}


def _rows(n=5):
    return {
        "synthesizrr": [{"text": f"story {label} {i}", "label": label, "context": f"passage {label} {i}",
                         "seed_text": f"seed {label} {i}"} for label in "ab" for i in range(n)],
        "fewgen": [{"text": f"fewgen a {i}", "label": "a"} for i in range(n)],
    }


def _student(accuracy, matrix=None):
    out = {"accuracy": accuracy, "macro_f1": accuracy - 0.1, "train_examples": 8, "test_examples": 20,
           "per_class": {"a": {"f1": 0.5, "support": 10}, "b": {"f1": 0.25, "support": 10}}}
    if matrix is not None:
        out["confusion_matrix"] = matrix
    return out


def _png_sizes(page):
    """(width, height) of every embedded PNG, read from its IHDR chunk."""
    sizes = []
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', page):
        raw = base64.b64decode(data)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        sizes.append(struct.unpack(">II", raw[16:24]))
    return sizes


def test_report_is_self_contained_html_with_plots(tmp_path):
    rng = np.random.default_rng(0)
    path = write_report(_metrics(), tmp_path / "report.html", rows=_rows(),
                        embeddings={"synthesizrr": rng.normal(size=(10, 4)), "real (reference)": rng.normal(size=(10, 4))})
    page = path.read_text()
    assert page.startswith("<!doctype html>") and "t&lt;x&gt;" in page and "t<x>" not in page
    # The metric bars, the per-label panels and the map.
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "<th>fewgen</th>" in page and "<td>30</td>" in page and "<td>0.45</td>" in page
    body = page.split("<body>")[1]
    # Nothing fetched from elsewhere: no URL, script, stylesheet link or font.
    for fetch in ("http", "<script", "<link", "@import", "url(", "@font-face"):
        assert fetch not in body and fetch not in page.split("<body>")[0].split("<style>")[-1], fetch


def test_charts_are_drawn_to_be_read_at_their_natural_size(tmp_path):
    """The page column is 1,200 px: a wider image would be scaled down, and its fonts with it."""
    rng = np.random.default_rng(0)
    page = write_report(_metrics(), tmp_path / "report.html", embeddings={"synthesizrr": rng.normal(size=(10, 4))},
                        students={"x": _student(0.8, [[9, 1], [2, 8]])}).read_text()
    sizes = _png_sizes(page)
    assert len(sizes) == 4
    for width, height in sizes:
        assert 300 <= width <= 1200 and height > 200, (width, height)


def test_sections_come_in_reading_order_and_empty_ones_are_left_out():
    bare = report_sections(_metrics())
    assert [s.id for s in bare] == ["metrics", "charts", "per-label"]
    full = report_sections(_metrics(), embeddings={"fewgen": np.eye(4)}, rows=_rows(), students={"x": _student(0.8)})
    assert [s.id for s in full] == ["metrics", "students", "examples", "charts", "per-label", "map"]


def test_more_sections_follow_the_built_in_ones_with_a_link_each(tmp_path):
    extra = Section("datamap", "Data map <&>", "<p>fragment</p>")
    page = write_report(_metrics(), tmp_path / "report.html", sections=[extra]).read_text()
    assert '<a href="#datamap">Data map &lt;&amp;&gt;</a>' in page
    assert page.index('id="per-label"') < page.index('<section id="datamap"><h2>Data map &lt;&amp;&gt;</h2><p>fragment</p>')
    assert render_page("T", []).count("<section") == 0


def test_examples_are_side_by_side_per_label_with_their_passage_and_seed():
    fragment = examples_html(_rows(), k=3)
    assert 'grid-template-columns:repeat(2,minmax(0,1fr))' in fragment
    assert '<a href="#examples-a">a</a> <a href="#examples-b">b</a>' in fragment
    label_a, label_b = fragment.split('<h3 id="examples-b">')
    assert label_a.count('class="text">story a') == 3 and label_a.count('class="text">fewgen a') == 3
    assert "story b" not in label_a and label_b.count('class="text">story b') == 3
    # Each text with the passage and seed of its own row; fewgen rows have neither.
    for i in re.findall(r'class="text">story a (\d)', label_a):
        assert f'class="text">story a {i}</p><p class="source"><b>passage:</b> passage a {i}</p>' \
               f'<p class="source"><b>seed:</b> seed a {i}</p>' in label_a
    assert len(re.findall(r'class="text">fewgen a \d</p></div>', label_a)) == 3
    assert "no text of this label" in label_b  # fewgen wrote nothing of label b
    assert "(texts: synthesizrr: 5, fewgen: 0)" in label_b


def test_example_texts_are_escaped_never_markup():
    rows = {"<b>run</b>": [{"text": f"hi {HOSTILE}", "label": "x<y", "context": '<img src=x onerror="alert(2)">',
                            "seed_text": "a & b"}]}
    fragment = examples_html(rows)
    for raw in ("<script", "<img", "<b>run</b>", "x<y"):
        assert raw not in fragment
    assert "hi &lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in fragment and "a &amp; b" in fragment
    assert "&lt;b&gt;run&lt;/b&gt;" in fragment and 'id="examples-x-y"' in fragment


def test_long_texts_are_cut_and_the_draw_is_reproducible():
    passage = " ".join(f"p{i}" for i in range(200))
    rows = [{"text": " ".join(f"w{i}" for i in range(500)), "label": "a", "context": passage}]
    fragment = examples_html({"run": rows})
    assert "w119 …" in fragment and "w120" not in fragment
    # A long passage is folded: its first words, then (opened) up to 80 of them.
    assert ('<details class="source"><summary><b>passage:</b> <span class="teaser">p0 p1 p2 p3 p4 p5 p6 p7 p8 p9 '
            'p10 p11 p12 p13 …</span></summary>p0 p1 ') in fragment
    assert "p79 …</details>" in fragment and "p80" not in fragment
    many = [{"text": f"t{i}", "label": label} for i in range(40) for label in ("a", "b")]
    first = pick_examples(many, "a", 3)
    assert first == pick_examples(many, "a", 3) and len(first) == 3
    assert all(r["label"] == "a" for r in first)
    # A label's draw does not depend on the other labels' rows.
    assert first == pick_examples([r for r in many if r["label"] == "a"], "a", 3)
    assert examples_html({"run": []}) == ""


def test_students_show_accuracy_macro_f1_and_confusion_matrices():
    fragment = students_html({"synthesizrr": _student(0.8, [[9, 1], [3, 7]]), "seeds <only>": _student(0.6)})
    assert "<th>synthesizrr</th><td>8</td><td>20</td><td><b>0.800</b></td><td><b>0.700</b></td>" in fragment
    assert "<th>seeds &lt;only&gt;</th><td>8</td><td>20</td><td>0.600</td><td>0.500</td>" in fragment
    assert "<h3>F1 per label</h3>" in fragment and "<tr><th>b</th><td>0.250</td><td>0.250</td></tr>" in fragment
    assert fragment.count('<img src="data:image/png;base64,') == 1


@pytest.mark.parametrize("matrix", [None, [[1, 2, 3]]], ids=["none", "malformed"])
def test_students_without_a_confusion_matrix_get_the_tables_only(matrix):
    fragment = students_html({"s": _student(0.8, matrix)})
    assert "<table>" in fragment and "<img" not in fragment
    assert students_html({}) == ""
