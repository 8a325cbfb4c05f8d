"""`synthesizrr init`: a commented, runnable config for a user's own task, written from their
files: the labels found in the seeds, a verbalization line per label to edit, the generic
prompts, lengths measured on the seeds and the corpus, and the generic run settings.

Nothing here calls an LLM unless `teacher` is given (then it drafts the verbalizations).
"""

import os
import re
import string
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import yaml

from distilabel_synthesizrr.data.sources import DataSource, Record, columns_of, load_records
from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.presets import GENERIC_FILE

#: Generic run settings `init` writes (and a config without a preset gets from the settings' defaults).
GENERIC_BUDGET = 192
GENERIC_SEEDS_PER_LABEL = 8
#: Seeds shorter than this (median, in words) share few words with any passage: a lower band.
SHORT_TEXT_WORDS = 30
_PUNCTUATION = set(string.punctuation)


def _source(path: str, text_column: Optional[str], label_column: Optional[str]) -> DataSource:
    return DataSource(path=path, text_column=text_column or "text",
                      label_column=label_column if label_column is not None else "label")


def read_labelled(path: str, role: str, text_column: Optional[str] = None,
                  label_column: Optional[str] = None) -> List[Record]:
    """The labelled examples of a seeds or test file, with errors that name the columns seen."""
    src = _source(path, text_column, label_column)
    records = load_records(src)
    columns = columns_of(src)
    if not records:
        raise DataError(f"The {role} file {path} holds no text (columns seen: {', '.join(columns) or 'none'}). "
                        f"Fix: give a CSV/JSONL file with a {src.text_column!r} column of non-empty texts.")
    if src.label_column not in columns:
        raise DataError(f"The {role} file {path} has no label column {src.label_column!r} (columns seen: "
                        f"{', '.join(columns)}). Fix: pass --label-column with the column that holds the labels.")
    labelled = [r for r in records if r.get("label") not in (None, "")]
    labels = Counter(str(r["label"]) for r in labelled)
    if role == "seeds" and len(labels) < 2:
        found = f"one label, {next(iter(labels))!r}," if labels else "no label"
        raise DataError(f"The seeds file {path} has {found} in column {src.label_column!r}: a classifier needs at "
                        "least two labels. Fix: add examples of the other labels, or pass --label-column.")
    return labelled


def _percentile(values: Sequence[int], q: float) -> int:
    return int(round(float(np.percentile(values, q)))) if len(values) else 0


def derive_lengths(seeds: Sequence[str], corpus: Sequence[str]) -> Dict[str, int]:
    """Length bounds from the data: outputs like the seeds, passages cut where the small teacher's
    context still holds three demonstrations and the passage."""
    seed_words = [len(t.split()) for t in seeds]
    corpus_words = [len(t.split()) for t in corpus] or seed_words
    passage_max = min(120, max(30, _percentile(corpus_words, 90)))
    output_max = min(80, max(30, int(1.5 * _percentile(seed_words, 90))))
    return {
        "passage_min_words": max(3, min(25, _percentile(corpus_words, 10))),
        "passage_max_words": passage_max,
        "demonstration_max_words": min(50, passage_max),
        "output_min_words": max(3, min(10, _percentile(seed_words, 5))),
        "output_max_words": output_max,
        "max_new_tokens": min(96, max(48, output_max + 8)),
    }


def looks_normalised(texts: Sequence[str]) -> float:
    """The share of texts that are lower-case with no punctuation (like Reuters R8)."""
    if not texts:
        return 0.0
    plain = sum(1 for t in texts if t == t.lower() and not _PUNCTUATION.intersection(t))
    return plain / len(texts)


def placeholder_verbalization(label: str) -> str:
    return "about " + re.sub(r"[_\-]+", " ", label).strip()


