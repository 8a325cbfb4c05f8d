import importlib.util
import json
import logging
import os
from pathlib import Path

import pytest

from tests.browser import chromium  # noqa: F401  (the headless-browser fixture, for every test module)

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


#: Tests marked `requires_module(NAME, install=HOW)` need an optional dependency (ray, xllamacpp).
#: The README's test command (`bash scripts/test.sh`, also CI's) installs all of them, so a missing
#: one is a broken environment: such tests FAIL rather than skip, so that none vanishes silently.
#: Set SYNTHESIZRR_ALLOW_SKIP=1 to skip them instead (e.g. a quick run without the [ray] extra or
#: the local teacher); the skips are listed at the end of the run.
ALLOW_SKIP_ENV = "SYNTHESIZRR_ALLOW_SKIP"

#: Caches that are expensive and keyed by what they hold: downloads (shipped data, wheels,
#: models) are shared with the machine's real cache; indexes and embeddings (keyed by a hash of
#: their texts and settings) are built once per test session. Everything that holds the state of
#: a run (checkpoints, work and pipeline folders, logs, distilabel's cache) is private to each test:
#: a run's key leaves out the teacher's URL, so a shared checkpoint would answer another test's
#: identical run and make its request counts depend on test order.
DOWNLOADS = ("wheels", "debs", "data", "models")
SESSION_CACHES = ("indexes", "embeddings")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"requires_module(name, install): fails when the module is missing (skips with {ALLOW_SKIP_ENV}=1)")


#: Test modules with a module-scoped fixture that makes a run.
MODULE_RUNS = ("test_signals", "test_distill_evaluate", "test_console", "test_hub")


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """The test command runs the suite in two pytest-xdist workers (`-n 2 --dist loadgroup`): the
    tests of one real server share a worker, so that a session starts it once (the Argilla server)
    or two never compete for the cores (the local teacher's llama.cpp); so do the tests of a module
    whose module-scoped fixture makes a run (made once, not once per worker: ~20 s each). The
    own-task module joins the Argilla group, which one of its tests needs. Every other test goes
    to whichever worker is free."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if "argilla_server" in item.fixturenames or module == "test_own_task":
            item.add_marker(pytest.mark.xdist_group("argilla"))
        elif item.get_closest_marker("local_teacher"):
            item.add_marker(pytest.mark.xdist_group("local_teacher"))
        elif module in MODULE_RUNS:
            item.add_marker(pytest.mark.xdist_group(module))


#: Modules whose every test is in a group (the local teacher's; Argilla's review tests).
GROUPED_MODULES = ("test_local_teacher.py", "test_review.py")


@pytest.hookimpl(optionalhook=True)  # a run without xdist (-p no:xdist) has no such hook
def pytest_xdist_node_collection_finished(node, ids):
    """The groups above must reach xdist: with `--dist loadgroup` a worker's test ids carry their
    group (`...@argilla`). pytest-xdist 3.8 writes them where pytest 9.2 no longer reads them (why
    pyproject pins pytest below 9), and nothing else would say so: two workers would start the
    same server, and its tests would fail now and then."""
    if node.config.getvalue("dist") == "loadgroup":
        lost = [i for i in ids if i.split("::")[0].endswith(GROUPED_MODULES) and "@" not in i]
        if lost:
            pytest.exit(f"pytest-xdist did not apply the test groups (e.g. {lost[0]}): use the pytest version "
                        "pyproject.toml allows (scripts/setup.sh installs it).", returncode=4)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture: fail (or, with SYNTHESIZRR_ALLOW_SKIP=1, skip) a test whose
    `requires_module` dependency is not installed."""
    for marker in item.iter_markers("requires_module"):
        name = marker.args[0]
        if importlib.util.find_spec(name) is None:
            message = f"{name} is not installed ({marker.kwargs.get('install', 'bash scripts/setup.sh')})"
            if os.environ.get(ALLOW_SKIP_ENV) == "1":
                pytest.skip(f"{message}; skipped because {ALLOW_SKIP_ENV}=1")
            pytest.fail(f"{message}. scripts/test.sh installs it; set {ALLOW_SKIP_ENV}=1 to skip such tests instead.",
                        pytrace=False)


def _shared_root() -> Path:
    return Path(os.environ.get("SYNTHESIZRR_TEST_DATA_CACHE", str(Path.home() / ".cache" / "distilabel-synthesizrr")))


def _make_cache(root: Path, links: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for sub, target in links.items():
        target.mkdir(parents=True, exist_ok=True)
        link = root / sub
        if not link.exists():
            link.symlink_to(target)
    return root


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    """This session's cache root: downloads linked to the real cache, fresh indexes and embeddings."""
    shared = _shared_root()
    root = tmp_path_factory.getbasetemp() / "cache"
    return _make_cache(root, {sub: shared / sub for sub in DOWNLOADS})


@pytest.fixture(scope="session", autouse=True)
def _session_cache_env(session_cache):
    """The session cache for fixtures wider than a test (module-scoped runs), which are set up
    before the per-test cache below: they must not write to the machine's real cache either."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNTHESIZRR_CACHE_DIR", str(session_cache))
        mp.setenv("DISTILABEL_CACHE_DIR", str(session_cache / "distilabel"))
        yield


@pytest.fixture(autouse=True)
def synthesizrr_cache(session_cache, tmp_path_factory, monkeypatch) -> Path:
    """This test's own cache root (SYNTHESIZRR_CACHE_DIR): its own checkpoints, work folders
    and logs; downloads, indexes and embeddings linked to the shared ones (see DOWNLOADS)."""
    root = _make_cache(tmp_path_factory.mktemp("cache-"),
                       {sub: (session_cache / sub).resolve() for sub in DOWNLOADS + SESSION_CACHES})
    monkeypatch.setenv("SYNTHESIZRR_CACHE_DIR", str(root))
    monkeypatch.setenv("DISTILABEL_CACHE_DIR", str(root / "distilabel"))
    return root


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
    from distilabel_synthesizrr.task import TaskSpec

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


@pytest.fixture
def clock(monkeypatch):
    """A frozen monotonic clock for the console's bars: a test moves time by changing `clock[0]`."""
    from distilabel_synthesizrr.common import bars, console

    now = [1000.0]
    for module in (bars, console):
        monkeypatch.setattr(module.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def default_levels():
    """These loggers at their default level for the test: a pipeline run without a console earlier
    in this process (a test calling `run_synthesis`) leaves distilabel's CRITICAL on `datasets`."""
    loggers = [logging.getLogger(name) for name in
               ("distilabel.pipeline", "distilabel.step.generate", "distilabel_synthesizrr.run", "datasets")]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
    yield
    for logger, level in zip(loggers, saved):
        logger.setLevel(level)


def wait_for(predicate, seconds: float) -> bool:
    """Polls `predicate` until it holds or `seconds` pass; returns its last value."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
