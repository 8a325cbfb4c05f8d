"""The local teacher's speed on the demo's real prompts (Reuters topics, RetrICL), per model and engine.

    # examples/s, prompt and completion tokens/s: each model on today's engine (llama-cpp-python's
    # server as the package ran it up to 0.1.x) and on llama.cpp's own server (xllamacpp), the
    # requests in the run's old order (a draw of demonstrations per seed, labels interleaved) and
    # in the new one (a label's rows in blocks that share their demonstrations)
    python benchmarks/local_teacher.py engines --models smollm2-135m qwen2.5-coder-0.5b --prompts 16 --json
    # llama.cpp threads for generation and for prompt processing, quiet and under a two-core load
    python benchmarks/local_teacher.py threads --model qwen2.5-coder-0.5b --prompts 8 --json
    # a whole `synthesizrr run --teacher local`, quiet then with every core loaded by other processes
    python benchmarks/local_teacher.py load --examples 32 --json

The old engine needs `pip install "llama-cpp-python[server]==0.3.36"` (it compiles llama.cpp for
several minutes); without it `engines` measures the new engine only. Run with nothing else
CPU-heavy on the machine: llama.cpp's threads wait for each other at every operation.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "reuters_topics.yaml"
_SPIN = "import time\nend = time.monotonic() + float(__import__('sys').argv[1])\nwhile time.monotonic() < end: pass\n"


@contextmanager
def cpu_load(procs: int, seconds: float = 3600) -> Iterator[None]:
    """`procs` processes spinning on the CPU (each ends by itself after `seconds` at the latest)."""
    spinners = [subprocess.Popen([sys.executable, "-c", _SPIN, str(seconds)]) for _ in range(procs)]
    try:
        time.sleep(0.5)
        yield
    finally:
        for p in spinners:
            p.kill()
            p.wait()


def demo_requests(limit: int, order: str) -> List[List[Dict[str, str]]]:
    """The chat prompts `synthesizrr run examples/reuters_topics.yaml --limit LIMIT` sends, in the
    order it sends them (`blocks`), or in the order of the package before it (`seeds`: the seeds'
    rows in turn, labels interleaved, one demonstration draw per seed)."""
    from distilabel.pipeline import Pipeline

    from distilabel_synthesizrr.run.build import make_generate_step, make_retrieve_step
    from distilabel_synthesizrr.run.config import load_config
    from distilabel_synthesizrr.run.plan import plan_run
    from distilabel_synthesizrr.testing import ScriptedLLM

    plan = plan_run(load_config(CONFIG), limit=limit)
    with Pipeline(name="benchmark-prompts"):
        retrieve, generate = make_retrieve_step(plan), make_generate_step(plan, ScriptedLLM())
    retrieve.load()
    generate.load()
    rows = next(retrieve.process([{"text": s["text"], "label": str(s["label"])} for s in plan.seeds]))
    if order == "seeds":
        seed_order = {s["text"]: i for i, s in enumerate(plan.seeds)}
        rows = [{k: v for k, v in r.items() if k != "label_index"}
                for r in sorted(rows, key=lambda r: (seed_order[r["seed_text"]], r["rank"]))]
    return [generate.format_input(row) for row in rows]


class OldEngine:
    """llama-cpp-python's server as the package started it before (n_ctx 2048, every core but one)."""

    def __init__(self, model: str) -> None:
        from distilabel_synthesizrr.generate.teachers.local import default_threads, free_port
        from distilabel_synthesizrr.generate.teachers.models import resolve

        self.alias, path, _ = resolve(model)
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="llama-cpp-python-", suffix=".log")[1])
        self.cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
                    "--port", str(self.port), "--n_ctx", "2048", "--n_threads", str(default_threads()),
                    "--model_alias", self.alias]
        self.proc: Optional[subprocess.Popen] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> "OldEngine":
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base_url + "/models", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()[-2000:]) from None
                time.sleep(0.25)
        raise RuntimeError("llama-cpp-python's server did not start")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@contextmanager
