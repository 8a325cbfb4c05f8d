"""`synthesizrr`: the command line. It only wires the package's modules together."""

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

from distilabel_synthesizrr.errors import SynthesizRRError

log = logging.getLogger("distilabel_synthesizrr")


def _print_summary(summary: dict, output: Path) -> None:
    print("\n=== SynthesizRR run summary ===")
    print(f"task {summary['task']} | method {summary['method']} ({summary['mode']}) | teacher {summary['teacher']}")
    print(f"seeds {summary['seeds']} | generated {summary['generated']} | kept {summary['kept']} | {summary['seconds']} s")
    print("rows per label: " + ", ".join(f"{k}={v}" for k, v in summary["rows_per_label"].items()))
    if summary["dropped_by_reason"]:
        print("dropped: " + ", ".join(f"{k}={v}" for k, v in summary["dropped_by_reason"].items()))
    tokens = summary["tokens"]
    print(f"tokens: prompt {tokens['prompt_tokens']}, completion {tokens['completion_tokens']}")
    print(f"dataset: {output.resolve()}  (Distiset.load_from_disk; dropped rows in the 'dropped' subset)")


def _cmd_run(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.config import load_config
    from distilabel_synthesizrr.pipeline import plan_run, run_synthesis

    config = load_config(args.config)
    if args.seed is not None:
        config.seed = args.seed
    teacher = args.teacher or config.teacher.kind
    if args.model:
        config.teacher.model = args.model
    if args.base_url:
        config.teacher.base_url = args.base_url
    method = args.method or config.method
    if teacher == "extractive" and method == "fewgen":
        raise SynthesizRRError("FewGen needs an LLM teacher: use --teacher local or --teacher openai.")
    output = Path(args.output)
    plan = plan_run(config, limit=args.limit, method=method)
    log.info("Plan: %d seeds, %s examples per label, %d passages per seed", len(plan.seeds), plan.per_label, plan.top_k)
    if teacher == "extractive":
        result = run_synthesis(config, output, llm=None, plan=plan, use_cache=not args.no_cache)
    elif teacher == "openai":
        from distilabel_synthesizrr.teachers import openai_llm

        result = run_synthesis(config, output, llm=openai_llm(config.teacher), plan=plan, use_cache=not args.no_cache)
    else:
        from distilabel_synthesizrr.teachers.local import LocalTeacher

        with LocalTeacher.from_config(config.teacher) as server:
            result = run_synthesis(config, output, llm=server.llm(), plan=plan, use_cache=not args.no_cache)
    _print_summary(result.summary, output)
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.presets import available_presets, load_preset

    for name in available_presets():
        preset = load_preset(name)
        print(f"{name}: {preset.task.description} Labels: {', '.join(preset.task.labels)}")
    return 0


def _cmd_teacher_serve(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.config import TeacherConfig
    from distilabel_synthesizrr.teachers.local import LocalTeacher

    teacher = LocalTeacher.from_config(TeacherConfig(kind="local", model=args.model), port=args.port)
    with teacher:
        print(json.dumps({"base_url": teacher.base_url, "model": teacher.model_alias}), flush=True)
        print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
        teacher.wait()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthesizrr",
        description="SynthesizRR: synthesize labelled text-classification data by retrieval and refinement.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="synthesize a dataset from a config file")
    run.add_argument("config", help="run config YAML (e.g. examples/reuters_topics.yaml)")
    run.add_argument("--output", "-o", required=True, help="folder to save the Distiset to")
    run.add_argument("--teacher", choices=["extractive", "local", "openai"], help="override teacher.kind")
    run.add_argument("--method", choices=["synthesizrr", "fewgen"], help="override method")
    run.add_argument("--limit", type=int, help="cap on the examples synthesized (split evenly across labels)")
    run.add_argument("--model", help="teacher model name (openai) or GGUF path (local)")
    run.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    run.add_argument("--seed", type=int, help="random seed (seed sampling, demonstrations)")
    run.add_argument("--no-cache", action="store_true", help="do not reuse distilabel's cached results")
    run.set_defaults(func=_cmd_run)

    presets = sub.add_parser("presets", help="list the shipped task presets")
    presets.set_defaults(func=_cmd_presets)

    teacher = sub.add_parser("teacher", help="the embedded local teacher")
    teacher_sub = teacher.add_subparsers(dest="teacher_command", required=True)
    serve = teacher_sub.add_parser("serve", help="run the local llama.cpp teacher server until Ctrl-C")
    serve.add_argument("--model", help="GGUF file (default: the shipped SmolLM2-135M-Instruct)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.set_defaults(func=_cmd_teacher_serve)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        return args.func(args)
    except SynthesizRRError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: what was generated so far is kept in distilabel's cache; "
              "re-run the same command to continue.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
