"""`synthesizrr`: the command line. It only wires the package's modules together: the parser
here, the handlers in `commands`."""

import argparse
import logging
import os
import signal
import sys
from typing import List, Optional

from distilabel_synthesizrr.cli import commands
from distilabel_synthesizrr.common.console import Console
from distilabel_synthesizrr.common.reaper import only_in
from distilabel_synthesizrr.errors import Interrupted, SynthesizRRError

MODEL_HELP = ("teacher model: the endpoint's model name (openai), or for the local teacher one of "
              "`synthesizrr teacher list` (smollm2-135m, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b) or a GGUF path")


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
    parser.add_argument("-v", "--verbose", action="store_true", help="show every log record, not only progress bars")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="synthesize a dataset from a config file")
    run.add_argument("config", help="run config YAML (e.g. examples/reuters_topics.yaml)")
    run.add_argument("--output", "-o", required=True, help="folder to save the Distiset to")
    run.add_argument("--teacher", choices=["extractive", "local", "openai"], help="override teacher.kind")
    run.add_argument("--method", choices=["synthesizrr", "fewgen"], help="override method")
    run.add_argument("--limit", "--max-examples", type=int, dest="limit",
                     help="cap on the examples synthesized (split evenly across labels)")
    run.add_argument("--model", help=MODEL_HELP)
    run.add_argument("--base-url", help="OpenAI-compatible endpoint (default: OPENAI_BASE_URL)")
    run.add_argument("--seed", type=int, help="random seed (seed sampling, demonstrations)")
    run.add_argument("--fresh", action="store_true",
                     help="start afresh instead of resuming the rows an interrupted run already generated")
    _hub_args(run)
    run.add_argument("--ray", action="store_true", help="run on Ray (distilabel's RayPipeline; a local cluster by default)")
    run.add_argument("--ray-address", help="join this Ray cluster (auto, or ray://HEAD:10001) instead of a local one")
    run.add_argument("--review-dataset", metavar="NAME", help="then push the kept rows to this Argilla dataset for review")
    run.add_argument("--workspace", help="Argilla workspace (default: the user's default)")
    run.set_defaults(func=commands.cmd_run)

    distill = sub.add_parser("distill", help="train a SetFit student on a run and test it on real data")
    distill.add_argument("run", help="the --output folder of `synthesizrr run`")
    distill.add_argument("--eval", help="real test set, e.g. reuters_topics:test or my_task.yaml:test "
                                        "(default: the test set of the run's own config, data.test)")
    distill.add_argument("--output", "-o", required=True, help="folder for the student model and metrics.json")
    distill.add_argument("--with-seeds", action="store_true", help="train on the seeds + the synthetic data")
    distill.add_argument("--gold", action="store_true", help="also train on as many real examples (the ceiling)")
    _student_args(distill)
    distill.add_argument("--seed", type=int, default=0)
    _hub_args(distill)
    distill.set_defaults(func=commands.cmd_distill)

    evaluate = sub.add_parser("evaluate", help="compare runs: diversity, MAUVE, label preservation, copying")
    evaluate.add_argument("runs", nargs="+", help="--output folders of `synthesizrr run`")
    evaluate.add_argument("--reference", help="real data, e.g. reuters_topics:test or my_task.yaml:test "
                                              "(default: the test set of the first run's config, data.test)")
    evaluate.add_argument("--output", "-o", required=True, help="folder for metrics.json and report.html")
    evaluate.add_argument("--sample-size", type=int, default=300, help="texts per run for the costly metrics")
    evaluate.add_argument("--embedding-model", help="sentence-transformers model (default: all-MiniLM-L6-v2)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(func=commands.cmd_evaluate)

    experiment = sub.add_parser("experiment", help="run, distil and evaluate every method with one teacher and budget")
    experiment.add_argument("config", help="run config YAML")
    experiment.add_argument("--output", "-o", required=True, help="folder for runs, students, reports and the table")
    experiment.add_argument("--teacher", choices=["extractive", "local", "openai"],
                            help="override teacher.kind (extractive: with --methods extractive only)")
    experiment.add_argument("--model", help=MODEL_HELP)
    experiment.add_argument("--methods", nargs="+", help="subset of: synthesizrr-retricl synthesizrr-zero_shot fewgen extractive")
    experiment.add_argument("--seeds", nargs="+", type=int, default=[0], help="random seeds (mean ± std over them)")
    experiment.add_argument("--budget", type=int, help="examples per method (default: the config's budget)")
    experiment.add_argument("--sample-size", type=int, default=300, help="texts per run for the costly metrics")
    _student_args(experiment)
    experiment.set_defaults(func=commands.cmd_experiment)

    review = sub.add_parser("review", help="human review in Argilla (ARGILLA_API_URL / ARGILLA_API_KEY)")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    push = review_sub.add_parser("push", help="push a run's kept rows to an Argilla dataset (repeatable: no duplicates)")
    push.add_argument("run", help="the --output folder of `synthesizrr run`")
    push.add_argument("--only-doubtful", type=int, metavar="N", help="push only the N least confident rows (cartography)")
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
    push.set_defaults(func=commands.cmd_review_push)
    pull.set_defaults(func=commands.cmd_review_pull)

    init = sub.add_parser("init", help="write a runnable config for your own task from your seeds and corpus")
    init.add_argument("--seeds", required=True, help="labelled examples: CSV, JSONL or JSON with text and label columns")
    init.add_argument("--corpus", required=True, action="append", help="unlabelled texts to retrieve from (repeatable)")
    init.add_argument("--test", help="labelled real test examples (for distill, evaluate and experiment)")
    init.add_argument("--output", "-o", default="synthesizrr.yaml", help="config file to write (default: synthesizrr.yaml)")
    init.add_argument("--name", help="task name (default: the output file's name)")
    init.add_argument("--text-column", help="text column of the seeds and test files (default: text, or found "
                                            "from the data in a two-column file)")
    init.add_argument("--label-column", help="label column of the seeds and test files (default: label, or found "
                                             "from the data in a two-column file)")
    init.add_argument("--teacher", choices=["local", "openai"],
                      help="draft the verbalizations with this teacher instead of writing placeholders")
    init.add_argument("--force", action="store_true", help="overwrite the output file")
    init.add_argument("--no-preview", action="store_true",
                      help="skip the retrieval preview (which also decides the label check; without it, it stays off)")
    init.set_defaults(func=commands.cmd_init)

    preview = sub.add_parser("preview", help="preview retrieval on a config's corpus: no LLM call")
    preview.add_argument("config", help="run config YAML or preset name")
    preview.add_argument("--samples", type=int, default=2, help="sample passages shown per label")
    preview.set_defaults(func=commands.cmd_preview)

    presets = sub.add_parser("presets", help="list the shipped task presets")
    presets.set_defaults(func=commands.cmd_presets)

    teacher = sub.add_parser("teacher", help="the embedded local teacher")
    teacher_sub = teacher.add_subparsers(dest="teacher_command", required=True)
    serve = teacher_sub.add_parser("serve", help="run the local llama.cpp teacher server until Ctrl-C")
    serve.add_argument("--model", help="a model of `synthesizrr teacher list` or a GGUF file (default: the default model)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.set_defaults(func=commands.cmd_teacher_serve)
    listing = teacher_sub.add_parser("list", help="the local teacher's models: size, licence, cached, speed")
    listing.set_defaults(func=commands.cmd_teacher_list)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with Console(verbose=args.verbose):  # bars and our warnings on screen; every log record in the log file
        if not args.verbose:  # one line per HTTP request drowns the log
            for name in ("httpx", "httpx2", "argilla.sdk"):
                logging.getLogger(name).setLevel(logging.WARNING)
        # `kill` (SIGTERM) ends a command the way Ctrl-C does: cleanly, servers stopped, work kept.
        previous = signal.signal(signal.SIGTERM, only_in(os.getpid(), _sigterm_as_interrupt))
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
        finally:  # a caller of main() in its own process (a test, a script) keeps its own handler
            if previous is not None:  # None: a handler not installed from Python, which cannot be put back
                signal.signal(signal.SIGTERM, previous)


def _sigterm_as_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
