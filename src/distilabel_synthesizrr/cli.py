"""`synthesizrr`: the command line. It only wires the package's modules together."""

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from distilabel_synthesizrr.common.reaper import only_in
from distilabel_synthesizrr.errors import ConfigError, Interrupted, SynthesizRRError

if TYPE_CHECKING:
    from distilabel_synthesizrr.run.rundir import RunSummary

log = logging.getLogger("distilabel_synthesizrr")


def _print_summary(summary: "RunSummary", output: Path) -> None:
    print("\n=== SynthesizRR run summary ===")
    print(f"task {summary.task} | method {summary.method} ({summary.mode}) | teacher {summary.teacher}")
    print(f"seeds {summary.seeds} | generated {summary.generated} | kept {summary.kept} | {summary.seconds} s")
    print("rows per label: " + ", ".join(f"{k}={v}" for k, v in summary.rows_per_label.items()))
    if summary.dropped_by_reason:
        print("dropped: " + ", ".join(f"{k}={v}" for k, v in summary.dropped_by_reason.items()))
    tokens = summary.tokens
    cost = f", cost {summary.cost:.4f}" if summary.cost is not None else ""
    print(f"tokens: prompt {tokens['prompt_tokens']}, completion {tokens['completion_tokens']}{cost}")
    if summary.stopped:
        print(f"stopped early: {summary.stopped} (raise teacher.max_total_tokens and re-run to continue)")
    print(f"dataset: {output.resolve()}  (Distiset.load_from_disk; dropped rows in the 'dropped' subset)")


