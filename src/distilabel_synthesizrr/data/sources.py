"""Loading seeds, corpora and test sets from files, Hugging Face datasets or shipped data."""

import csv
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from distilabel_synthesizrr.data.shipped import Record, load_shipped
from distilabel_synthesizrr.errors import DataError

_TABULAR = {".csv": ",", ".tsv": "\t"}
T = TypeVar("T")


class DataSource(BaseModel):
    """Where a set of texts comes from.

    `path` is one of:

    - `shipped:NAME[/SPLIT]`: a data set shipped in a registry package (see `data.shipped`),
    - `hf:NAME[:CONFIG]`: a Hugging Face dataset (`split` picks the split),
    - a `.csv`, `.tsv`, `.jsonl`, `.json`, `.parquet` or `.txt` file (one text per line),
    - a directory of `.txt` files (one text per file).
    """

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Where the texts are (see the class docstring).")
    split: Optional[str] = Field(default=None, description="Split of a shipped or hub dataset.")
    text_column: str = Field(default="text", description="Column holding the text.")
    label_column: Optional[str] = Field(default="label", description="Column holding the label, if any.")
    id_column: Optional[str] = Field(default=None, description="Column holding a stable id, if any.")

    def describe(self) -> str:
        return self.path + (f" (split {self.split})" if self.split else "")


SourceLike = Union[str, DataSource, dict]


def as_source(source: SourceLike) -> DataSource:
    """Accepts a `DataSource`, its dict form, or the bare `path` string."""
    if isinstance(source, DataSource):
        return source
    if isinstance(source, str):
        return DataSource(path=source)
    return DataSource(**source)


class DataSpec(BaseModel):
    """Where a task's seeds, retrieval corpus and gold test set come from (a preset's or a
    config's `data:` section)."""

    model_config = ConfigDict(extra="forbid")

    seeds: DataSource
    corpus: List[DataSource]
    test: Optional[DataSource] = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("seeds", "test"):
                if isinstance(data.get(key), str):
                    data[key] = {"path": data[key]}
            corpus = data.get("corpus")
            if corpus is not None:
                corpus = corpus if isinstance(corpus, list) else [corpus]
                data["corpus"] = [as_source(c).model_dump() for c in corpus]
        return data


def load_records(source: SourceLike) -> List[Record]:
    """Loads `source` as records with `id`, `text` and `label` (None when unlabelled).

    Relative file paths are resolved against the working directory (a config's or preset's
    are made absolute when it is read). Rows with an empty text are skipped.
    """
    src = as_source(source)
    if src.path.startswith("shipped:"):
        name, _, split = src.path[len("shipped:") :].partition("/")
        return load_shipped(name, split or src.split)
    if src.path.startswith("hf:"):
        raw_rows = _load_hub(src)
        prefix = src.path[3:]
    else:
        path = Path(src.path).expanduser()
        raw_rows = _load_path(path, src)
        prefix = path.stem
    return _to_records(raw_rows, src, prefix)


def columns_of(source: SourceLike) -> List[str]:
    """The columns of a source's first row (`id`, `text`, `label` for shipped data sets)."""
    src = as_source(source)
    if src.path.startswith("shipped:"):
        return ["id", "text", "label"]
    path = Path(src.path).expanduser()
    if path.suffix.lower() in _TABULAR and path.is_file():  # the header, even of a file with no rows
        with path.open(encoding="utf-8", newline="") as f:
            return next(csv.reader(f, delimiter=_TABULAR[path.suffix.lower()]), [])
    rows = _load_hub(src) if src.path.startswith("hf:") else _load_path(Path(src.path).expanduser(), src)
    return [str(c) for c in rows[0]] if rows else []


def _load_hub(src: DataSource) -> List[dict]:
    import datasets

    name, _, config = src.path[3:].partition(":")
    try:
        ds = datasets.load_dataset(name, config or None, split=src.split or "train")
    except Exception as e:  # the hub raises many kinds of errors
        raise DataError(f"Could not load the Hugging Face dataset {src.describe()}: {e}") from e
    return list(ds)


