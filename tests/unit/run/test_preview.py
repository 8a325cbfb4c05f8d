from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.preview import preview_config, print_preview


def test_preview_counts_narrow_down(config_dict):
    preview = preview_config(config_from_dict(config_dict), samples=1)
    assert [p.label for p in preview.labels] == ["crude", "interest"]
    assert preview.corpus_size == 8
    for p in preview.labels:
        assert p.seeds == 2
        assert p.retrieved >= p.in_band >= p.label_agrees
        assert p.usable >= 1 and len(p.samples) == 1
    crude = preview.labels[0]
    assert "oil" in crude.samples[0].lower() or "opec" in crude.samples[0].lower()


def test_preview_warns_when_a_label_finds_nothing(config_dict):
    config_dict["retrieval"]["similarity_band"] = [0.99, 1.0]
    preview = preview_config(config_from_dict(config_dict))
    assert all(p.usable == 0 for p in preview.labels)
    lines = []
    print_preview(preview, echo=lines.append)
    assert any(line.startswith("warning: crude: no usable passage") for line in lines)
    assert any("judge agrees" in line for line in lines)


def test_preview_of_a_budget_reports_shortfalls(config_dict):
    config_dict["budget"] = 40
    preview = preview_config(config_from_dict(config_dict))
    assert all(p.budget == 20 and p.usable < 20 for p in preview.labels)
    assert any("usable passages for a budget of 20" in w for w in preview.warnings)


def test_a_preview_under_another_selection_is_the_preview_of_that_config(config_dict):
    """`init` turns the label check on from its preview and shows the preview again: only the
    selection is computed again, and it must say what a fresh preview of the new config says."""
    preview = preview_config(config_from_dict(config_dict))
    config_dict["retrieval"]["label_check"] = True
    config_dict["budget"] = 2
    other = config_from_dict(config_dict)
    again = preview.under(other)
    assert again.labels == preview_config(other).labels and again.config is other
    assert [p.usable for p in again.labels] == [1, 1] != [p.usable for p in preview.labels]


def test_preview_suggests_the_label_check_under_inits_threshold(config_dict):
    from dataclasses import replace

    from distilabel_synthesizrr.run.preview import LABEL_CHECK_BELOW, LabelPreview

    config_dict["retrieval"]["label_check"] = False
    preview = preview_config(config_from_dict(config_dict))
    at = {share: LabelPreview(label="crude", seeds=2, in_band=100, label_agrees=round(share * 100), usable=5)
          for share in (LABEL_CHECK_BELOW - 0.05, LABEL_CHECK_BELOW)}
    suggests = {share: any("consider retrieval.label_check: true" in w for w in replace(preview, labels=[p]).warnings)
                for share, p in at.items()}
    assert suggests == {LABEL_CHECK_BELOW - 0.05: True, LABEL_CHECK_BELOW: False}
    checked = replace(preview, labels=[at[LABEL_CHECK_BELOW - 0.05]],
                      config=config_from_dict({**config_dict, "retrieval": {**config_dict["retrieval"], "label_check": True}}))
    assert not any("consider" in w for w in checked.warnings)  # nothing to suggest when it is on
