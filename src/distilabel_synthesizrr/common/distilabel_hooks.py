"""Every place the package reaches into distilabel's private names, in one module.

Written for distilabel 1.5.3, which `pyproject.toml` pins: change the two together. The console
follows a running pipeline through two of its methods (the batches it hands to steps and gets
back), routes distilabel's log records to the console's handlers, and stops a run on Ctrl-C or
SIGTERM the way distilabel's own first Ctrl-C does. `missing_hooks()` says which of these names
an installed distilabel lacks; the test suite checks it, so an upgrade that renames one fails
with a message that says so instead of a progress bar that silently stops moving.
"""

import contextlib
import importlib
import logging
import signal
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, List

if TYPE_CHECKING:
    from distilabel.pipeline.base import BasePipeline

DISTILABEL_VERSION = "1.5.3"

#: (module, name) of every private name used below.
HOOKS = [
    ("distilabel.pipeline.base", "BasePipeline._send_batch_to_step"),
    ("distilabel.pipeline.base", "BasePipeline._process_batch"),
    ("distilabel.pipeline.base", "BasePipeline._stop"),
    ("distilabel.pipeline.base", "BasePipeline._cache"),
    ("distilabel.pipeline.base", "BasePipeline._manage_batch_flow"),
    ("distilabel.pipeline.base", "BasePipeline._handle_keyboard_interrupt"),
    ("distilabel.pipeline.base", "setup_logging"),
    ("distilabel.utils.logging", "queue_listener"),
    ("distilabel.utils.logging", "_SILENT_LOGGERS"),
]


def missing_hooks() -> List[str]:
    """The names of `HOOKS` the installed distilabel does not have."""
    missing = []
    for module_name, name in HOOKS:
        owner: Any = importlib.import_module(module_name)
        for part in name.split("."):
            if not hasattr(owner, part):
                missing.append(f"{module_name}.{name}")
                break
            owner = getattr(owner, part)
    return missing


@contextlib.contextmanager
def watch_batches(pipeline: "BasePipeline", on_send: Callable[[Any], None],
                  on_processed: Callable[[Any], None]) -> Iterator[None]:
    """Calls `on_send(batch)` before the pipeline hands a batch to a step and `on_processed(batch)`
    after it has processed one a step sent back (in the main process, whichever worker or Ray
    actor ran the step); the pipeline's own methods are restored after the block."""
    send, process = pipeline._send_batch_to_step, pipeline._process_batch

    def send_batch_to_step(batch) -> None:
        on_send(batch)
        send(batch)

    def process_batch(batch, *args, **kwargs) -> None:
        process(batch, *args, **kwargs)
        on_processed(batch)

    with _on_instance(pipeline, _send_batch_to_step=send_batch_to_step, _process_batch=process_batch):
        yield


@contextlib.contextmanager
def cache_at_end_only(pipeline: "BasePipeline") -> Iterator[None]:
    """distilabel saves the whole pipeline (its YAML, with every step's seeds and demonstrations:
    ~200 KB for Reuters) and its batch manager after every batch a step sends back, which is one
    generated row at the local teacher's batch size: ~0.3 s of CPU per row taken from the teacher
    on a 2-core machine. Those files serve only distilabel's own resume (`use_cache`), which a run
    without it never reads, so within the block the per-batch save is skipped; the save at the end
    of the run (which the Distiset copies `pipeline.yaml` from) still happens."""
    manage, cache = pipeline._manage_batch_flow, pipeline._cache
    in_batch_flow = False

    def manage_batch_flow(batch) -> None:
        nonlocal in_batch_flow
        in_batch_flow = True
        try:
            manage(batch)
        finally:
            in_batch_flow = False

    def save() -> None:
        if not in_batch_flow:
            cache()

    with _on_instance(pipeline, _manage_batch_flow=manage_batch_flow, _cache=save):
        yield


@contextlib.contextmanager
def _on_instance(pipeline: Any, **methods: Callable) -> Iterator[None]:
    """`methods` in place of the pipeline's own for the block, on this instance only (the class,
    and so any other pipeline, is untouched); the instance's own come back after it."""
    for name, method in methods.items():
        setattr(pipeline, name, method)
    try:
        yield
    finally:
        for name in methods:
            pipeline.__dict__.pop(name, None)


@contextlib.contextmanager
def logs_to(handlers: List[logging.Handler]) -> Iterator[None]:
    """While the block runs a pipeline, distilabel's records and its workers' (which reach the main
    process through the pipeline's log queue) go to `handlers` instead of the RichHandler distilabel
    adds to its queue listener in `setup_logging`; the loggers `setup_logging` silences for good
    (`datasets`, `httpx`...) get their levels back after the block."""
    import distilabel.pipeline.base as base
    from distilabel.utils import logging as distilabel_logging
    from rich.logging import RichHandler

    original = base.setup_logging

    def setup_logging(log_queue=None, filename=None, logging_handlers=None) -> None:
        original(log_queue=log_queue, filename=filename, logging_handlers=[*(logging_handlers or []), *handlers])
        listener = distilabel_logging.queue_listener
        # Before any record: the listener thread has started, but the root logger's queue handler
        # is only added at the end of `setup_logging`.
        if listener is not None:
            listener.handlers = tuple(h for h in listener.handlers if not isinstance(h, RichHandler))

    silenced = {name: logging.getLogger(name).level for name in getattr(distilabel_logging, "_SILENT_LOGGERS", ())}
    base.setup_logging = setup_logging
    try:
        yield
    finally:
        base.setup_logging = original
        for name, level in silenced.items():
            logging.getLogger(name).setLevel(level)


def request_stop(pipeline: "BasePipeline") -> None:
    """Stops the pipeline as distilabel's first Ctrl-C does (no new batch starts, the batches in
    flight finish), from a thread: a signal handler runs in the main thread between two bytecodes,
    maybe while that thread holds the lock distilabel's `_stop` takes."""
    threading.Thread(target=pipeline._stop, name="synthesizrr-stop", daemon=True).start()


def keep_sigint_handler(pipeline: "BasePipeline", handler: Callable[[int, Any], None]) -> None:
    """Keeps `handler` on SIGINT while the pipeline runs: distilabel 1.5.3 installs its own when
    the run starts (and keeps it after)."""
    pipeline._handle_keyboard_interrupt = lambda: signal.signal(signal.SIGINT, handler)  # type: ignore[method-assign]
