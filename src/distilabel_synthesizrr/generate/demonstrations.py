"""Demonstrations for the teacher's prompt: RetrICL pairs (a seed and a passage it retrieved),
seed examples, and the reproducible per-row draw of `shots` of them."""

import logging
import random
from collections import Counter
from typing import Dict, List, Optional, Sequence

from distilabel_synthesizrr.common.text import truncate_words
from distilabel_synthesizrr.data.sources import Record
from distilabel_synthesizrr.generate.prompts import Demonstration
from distilabel_synthesizrr.retrieve.passages import PassageIndex

logger = logging.getLogger("distilabel_synthesizrr")


def build_retricl_demonstrations(
    index: PassageIndex,
    seeds: List[Record],
    rank_window: Sequence[int] = (1, 3),
    similarity_band: Sequence[float] = (0.05, 0.9),
    max_words: int = 120,
    text_max_words: int = 60,
    shots: int = 0,
) -> List[Demonstration]:
    """RetrICL demonstrations: each seed paired with its own top retrieved passage.

    `index` must be loaded. A passage close to its seed (the paper's band is 0.5..0.9) makes
    the pair look like a rewrite, which teaches the teacher to keep to the passage it is
    given. Seeds whose search finds no passage in the band are skipped, except that a label
    with fewer than `shots` demonstrations in the band takes its seeds' closest passages
    below it.
    """
    texts = [s["text"] for s in seeds]
    hits = index.retrieve(texts, 1, rank_window, similarity_band)
    have = Counter(str(seed["label"]) for seed, found in zip(seeds, hits) if found)
    short = {str(s["label"]) for s in seeds if have[str(s["label"])] < shots}
    if short:
        logger.info("RetrICL: label(s) %s have fewer than %d seeds with a passage in the demonstration band %s; "
                    "their closest passages below it are used too.", ", ".join(sorted(short)), shots, list(similarity_band))
        below = index.retrieve(texts, 1, rank_window, (0.0, similarity_band[1]))
        hits = [found or (below[i] if str(seeds[i]["label"]) in short else []) for i, found in enumerate(hits)]
    return [
        Demonstration(
            label=str(seed["label"]),
            text=truncate_words(seed["text"], text_max_words),
            context=truncate_words(found[0]["context"], max_words),
        )
        for seed, found in zip(seeds, hits)
        if found
    ]


def seed_demonstrations(seeds: List[Record], text_max_words: int) -> List[Demonstration]:
    """Seed examples as (passage-less) demonstrations, cut to the task's output length."""
    return [Demonstration(label=str(s["label"]), text=truncate_words(s["text"], text_max_words)) for s in seeds]


def _is_of(demo: Demonstration, text: Optional[str]) -> bool:
    """Whether `demo` shows the seed `text` (demonstration texts are the seed cut to length)."""
    return text is not None and text.strip().startswith(demo.text)


def draw_demonstrations(
    pool: Dict[str, List[Demonstration]], label: str, k: int, key: str, exclude_text: Optional[str] = None
) -> List[Demonstration]:
    """Draws `k` same-label demonstrations without replacement, reproducibly for `key`.

    Rows that share a `key` share the draw, so their prompts share a prefix that llama.cpp,
    vLLM and most APIs evaluate once: the draw is one shuffle of the label's pool per key, of
    which each row takes the first `k` that are not its own seed (`exclude_text`), so the
    teacher is never shown the example it could copy while the others in the block still share
    every demonstration before it.
    """
    candidates = list(pool.get(label, []))
    if k <= 0 or not candidates:
        return []
    order = random.Random(key).sample(candidates, len(candidates))
    picked = [d for d in order if not _is_of(d, exclude_text)] or order
    return picked[:k]
