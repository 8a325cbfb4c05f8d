"""What synthetic data is worth, in numbers: diversity, similarity to real text, label
preservation and copying, per run and per label, side by side with the real data.

`evaluate_runs` computes `metrics.json`; `report.write_report` draws `report.html`.
"""

import json
import logging
from functools import partial
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from distilabel_synthesizrr.common.classifier import EVALUATION_MAX_ITER, LabelClassifier
from distilabel_synthesizrr.common.console import stage
from distilabel_synthesizrr.common.embeddings import DEFAULT_EMBEDDER, embed
from distilabel_synthesizrr.data.sources import Record, sample_up_to, stratified_sample
from distilabel_synthesizrr.evaluate.lexical import context_copy_rate, distinct_n, seed_copy_rate, self_bleu
from distilabel_synthesizrr.evaluate.semantic import entity_entropy, load_spacy, mauve_score, mean_pairwise_cosine
from distilabel_synthesizrr.run.config import Reference, reference_name, resolve_split
from distilabel_synthesizrr.run.rundir import SyntheticRun, load_run, run_reference

logger = logging.getLogger("distilabel_synthesizrr.evaluate")

REAL_NAME = "real (training data)"
#: Metrics where lower is better (for the report's arrows).
LOWER_IS_BETTER = {"self_bleu5", "mean_pairwise_cosine", "seed_copy_rate", "context_copy_rate"}


#: The evaluation subsets (classifier training set, reference and real texts): each label drawn
#: on its own, labels one after the other, as the recorded figures were measured.
_stratified = partial(stratified_sample, independent=True, interleave=False)


#: Real training texts the label-preservation judge learns from, at most.
JUDGE_TRAIN_SIZE = 2000


def label_judge(train: Sequence[Record], model: Optional[str] = None,
                seed: int = 0) -> Tuple[LabelClassifier, List[Record]]:
    """The label-preservation judge: logistic regression on the sentence embeddings of up to
    `JUDGE_TRAIN_SIZE` real training texts (each label drawn on its own), and the texts it learnt from."""
    train_s = _stratified(train, JUDGE_TRAIN_SIZE, seed)
    judge = LabelClassifier("embedding", model, max_iter=EVALUATION_MAX_ITER, seed=seed).fit_features(
        embed([r["text"] for r in train_s], model), [r["label"] for r in train_s])
    return judge, train_s


def text_metrics(
    texts: List[str],
    labels: List[str],
    reference_by_label: Dict[str, np.ndarray],
    classifier: Optional[LabelClassifier],
    nlp,
    sample_size: int,
    seed: int,
    contexts: Optional[List[Optional[str]]] = None,
    seeds: Optional[List[str]] = None,
    model: Optional[str] = None,
) -> Dict[str, Any]:
    """All metrics for one set of labelled texts, overall and per label."""
    idx = sample_up_to(range(len(texts)), sample_size, seed)
    texts_s = [texts[i] for i in idx]
    labels_s = [labels[i] for i in idx]
    vectors = embed(texts_s, model)
    out: Dict[str, Any] = {
        "n": len(texts),
        "sample_size": len(texts_s),
        "self_bleu5": round(self_bleu(texts_s), 3),
        "distinct1": round(distinct_n(texts_s, 1), 4),
        "distinct2": round(distinct_n(texts_s, 2), 4),
        "mean_pairwise_cosine": round(mean_pairwise_cosine(vectors), 4),
    }
    out.update({k: (round(v, 4) if isinstance(v, float) else v) for k, v in entity_entropy(texts_s, nlp).items()})
    if classifier is not None:
        out["label_preservation"] = round(classifier.agreement(vectors, labels_s), 4)
    if seeds is not None:
        out["seed_copy_rate"] = round(seed_copy_rate(texts, seeds), 4)
    if contexts is not None:
        rate = context_copy_rate(texts, contexts)
        out["context_copy_rate"] = None if rate is None else round(rate, 4)
    per_label: Dict[str, Dict[str, Any]] = {}
    mauves = []
    for label in sorted(set(labels_s)):
        rows = [i for i, y in enumerate(labels_s) if y == label]
        lv = vectors[rows]
        entry: Dict[str, Any] = {
            "n": sum(1 for y in labels if y == label),
            "self_bleu5": round(self_bleu([texts_s[i] for i in rows]), 3),
            "distinct2": round(distinct_n([texts_s[i] for i in rows], 2), 4),
            "mean_pairwise_cosine": round(mean_pairwise_cosine(lv), 4),
        }
        ref = reference_by_label.get(label)
        if ref is not None:
            score = mauve_score(ref, lv, seed=seed)
            entry["mauve"] = None if score is None else round(score, 4)
            if score is not None:
                mauves.append(score)
        if classifier is not None:
            entry["label_preservation"] = round(classifier.agreement(lv, [label] * len(rows)), 4)
        per_label[label] = entry
    out["mauve"] = round(float(np.mean(mauves)), 4) if mauves else None
    out["per_label"] = per_label
    return out


