"""Pushing a synthetic dataset and a distilled student to the Hugging Face Hub, with cards
that record how they were made (method, teacher, corpus, metrics).

The token comes from `token`, else the usual `HF_TOKEN` / `huggingface-cli login`; it is
never written to a card.
"""

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from distilabel_synthesizrr.errors import SynthesizRRError
from distilabel_synthesizrr.run.rundir import RunDir, load_run

CITATION = """```bibtex
@inproceedings{divekar-durrett-2024-synthesizrr,
  title = {SynthesizRR: Generating Diverse Datasets with Retrieval Augmentation},
  author = {Divekar, Abhishek and Durrett, Greg},
  booktitle = {Proceedings of EMNLP 2024},
  year = {2024},
  eprint = {2405.10040}
}
```"""


def _pipeline_info(run_dir: Path) -> Dict[str, Any]:
    """Corpus and seed sources from the run's pipeline.yaml (no secrets are stored there)."""
    path = RunDir(run_dir).pipeline_yaml
    if not path.is_file():
        return {}
    steps = yaml.safe_load(path.read_text()).get("pipeline", {}).get("steps", [])
    info: Dict[str, Any] = {}
    for step in steps:
        spec = step.get("step", {})
        if "corpus" in spec:
            info["corpus"] = [c.get("path") for c in spec["corpus"]]
            info["retrieval"] = {k: spec.get(k) for k in ("backend", "top_k", "rank_window", "similarity_band")}
        if spec.get("type_info", {}).get("name") == "LoadSeeds":
            # A run hands LoadSeeds the seeds it drew (saved beside the dataset), not their source.
            info["seeds"] = (spec.get("source") or {}).get("path") or "the run's seeds file"
    return info


def _pairs(mapping: Optional[Dict[str, Any]]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (mapping or {}).items())


def dataset_card(repo_id: str, summary: Dict[str, Any], info: Dict[str, Any], metrics: Optional[Dict[str, Any]],
                 subsets: Dict[str, str]) -> str:
    """A dataset card (README.md) with the configs' data files in its YAML header."""
    header = {
        "tags": ["synthetic", "distilabel", "synthesizrr", "text-classification"],
        "task_categories": ["text-classification"],
        "configs": [{"config_name": name, "data_files": path} for name, path in subsets.items()],
    }
    lines = [
        "---", yaml.safe_dump(header, sort_keys=False).strip(), "---", "",
        f"# {repo_id.split('/')[-1]}", "",
        f"Synthetic text-classification data for **{summary.get('task')}**, made with "
        "distilabel-synthesizrr (SynthesizRR: retrieve real passages with labelled seeds, "
        "then have a teacher LLM rewrite each passage into an example of the seed's label).", "",
        "| | |", "|---|---|",
        f"| method | {summary.get('method')} ({summary.get('mode')}) |",
        f"| teacher | {summary.get('teacher')} |",
        f"| seeds | {summary.get('seeds')} from {info.get('seeds', 'n/a')} |",
        f"| retrieval corpus | {', '.join(map(str, info.get('corpus', []))) or 'none (no retrieval)'} |",
        f"| rows kept / generated | {summary.get('kept')} / {summary.get('generated')} |",
        f"| rows per label | {_pairs(summary.get('rows_per_label'))} |",
        f"| dropped, by reason | {_pairs(summary.get('dropped_by_reason')) or 'none'} |",
        f"| tokens | {summary.get('tokens')} |", "",
        "The `default` config holds the kept rows; `dropped` holds the rows `Refine` removed, each with its "
        "`drop_reason`.", "",
    ]
    if metrics:
        lines += ["## Metrics", "", "```json", json.dumps(metrics, indent=2, default=str)[:6000], "```", ""]
    lines += ["## Citation", "", CITATION, ""]
    return "\n".join(lines)