def draft_verbalizations(records: Sequence[Record], teacher: str) -> Dict[str, str]:
    """Asks the teacher what each label's seeds are about; a placeholder where its answer is unusable."""
    from distilabel_synthesizrr.generate.teachers import open_teacher
    from distilabel_synthesizrr.generate.teachers.settings import TeacherSettings

    by_label: Dict[str, List[str]] = {}
    for r in records:
        by_label.setdefault(str(r["label"]), []).append(str(r["text"]))
    drafts: Dict[str, str] = {}
    with open_teacher(TeacherSettings(kind=teacher)) as llm:
        llm.load()
        try:
            for label, texts in by_label.items():
                shown = "\n".join(f"- {' '.join(t.split()[:40])}" for t in texts[:4])
                prompt = (f"Texts labelled \"{label}\":\n{shown}\n\nWhat subject do all these texts share? Answer "
                          "with the subject only, in two to five words.")
                out = llm.generate(inputs=[[{"role": "user", "content": prompt}]], num_generations=1,
                                   max_new_tokens=16, temperature=0.2)
                answer = (out[0]["generations"][0] or "") if out and out[0].get("generations") else ""
                drafts[label] = _clean_draft(answer) or placeholder_verbalization(label)
        finally:
            llm.unload()  # closes its HTTP session
    return drafts


def _clean_draft(answer: str) -> str:
    line = answer.strip().splitlines()[0] if answer.strip() else ""
    line = re.sub(r"^(topic|answer|these are texts)\s*:?\s*", "", line.strip(" \"'.:"), flags=re.I).strip(" \"'.")
    words = line.split()[:12]
    if not words:
        return ""
    phrase = " ".join(words).rstrip(".,;")
    return phrase if phrase.split()[0].lower() in ("about", "that", "which", "on", "from", "in", "with") \
        else f"about {phrase}"


def _path_for(config_dir: Path, path: str) -> str:
    if path.startswith(("shipped:", "hf:")):
        return path
    return os.path.relpath(Path(path).expanduser().resolve(), config_dir)


def _yaml(value) -> str:
    # A scalar dumps as "value\n...\n" (an explicit document end): keep the value only.
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip().removesuffix("...").strip()


