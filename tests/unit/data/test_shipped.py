from collections import Counter

from distilabel_synthesizrr.data import load_shipped


def test_reuters_r8_has_the_eight_topics():
    test = load_shipped("reuters_r8", "test")
    assert len(test) == 2189
    assert set(Counter(r["label"] for r in test)) == {
        "earn", "acq", "crude", "trade", "money-fx", "interest", "ship", "grain"}


def test_rotten_tomatoes_test_movies_are_held_out():
    train, test = load_shipped("rotten_tomatoes", "train"), load_shipped("rotten_tomatoes", "test")
    assert {r["label"] for r in train} == {"fresh", "rotten"}
    assert len(train) + len(test) == 7403 + 5405
    assert 0.1 < len(test) / (len(train) + len(test)) < 0.3
    plots = load_shipped("rotten_tomatoes", "plots")
    assert len(plots) == 1097 and plots[0]["label"] is None


def test_second_load_reads_the_cache(tmp_path, monkeypatch):
    first = load_shipped("news_articles")
    assert len(first) > 3800
    import distilabel_synthesizrr.data.shipped as shipped

    monkeypatch.setattr(shipped, "_LOADERS", {**shipped._LOADERS, "news_articles": None})
    assert load_shipped("news_articles") == first


def test_fortunes_test_quarter_is_held_out_of_seeds_and_corpus():
    from distilabel_synthesizrr.data.shipped import FORTUNE_LABELS

    train, test = load_shipped("fortunes", "train"), load_shipped("fortunes", "test")
    corpus = load_shipped("fortunes", "corpus")
    assert {r["label"] for r in train} == {r["label"] for r in test} == set(FORTUNE_LABELS)
    assert 0.2 < len(test) / (len(train) + len(test)) < 0.3
    test_texts = {r["text"] for r in test}
    assert not test_texts & {r["text"] for r in train}
    assert not test_texts & {r["text"] for r in corpus}
    assert len(corpus) > 10_000 and all(r["label"] is None for r in corpus)
    assert all("\n" not in r["text"] and r["text"] != "%" for r in corpus)
