"""RetrICL demonstrations as the plan draws them."""

from tests.conftest import SEEDS

from distilabel_synthesizrr.generate.demonstrations import build_retricl_demonstrations
from distilabel_synthesizrr.retrieve.passages import PassageIndex


def _index(corpus_file, tmp_path):
    from distilabel_synthesizrr.data.sources import as_source

    return PassageIndex([as_source(str(corpus_file))], index_dir=tmp_path / "idx", passage_min_words=5).load()


def test_demonstrations_pair_each_seed_with_a_passage_in_the_band(corpus_file, tmp_path):
    seeds = [{"text": t, "label": y} for t, y in SEEDS]
    demos = build_retricl_demonstrations(_index(corpus_file, tmp_path), seeds, (1, 3), (0.05, 0.9))
    assert [d.label for d in demos] == [y for _, y in SEEDS]
    assert all(d.context and d.text == seed["text"] for d, seed in zip(demos, seeds))


def test_a_label_short_of_demonstrations_in_the_band_takes_closest_passages_below_it(corpus_file, tmp_path):
    seeds = [{"text": t, "label": y} for t, y in SEEDS]
    index = _index(corpus_file, tmp_path)
    assert build_retricl_demonstrations(index, seeds, (1, 3), (0.8, 0.9)) == []
    demos = build_retricl_demonstrations(index, seeds, (1, 3), (0.8, 0.9), shots=2)
    assert sorted(d.label for d in demos) == ["crude", "crude", "interest", "interest"]
