from typing import TYPE_CHECKING, Any, List, Optional

from distilabel.mixins.runtime_parameters import RuntimeParameter
from distilabel.steps import Step, StepInput
from pydantic import Field, PositiveInt, PrivateAttr, field_validator

from distilabel_synthesizrr.data.sources import DataSource, as_source
from distilabel_synthesizrr.retrieve.passages import PassageIndex, PassageSelection, open_index
from distilabel_synthesizrr.retrieve.settings import RetrieveSettings

if TYPE_CHECKING:
    from distilabel.typing import StepColumns, StepOutput


class RetrieveContext(Step, RetrieveSettings):
    """Retrieves real passages for each seed example: the content-sourcing stage of SynthesizRR.

    Each input row's `text` (a real labelled seed example) is used verbatim as a query
    against an unlabelled corpus. Every kept passage becomes an output row that *inherits the
    seed's label*; the teacher will later rewrite it into a new example of that label.

    Passages are kept when their rank lies in `rank_window`, their similarity to the seed
    lies in `similarity_band` (dropping near-copies of the seed above the band and unrelated
    passages below it) and they have at least `passage_min_words` words; long passages are
    cut at a sentence end to `passage_max_words`. The index is built in `load()` (or reused:
    it is saved on disk keyed by a fingerprint of the corpus and the engine settings).

    With `label_check`, a judge fitted on the seeds (logistic regression on TF-IDF words with BM25,
    on the dense engine's sentence embeddings with `dense` and `hybrid`; see
    `distilabel_synthesizrr.common.classifier`) must give a passage the label it would inherit: with an
    in-domain corpus many retrieved passages are about another label, and a small teacher
    turns them into mislabelled examples.

    All seeds are taken in one batch by default. distilabel 1.5.3 never ends a pipeline in
    which a later batch of this step comes out empty (all its labels already full, or all its
    passages taken), and the label check learns from every seed.

    Attributes:
        corpus: the unlabelled texts to search: one or more `DataSource`s (or their paths,
            e.g. `"shipped:news_articles"` or `"corpus.jsonl"`).
        backend: the retrieval engine: `"bm25s"` (default, fast BM25), `"rank_bm25"` (reference
            BM25), `"dense"` (sentence embeddings, cosine) or `"hybrid"` (BM25 and dense fused
            by reciprocal rank).
        embedding_model: the sentence-transformers model of the dense engines (a hub name or a
            path). Defaults to the shipped all-MiniLM-L6-v2.
        dense_search: `"exact"` (numpy, memory-mapped embeddings; default) or `"faiss"` (a
            FAISS inner-product index; needs faiss-cpu).
        top_k: how many passages to keep per seed at most. Defaults to 3.
        rank_window: the (first, last) ranks considered, 1-based and inclusive. The paper
            keeps ranks 1..50. Defaults to `[1, 50]`.
        similarity_band: the (min, max) lexical cosine similarity between seed and passage
            for a passage to be kept. BM25 scores are unbounded, so the band is set on this
            retriever-independent similarity. Defaults to `[0.05, 0.9]`.
        score_band: the (min, max) of the engine's own score, e.g. `[0.3, 0.95]` of cosine for
            the dense engine. Defaults to `None` (no bound).
        passage_min_words: passages shorter than this are dropped. Defaults to 20.
        passage_max_words: longer passages are cut at a sentence end. Defaults to 400.
        deduplicate: keep a passage only for the first seed that retrieves it. Defaults to `True`.
        max_per_label: stop emitting passages for a label once it has this many. Defaults to `None`.
        label_check: keep only passages that a judge fitted on the seeds (those of this
            batch and earlier ones) assigns to the seed's label. Defaults to `False`.

    Runtime parameters:
        - `index_dir`: where saved indexes live. Defaults to the package cache.
        - `input_batch_size`: seeds per batch (one batched search call each); default
          1,000,000 (all seeds at once).

    Input columns:
        - text (`str`): the seed example, used as the query.
        - label (`str`): the seed's label, inherited by its passages.

    Output columns:
        - context (`str`): the retrieved passage (cut to `passage_max_words`).
        - passage_id (`str`): the passage's id in the corpus.
        - rank (`int`): the passage's 1-based rank for this seed.
        - retrieval_score (`float`): the engine's score (BM25, cosine or fused rank score).
        - similarity (`float`): lexical cosine similarity of seed and passage.
        - seed_text (`str`): the seed example that retrieved the passage.
        - label (`str`): the seed's label.
        - label_index (`int`): the passage's number among its label's passages (0, 1, ...):
          a label's passages come out together, in this order.

    Categories:
        - retrieval
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
        Retrieve news passages for a labelled seed:

        ```python
        from distilabel_synthesizrr import RetrieveContext

        retrieve = RetrieveContext(corpus="shipped:news_articles", top_k=2)
        retrieve.load()

        result = next(retrieve.process([
            {"text": "opec agrees to cut crude oil output to lift prices", "label": "crude"}
        ]))
        # [{'label': 'crude', 'seed_text': 'opec agrees to cut crude oil output to lift prices',
        #   'context': 'OPEC, Russia agree to cut oil output ...', 'passage_id': 'news-1234',
        #   'rank': 1, 'retrieval_score': 11.2, 'similarity': 0.31}, ...]
        ```
    """

    corpus: List[DataSource] = Field(description="The unlabelled texts to search.")
    max_per_label: Optional[int] = Field(default=None, ge=1, description="Passages kept per label at most (the budget).")
    input_batch_size: RuntimeParameter[PositiveInt] = Field(
        default=1_000_000, description="Seeds per batch (default: all seeds at once)."
    )

    _index: Optional[PassageIndex] = PrivateAttr(default=None)
    _selection: Optional[PassageSelection] = PrivateAttr(default=None)

    @field_validator("corpus", mode="before")
    @classmethod
    def _coerce_corpus(cls, value: Any) -> List[DataSource]:
        values = value if isinstance(value, (list, tuple)) else [value]
        return [as_source(v) for v in values]

    @property
    def inputs(self) -> "StepColumns":
        return ["text", "label"]

    @property
    def outputs(self) -> "StepColumns":
        return ["context", "passage_id", "rank", "retrieval_score", "similarity", "seed_text", "label", "label_index"]

    def load(self) -> None:
        """Loads the corpus and builds the index, or reuses the saved one."""
        super().load()
        # A run passes its task's passage bounds; a step built by hand gets the generic task's.
        self._index = open_index(self, self.corpus)
        self._selection = PassageSelection.of(self, max_per_label=self.max_per_label)

    @property
    def index_was_built(self) -> bool:
        """Whether `load()` built the index (False: a saved one was reused)."""
        return self._index is not None and self._index.built

    def process(self, inputs: StepInput) -> "StepOutput":  # type: ignore
        """Retrieves passages for a batch of seeds (one search call per batch).

        Args:
            inputs: rows with the seed `text` and `label`.

        Yields:
            One row per kept passage.
        """
        pairs = self._selection.select(self._index, inputs)
        # A label's passages together, in order: the generation step draws demonstrations per block
        # of consecutive rows of a label, so consecutive prompts share their prefix.
        first = {label: i for i, label in reversed(list(enumerate(str(seed["label"]) for seed, _ in pairs)))}
        pairs.sort(key=lambda pair: (first[str(pair[0]["label"])], pair[1]["label_index"]))
        yield [
            {**{k: v for k, v in seed.items() if k != "text"}, "seed_text": seed["text"], **passage}
            for seed, passage in pairs
        ]
