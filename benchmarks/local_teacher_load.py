"""The embedded local teacher on a quiet machine and on a busy one.

The load is what a user's machine does while a run goes on (a test suite, a student being
trained): `--load-procs` processes (default: one per core) that spin on the CPU for as long as
the measurement lasts, then are stopped.

    # llama.cpp alone: one prompt (~70 tokens in, 64 out) per thread count x OpenMP wait policy
    python benchmarks/local_teacher_load.py options --json
    # a whole `synthesizrr run --teacher local` of 64 examples, quiet then loaded
    python benchmarks/local_teacher_load.py run --examples 64 --json

`run` reports, per condition: wall time, requests the server received (its access log),
requests the client abandoned ("Disconnected from client"), rows generated and kept, and the
ratio of the loaded wall time to the quiet one.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROMPT = ("Rewrite the news story below as a short news story about crude oil.\n\nOPEC ministers agreed on Monday "
          "to cut output by one million barrels a day from next month, Saudi Arabia's oil minister told reporters "
          "in Vienna after a meeting that lasted into the night, and prices rose two dollars.")

_SPIN = "import time\nend = time.monotonic() + float(__import__('sys').argv[1])\nwhile time.monotonic() < end: pass\n"


@contextmanager
def cpu_load(procs: int, seconds: float) -> Iterator[None]:
    """`procs` processes spinning on the CPU (each ends by itself after `seconds` at the latest)."""
    spinners = [subprocess.Popen([sys.executable, "-c", _SPIN, str(seconds)]) for _ in range(procs)]
    try:
        time.sleep(0.5)
        yield
    finally:
        for p in spinners:
            p.kill()
            p.wait()


_ONE_PROMPT = """
import json, sys, time
from llama_cpp import Llama
from distilabel_synthesizrr.generate.teachers.local import default_model_path
llm = Llama(model_path=str(default_model_path()), n_ctx=512, n_threads=int(sys.argv[1]), verbose=False, seed=0)
llm("warm up", max_tokens=4)
start = time.perf_counter()
out = llm(sys.argv[2], max_tokens=64, temperature=0.0)
print(json.dumps({"seconds": time.perf_counter() - start, "completion_tokens": out["usage"]["completion_tokens"]}))
"""


def one_prompt(threads: int, wait_policy: Optional[str]) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if wait_policy:
        env["OMP_WAIT_POLICY"] = wait_policy
    out = subprocess.run([sys.executable, "-c", _ONE_PROMPT, str(threads), PROMPT], env=env, capture_output=True,
                         text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def options(args: argparse.Namespace) -> Dict[str, Any]:
    rows: List[Dict[str, Any]] = []
    for loaded in (False, True):
        for threads in (1, os.cpu_count() or 2):
            for policy in ("active", "passive"):
                times = []
                for _ in range(args.repeats):
                    if loaded:
                        with cpu_load(args.load_procs, 600):
                            times.append(one_prompt(threads, policy)["seconds"])
                    else:
                        times.append(one_prompt(threads, policy)["seconds"])
                rows.append({"load": "loaded" if loaded else "quiet", "threads": threads, "wait_policy": policy,
                             "seconds_median": round(sorted(times)[len(times) // 2], 2),
                             "seconds": [round(t, 2) for t in times]})
    return {"repeats": args.repeats, "load_procs": args.load_procs, "rows": rows}


def _server_counts(log_dir: Path) -> Dict[str, int]:
    requests = abandoned = 0
    for log in log_dir.glob("llama-server-*.log"):
        text = log.read_text(errors="replace")
        requests += len(re.findall(r'"POST /v1/chat/completions HTTP/1\.1"', text))
        abandoned += text.count("Disconnected from client")
    return {"server_requests": requests, "abandoned_requests": abandoned}


def one_run(examples: int, loaded: bool, load_procs: int) -> Dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="synthesizrr-local-load-"))
    env = {**os.environ, "SYNTHESIZRR_CACHE_DIR": str(work / "cache")}
    shared = Path.home() / ".cache" / "distilabel-synthesizrr"
    (work / "cache").mkdir()
    for sub in ("data", "models", "wheels", "indexes"):  # shipped data and the model, not the checkpoints
        if (shared / sub).exists():
            (work / "cache" / sub).symlink_to(shared / sub)
    cmd = [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(ROOT / "examples" / "reuters_topics.yaml"),
           "--teacher", "local", "--limit", str(examples), "--output", str(work / "out")]
    start = time.perf_counter()
    if loaded:
        with cpu_load(load_procs, 3600):
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    else:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    summary = json.loads((work / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
    failed = summary["dropped_by_reason"].get("no_output", 0)
    return {"load": "loaded" if loaded else "quiet", "wall_s": round(wall, 1), "generated": summary["generated"],
            "answered": summary["generated"] - failed, "failed_rows": failed, "kept": summary["kept"],
            **_server_counts(work / "cache" / "logs")}


def run(args: argparse.Namespace) -> Dict[str, Any]:
    quiet = one_run(args.examples, False, args.load_procs)
    loaded = one_run(args.examples, True, args.load_procs)
    for row in (quiet, loaded):  # requests beyond one per row: retries, and the retry pass after the run
        row["extra_requests"] = row["server_requests"] - row["generated"]
    return {"examples": args.examples, "load_procs": args.load_procs, "rows": [quiet, loaded],
            "loaded_over_quiet": round(loaded["wall_s"] / quiet["wall_s"], 2)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["options", "run"])
    parser.add_argument("--examples", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--load-procs", type=int, default=os.cpu_count() or 2, help="CPU-bound processes of load")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.json:
        print(f"machine: {machine()}\n")
    emit(options(args) if args.what == "options" else run(args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
