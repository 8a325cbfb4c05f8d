import json
import os
from pathlib import Path

import pytest

# Real caches for the shipped data (downloaded once per machine), a fresh cache per test
# session for indexes and distilabel's pipeline cache.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CORPUS = [
    "Oil prices rose sharply on Monday after OPEC members agreed to cut crude output by one million barrels a day. "
    "Saudi Arabia said it would lead the cuts. Analysts expect prices to rise further this month.",
    "Crude oil futures fell as US inventories grew more than expected. Refiners said demand for gasoline was weak. "
    "Traders now watch the next OPEC meeting in Vienna closely.",
    "The central bank raised its benchmark interest rate by a quarter point to fight inflation. "
    "Bond yields climbed after the decision. Economists expect one more rate rise this year.",
    "Interest rates on mortgages hit a ten year high as the central bank kept rates unchanged. "
    "Home buyers face higher monthly payments. Lenders expect demand for loans to slow.",
    "The company reported record quarterly earnings and raised its dividend. Net profit rose twelve percent "
    "on strong sales. Shares gained four percent in early trading.",
    "Acme Corp agreed to acquire Widget Inc for two billion dollars in cash. The merger needs approval from "
    "regulators. Widget shareholders will receive forty dollars a share.",
    "Wheat harvests in the plains were hurt by drought this summer. Farmers expect corn exports to fall. "
    "Grain prices rose on the Chicago board of trade.",
    "The football season opened with a surprise win for the home team. Fans filled the stadium. "
    "The coach praised the young quarterback after the game.",
]

SEEDS = [
    ("opec agrees to cut crude oil output saudi arabia leads the cuts as oil prices rise", "crude"),
    ("crude oil inventories grow and oil futures fall ahead of opec meeting", "crude"),
    ("central bank raises interest rate to fight inflation bond yields climb", "interest"),
    ("mortgage interest rates hit high as central bank holds rates", "interest"),
]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    shared = Path(os.environ.get("SYNTHESIZRR_TEST_DATA_CACHE", str(Path.home() / ".cache" / "distilabel-synthesizrr")))
    cache = tmp_path_factory.getbasetemp() / "cache"
    cache.mkdir(exist_ok=True)
    for sub in ("wheels", "data", "models"):
        link = cache / sub
        (shared / sub).mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(shared / sub)
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(cache))
    monkeypatch.setenv("DISTILABEL_CACHE_DIR", str(cache / "distilabel"))


@pytest.fixture
def corpus_file(tmp_path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"doc-{i}", "text": t}) for i, t in enumerate(CORPUS)) + "\n")
    return path


@pytest.fixture
def seeds_file(tmp_path) -> Path:
    path = tmp_path / "seeds.csv"
    path.write_text("text,label\n" + "".join(f'"{t}",{label}\n' for t, label in SEEDS))
    return path


@pytest.fixture
def task():
    from distilabel_synthesizrr.presets import TaskSpec

    return TaskSpec(
        name="tiny_news",
        labels={"crude": "about crude oil", "interest": "about interest rates"},
        prompts={
            "system": "You are a news editor.",
            "context_header": "News article:",
            "instruction": "Rewrite the article above as a short news story {verbalization}. If you cannot, answer {refusal}.",
            "fewgen_instruction": "Write a short news story {verbalization}.",
            "output_prefix": "Story:",
            "refusal": "UNABLE TO WRITE",
        },
        lengths={"passage_min_words": 5, "passage_max_words": 60, "demonstration_max_words": 30,
                 "output_min_words": 3, "output_max_words": 40, "max_new_tokens": 32},
    )


@pytest.fixture
def config_dict(task, corpus_file, seeds_file) -> dict:
    return {
        "task": task.model_dump(),
        "data": {"seeds": str(seeds_file), "corpus": [str(corpus_file)]},
        "seeds_per_label": 2,
        "generation": {"mode": "retricl", "shots": 1},
        "retrieval": {"similarity_band": [0.0, 0.9]},
        "teacher": {"kind": "extractive", "max_concurrency": 4},
    }