def write_config(seeds: str, corpus: Sequence[str], output: Path, test: Optional[str] = None,
                 name: Optional[str] = None, text_column: Optional[str] = None, label_column: Optional[str] = None,
                 teacher: Optional[str] = None, force: bool = False,
                 echo: Callable[[str], None] = lambda _: None) -> Path:
    """Writes a commented, runnable config for the task of `seeds` (labelled) and `corpus`
    (unlabelled texts) to `output`, and returns its path."""
    output = Path(output)
    if output.exists() and not force:
        raise ConfigError(f"{output} exists. Fix: choose another --output, or pass --force to overwrite it.")
    seed_records = read_labelled(seeds, "seeds", text_column, label_column)
    counts = Counter(str(r["label"]) for r in seed_records)
    test_records = read_labelled(test, "test", text_column, label_column) if test else []
    unknown = sorted({str(r["label"]) for r in test_records} - set(counts))
    if unknown:
        raise DataError(f"The test file {test} has labels the seeds do not: {', '.join(unknown)}. Fix: add seeds of "
                        "them, or leave them out of the test file.")
    corpus_texts: List[str] = []
    for path in corpus:
        found = load_records(DataSource(path=path, label_column=None))
        if not found:
            raise DataError(f"The corpus {path} holds no text. Fix: give a file or folder of unlabelled texts.")
        corpus_texts += [str(r["text"]) for r in found]
    lengths = derive_lengths([str(r["text"]) for r in seed_records], corpus_texts)
    plain = looks_normalised([str(r["text"]) for r in seed_records])
    seed_words = sorted(len(str(r["text"]).split()) for r in seed_records)
    median_words = seed_words[len(seed_words) // 2]
    band = [0.02 if median_words < SHORT_TEXT_WORDS else 0.05, 0.9]
    per_label = max(1, min(GENERIC_SEEDS_PER_LABEL, min(counts.values())))
    verbalizations = draft_verbalizations(seed_records, teacher) if teacher else \
        {label: placeholder_verbalization(label) for label in counts}
    config_dir = output.resolve().parent
    task_name = name or re.sub(r"\W+", "_", output.stem).strip("_") or "my_task"
    columns = {k: v for k, v in (("text_column", text_column), ("label_column", label_column)) if v}

    def source(path: str) -> str:
        return _yaml({"path": _path_for(config_dir, path), **columns}) if columns else _yaml(_path_for(config_dir, path))

    lines = [
        f"# SynthesizRR config for your own task, written by `synthesizrr init` on {date.today().isoformat()}.",
        f"#   seeds:  {seeds} ({len(seed_records)} examples: "
        + ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) + ")",
        f"#   corpus: {', '.join(corpus)} ({len(corpus_texts):,} texts)",
        f"#   test:   {test} ({len(test_records)} examples)" if test else
        "#   test:   none (add `data.test: FILE` for distill, evaluate and experiment)",
        "# Preview retrieval (no LLM call): synthesizrr preview " + output.name,
        "# Run (embedded local teacher):    synthesizrr run " + output.name + " --output runs/first",
        "# Compare methods and students:    synthesizrr experiment " + output.name + " --output experiments/first",
        "task:",
        f"  name: {_yaml(task_name)}",
        "  description: Classify a text by its label.",
        "  # EDIT: one phrase per label that completes \"a text ...\"; the teacher is asked for \"a new, short",
        "  # text <phrase>\", so the phrases decide what it writes (e.g. \"about a billing problem\",",
        "  # \"that praises the product\")." + (f" Drafted by the {teacher} teacher." if teacher else " Placeholders."),
        "  labels:",
        *[f"    {_yaml(label)}: {_yaml(verbalizations[label])}  # {counts[label]} seeds" for label in sorted(counts)],
        f"  # Prompts: the generic ones (src/distilabel_synthesizrr/presets/{GENERIC_FILE}); to change them, copy",
        "  # their `prompts:` section here.",
        "  # Lengths in words, from your data: seeds' 5th-95th percentile "
        f"{_percentile(seed_words, 5)}-{_percentile(seed_words, 95)}, corpus' 10th-90th "
        f"{_percentile([len(t.split()) for t in corpus_texts], 10)}-{_percentile([len(t.split()) for t in corpus_texts], 90)}.",
        "  lengths:",
        *[f"    {key}: {value}" for key, value in lengths.items()],
        f"  # {plain:.0%} of the seeds are lower-case without punctuation: outputs are normalised the same way when true.",
        f"  normalize_output: {'true' if plain >= 0.9 else 'false'}",
        "data:",
        f"  seeds: {source(seeds)}",
        "  corpus:",
        *[f"    - {_yaml({'path': _path_for(config_dir, p), 'label_column': None})}" for p in corpus],
        f"  test: {source(test)}" if test else
        "  # test: FILE  (labelled real examples: the reference of distill/evaluate/experiment)",
        "",
        "# Run settings: the package's generic defaults (docs/benchmarks.md, \"tuned vs generic\").",
        f"seeds_per_label: {per_label}",
        f"budget: {GENERIC_BUDGET}                  # examples to synthesize in all, split evenly across labels",
        "seed: 0",
        "retrieval:",
        f"  similarity_band: {_yaml(band)}  # lexical seed/passage similarity kept"
        + (" (lower for short texts)" if band[0] < 0.05 else ""),
        "  label_check: false            # true: keep passages a judge fitted on the seeds labels like their seed",
        "generation:",
        "  mode: retricl                 # retricl (the paper's best) | zero_shot | seed_shot",
        "  temperature: 0.6",
        "teacher:",
        "  kind: local                   # local (embedded llama.cpp, no key) | openai (OPENAI_BASE_URL, OPENAI_API_KEY)",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    echo(f"wrote {output}: {len(counts)} labels from {len(seed_records)} seeds ("
         + ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) + f"), {len(corpus_texts):,} corpus texts")
    return output
