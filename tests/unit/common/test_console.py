"""The console of a command: bars as plain lines without a terminal, rich bars on one; our
warnings on screen, every record in the log file; everything restored afterwards."""

import io
import logging

import datasets
import tqdm
from huggingface_hub import utils as hub

from distilabel_synthesizrr.common import console
from distilabel_synthesizrr.common.console import Console, current, log_to, prefixed, stage, table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_aligns_numbers_right_and_text_left():
    head, rule, *rows = table([["kept", 23], ["dropped", 1], ["stopped", None]], header=["what", "rows"]).splitlines()
    assert head.split() == ["what", "rows"] and set(rule) == {"─"}
    assert [row.split() for row in rows] == [["kept", "23"], ["dropped", "1"], ["stopped", "-"]]
    assert len({len(row) for row in [head, *rows]}) == 1  # numbers end in one column
    assert rows[0].startswith("kept ") and rows[1].startswith("dropped ")  # text starts in one
    mixed = table([["seeds", 64], ["per label", "acq=3, crude=2 [b]"]]).splitlines()
    assert mixed[1].endswith("acq=3, crude=2 [b]")  # brackets are text, not markup
    assert mixed[0].index("64") == mixed[1].index("acq")


def test_without_a_terminal_a_bar_prints_a_plain_line_per_interval_and_one_at_the_end(clock):
    out = io.StringIO()
    with Console(stream=out) as c:
        bar = c.stage("generate", 10, "examples")
        bar.update(1)  # too soon after the start
        clock[0] += console.PLAIN_INTERVAL_S + 1
        bar.update(3, info="0.27 examples/s")
        bar.update(4)  # too soon after the last line
        clock[0] += console.PLAIN_INTERVAL_S + 1
        bar.update(10)  # finished: the closing line says it
        bar.close()
    assert out.getvalue().splitlines() == [
        "generate: 3/10 examples (30%), 11 s, 0.27 examples/s",
        "generate: 10/10 examples (100%), done in 22 s, 0.27 examples/s",
    ]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def test_a_started_bar_that_does_not_move_still_prints_now_and_then(clock):
    out = io.StringIO()
    with Console(stream=out) as c:
        waiting = c.stage("refine", 10, "rows", start=False)
        bar = c.stage("evaluate", 5, "sets")
        bar.update(1)
        clock[0] += console.PLAIN_HEARTBEAT_S + 1
        bar.update()
        waiting.update()
    assert out.getvalue().splitlines() == [
        "evaluate: 1/5 sets (20%), 31 s",  # refine, not started, prints nothing until it ends
        "refine: 0/10 rows (0%), stopped",
        "evaluate: 1/5 sets (20%), stopped in 31 s",
    ]


def test_our_warnings_and_every_error_on_screen_every_record_in_the_log(tmp_path, default_levels):
    out = io.StringIO()
    with Console(stream=out), log_to(tmp_path / "run.log"):
        logging.getLogger("distilabel.pipeline").info("steps loaded")
        logging.getLogger("distilabel.step.generate").warning("a slow batch")
        logging.getLogger("distilabel_synthesizrr.run").warning("the token budget is spent")
        logging.getLogger("datasets").error("the disk is full")
    screen = out.getvalue().splitlines()
    assert screen == ["warning: the token budget is spent", "error: the disk is full",
                      f"1 more warning(s) in {tmp_path / 'run.log'}"]
    log = (tmp_path / "run.log").read_text()
    for text in ("INFO    distilabel.pipeline: steps loaded", "WARNING distilabel.step.generate: a slow batch",
                 "the token budget is spent", "ERROR   datasets: the disk is full"):
        assert text in log


def test_verbose_shows_every_record(tmp_path):
    out = io.StringIO()
    with Console(verbose=True, stream=out):
        logging.getLogger("distilabel.pipeline").info("steps loaded")
        logging.getLogger("distilabel_synthesizrr").debug("a detail")
    assert "INFO distilabel.pipeline: steps loaded" in out.getvalue()
    assert "DEBUG distilabel_synthesizrr: a detail" in out.getvalue()