def evaluate_runs(
    runs: Sequence[Path],
    reference: Optional[Reference],
    output: Path,
    sample_size: int = 300,
    model: Optional[str] = None,
    seed: int = 0,
    names: Optional[Sequence[str]] = None,
    report: bool = True,
    students: Optional[Dict[str, Dict[str, Any]]] = None,
) -> Dict[str, Any]:
    """Evaluates saved runs against the real data of `reference` (`PRESET:test`, `CONFIG.yaml:test`
    or a `RunConfig`; None: the test set of the first run's own config) and writes
    `output/metrics.json` (and `output/report.html`).

    Costly metrics use at most `sample_size` texts per run (MAUVE and the per-label figures
    use that sample split by label); the sample size is recorded in the output. The report shows
    example texts of every run and, when given, `students`' results (name -> student metrics).
    """
    if reference is None:
        reference = run_reference(Path(runs[0]))
    task, test = resolve_split(reference)
    _, train = resolve_split(reference, "train")
    loaded: List[SyntheticRun] = [load_run(Path(r), name) for r, name in
                                  zip(runs, list(names or []) + [None] * len(runs))]
    # A bar of the sets evaluated: the reference, each run, the real column (and the report).
    bar = stage("evaluate", len(loaded) + 2 + int(report), "sets")
    bar.update(info="the reference data")
    logger.info("Embedding the reference data (%d train, %d test examples at most)...",
                min(len(train), JUDGE_TRAIN_SIZE), sample_size)
    classifier, train_s = label_judge(train, model, seed)
    test_s = _stratified(test, sample_size, seed)
    test_vectors = embed([r["text"] for r in test_s], model)
    reference_by_label = {
        label: test_vectors[[i for i, r in enumerate(test_s) if r["label"] == label]]
        for label in task.labels
    }
    nlp = load_spacy()
    results: Dict[str, Any] = {}
    for run in loaded:
        bar.update(advance=1, info=run.name)
        logger.info("Evaluating %s (%d rows)...", run.name, len(run.rows))
        contexts = [r.get("context") for r in run.rows] if any(r.get("context") for r in run.rows) else None
        metrics = text_metrics(
            run.texts, run.labels, reference_by_label, classifier, nlp, sample_size, seed,
            contexts=contexts, seeds=[s["text"] for s in run.seeds] if run.seeds else None, model=model,
        )
        metrics["path"] = str(run.path)
        metrics["summary"] = run.summary
        name = run.name
        while name in results:
            name += "'"
        results[name] = metrics
    bar.update(advance=1, info="the real data")
    # The real column: training texts the label classifier has not seen (all of them if too few).
    used = {id(r) for r in train_s}
    held_out = [r for r in train if id(r) not in used] or train
    real_s = _stratified(held_out, sample_size, seed + 1)
    real = text_metrics([r["text"] for r in real_s], [r["label"] for r in real_s], reference_by_label,
                        classifier, nlp, sample_size, seed + 1, model=model)
    out = {
        "task": task.name,
        "reference": reference_name(reference),
        "sample_size": sample_size,
        "embedding_model": model or DEFAULT_EMBEDDER,
        "label_classifier": f"logistic regression on embeddings of {len(train_s)} real training examples",
        "real_column": f"{len(real_s)} real training examples not used by the label classifier",
        "runs": results,
        REAL_NAME: real,
    }
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "metrics.json").write_text(json.dumps(out, indent=2, default=str))
    bar.update(advance=1, info="the report")
    if report:
        from distilabel_synthesizrr.evaluate.datamap import data_map_section
        from distilabel_synthesizrr.evaluate.report import write_report

        datamap = data_map_section(loaded)
        write_report(out, output / "report.html", sections=[datamap] if datamap else [],
                     embeddings={**{n: (embed(sample_up_to(r.texts, sample_size, seed), model)) for n, r in
                                    zip(results, loaded)}, REAL_NAME: embed([r["text"] for r in real_s], model)},
                     rows={**{n: r.rows for n, r in zip(results, loaded)}, REAL_NAME: real_s}, students=students)
        bar.update(advance=1)
    bar.update(info="")
    bar.close()
    return out


__all__ = ["REAL_NAME", "evaluate_runs", "load_run", "resolve_split", "text_metrics"]