def _cmd_run(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.run.config import load_config
    from distilabel_synthesizrr.run.execute import plan_run, run_synthesis

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
    ray = None
    if args.ray or args.ray_address:
        from distilabel_synthesizrr.run.scale import RayOptions, require_ray

        require_ray()
        ray = RayOptions(address=args.ray_address)
    plan = plan_run(config, limit=args.limit, method=method)
    log.info("Plan: %d seeds, %s examples per label, %d passages per seed", len(plan.seeds), plan.per_label, plan.top_k)
    if teacher == "extractive":
        result = run_synthesis(config, output, llm=None, plan=plan, resume=not args.fresh, ray=ray)
    elif teacher == "openai":
        from distilabel_synthesizrr.generate.teachers import openai_llm

        result = run_synthesis(config, output, llm=openai_llm(config.teacher), plan=plan, resume=not args.fresh,
                               ray=ray)
    else:
        from distilabel_synthesizrr.generate.teachers.local import LocalTeacher

        with LocalTeacher.from_config(config.teacher) as server:
            result = run_synthesis(config, output, llm=server.llm(), plan=plan, resume=not args.fresh, ray=ray)
    _print_summary(result.summary, output)
    if args.push_to_hub:
        from distilabel_synthesizrr.hub import push_dataset

        print(f"pushed: {push_dataset(output, args.push_to_hub, private=args.private)}")
    if args.review_dataset:
        from distilabel_synthesizrr.review.argilla import ReviewError

        try:
            _push_review(output, args.review_dataset, args.workspace)
        except (ReviewError, ConfigError) as e:
            raise SynthesizRRError(f"{e}\nThe dataset is saved at {output.resolve()}; push it for review later with "
                                   f"`synthesizrr review push {output} --dataset {args.review_dataset}`.") from e
    return 0


def _push_review(run_dir: Path, dataset: str, workspace: Optional[str], api_url: Optional[str] = None,
                 api_key: Optional[str] = None) -> None:
    from distilabel_synthesizrr.review.argilla import push_run

    result = push_run(run_dir, dataset, workspace=workspace, api_url=api_url, api_key=api_key)
    print(f"review: {result.records} records in Argilla dataset {result.workspace}/{result.dataset} "
          f"(re-pushing updates them): {result.url}")


def _cmd_review_push(args: argparse.Namespace) -> int:
    _push_review(Path(args.run), args.dataset, args.workspace, args.api_url, args.api_key)
    print(f"when reviewed: synthesizrr review pull {args.dataset} --output DIR")
    return 0


def _cmd_review_pull(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.review.argilla import pull_reviewed

    c = pull_reviewed(args.dataset, Path(args.output), workspace=args.workspace,
                      include_pending=not args.reviewed_only, api_url=args.api_url, api_key=args.api_key)
    print(f"{c.total} records: {c.reviewed} reviewed ({c.changed} changed: {c.relabelled} relabelled, "
          f"{c.edited} text corrected), {c.discarded} discarded, {c.pending} pending"
          f"{' (left out)' if args.reviewed_only else ' (teacher label kept)'}")
    print(f"kept {c.kept}: " + ", ".join(f"{k}={v}" for k, v in c.labels.items()))
    print(f"dataset: {Path(args.output).resolve()}  (train a student: synthesizrr distill {args.output} --eval ...)")
    return 0


def _student_settings(args: argparse.Namespace):
    from distilabel_synthesizrr.distill.student import StudentSettings

    return StudentSettings(body=args.body, num_iterations=args.iterations, num_epochs=args.epochs,
                           batch_size=args.batch_size, max_steps=args.max_steps, max_length=args.max_length,
                           seed=getattr(args, "seed", 0),
                           eval_size=args.eval_size or None)


def _cmd_distill(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.distill.student import distill

    metrics = distill(Path(args.run), args.eval, Path(args.output), _student_settings(args),
                      with_seeds=args.with_seeds, gold=args.gold)
    print(f"\nstudent on {metrics['train_examples']} examples: accuracy {metrics['accuracy']:.3f}, "
          f"macro-F1 {metrics['macro_f1']:.3f} ({metrics['test_examples']} test examples)")
    if "gold" in metrics:
        print(f"gold (same number of real examples): accuracy {metrics['gold']['accuracy']:.3f}, "
              f"macro-F1 {metrics['gold']['macro_f1']:.3f}")
    print(f"model and metrics.json: {Path(args.output).resolve()}")
    if args.push_to_hub:
        from distilabel_synthesizrr.hub import push_model

        print(f"pushed: {push_model(Path(args.output), args.push_to_hub, private=args.private)}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.evaluate import REAL_NAME, evaluate_runs

    out = evaluate_runs([Path(r) for r in args.runs], args.reference, Path(args.output),
                        sample_size=args.sample_size, model=args.embedding_model, seed=args.seed)
    keys = ["n", "self_bleu5", "distinct2", "entity_entropy", "mauve", "mean_pairwise_cosine",
            "label_preservation", "seed_copy_rate", "context_copy_rate"]
    columns = {**out["runs"], "real": out[REAL_NAME]}
    print("\n" + "metric".ljust(22) + "".join(name[:18].rjust(20) for name in columns))
    for key in keys:
        print(key.ljust(22) + "".join(str(m.get(key, "")).rjust(20) for m in columns.values()))
    print(f"\nmetrics.json and report.html: {Path(args.output).resolve()}")
    return 0


def _cmd_experiment(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.experiment import claims_markdown, default_methods, run_experiment
    from distilabel_synthesizrr.run.config import load_config

    config = load_config(args.config)
    results = run_experiment(config, Path(args.output), teacher=args.teacher or config.teacher.kind,
                             methods=args.methods or default_methods(config), seeds=args.seeds, budget=args.budget,
                             student=_student_settings(args), sample_size=args.sample_size)
    print(f"\n{config.task.name}: teacher {results['teacher']}, budget {results['budget']}, "
          f"{results['seeds_per_label']} seeds per label, random seeds {results['random_seeds']}\n")
    print(results["table"])
    print(claims_markdown(results["claims"]))
    print(f"experiment.json, experiment.md, runs, students and reports: {Path(args.output).resolve()}")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.presets import available_presets, load_preset

    for name in available_presets():
        preset = load_preset(name)
        print(f"{name}: {preset.task.description} Labels: {', '.join(preset.task.labels)}")
    return 0


def _cmd_teacher_serve(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.generate.teachers.local import LocalTeacher
    from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings

    teacher = LocalTeacher.from_config(TeacherSettings(kind="local", model=args.model), port=args.port)
    with teacher:
        print(json.dumps({"base_url": teacher.base_url, "model": teacher.model_alias}), flush=True)
        print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
        teacher.wait()
    return 0


def _hub_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--push-to-hub", metavar="REPO", help="push the result to this Hugging Face Hub repo (HF_TOKEN)")
    parser.add_argument("--private", action="store_true", help="make the Hub repo private")


def _student_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--body", help="sentence-transformers model name or path (default: all-MiniLM-L6-v2, shipped)")
    parser.add_argument("--iterations", type=int, default=5, help="SetFit pairs per example (num_iterations)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-steps", type=int, default=-1, help="cap on contrastive training steps")
    parser.add_argument("--max-length", type=int, default=128, help="tokens per text for the student")
    parser.add_argument("--eval-size", type=int, default=500, help="test examples (stratified; 0: all)")


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
    run.add_argument("--limit", "--max-examples", type=int, dest="limit",
                     help="cap on the examples synthesized (split evenly across labels)")
    run.add_argument("--model", help="teacher model name (openai) or GGUF path (local)")
    run.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    run.add_argument("--seed", type=int, help="random seed (seed sampling, demonstrations)")
    run.add_argument("--fresh", action="store_true",
                     help="start afresh instead of resuming the rows an interrupted run already generated")
    _hub_args(run)
    run.add_argument("--ray", action="store_true", help="run on Ray (distilabel's RayPipeline; a local cluster by default)")
    run.add_argument("--ray-address", help="join this Ray cluster (auto, or ray://HEAD:10001) instead of a local one")
    run.add_argument("--review-dataset", metavar="NAME", help="then push the kept rows to this Argilla dataset for review")
    run.add_argument("--workspace", help="Argilla workspace (default: the user's default)")
    run.set_defaults(func=_cmd_run)

    distill = sub.add_parser("distill", help="train a SetFit student on a run and test it on real data")
    distill.add_argument("run", help="the --output folder of `synthesizrr run`")
    distill.add_argument("--eval", required=True, help="real test set, e.g. reuters_topics:test")
    distill.add_argument("--output", "-o", required=True, help="folder for the student model and metrics.json")
    distill.add_argument("--with-seeds", action="store_true", help="train on the seeds + the synthetic data")
    distill.add_argument("--gold", action="store_true", help="also train on as many real examples (the ceiling)")
    _student_args(distill)
    distill.add_argument("--seed", type=int, default=0)
    _hub_args(distill)
    distill.set_defaults(func=_cmd_distill)

    evaluate = sub.add_parser("evaluate", help="compare runs: diversity, MAUVE, label preservation, copying")
    evaluate.add_argument("runs", nargs="+", help="--output folders of `synthesizrr run`")
    evaluate.add_argument("--reference", required=True, help="real data, e.g. reuters_topics:test")
    evaluate.add_argument("--output", "-o", required=True, help="folder for metrics.json and report.html")
    evaluate.add_argument("--sample-size", type=int, default=300, help="texts per run for the costly metrics")
    evaluate.add_argument("--embedding-model", help="sentence-transformers model (default: all-MiniLM-L6-v2)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(func=_cmd_evaluate)

    experiment = sub.add_parser("experiment", help="run, distil and evaluate every method with one teacher and budget")
    experiment.add_argument("config", help="run config YAML")
    experiment.add_argument("--output", "-o", required=True, help="folder for runs, students, reports and the table")
    experiment.add_argument("--teacher", choices=["local", "openai"], help="override teacher.kind")
    experiment.add_argument("--methods", nargs="+", help="subset of: synthesizrr-retricl synthesizrr-zero_shot fewgen extractive")
    experiment.add_argument("--seeds", nargs="+", type=int, default=[0], help="random seeds (mean ± std over them)")
    experiment.add_argument("--budget", type=int, help="examples per method (default: the config's budget)")
    experiment.add_argument("--sample-size", type=int, default=300, help="texts per run for the costly metrics")
    _student_args(experiment)
    experiment.set_defaults(func=_cmd_experiment)

    review = sub.add_parser("review", help="human review in Argilla (ARGILLA_API_URL / ARGILLA_API_KEY)")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    push = review_sub.add_parser("push", help="push a run's kept rows to an Argilla dataset (repeatable: no duplicates)")
    push.add_argument("run", help="the --output folder of `synthesizrr run`")
    pull = review_sub.add_parser("pull", help="pull reviewed records back as a run that `distill` accepts")
    pull.add_argument("dataset", help="the Argilla dataset name")
    pull.add_argument("--output", "-o", required=True, help="folder to save the reviewed dataset to")
    pull.add_argument("--reviewed-only", action="store_true", help="leave out records nobody has submitted yet")
    for p in (push, pull):
        if p is push:
            p.add_argument("--dataset", required=True, help="Argilla dataset name (created when missing)")
        p.add_argument("--workspace", help="Argilla workspace (default: the user's default)")
        p.add_argument("--api-url", help="Argilla URL (default: ARGILLA_API_URL)")
        p.add_argument("--api-key", help="Argilla API key (default: ARGILLA_API_KEY)")
    push.set_defaults(func=_cmd_review_push)
    pull.set_defaults(func=_cmd_review_pull)

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
    if not args.verbose:  # one line per HTTP request drowns the output
        for name in ("httpx", "httpx2", "argilla.sdk"):
            logging.getLogger(name).setLevel(logging.WARNING)
    # `kill` (SIGTERM) ends a command the way Ctrl-C does: cleanly, servers stopped, work kept.
    signal.signal(signal.SIGTERM, only_in(os.getpid(), _sigterm_as_interrupt))
    try:
        return args.func(args)
    except Interrupted as e:
        print(str(e), file=sys.stderr)
        return 130
    except SynthesizRRError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every row generated so far is checkpointed; re-run the same command to "
              "continue where it stopped.", file=sys.stderr)
        return 130


def _sigterm_as_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
