from distilabel_synthesizrr import ExtractiveGenerate


def test_passage_becomes_the_example_cut_to_length(task):
    step = ExtractiveGenerate(task=task)
    step.load()
    passage = "Oil rose on Monday. " + "More words follow here. " * 20
    (row,) = next(step.process([{"context": passage, "label": "crude"}]))
    assert row["text"].startswith("Oil rose on Monday.") and row["text"].endswith(".")
    assert len(row["text"].split()) <= task.lengths.output_max_words
    assert row["method"] == "extractive" and row["label"] == "crude"