def new_engine(model: str, threads: Optional[int] = None, threads_batch: Optional[int] = None,
               poll: Optional[int] = None) -> Iterator[Any]:
    from distilabel_synthesizrr.generate.teachers import local

    saved = local.DEFAULT_POLL
    if poll is not None:
        local.DEFAULT_POLL = poll
    try:
        with local.LocalTeacher(model=model, threads=threads, threads_batch=threads_batch) as teacher:
            yield teacher
    finally:
        local.DEFAULT_POLL = saved


def send(base_url: str, model: str, prompts: List[List[Dict[str, str]]]) -> Dict[str, Any]:
    """Sends the prompts one after the other, with the run's sampling; returns the throughput."""
    from distilabel_synthesizrr.run.build import generation_kwargs
    from distilabel_synthesizrr.run.config import load_config

    sampling = generation_kwargs(load_config(CONFIG))
    body = {"model": model, "temperature": sampling["temperature"], "top_p": sampling["top_p"],
            "max_tokens": sampling["max_new_tokens"]}
    prompt_tokens = completion_tokens = evaluated = 0
    start = time.perf_counter()
    for messages in prompts:
        request = urllib.request.Request(base_url + "/chat/completions", data=json.dumps({**body, "messages": messages}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=900) as reply:
            answer = json.loads(reply.read())
        prompt_tokens += answer["usage"]["prompt_tokens"]
        completion_tokens += answer["usage"]["completion_tokens"]
        # llama.cpp says how many prompt tokens it evaluated (the rest came from its cache).
        evaluated += (answer.get("timings") or {}).get("prompt_n", answer["usage"]["prompt_tokens"])
    seconds = time.perf_counter() - start
    return {"requests": len(prompts), "seconds": round(seconds, 1),
            "examples_per_s": round(len(prompts) / seconds, 3), "examples_per_min": round(60 * len(prompts) / seconds, 1),
            "prompt_tokens": prompt_tokens, "prompt_tokens_evaluated": evaluated,
            "prompt_tokens_per_s": round(prompt_tokens / seconds, 1),
            "completion_tokens": completion_tokens, "completion_tokens_per_s": round(completion_tokens / seconds, 1)}


def engines(args: argparse.Namespace) -> Dict[str, Any]:
    import importlib.util

    prompts = {order: demo_requests(args.prompts, order) for order in ("seeds", "blocks")}
    has_old = importlib.util.find_spec("llama_cpp") is not None and not args.new_only
    rows = []
    for model in args.models:
        measured: Dict[str, Dict[str, Any]] = {}
        if has_old:
            with OldEngine(model) as old:
                measured["llama-cpp-python, old order"] = send(old.base_url, old.alias, prompts["seeds"])
        if not args.new_only:
            with new_engine(model) as new:
                send(new.base_url, new.model_alias, prompts["seeds"][:1])  # model pages into memory, as the old one's
                measured["xllamacpp, old order"] = send(new.base_url, new.model_alias, prompts["seeds"])
        with new_engine(model) as new:
            send(new.base_url, new.model_alias, prompts["seeds"][:1])
            measured["xllamacpp, new order"] = send(new.base_url, new.model_alias, prompts["blocks"])
        base = measured.get("llama-cpp-python, old order")
        for name, m in measured.items():
            rows.append({"model": model, "engine, order": name, **m,
                         "vs_old": round(m["examples_per_s"] / base["examples_per_s"], 2) if base else None})
    return {"prompts": args.prompts, "config": str(CONFIG.relative_to(ROOT)), "rows": rows}


def threads(args: argparse.Namespace) -> Dict[str, Any]:
    prompts = demo_requests(args.prompts, "blocks")
    cores = os.cpu_count() or 2
    options = [(cores - 1, cores, 0), (cores, cores, 0), (cores - 1, cores, 50), (cores, cores, 50)]
    rows = []
    for loaded in [load == "loaded" for load in args.loads]:
        for gen, batch, poll in options:
            if (gen, batch, poll) not in options[: args.options]:
                continue
            with new_engine(args.model, threads=gen, threads_batch=batch, poll=poll) as teacher:
                send(teacher.base_url, teacher.model_alias, prompts[:1])
                if loaded:
                    with cpu_load(args.load_procs):
                        m = send(teacher.base_url, teacher.model_alias, prompts)
                else:
                    m = send(teacher.base_url, teacher.model_alias, prompts)
            rows.append({"load": "loaded" if loaded else "quiet", "threads": gen, "threads_batch": batch, "poll": poll, **m})
    return {"model": args.model, "prompts": args.prompts, "load_procs": args.load_procs, "rows": rows}


def _server_counts(log_dir: Path) -> Dict[str, int]:
    requests = abandoned = 0
    for log in log_dir.glob("llama-server-*.log"):
        text = log.read_text(errors="replace")
        requests += text.count("processing task")
        abandoned += text.count("cancel task")
    return {"server_requests": requests, "abandoned_requests": abandoned}


def one_run(examples: int, model: Optional[str], loaded: bool, load_procs: int) -> Dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="synthesizrr-local-load-"))
    env = {**os.environ, "SYNTHESIZRR_CACHE_DIR": str(work / "cache")}
    shared = Path.home() / ".cache" / "distilabel-synthesizrr"
    (work / "cache").mkdir()
    for sub in ("data", "models", "wheels", "indexes"):  # shipped data and the models, not the checkpoints
        if (shared / sub).exists():
            (work / "cache" / sub).symlink_to(shared / sub)
    cmd = [sys.executable, "-m", "distilabel_synthesizrr.cli", "run", str(CONFIG), "--teacher", "local",
           "--limit", str(examples), "--output", str(work / "out"), *(["--model", model] if model else [])]
    start = time.perf_counter()
    with cpu_load(load_procs) if loaded else nullcontext():
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    summary = json.loads((work / "out" / "distiset_configs" / "synthesizrr_summary.json").read_text())
    failed = summary["dropped_by_reason"].get("no_output", 0)
    return {"load": "loaded" if loaded else "quiet", "wall_s": round(wall, 1), "generation_s": summary["seconds"],
            "generated": summary["generated"], "answered": summary["generated"] - failed, "failed_rows": failed,
            "kept": summary["kept"], **_server_counts(work / "cache" / "logs")}