def test_records_before_the_log_file_opens_are_written_to_it(tmp_path):
    with Console(stream=io.StringIO()):
        logging.getLogger("distilabel_synthesizrr").info("planned")
        with log_to(tmp_path / "a.log"):
            logging.getLogger("distilabel_synthesizrr").info("ran")
            with log_to(tmp_path / "b.log"):  # nested: a run of an experiment
                logging.getLogger("distilabel_synthesizrr").info("inner")
        logging.getLogger("distilabel_synthesizrr").info("after")
    a, b = (tmp_path / "a.log").read_text(), (tmp_path / "b.log").read_text()
    assert [line.split(": ")[-1] for line in a.splitlines()] == ["planned", "ran", "inner"]
    assert [line.split(": ")[-1] for line in b.splitlines()] == ["inner"]


def test_the_console_restores_logging_and_progress_bars_of_other_libraries():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    library = logging.getLogger("transformers")
    own = logging.StreamHandler(io.StringIO())
    library.addHandler(own)
    library.propagate = False
    assert datasets.is_progress_bar_enabled() and not hub.are_progress_bars_disabled()
    try:
        with Console(stream=io.StringIO()) as c:
            assert current() is c and root.handlers == c.handlers
            # datasets and the Hub by their own switches; what has none (SetFit's sentence-transformers) by tqdm's
            assert not datasets.is_progress_bar_enabled() and hub.are_progress_bars_disabled()
            assert tqdm.tqdm(range(3), file=io.StringIO()).disable
            assert own not in library.handlers and library.propagate  # its records reach the log file
        assert current() is None
        assert root.handlers == handlers and root.level == level
        assert own in library.handlers and not library.propagate  # the library's own handler is back
        assert datasets.is_progress_bar_enabled() and not hub.are_progress_bars_disabled()
        assert not tqdm.tqdm(range(3), file=io.StringIO()).disable
        with Console(verbose=True, stream=io.StringIO()):  # --verbose: other libraries' bars too
            assert datasets.is_progress_bar_enabled() and not tqdm.tqdm(range(3), file=io.StringIO()).disable
    finally:
        library.removeHandler(own)


def test_without_a_console_bars_and_log_files_do_nothing(tmp_path):
    assert current() is None
    with stage("generate", 3, "examples") as bar, log_to(tmp_path / "x.log") as path, prefixed("fewgen"):
        bar.update(3)
    assert path is None and not (tmp_path / "x.log").exists()
    assert bar.status == "done" and bar.label == "generate"


def test_bars_of_an_experiment_are_labelled_by_method():
    out = io.StringIO()
    with Console(stream=out) as c:
        with prefixed("fewgen"):
            with stage("generate", 2, "examples") as bar:
                bar.update(2)
        with prefixed(""):
            stage("evaluate").close()
    assert out.getvalue().splitlines()[0].startswith("fewgen generate: 2/2 examples (100%), done in")
    assert out.getvalue().splitlines()[1].startswith("evaluate: done in")
    assert not c._open


def test_on_a_terminal_the_bars_are_drawn_in_place_and_stay():
    out = Terminal()
    with Console(stream=out) as c:
        with c.stage("generate", 3, "examples") as bar:
            bar.update(3, info="1.50 examples/s")
            logging.getLogger("distilabel_synthesizrr").warning("above the bars")
        assert c._progress is None  # no bar open: the next output prints below
    text = out.getvalue()
    assert "generate" in text and "3/3 examples" in text and "1.50 examples/s" in text
    assert "above the bars" in text and "\x1b[" in text


def test_a_long_stage_prints_fewer_lines_as_it_goes_on(clock):
    out = io.StringIO()
    with Console(stream=out) as c, c.stage("generate", 10_000, "examples") as bar:
        for second in range(1, 3601):  # an hour, a row a second
            clock[0] += 1
            bar.update(second)
    lines = out.getvalue().splitlines()
    assert 10 <= len(lines) <= 25, lines
    assert lines[:3] == [f"generate: {n}/10000 examples (0%), {n} s" for n in (10, 20, 30)]


def test_a_forked_worker_has_no_console():
    with Console(stream=io.StringIO()) as c:
        assert current() is c
        c.pid = -1  # as seen from a process forked from this one (distilabel's step workers)
        assert current() is None
