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


def draw_demonstrations(
    pool: Dict[str, List[Demonstration]], label: str, k: int, key: str, exclude_text: Optional[str] = None
) -> List[Demonstration]:
    """Draws `k` same-label demonstrations without replacement, reproducibly for `key`.

    The seed that retrieved the passage is left out when the pool allows, so the teacher
    is never shown the example it could copy.
    """
    candidates = [d for d in pool.get(label, []) if d.text != exclude_text] or list(pool.get(label, []))
    if k <= 0 or not candidates:
        return []
    return random.Random(key).sample(candidates, min(k, len(candidates)))
