import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Sequence, Set, Tuple

from distilabel.mixins.runtime_parameters import RuntimeParameter
from distilabel.steps import Step, StepInput
from pydantic import Field, PositiveInt, PrivateAttr

from distilabel_synthesizrr.common.copies import COPY_WORDS, copies, source_grams
from distilabel_synthesizrr.common.text import (
    frozen_ngram_set,
    jaccard,
    ngram_set,
    normalize_like_reference,
    truncate_words,
    word_count,
    words,
)
from distilabel_synthesizrr.refine.judge import JUDGE_COLUMN
from distilabel_synthesizrr.refine.settings import RefineStepSettings, is_kept
from distilabel_synthesizrr.task import META_NOUNS, TaskSpec

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput

#: Chatty openings a teacher adds before the answer.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|okay|ok|certainly|of course)[,!.]?\s*)?"
    r"(?:here(?: is|'s| are) (?:a|an|the|your|my)\b[^:\n]{0,80}[:\n]\s*)?",
    re.IGNORECASE,
)
#: The verbs of a meta-summary ("The article discusses ..."); the nouns come from the task.
_META_VERBS = (
    r"discusses|is about|describes|talks about|reports(?: on| that)?|says(?: that)?|mentions|explains|"
    r"highlights|focuses on|covers|tells(?: us)?(?: about| that)?|details|states(?: that)?"
)
_QUOTES = "\"'“”‘’`"
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")

DropReason = Literal[
    "no_output", "empty_answer", "unknown_label", "refusal", "boilerplate", "too_short", "too_long",
    "copies_seed", "judge_disagrees", "duplicate", "near_duplicate",
]


@lru_cache(maxsize=16)
def meta_summary(nouns: Tuple[str, ...] = META_NOUNS) -> "re.Pattern[str]":
    """The opening of a meta-summary ("The article discusses ..."), for a task's `meta_nouns`:
    such a text describes the passage instead of being an example of the task. A judgement
    ("This film is a mess") is not one."""
    return re.compile(
        r"^\s*(?:in )?(?:the|this) (?:news |above |given )?(?:" + "|".join(map(re.escape, nouns)) + ")"
        r"(?: above)?,? (?:" + _META_VERBS + r")\b\s*(?:that\s+|how\s+)?",
        re.IGNORECASE,
    )


def clean_text(text: str, output_prefix: str = "", trim_incomplete: bool = True,
               meta_nouns: Sequence[str] = META_NOUNS) -> Tuple[str, bool]:
    """Strips the output prefix, chatty preambles, markdown, wrapping quotes and a cut-off
    last sentence. Returns the text and whether it opened as a meta-summary (one of
    `meta_nouns`, see `meta_summary`), which is stripped too."""
    text = text.replace("**", "").replace("__", "").strip()
    if output_prefix and text.lower().startswith(output_prefix.lower()):
        text = text[len(output_prefix):]
    text = _PREAMBLE.sub("", text, count=1).strip()
    meta = meta_summary(tuple(meta_nouns)).match(text)
    if meta:
        text = text[meta.end():]
    text = " ".join(text.split())
    while len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    text = text.lstrip(_QUOTES).strip()
    if trim_incomplete and text and not _SENTENCE_END.search(text[-3:] + " "):
        ends = list(_SENTENCE_END.finditer(text))
        if ends:
            text = text[: ends[-1].end()]
    if text and meta:
        text = text[0].upper() + text[1:]
    return text.strip(), bool(meta)


def _answered(row: Dict[str, Any]) -> bool:
    """Whether the teacher's raw answer (distilabel's `raw_output_<step>` metadata) had text."""
    meta = row.get("distilabel_metadata")
    return isinstance(meta, dict) and any(
        k.startswith("raw_output_") and isinstance(v, str) and v.strip() for k, v in meta.items())


def _shingles(text: str, n: int) -> Set[tuple]:
    grams = ngram_set(text, n)
    return grams or {tuple(w.lower() for w in words(text))}


