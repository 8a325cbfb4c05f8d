"""Throughput benchmark: the whole SynthesizRR pipeline (`run_synthesis`: seeds, retrieval,
RetrICL generation through `ResilientOpenAILLM`, Refine, checkpoints, saving) against an
OpenAI-compatible server on 127.0.0.1 that answers every request after a fixed latency, at most
`--concurrency` at once (`MockOpenAIServer`, in its own process, bounded in requests and time).

The ideal throughput is concurrency / latency (the server kept full all the time).
`efficiency` = achieved examples/s (over the whole run, start-up and saving included) / ideal;
`generation_efficiency` measures the same over the window from the first request to the last
answer; `overhead_s` is the wall time beyond what the ideal server time would be.

    python benchmarks/throughput.py --examples 2000 --concurrency 64 --latency 0.5 --json
    python benchmarks/throughput.py --examples 5000 --concurrency 64 --latency 0.5
"""

import argparse
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _serve(latency: float, concurrency: int, max_requests: int, max_seconds: float, ready, stop, stats) -> None:
    from distilabel_synthesizrr.testing import MockOpenAIServer

    server = MockOpenAIServer(
        responses=["Story: {passage}. Markets reacted on the day, traders said, and prices moved."],
        latency=latency, max_concurrency=concurrency, max_requests=max_requests, max_seconds=max_seconds,
        model="mock-teacher",
    ).start()
    ready.put(server.base_url)
    stop.wait(max_seconds)
    stats.put({"requests": server.requests, "peak_in_flight": server.peak_in_flight,
               "first_request_at": server.first_request_at, "last_response_at": server.last_response_at})
    server.stop()


def run(args: argparse.Namespace) -> Dict[str, Any]:
    from distilabel_synthesizrr.generate.teachers import resilient_llm
    from distilabel_synthesizrr.run.build import generation_batch_size
    from distilabel_synthesizrr.run.config import load_config
    from distilabel_synthesizrr.run.execute import plan_run, run_synthesis

    ctx = mp.get_context("spawn")
    ready, stats, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    server = ctx.Process(target=_serve, args=(args.latency, args.concurrency, args.examples * 3, args.max_seconds,
                                              ready, stop, stats), daemon=True)
    server.start()
    base_url = ready.get(timeout=60)
    work = Path(tempfile.mkdtemp(prefix="synthesizrr-throughput-"))
    try:
        config = load_config(str(ROOT / "examples" / f"{args.preset}.yaml"))
        config.teacher.kind = "openai"
        config.teacher.max_concurrency = args.concurrency
        if args.batch_size:
            config.teacher.batch_size = args.batch_size
        # The shipped corpus is small (9k passages) and the teacher is what is measured: passages may
        # serve several seeds, and each seed looks deep enough into the ranking to fill the budget.
        config.retrieval.deduplicate = False
        config.retrieval.rank_window = [1, max(50, args.examples // 40)]
        plan = plan_run(config, limit=args.examples)
        llm = resilient_llm(config.teacher, "mock-teacher", base_url, "benchmark")
        start, start_epoch = time.perf_counter(), time.time()
        result = run_synthesis(config, work / "out", llm=llm, plan=plan, resume=False)
        wall = time.perf_counter() - start
    finally:
        stop.set()
        server_stats = stats.get(timeout=60)
        server.join(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    summary = result.summary
    answered = summary.generated - summary.dropped_by_reason.get("no_output", 0)
    ideal = args.concurrency / args.latency
    achieved = answered / wall
    window = server_stats["last_response_at"] - server_stats["first_request_at"]
    return {
        "examples_requested": args.examples, "examples_generated": answered, "kept_after_refine": summary.kept,
        "concurrency": args.concurrency, "latency_s": args.latency,
        "batch_size": generation_batch_size(config),
        "wall_s": round(wall, 2), "examples_per_s": round(achieved, 2), "ideal_examples_per_s": round(ideal, 2),
        "efficiency": round(achieved / ideal, 3), "overhead_s": round(wall - answered / ideal, 2),
        "generation_window_s": round(window, 2), "generation_efficiency": round(answered / window / ideal, 3),
        "before_first_request_s": round(server_stats["first_request_at"] - start_epoch, 2),
        "after_last_answer_s": round(start_epoch + wall - server_stats["last_response_at"], 2),
        "server_requests": server_stats["requests"], "server_peak_in_flight": server_stats["peak_in_flight"],
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight (client and server)")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per request at the server")
    parser.add_argument("--batch-size", type=int, help="rows per generation batch (default: the teacher's)")
    parser.add_argument("--preset", default="reuters_topics", choices=["reuters_topics", "movie_sentiment"])
    parser.add_argument("--max-seconds", type=float, default=900, help="the server stops after this long")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.json:
        print(f"machine: {machine()}\n")
    result = run(args)
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
