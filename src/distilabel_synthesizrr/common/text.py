"""Small text utilities shared by retrieval, refinement and evaluation.

Everything here is pure Python and deterministic, so it is cheap to test.
"""

import math
import re
import string
from collections import Counter
from functools import lru_cache
from typing import FrozenSet, Iterable, List, Sequence, Set, Tuple

_WORD_RE = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and white space.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")
_PUNCT_TABLE = str.maketrans({c: " " for c in string.punctuation + "“”‘’—–"})

#: A compact English stopword list (the usual function words); used by BM25 tokenisation.
STOPWORDS: frozenset = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)


def words(text: str) -> List[str]:
    """Splits `text` into words (letters, digits and inner apostrophes), keeping case."""
    return _WORD_RE.findall(text)


def word_count(text: str) -> int:
    """Counts the words of `text` as `words` splits them."""
    return len(words(text))


def tokenize_for_search(text: str, stopwords: Iterable[str] = STOPWORDS) -> List[str]:
    """Lower-cased word tokens without stopwords: the tokenisation of every BM25 backend."""
    stop = stopwords if isinstance(stopwords, (set, frozenset)) else set(stopwords)
    return [w for w in _WORD_RE.findall(text.lower()) if w not in stop]


def truncate_words(text: str, max_words: int) -> str:
    """Cuts `text` to at most `max_words` words, at the last sentence end that fits.

    When no sentence end fits in the budget the text is cut after `max_words` words, so
    the result is never longer than asked.
    """
    if max_words <= 0:
        return ""
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    if len(spans) <= max_words:
        return text.strip()
    limit = spans[max_words - 1][1]
    best = None
    for match in _SENTENCE_END_RE.finditer(text, 0, limit + 3):
        if match.start() <= limit:
            best = match.end()
    if best is not None and best > 0:
        return text[:best].strip()
    return text[:limit].strip()


def normalize_like_reference(text: str) -> str:
    """Lower-cases and strips punctuation, the way Reuters R8 (and similar sets) are stored."""
    return " ".join(text.lower().translate(_PUNCT_TABLE).split())


def ngrams(tokens: Sequence[str], n: int) -> List[Tuple[str, ...]]:
    """All contiguous `n`-grams of `tokens`."""
    return list(zip(*(tokens[i:] for i in range(n)))) if n > 0 else []


def ngram_set(text: str, n: int) -> Set[Tuple[str, ...]]:
    """The set of lower-cased word `n`-grams of `text` (punctuation ignored)."""
    return set(ngrams(_WORD_RE.findall(text.lower()), n))


@lru_cache(maxsize=4096)
def frozen_ngram_set(text: str, n: int) -> FrozenSet[Tuple[str, ...]]:
    """`ngram_set`, cached: for a text that many rows are compared with (a seed)."""
    return frozenset(ngram_set(text, n))


def jaccard(a: Set, b: Set) -> float:
    """Jaccard similarity of two sets; 0.0 when both are empty."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def search_bag(text: str) -> Tuple[Counter, float]:
    """The bag of search tokens of `text` (term counts) and its Euclidean norm."""
    counts = Counter(tokenize_for_search(text))
    return counts, math.sqrt(sum(v * v for v in counts.values()))


def bag_cosine(a: Tuple[Counter, float], b: Tuple[Counter, float]) -> float:
    """Cosine of two `search_bag`s (precomputed, so a text compared often is tokenised once)."""
    (ca, na), (cb, nb) = a, b
    if not na or not nb:
        return 0.0
    if len(ca) > len(cb):
        ca, cb = cb, ca
    return sum(v * cb[t] for t, v in ca.items() if t in cb) / (na * nb)


def lexical_cosine(a: str, b: str) -> float:
    """Cosine of the bag-of-words vectors of `a` and `b` (search tokens, term counts).

    A retriever-independent similarity in [0, 1]: ~1 for a near-copy, ~0 for unrelated
    texts. BM25 scores are unbounded, so the score band of `RetrieveContext` uses this.
    """
    return bag_cosine(search_bag(a), search_bag(b))