class Refine(Step, RefineStepSettings):
    """Cleans the synthetic examples, filters bad ones and removes duplicates, giving every
    dropped row a reason.

    In order: rows with no text (`no_output`: the request failed or returned nothing;
    `empty_answer`: the teacher answered, but nothing was left once its repeated instructions
    were cut), an unknown label or the refusal sentinel are dropped; the
    text is cleaned (output prefix, chatty preambles, markdown, quotes, a cut-off last
    sentence, meta-summary openings such as "The article discusses", whose nouns are the task's
    `prompts.meta_nouns`); it is optionally
    normalised like the reference data (lower-cased, no punctuation); rows outside the
    length bounds, rows that copy the seeds (`seed_copy_share` of their word 6-grams), rows a label judge
    disagrees with, and exact or near duplicates (word 3-gram Jaccard) are dropped.

    Deduplication sees the whole dataset: by default (`input_batch_size` of 1,000,000)
    distilabel hands the step every row in one batch once the upstream steps finish. It is not
    a distilabel `GlobalStep`, which would only be started after all other steps (a second
    stage, seconds later). With smaller batches the step keeps its deduplication state across
    batches, so the result is the same.

    Attributes:
        task: the task spec (labels, refusal sentinel, output prefix, lengths: texts outside
            the task's `output_min_words`..`output_max_words` are dropped).
        too_long: `drop` longer texts, or `truncate` them at a sentence end. Defaults to `drop`.
        boilerplate: meta-summary openings are `strip`ped (default) or the row is `drop`ped.
        normalize: lower-case and strip punctuation; defaults to the task's `normalize_output`.
        near_duplicate_threshold: word 3-gram Jaccard at or above which a later row is a near
            duplicate of an earlier one. Defaults to 0.7.
        drop_seed_copies: drop rows that copy a seed: at least `seed_copy_share` of their word
            6-grams appear in their `seed_text` or in any of `seeds`. Defaults to `True`.
        seed_copy_share: the share of a row's word 6-grams taken from seeds that makes it a
            copy. One shared 6-gram is not enough: formulaic text ("the bank of england said
            it") shares common phrases with many seeds. Defaults to 0.2.
        seeds: every seed text of the run: a teacher shown seeds as demonstrations (FewGen,
            RetrICL) may copy any of them, and a copy of a seed adds nothing new. Defaults to `[]`.
        judge: drop rows whose `judge_label` (written by `JudgeLabel`) differs from their
            label. Defaults to `False`.
        drop_rejected: remove dropped rows from the output (default), or keep them with
            their `drop_reason` (the CLI keeps them, to save them apart and count them).

    Runtime parameters:
        - `input_batch_size`: rows per batch; default 1,000,000 (all rows at once).

    Input columns:
        - text (`str`): the synthetic example.
        - label (`str`): its intended label.
        - seed_text (`str`, optional): the seed it descends from.
        - judge_label (`str`, with `judge=True`): the label `JudgeLabel` gave the text.

    Output columns:
        - text (`str`): the cleaned example.
        - drop_reason (`str`): why the row was dropped; `None` for kept rows.

    Categories:
        - filtering
        - synthesizrr

    Citations:
        ```
        @inproceedings{divekar-durrett-2024-synthesizrr,
            title = {SynthesizRR: Generating Diverse Datasets with Retrieval Augmentation},
            author = {Divekar, Abhishek and Durrett, Greg},
            booktitle = {Proceedings of EMNLP 2024},
            year = {2024},
            eprint = {2405.10040},
            archivePrefix = {arXiv}
        }
        ```

    Examples:
        Clean, filter and deduplicate generations:

        ```python
        from distilabel_synthesizrr import Refine, load_preset

        refine = Refine(task=load_preset("movie_sentiment").task, drop_rejected=False)
        refine.load()

        result = next(refine.process([
            {"text": 'Review: "A dazzling, heartfelt ride from start to finish."', "label": "fresh"},
            {"text": "UNABLE TO REVIEW", "label": "rotten"},
        ]))
        # [{'text': 'A dazzling, heartfelt ride from start to finish.', 'label': 'fresh', 'drop_reason': None},
        #  {'text': 'UNABLE TO REVIEW', 'label': 'rotten', 'drop_reason': 'refusal'}]
        ```
    """

    task: TaskSpec = Field(description="Labels, refusal sentinel, answer prefixes and output lengths.")
    seeds: List[str] = Field(default_factory=list, description="Seed texts whose copies are dropped.")
    drop_rejected: bool = Field(default=True, description="False: dropped rows are kept with their `drop_reason`.")

    input_batch_size: RuntimeParameter[PositiveInt] = Field(
        default=1_000_000, description="Rows per batch (default: all rows at once)."
    )

    _sentinel: Optional[str] = PrivateAttr(default=None)
    _exact: Set[str] = PrivateAttr(default_factory=set)
    _index: Dict[tuple, List[int]] = PrivateAttr(default_factory=lambda: defaultdict(list))
    _kept: List[Set[tuple]] = PrivateAttr(default_factory=list)
    _df: Optional[Counter] = PrivateAttr(default=None)
    _seed_grams: Set[tuple] = PrivateAttr(default_factory=set)

    def load(self) -> None:
        super().load()
        self._exact, self._index, self._kept, self._df = set(), defaultdict(list), [], None
        self._seed_grams = source_grams(self.seeds)

    def copies_a_seed(self, text: str, seed_text: Optional[str] = None) -> bool:
        """Whether `text` copies the seeds (its own `seed_text` or any of `seeds`): the copy rule
        of `common.copies` with `seed_copy_share`."""
        own = frozen_ngram_set(seed_text, COPY_WORDS) if seed_text else frozenset()
        return copies(text, self._seed_grams, own, share=self.seed_copy_share)

    @property
    def inputs(self) -> "StepColumns":
        columns = {"text": True, "label": True, "seed_text": False}
        if self.judge:
            columns[JUDGE_COLUMN] = True
        return columns

    @property
    def outputs(self) -> "StepColumns":
        return ["text", "drop_reason"]

    def _refusal(self, text: str) -> bool:
        sentinel = self._sentinel
        if sentinel is None:
            sentinel = self._sentinel = normalize_like_reference(self.task.prompts.refusal)
        return bool(sentinel) and sentinel in normalize_like_reference(text)

    def refine_one(self, row: Dict[str, Any]) -> Tuple[Optional[str], Optional[str]]:
        """Cleans one row's text; returns (text, drop_reason) before deduplication."""
        raw = row.get("text")
        if raw is None or not str(raw).strip():
            # Tell a failed request (worth retrying) from a small teacher that only repeated its
            # instructions: distilabel keeps the raw answer in the metadata.
            return raw, "empty_answer" if _answered(row) else "no_output"
        if row.get("label") not in self.task.labels:
            return raw, "unknown_label"
        if self._refusal(str(raw)):
            return raw, "refusal"
        # The generation step parsed the answer (prefix, extra turns, echoed instruction) already.
        text, was_meta = clean_text(str(raw), self.task.answer_prefix(row["label"]),
                                    meta_nouns=self.task.prompts.meta_nouns)
        if was_meta and self.boilerplate == "drop":
            return text, "boilerplate"
        normalize = self.task.normalize_output if self.normalize is None else self.normalize
        if normalize:
            text = normalize_like_reference(text)
        min_words, max_words = self.task.lengths.output_min_words, self.task.lengths.output_max_words
        n = word_count(text)
        if n < min_words:
            return text, "too_short"
        if n > max_words:
            if self.too_long == "drop":
                return text, "too_long"
            text = truncate_words(text, max_words)
        if self.drop_seed_copies and self.copies_a_seed(text, row.get("seed_text")):
            return text, "copies_seed"
        if self.judge and str(row.get(JUDGE_COLUMN)) != str(row["label"]):
            return text, "judge_disagrees"
        return text, None

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore
        """Refines the whole dataset at once.

        Args:
            inputs: every synthetic row.

        Yields:
            The kept rows (and, with `drop_rejected=False`, the dropped rows with their reason).
        """
        refined = [self.refine_one(row) for row in inputs]
        shingles = [_shingles(text, 3) if reason is None else set() for text, reason in refined]
        # Near duplicates are found with prefix filtering (an exact method): under one fixed global
        # order of 3-grams, two sets with Jaccard >= t share a 3-gram among the first
        # |set| - ceil(t |set|) + 1 of each, so only those are indexed and probed. The order is
        # rarest first (document frequency in the first batch, then the 3-gram itself), so common
        # phrases shared by many rows cost nothing.
        if self._df is None:
            self._df = Counter(s for grams in shingles for s in grams)
        outputs: List[Dict[str, Any]] = []
        for row, (text, reason), grams in zip(inputs, refined, shingles):
            if reason is None:
                key = normalize_like_reference(text)
                prefix = self._prefix(grams)
                if key in self._exact:
                    reason = "duplicate"
                elif self._is_near_duplicate(grams, prefix):
                    reason = "near_duplicate"
                else:
                    self._exact.add(key)
                    for s in prefix:
                        self._index[s].append(len(self._kept))
                    self._kept.append(grams)
            outputs.append({**row, "text": text, "drop_reason": reason})
        counts = Counter(o["drop_reason"] for o in outputs if o["drop_reason"])
        self._logger.info(
            f"Refine kept {len(outputs) - sum(counts.values())} of {len(outputs)} rows"
            + (f"; dropped: {dict(counts)}" if counts else "")
        )
        yield outputs if not self.drop_rejected else [o for o in outputs if is_kept(o)]

    def _prefix(self, grams: Set[tuple]) -> List[tuple]:
        df = self._df
        ordered = sorted(grams, key=lambda g: (df.get(g, 0), g))
        return ordered[: len(ordered) - math.ceil(self.near_duplicate_threshold * len(ordered) - 1e-9) + 1]

    def _is_near_duplicate(self, grams: Set[tuple], prefix: List[tuple]) -> bool:
        candidates = {i for g in prefix for i in self._index.get(g, ())}
        return any(jaccard(grams, self._kept[i]) >= self.near_duplicate_threshold for i in candidates)