def model_card(repo_id: str, metrics: Dict[str, Any]) -> str:
    """A model card for a SetFit student distilled from synthetic data."""
    header = {"library_name": "setfit", "pipeline_tag": "text-classification",
              "tags": ["setfit", "synthesizrr", "distilabel", "text-classification"]}
    per_class = "\n".join(
        f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        for label, m in (metrics.get("per_class") or {}).items()
    )
    train = metrics.get("train_data", {})
    lines = [
        "---", yaml.safe_dump(header, sort_keys=False).strip(), "---", "",
        f"# {repo_id.split('/')[-1]}", "",
        f"A SetFit student for **{metrics.get('task')}**, trained on {metrics.get('train_examples')} synthetic "
        f"examples{' plus the seeds' if train.get('with_seeds') else ''} made with distilabel-synthesizrr "
        f"({(train.get('summary') or {}).get('method')}, teacher {(train.get('summary') or {}).get('teacher')}).", "",
        f"On the real test set ({metrics.get('eval')}, {metrics.get('test_examples')} examples): "
        f"accuracy **{metrics.get('accuracy')}**, macro-F1 **{metrics.get('macro_f1')}**.", "",
    ]
    if "gold" in metrics:
        lines += [f"The same student trained on as many real examples: accuracy {metrics['gold'].get('accuracy')}, "
                  f"macro-F1 {metrics['gold'].get('macro_f1')}.", ""]
    lines += ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|", per_class, "",
              f"Student settings: `{json.dumps(metrics.get('student'))}`", "", "## Citation", "", CITATION, ""]
    return "\n".join(lines)


def push_dataset(run_dir: Path, repo_id: str, token: Optional[str] = None, private: bool = False,
                 metrics: Optional[Dict[str, Any]] = None) -> str:
    """Pushes a saved run (kept and dropped rows as Parquet, pipeline.yaml, a card). Returns its URL."""
    from distilabel.distiset import Distiset

    run_dir = Path(run_dir)
    run = load_run(run_dir)
    distiset = Distiset.load_from_disk(run_dir)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        subsets = {}
        for name in distiset:
            target = staging / name / "train.parquet"
            target.parent.mkdir(parents=True)
            distiset[name]["train"].to_parquet(str(target))
            subsets[name] = f"{name}/train.parquet"
        pipeline_yaml = RunDir(run_dir).pipeline_yaml
        if pipeline_yaml.is_file():
            shutil.copy(pipeline_yaml, staging / "pipeline.yaml")
        card = dataset_card(repo_id, run.summary.model_dump(), _pipeline_info(run_dir), metrics, subsets)
        (staging / "README.md").write_text(card, encoding="utf-8")
        return _upload(staging, repo_id, "dataset", token, private, "Upload SynthesizRR dataset")


def push_model(model_dir: Path, repo_id: str, token: Optional[str] = None, private: bool = False) -> str:
    """Pushes a distilled student (its folder, with a card from its metrics.json). Returns its URL."""
    model_dir = Path(model_dir)
    metrics_path = model_dir / "metrics.json"
    if not metrics_path.is_file():
        raise SynthesizRRError(f"{model_dir} has no metrics.json: give the --output folder of `synthesizrr distill`.")
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "model"
        shutil.copytree(model_dir, staging)
        (staging / "README.md").write_text(model_card(repo_id, json.loads(metrics_path.read_text())), encoding="utf-8")
        return _upload(staging, repo_id, "model", token, private, "Upload SynthesizRR student")


def _upload(folder: Path, repo_id: str, repo_type: str, token: Optional[str], private: bool, message: str) -> str:
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        url = api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type=repo_type, commit_message=message)
    except Exception as e:  # network, auth and hub errors all end here
        raise SynthesizRRError(
            f"Could not push to the Hugging Face Hub repo {repo_id!r}: {e}. The files are still saved locally; "
            "check HF_TOKEN (or `huggingface-cli login`) and the network, then push again."
        ) from e
    return str(url)
