"""A run reads its seeds file once and searches its corpus once: the plan does both, and the
pipeline gets the seeds and the search from it (the pipeline's steps run in forked worker
processes, so the calls are counted in a file that every process appends to)."""

from pathlib import Path

import pytest

from distilabel_synthesizrr.data import sources
from distilabel_synthesizrr.retrieve.engines.bm25 import Bm25sRetriever
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.execute import run_synthesis
from distilabel_synthesizrr.testing import ScriptedLLM


@pytest.fixture
def calls(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    log.touch()

    def record(what: str) -> None:
        with log.open("a") as f:
            f.write(what + "\n")

    load_path, search = sources._load_path, Bm25sRetriever.search

    def counted_load_path(path, src):
        record(f"read {Path(path).name}")
        return load_path(path, src)

    def counted_search(self, queries, k):
        record(f"search {len(queries)}")
        return search(self, queries, k)

    monkeypatch.setattr(sources, "_load_path", counted_load_path)
    monkeypatch.setattr(Bm25sRetriever, "search", counted_search)
    return lambda: log.read_text().splitlines()


@pytest.mark.parametrize("llm", [None, ScriptedLLM()], ids=["extractive", "scripted"])
def test_a_run_reads_its_seeds_once_and_searches_its_corpus_once(config_dict, tmp_path, calls, llm):
    config = config_from_dict({**config_dict, "retrieval": {**config_dict["retrieval"], "index_dir": str(tmp_path / "ix")}})
    result = run_synthesis(config, tmp_path / "out", llm=llm, limit=8, resume=False)
    assert result.summary.generated > 0
    log = calls()
    assert log.count("read seeds.csv") == 1, log
    # RetrICL demonstrations (rank window 1..3) are served from the plan's search (ranks 1..50).
    assert [line for line in log if line.startswith("search")] == ["search 4"], log


def test_the_search_is_kept_with_the_index(config_dict, tmp_path, calls):
    from distilabel_synthesizrr.retrieve.passages import PassageIndex

    config = config_from_dict(config_dict)
    ix = tmp_path / "ix"
    queries = ["opec cuts crude output", "central bank raises rates"]
    first = PassageIndex(config.data.corpus, index_dir=ix).load()
    wide = first.search(queries, 5)
    again = PassageIndex(config.data.corpus, index_dir=ix).load()  # another process would start like this
    narrow = again.search(queries, 2)
    assert (narrow[0] == wide[0][:, :2]).all() and (narrow[1] == wide[1][:, :2]).all()
    assert [line for line in calls() if line.startswith("search")] == ["search 2"]
    again.search(queries, 8)  # a deeper search than the saved one searches again
    assert [line for line in calls() if line.startswith("search")] == ["search 2", "search 2"]
