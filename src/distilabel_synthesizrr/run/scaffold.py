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
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml

from distilabel_synthesizrr.data.sources import DataSource, Record, columns_of, load_records
from distilabel_synthesizrr.errors import ConfigError, DataError
from distilabel_synthesizrr.generate.settings import GenerateSettings
from distilabel_synthesizrr.task import GENERIC_FILE

if TYPE_CHECKING:
    from distilabel_synthesizrr.run.preview import RetrievalPreview

#: Demonstrations per prompt: `GenerateSettings`' default (the paper's 3); `init` writes fewer when a
#: label has fewer seeds.
DEFAULT_SHOTS = GenerateSettings.model_fields["shots"].default
#: Generic run settings `init` writes (and a config without a preset gets from the settings' defaults).
GENERIC_BUDGET = 192
GENERIC_SEEDS_PER_LABEL = 8
LABEL_CHECK_OFF = "label_check: false            # true: keep passages a judge fitted on the seeds labels like their seed"
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


def _looks_like_labels(values: Sequence[str]) -> bool:
    """A column of labels: at least two values, each repeated on average (at most half as many
    distinct values as rows, or two), and short."""
    distinct = len(set(values))
    return 2 <= distinct <= max(2, len(values) // 2) and max(len(v.split()) for v in values) <= 5


def detect_columns(path: str, text_column: Optional[str] = None,
                   label_column: Optional[str] = None) -> Tuple[Optional[str], Optional[str]]:
    """The (text, label) columns of a labelled file: the flags' when given, else `text` and
    `label` when present; in a file of two columns, the one still missing when the data leaves no
    doubt: the label column holds a few short values repeated across rows (`_looks_like_labels`),
    the text column does not. What cannot be told stays None, and `read_labelled` then names the
    columns seen."""
    columns = [str(c) for c in columns_of(_source(path, text_column, label_column))]
    text = text_column or ("text" if "text" in columns else None)
    label = label_column or ("label" if "label" in columns else None)
    if (text and label) or len(columns) != 2 or (text and text not in columns) or (label and label not in columns):
        return text, label
    # One read of both columns (rows whose first column is empty are skipped, as a run would).
    rows = load_records(DataSource(path=path, text_column=columns[0], label_column=columns[1]))
    values = {columns[0]: [str(r["text"]) for r in rows],
              columns[1]: [str(r["label"]) for r in rows if r["label"] not in (None, "")]}
    if not all(values.values()):
        return text, label
    labels = [c for c in columns if _looks_like_labels(values[c])]
    if text is not None:
        other = next(c for c in columns if c != text)
        return text, (other if other in labels else None)
    if label is not None:
        other = next(c for c in columns if c != label)
        return (other if other not in labels else None), label
    if len(labels) == 1:
        return next(c for c in columns if c != labels[0]), labels[0]
    return None, None


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
    given = (text_column, label_column)
    text_column, label_column = detect_columns(seeds, *given)
    seed_records = read_labelled(seeds, "seeds", text_column, label_column)
    if (text_column, label_column) != given and {text_column, label_column} != {"text", "label"}:
        echo(f"columns of {seeds}: text {text_column!r}, label {label_column!r} (found from the data; "
             "--text-column / --label-column choose others)")
    counts = Counter(str(r["label"]) for r in seed_records)
    test_columns = detect_columns(test, *given) if test else (None, None)
    test_records = read_labelled(test, "test", *test_columns) if test else []
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
    def source(path: str, text: Optional[str], label: Optional[str]) -> str:
        # Only the columns not named as a data source expects them by default.
        columns = {key: name for key, name, default in (("text_column", text, "text"), ("label_column", label, "label"))
                   if name and name != default}
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
        f"  # Prompts: the generic ones (src/distilabel_synthesizrr/presets/{GENERIC_FILE.name}); to change them, copy",
        "  # their `prompts:` section here.",
        "  # Lengths in words, from your data: seeds' 5th-95th percentile "
        f"{_percentile(seed_words, 5)}-{_percentile(seed_words, 95)}, corpus' 10th-90th "
        f"{_percentile([len(t.split()) for t in corpus_texts], 10)}-{_percentile([len(t.split()) for t in corpus_texts], 90)}.",
        "  lengths:",
        *[f"    {key}: {value}" for key, value in lengths.items()],
        f"  # {plain:.0%} of the seeds are lower-case without punctuation: outputs are normalised the same way when true.",
        f"  normalize_output: {'true' if plain >= 0.9 else 'false'}",
        "data:",
        f"  seeds: {source(seeds, text_column, label_column)}",
        "  corpus:",
        *[f"    - {_yaml({'path': _path_for(config_dir, p), 'label_column': None})}" for p in corpus],
        f"  test: {source(test, *test_columns)}" if test else
        "  # test: FILE  (labelled real examples: the reference of distill/evaluate/experiment)",
        "",
        "# Run settings: the package's generic defaults (docs/benchmarks.md, \"tuned vs generic\").",
        f"seeds_per_label: {per_label}",
        f"budget: {GENERIC_BUDGET}                  # examples to synthesize in all, split evenly across labels",
        "seed: 0",
        "retrieval:",
        f"  similarity_band: {_yaml(band)}  # lexical seed/passage similarity kept"
        + (" (lower for short texts)" if band[0] < 0.05 else ""),
        f"  {LABEL_CHECK_OFF}",
        "generation:",
        "  mode: retricl                 # retricl (the paper's best) | zero_shot | seed_shot",
        f"  shots: {min(DEFAULT_SHOTS, per_label)}" + ("                      # demonstrations per prompt (paper: 3)"
                                                     if per_label >= DEFAULT_SHOTS else
                                                     "                      # fewer than 3: the scarcest label has "
                                                     f"{per_label} seeds"),
        "  temperature: 0.95            # the paper's; measured with the default teacher and DRY",
        "teacher:",
        "  kind: local                   # local (embedded llama.cpp, no key) | openai (OPENAI_BASE_URL, OPENAI_API_KEY)",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    echo(f"wrote {output}: {len(counts)} labels from {len(seed_records)} seeds ("
         + ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) + f"), {len(corpus_texts):,} corpus texts")
    return output


def lowest_agreement(preview: "RetrievalPreview") -> Optional[Tuple[str, float]]:
    """(label, share) of the label whose in-band passages the seeds' judge agrees with least."""
    shares = [(p.label, p.label_agrees / p.in_band) for p in preview.labels if p.in_band]
    return min(shares, key=lambda pair: pair[1]) if shares else None


def choose_label_check(path: Path) -> "RetrievalPreview":
    """Previews retrieval for the config `init` wrote at `path` and turns its label check on when
    the judge agrees with fewer than `run.preview.LABEL_CHECK_BELOW` of some label's passages (the corpus
    then holds many passages about other labels, which the teacher would rewrite under the
    seed's). Returns the preview of the config as it is left."""
    from distilabel_synthesizrr.run.config import load_config
    from distilabel_synthesizrr.run.preview import LABEL_CHECK_BELOW, preview_config

    path = Path(path)
    preview = preview_config(path)
    lowest = lowest_agreement(preview)
    if lowest is None or lowest[1] >= LABEL_CHECK_BELOW:
        return preview
    label, share = lowest
    text = path.read_text(encoding="utf-8")
    on = (f"label_check: true             # the seeds' judge agrees with only {share:.0%} of {label}'s passages "
          f"(init turns the check on under {LABEL_CHECK_BELOW:.0%})")
    path.write_text(text.replace(LABEL_CHECK_OFF, on, 1), encoding="utf-8")
    return preview.under(load_config(path))  # what a run would use, with the check on
