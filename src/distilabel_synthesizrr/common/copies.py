"""The copy rule: when a text is a near-copy of source texts (seeds, a retrieved passage).

One rule serves the filters and the metrics: retrieval drops passages that quote their seed,
`Refine` drops rows that copy the seeds, and `seed_copy_rate` and `context_copy_rate`
(`synthesizrr evaluate`) count such rows. A text
copies its sources when it shares word `n`-grams with them (lower-cased, punctuation
ignored) and those shared `n`-grams are at least `share` of all its own `n`-grams. With
`share=0`, one shared `n`-gram is enough.
"""

from typing import AbstractSet, Iterable, Set, Tuple

from distilabel_synthesizrr.common.text import frozen_ngram_set, ngram_set

#: A shared run of this many words is a copied phrase.
COPY_WORDS = 6
#: A passage holding at least this share of its seed's word n-grams quotes the seed (a reply that
#: quotes it, a story that repeats it): rewritten, it would only give the seed back.
QUOTE_SHARE = 0.5

Grams = AbstractSet[Tuple[str, ...]]


def source_grams(texts: Iterable[str], n: int = COPY_WORDS) -> Set[Tuple[str, ...]]:
    """Every word `n`-gram of `texts`: the sources a text is checked against."""
    return set().union(*(ngram_set(text, n) for text in texts))


def copies(text: str, *sources: Grams, share: float, n: int = COPY_WORDS) -> bool:
    """Whether `text` copies `sources` (`n`-gram sets, e.g. from `source_grams`): it shares at
    least one word `n`-gram with them, and the shared ones are at least `share` of its own.

    A text without `n`-grams (shorter than `n` words) copies nothing.
    """
    return _holds(ngram_set(text, n), sources, share)


def quotes(passage: str, seed: str, n: int = COPY_WORDS) -> bool:
    """Whether `passage` quotes `seed`: it holds at least `QUOTE_SHARE` of the seed's word
    `n`-grams (`copies` with the roles swapped). A seed shorter than `n` words quotes nothing.
    The seed's n-grams are computed once per seed (retrieval checks every candidate passage)."""
    return _holds(frozen_ngram_set(seed, n), (ngram_set(passage, n),), QUOTE_SHARE)


def _holds(grams: Grams, sources: Iterable[Grams], share: float) -> bool:
    """Whether `sources` hold at least one of `grams` and at least `share` of them."""
    if not grams:
        return False
    taken: Set[Tuple[str, ...]] = set()
    for source in sources:
        taken |= grams & source
    return bool(taken) and len(taken) >= share * len(grams)


__all__ = ["COPY_WORDS", "QUOTE_SHARE", "copies", "quotes", "source_grams"]
