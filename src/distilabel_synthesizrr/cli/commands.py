"""The handlers of the `synthesizrr` subcommands: each reads its arguments, calls the package and
prints what a person needs to know."""

import argparse
import json
import sys
from pathlib import Path
from typing import Optional

from distilabel_synthesizrr.common.console import COMMAND_LOG, log_to, stage, table
from distilabel_synthesizrr.errors import ConfigError, SynthesizRRError


def cmd_run(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.generate.teachers import open_teacher
    from distilabel_synthesizrr.run.config import load_config
    from distilabel_synthesizrr.run.execute import plan_run, run_synthesis, summary_table
    from distilabel_synthesizrr.run.plan import load_seeds

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
        ray = RayOptions(address=args.ray_address, init_kwargs={"log_to_driver": args.verbose})  # actors' prints
    # The seeds (read in a moment) and then the teacher before the corpus: a wrong label, key, URL
    # or model fails in seconds, before the corpus is indexed and before a local teacher starts.
    seeds = load_seeds(config, method)
    with open_teacher(config.teacher, teacher) as llm:
        with stage("plan") as bar:
            plan = plan_run(config, limit=args.limit, method=method, seeds=seeds)
            bar.update(info=f"{len(plan.seeds)} seeds, {plan.per_label} examples per label, {plan.top_k} passages per seed")
        result = run_synthesis(config, output, llm=llm, plan=plan, resume=not args.fresh, ray=ray)
    print("\n=== SynthesizRR run summary ===\n" + summary_table(result.summary, output))
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
                 api_key: Optional[str] = None, only_doubtful: Optional[int] = None) -> None:
    from distilabel_synthesizrr.review.argilla import push_run

    print(push_run(run_dir, dataset, workspace=workspace, api_url=api_url, api_key=api_key, only_doubtful=only_doubtful))


def cmd_review_push(args: argparse.Namespace) -> int:
    _push_review(Path(args.run), args.dataset, args.workspace, args.api_url, args.api_key, args.only_doubtful)
    print(f"when reviewed: synthesizrr review pull {args.dataset} --output DIR")
    return 0


def cmd_review_pull(args: argparse.Namespace) -> int:
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


def cmd_distill(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.distill.student import distill

    with log_to(Path(args.output) / COMMAND_LOG):
        metrics = distill(Path(args.run), args.eval, Path(args.output), _student_settings(args),
                          with_seeds=args.with_seeds, gold=args.gold)
    print(f"\nstudent on {metrics['train_examples']} examples: accuracy {metrics['accuracy']:.3f}, "
          f"macro-F1 {metrics['macro_f1']:.3f} ({metrics['test_examples']} test examples)")
    if "gold" in metrics:
        print(f"gold (same number of real examples): accuracy {metrics['gold']['accuracy']:.3f}, "
              f"macro-F1 {metrics['gold']['macro_f1']:.3f}")
    print(f"model, metrics.json and {COMMAND_LOG}: {Path(args.output).resolve()}")
    if args.push_to_hub:
        from distilabel_synthesizrr.hub import push_model

        print(f"pushed: {push_model(Path(args.output), args.push_to_hub, private=args.private)}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.evaluate import REAL_NAME, evaluate_runs

    with log_to(Path(args.output) / COMMAND_LOG):
        out = evaluate_runs([Path(r) for r in args.runs], args.reference, Path(args.output),
                            sample_size=args.sample_size, model=args.embedding_model, seed=args.seed)
    keys = ["n", "self_bleu5", "distinct2", "entity_entropy", "mauve", "mean_pairwise_cosine",
            "label_preservation", "seed_copy_rate", "context_copy_rate"]
    columns = {**out["runs"], "real": out[REAL_NAME]}
    rows = [[key, *(m.get(key) for m in columns.values())] for key in keys]
    print("\n" + table(rows, header=["metric", *columns]))
    print(f"\nmetrics.json, report.html and {COMMAND_LOG}: {Path(args.output).resolve()}")
    return 0


def cmd_experiment(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.experiment import claims_markdown, default_methods, run_experiment
    from distilabel_synthesizrr.run.config import load_config

    config = load_config(args.config)
    if args.model:
        config.teacher.model = args.model
    results = run_experiment(config, Path(args.output), teacher=args.teacher or config.teacher.kind,
                             methods=args.methods or default_methods(config), seeds=args.seeds, budget=args.budget,
                             student=_student_settings(args), sample_size=args.sample_size)
    print(f"\n{config.task.name}: teacher {results['teacher']}, budget {results['budget']}, "
          f"{results['seeds_per_label']} seeds per label, random seeds {results['random_seeds']}\n")
    print(results["table"])
    print(claims_markdown(results["claims"]))
    print(f"experiment.json, experiment.md, runs, students, reports and {COMMAND_LOG}: {Path(args.output).resolve()}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.run.preview import print_preview
    from distilabel_synthesizrr.run.scaffold import choose_label_check, write_config

    path = write_config(args.seeds, args.corpus, Path(args.output), test=args.test, name=args.name,
                        text_column=args.text_column, label_column=args.label_column, teacher=args.teacher,
                        force=args.force, echo=print)
    if not args.no_preview:
        # The preview also decides the label check (written into the config when it turns it on).
        print_preview(choose_label_check(path), echo=print)
    print(f"\nnext: edit the verbalizations in {path}, then `synthesizrr run {path} --output runs/first`")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.run.preview import preview_config, print_preview

    print_preview(preview_config(args.config, samples=args.samples), echo=print)
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.presets import available_presets, load_preset

    for name in available_presets():
        preset = load_preset(name)
        print(f"{name}: {preset.task.description} Labels: {', '.join(preset.task.labels)}")
        defaults = preset.run_defaults()
        flat = [f"{section}.{key} {value}" for section, values in defaults.items() if isinstance(values, dict)
                for key, value in values.items()]
        flat += [f"{key} {value}" for key, value in defaults.items() if not isinstance(value, dict)]
        print(f"  run defaults (measured, docs/benchmarks.md): {', '.join(sorted(flat))}")
    return 0


def cmd_teacher_list(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.generate.teachers.models import DEFAULT_MODEL, MODELS

    rows = [[name + (" (default)" if name == DEFAULT_MODEL else ""), m.title, f"{m.size / 1e6:,.0f} MB", m.licence,
             "yes" if m.cached else "no",
             f"{m.examples_per_minute:g}" if m.examples_per_minute else "not measured"]
            for name, m in MODELS.items()]
    print(table(rows, header=["model", "file", "size", "licence", "cached", "examples/min (2 cores)"]))
    print("\nexamples/min: Reuters RetrICL prompts on the project's 2-core machine (benchmarks/local_teacher.py). "
          "Use one with --model NAME, or a GGUF file path.")
    return 0


def cmd_teacher_serve(args: argparse.Namespace) -> int:
    from distilabel_synthesizrr.generate.teachers.local import LocalTeacher
    from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings

    teacher = LocalTeacher.from_config(TeacherSettings(kind="local", model=args.model), port=args.port)
    with teacher:
        print(json.dumps({"base_url": teacher.base_url, "model": teacher.model_alias}), flush=True)
        print("Serving; press Ctrl-C to stop.", file=sys.stderr, flush=True)
        teacher.wait()
    return 0
