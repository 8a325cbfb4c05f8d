"""Lexical diversity and copying: Self-BLEU, distinct-n, near-copies of seeds and passages.

Pure Python over lower-cased word tokens, so every figure can be checked by hand.
"""

import math
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

from distilabel_synthesizrr.common.copies import COPY_WORDS, copies, source_grams
from distilabel_synthesizrr.common.text import ngram_set, ngrams, words


def _tokens(text: str) -> List[str]:
    return [w.lower() for w in words(text)]


def self_bleu(texts: Sequence[str], max_n: int = 5) -> float:
    """Self-BLEU-`max_n` in [0, 100]: the mean BLEU of each text against all the others.

    Higher means more repetitive (100: every text is also elsewhere in the set). Uses
    clipped n-gram precision against the other texts, the brevity penalty of the closest
    reference length, and epsilon smoothing (0.1 matches) for higher n-gram orders with none;
    a text sharing no word with the others scores 0, as in plain BLEU.
    """
    docs = [_tokens(t) for t in texts]
    if len(docs) < 2:
        return 0.0
    # For each order and n-gram: the two largest counts and the docs they come from, so the
    # largest count *in another document* is found in O(1).
    best: List[Dict[Tuple[str, ...], List[Tuple[int, int]]]] = []
    counts = []
    for n in range(1, max_n + 1):
        top: Dict[Tuple[str, ...], List[Tuple[int, int]]] = {}
        per_doc = []
        for i, doc in enumerate(docs):
            c = Counter(ngrams(doc, n))
            per_doc.append(c)
            for gram, k in c.items():
                entry = top.setdefault(gram, [])
                entry.append((k, i))
                entry.sort(reverse=True)
                del entry[2:]
        best.append(top)
        counts.append(per_doc)
    lengths = [len(d) for d in docs]
    scores = []
    for i, doc in enumerate(docs):
        if not doc:
            continue
        log_precision = 0.0
        no_overlap = False
        for n in range(1, max_n + 1):
            hyp = counts[n - 1][i]
            total = sum(hyp.values())
            if total == 0:
                log_precision += math.log(1e-9)
                continue
            matched = 0
            for gram, k in hyp.items():
                other = next((c for c, j in best[n - 1][gram] if j != i), 0)
                matched += min(k, other)
            if n == 1 and matched == 0:
                no_overlap = True
                break
            log_precision += math.log((matched if matched else 0.1) / total)
        if no_overlap:
            scores.append(0.0)
            continue
        others = lengths[:i] + lengths[i + 1 :]
        ref_len = min(others, key=lambda r: (abs(r - len(doc)), r))
        bp = 1.0 if len(doc) > ref_len else math.exp(1 - ref_len / len(doc))
        scores.append(bp * math.exp(log_precision / max_n))
    return 100.0 * sum(scores) / len(scores) if scores else 0.0


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n: unique word n-grams / all word n-grams across the texts (1.0: no repeats)."""
    grams = [g for t in texts for g in ngrams(_tokens(t), n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def seed_copy_rate(texts: Sequence[str], seeds: Sequence[str], n: int = COPY_WORDS, share: float = 0.0) -> float:
    """Share of texts that copy the seeds (`common.copies`): by default (`share=0`) the texts
    sharing at least one word `n`-gram with any seed (near-copies); with `share` set to the
    run's `seed_copy_share`, the texts `Refine` drops as copies."""
    if not texts:
        return 0.0
    grams = source_grams(seeds, n)
    return sum(1 for t in texts if copies(t, grams, share=share, n=n)) / len(texts)


def context_copy_rate(texts: Sequence[str], contexts: Sequence[Optional[str]], n: int = COPY_WORDS,
                      share: float = 0.5) -> Optional[float]:
    """Share of texts of which at least `share` of the word `n`-grams come from their own
    retrieved passage (the teacher copied instead of rewriting; `common.copies`). Rows
    without a passage are left out; None when no row has one."""
    pairs = [(t, c) for t, c in zip(texts, contexts) if c]
    if not pairs:
        return None
    return sum(1 for t, c in pairs if copies(t, ngram_set(c, n), share=share, n=n)) / len(pairs)
