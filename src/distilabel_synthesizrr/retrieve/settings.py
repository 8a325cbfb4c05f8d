"""`RetrieveSettings`: every knob of the retrieve stage, declared once.

The same model is the `retrieval:` section of a run config and the fields of `RetrieveContext`.
"""

from typing import List, Literal, Optional, Tuple

from distilabel.mixins.runtime_parameters import RuntimeParameter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from distilabel_synthesizrr.retrieve.engines import available_backends
from distilabel_synthesizrr.task import Lengths

#: Passages per seed when neither `top_k` nor a budget says otherwise.
DEFAULT_PASSAGES_PER_SEED = 3


class RetrieveSettings(BaseModel):
    """How seeds query the corpus and which passages are kept (see `RetrieveContext`)."""
    model_config = ConfigDict(extra="forbid")


    backend: str = Field(default="bm25s", description="Retrieval engine: bm25s, rank_bm25, dense or hybrid.")
    embedding_model: Optional[str] = Field(default=None, description="Dense engines' model (default: MiniLM, shipped).")
    dense_search: Literal["exact", "faiss"] = Field(default="exact", description="Dense search: exact or faiss.")
    score_band: Optional[List[float]] = Field(
        default=None, min_length=2, max_length=2, description="Kept range of the engine's score (dense: cosine)."
    )
    top_k: Optional[int] = Field(
        default=None, ge=1,
        description=f"Passages kept per seed at most; default: enough for the budget (a run) or {DEFAULT_PASSAGES_PER_SEED}.",
    )
    rank_window: List[int] = Field(
        default=[1, 50], min_length=2, max_length=2, description="First and last rank considered (1-based)."
    )
    similarity_band: List[float] = Field(
        default=[0.05, 0.9], min_length=2, max_length=2,
        description="Kept range of seed/passage lexical cosine similarity (drops near-copies and unrelated passages).",
    )
    passage_min_words: Optional[int] = Field(default=None, ge=0, description="Shorter passages are skipped; default: the task's.")
    passage_max_words: Optional[int] = Field(default=None, ge=1, description="Longer passages are cut; default: the task's.")
    deduplicate: bool = Field(default=True, description="Keep each passage for the first seed that retrieves it only.")
    label_check: bool = Field(
        default=False,
        description="Keep only passages that a judge fitted on the seeds gives the label they inherit.",
    )
    index_dir: Optional[RuntimeParameter[str]] = Field(default=None, description="Folder of saved indexes.")

    def passage_bounds(self, lengths: Optional[Lengths] = None) -> Tuple[int, int]:
        """(min, max) passage words: these settings', else the task's `lengths`, else the generic task's."""
        lengths = lengths or Lengths()
        return (
            lengths.passage_min_words if self.passage_min_words is None else self.passage_min_words,
            lengths.passage_max_words if self.passage_max_words is None else self.passage_max_words,
        )

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in available_backends():
            raise ValueError(f"unknown backend {value!r}; use one of {', '.join(available_backends())}")
        return value

    @model_validator(mode="after")
    def _check_windows(self) -> "RetrieveSettings":
        first, last = self.rank_window
        if not 1 <= first <= last:
            raise ValueError(f"rank_window must be (first, last) with 1 <= first <= last, got {self.rank_window}")
        low, high = self.similarity_band
        if not 0.0 <= low <= high:
            raise ValueError(f"similarity_band must be (min, max) with 0 <= min <= max, got {self.similarity_band}")
        if self.score_band is not None and self.score_band[0] > self.score_band[1]:
            raise ValueError(f"score_band must be (min, max) with min <= max, got {self.score_band}")
        return self
