"""Saved indexes: built once, keyed by a fingerprint of corpus and settings, reused after."""

import logging
import shutil
import time
from pathlib import Path
from typing import Optional, Sequence, Tuple

from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.retrieve.engines.base import Retriever, fingerprint, make_retriever

logger = logging.getLogger("distilabel_synthesizrr.retrieve.engines")

_DONE = "COMPLETE"


def load_or_build(
    backend: str, texts: Sequence[str], index_dir: Optional[Path] = None, **options: object
) -> Tuple[Retriever, bool, Path]:
    """Loads the saved index for (`texts`, `backend`) or builds and saves it.

    Returns:
        The engine, whether it was built now (False: reused), and the index folder.
    """
    engine = make_retriever(backend, **options)
    key = fingerprint(texts, engine.settings())
    folder = Path(index_dir or cache_dir() / "indexes") / f"{backend}-{key}"
    if (folder / _DONE).is_file():
        engine.load(folder)
        logger.info("Reusing the %s index of %d documents at %s", backend, engine.num_documents, folder)
        return engine, False, folder
    start = time.perf_counter()
    logger.info("Building the %s index over %d documents...", backend, len(texts))
    engine.build(texts)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    engine.save(tmp)
    (tmp / _DONE).write_text(key)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    logger.info("Built the %s index in %.1f s, saved to %s", backend, time.perf_counter() - start, folder)
    # Reload from disk so that the saved (memory-mapped) index is what gets used.
    engine.load(folder)
    return engine, True, folder
