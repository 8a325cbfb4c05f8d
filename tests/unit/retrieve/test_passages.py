"""The one way a stage opens the passage index and decides passages per seed."""

from distilabel_synthesizrr.data.sources import as_source
from distilabel_synthesizrr.retrieve.passages import PassageSelection, open_index, passages_per_seed
from distilabel_synthesizrr.retrieve.settings import DEFAULT_PASSAGES_PER_SEED, RetrieveSettings
from distilabel_synthesizrr.task import Lengths


def test_passages_per_seed_fill_the_budget_of_the_label_with_the_fewest_seeds():
    settings = RetrieveSettings()
    assert passages_per_seed(settings, 24, {"crude": 8, "interest": 4}) == 7  # 24 / 4, plus one for filtered ones
    assert passages_per_seed(settings, None, {"crude": 8}) == DEFAULT_PASSAGES_PER_SEED  # no budget
    assert passages_per_seed(RetrieveSettings(top_k=2), 24, {"crude": 1}) == 2  # the config's own
    assert PassageSelection.of(settings).top_k == DEFAULT_PASSAGES_PER_SEED  # a step built by hand


def test_open_index_takes_the_settings_bounds_else_the_task_s_else_the_generic_ones(corpus_file, tmp_path):
    corpus = [as_source(str(corpus_file))]
    own = open_index(RetrieveSettings(passage_min_words=7, index_dir=str(tmp_path)), corpus, Lengths(passage_max_words=30))
    assert (own.passage_min_words, own.passage_max_words) == (7, 30) and own.records
    generic = open_index(RetrieveSettings(index_dir=str(tmp_path)), corpus)
    assert (generic.passage_min_words, generic.passage_max_words) == (Lengths().passage_min_words,
                                                                     Lengths().passage_max_words)
    assert not generic.built  # the same corpus and engine: the saved index is reused
