"""How progress reads: durations, rates, ETAs and a bar's plain line."""

import pytest

from distilabel_synthesizrr.common import bars
from distilabel_synthesizrr.common.bars import Bar, duration, eta, throughput


@pytest.mark.parametrize("seconds, text", [(0.4, "0 s"), (42.4, "42 s"), (185, "3 min 5 s"), (3720, "1 h 2 min")])
def test_duration(seconds, text):
    assert duration(seconds) == text


def test_throughput_and_eta():
    assert throughput(8, 16.0, "examples") == "0.50 examples/s"
    assert throughput(1500, 10.0, "tokens") == "150 tokens/s"
    assert throughput(0, 10.0, "examples") == "" and throughput(3, 0.0) == ""
    assert eta(8, 16.0, 16) == "ETA 32 s"
    assert eta(8, 16.0, 0) == "" and eta(0, 16.0, 16) == ""


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(bars.time, "monotonic", lambda: now[0])
    return now


def test_line_of_a_bar_from_waiting_to_done(clock):
    bar = Bar(None, "generate", 24, "examples")
    assert bar.line() == "generate: 0/24 examples (0%), waiting"
    bar.start()
    clock[0] += 5
    assert bar.line() == "generate: 0/24 examples (0%), 5 s"
    bar.update(8, info="0.50 examples/s, ETA 32 s")
    assert bar.line() == "generate: 8/24 examples (33%), 5 s, 0.50 examples/s, ETA 32 s"
    bar.update(advance=16, info="0.52 examples/s")
    clock[0] += 41
    bar.close()
    assert bar.line() == "generate: 24/24 examples (100%), done in 46 s, 0.52 examples/s"
    bar.update(30)  # a closed bar keeps its end
    assert bar.done == 24


def test_a_bar_left_by_an_error_says_so(clock):
    with pytest.raises(RuntimeError), Bar(None, "refine", 10, "rows") as bar:
        bar.start()
        bar.update(4)
        raise RuntimeError("boom")
    assert bar.status == "stopped" and bar.line().startswith("refine: 4/10 rows (40%), stopped in")


def test_a_bar_without_a_total_counts_what_it_has():
    bar = Bar(None, "evaluate", None, "sets")
    bar.update(3)
    assert bar.count == "3 sets"
    assert Bar(None, "plan", None, "").count == ""