def load(args: argparse.Namespace) -> Dict[str, Any]:
    quiet = one_run(args.examples, args.model, False, args.load_procs)
    loaded = one_run(args.examples, args.model, True, args.load_procs)
    for row in (quiet, loaded):  # requests beyond one per row: retries, and the retry pass after the run
        row["extra_requests"] = row["server_requests"] - row["generated"]
    return {"examples": args.examples, "model": args.model or "default", "load_procs": args.load_procs,
            "rows": [quiet, loaded], "loaded_over_quiet": round(loaded["wall_s"] / quiet["wall_s"], 2)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["engines", "threads", "load"])
    parser.add_argument("--models", nargs="+", default=["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    parser.add_argument("--model", help="threads, load: the model (default: the package's default)")
    parser.add_argument("--prompts", type=int, default=16, help="demo prompts (the run's --limit)")
    parser.add_argument("--examples", type=int, default=32, help="load: examples per run")
    parser.add_argument("--new-only", action="store_true", help="engines: the new engine and order only")
    parser.add_argument("--loads", nargs="+", choices=["quiet", "loaded"], default=["quiet", "loaded"],
                        help="threads: the conditions to measure")
    parser.add_argument("--options", type=int, default=4, help="threads: how many of the thread options to measure")
    parser.add_argument("--load-procs", type=int, default=os.cpu_count() or 2, help="CPU-bound processes of load")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.what == "threads" and not args.model:
        from distilabel_synthesizrr.generate.teachers.models import DEFAULT_MODEL

        args.model = DEFAULT_MODEL
    if not args.json:
        print(f"machine: {machine()}\n")
    emit({"engines": engines, "threads": threads, "load": load}[args.what](args), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