def _load_path(path: Path, src: DataSource) -> List[dict]:
    if not path.exists():
        raise DataError(
            f"File not found: {path}. Fix the `path` of this data source "
            "(relative paths start at the config file's folder)."
        )
    if path.is_dir():
        files = sorted(path.rglob("*.txt"))
        if not files:
            raise DataError(f"Folder {path} holds no .txt files.")
        return [{"id": str(f.relative_to(path)), src.text_column: f.read_text(encoding="utf-8")} for f in files]
    suffix = path.suffix.lower()
    try:
        if suffix in _TABULAR:
            with path.open(encoding="utf-8", newline="") as f:
                return list(csv.DictReader(f, delimiter=_TABULAR[suffix]))
        if suffix == ".jsonl":
            with path.open(encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, list) else data.get("data") or data.get("rows") or []
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pylist()
        if suffix == ".txt":
            return [{src.text_column: line} for line in path.read_text(encoding="utf-8").splitlines()]
    except (ValueError, UnicodeDecodeError, OSError) as e:
        raise DataError(f"Could not parse {path}: {e}. Fix the file or convert it to CSV/JSONL.") from e
    raise DataError(
        f"Unsupported file type {suffix!r} for {path}: use .csv, .tsv, .jsonl, .json, .parquet, .txt "
        "or a folder of .txt files."
    )


def _to_records(rows: Sequence[dict], src: DataSource, prefix: str) -> List[Record]:
    if rows and src.text_column not in rows[0]:
        raise DataError(
            f"{src.describe()} has no column {src.text_column!r} (columns: {', '.join(map(str, rows[0].keys()))}). "
            "Fix: set `text_column` to the column that holds the text."
        )
    if rows and src.label_column and src.label_column not in rows[0]:
        label_column = None
    else:
        label_column = src.label_column
    records = []
    for i, row in enumerate(rows):
        text = row.get(src.text_column)
        if text is None or not str(text).strip():
            continue
        label = row.get(label_column) if label_column else None
        rid = row.get(src.id_column) if src.id_column else row.get("id")
        records.append({
            "id": str(rid) if rid is not None else f"{prefix}-{i}",
            "text": str(text).strip(),
            "label": None if label is None else str(label),
        })
    return records


def sample_up_to(items: Sequence[T], k: int, seed: int = 0) -> List[T]:
    """`k` of `items` drawn at random (`random.Random(seed).sample`); all of them, in their
    order, when there are no more than `k`."""
    return list(items) if len(items) <= k else random.Random(seed).sample(list(items), k)


def sample_per_label(
    records: Sequence[Record], per_label: Optional[int], seed: int = 0, labels: Optional[Sequence[str]] = None,
    *, independent: bool = False, interleave: bool = True,
) -> List[Record]:
    """Draws up to `per_label` records of each label, reproducibly; all when `per_label` is None.
    Records without a label are left out, and so are labels not in `labels` (when given).

    By default one generator seeded with `seed` shuffles the records of each label in turn
    (labels in sorted order). With `independent=True` each label is drawn on its own with
    `sample_up_to`, so a label's draw does not depend on the other labels.

    The result is interleaved by label, so that any prefix of it is balanced across labels;
    `interleave=False` lists the labels one after the other (in sorted order).
    """
    by_label: Dict[str, List[Record]] = defaultdict(list)
    for r in records:
        if r.get("label") is not None and (labels is None or r["label"] in labels):
            by_label[str(r["label"])].append(r)
    rng = random.Random(seed)
    picked: Dict[str, List[Record]] = {}
    for label in sorted(by_label):
        group = by_label[label]
        if independent:
            picked[label] = group if per_label is None else sample_up_to(group, per_label, seed)
        else:
            rng.shuffle(group)
            picked[label] = group if per_label is None else group[:per_label]
    if not interleave:
        return [r for label in sorted(picked) for r in picked[label]]
    out: List[Record] = []
    for i in range(max((len(g) for g in picked.values()), default=0)):
        for label in sorted(picked):
            if i < len(picked[label]):
                out.append(picked[label][i])
    return out


def stratified_sample(
    records: Sequence[Record], k: Optional[int], seed: int = 0, *, fill: bool = False,
    independent: bool = False, interleave: bool = True,
) -> List[Record]:
    """About `k` records balanced across labels: `k // L` of each of the L labels (at least one
    each), drawn by `sample_per_label` (`independent` and `interleave` are passed on to it).

    With `fill=True` the result has exactly `min(k, len(records))` records: the share a scarce
    label cannot use is filled at random from the labels that have more. `k=None`, or no more
    records than `k` with `fill=True`: every record, in its order.
    """
    if k is None or (fill and len(records) <= k):
        return list(records)
    n_labels = len({str(r["label"]) for r in records if r.get("label") is not None})
    picked = sample_per_label(records, max(1, k // max(1, n_labels)), seed=seed,
                              independent=independent, interleave=interleave)
    if not fill:
        return picked
    picked = picked[:k]
    chosen = {id(r) for r in picked}
    rest = [r for r in records if id(r) not in chosen]
    random.Random(seed).shuffle(rest)
    return picked + rest[: k - len(picked)]
