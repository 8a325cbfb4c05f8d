"""The refine stage's settings, declared once: `RefineStepSettings` are the fields of `Refine`,
`CartographySettings` those of `Cartography`, and `RefineSettings` is the `refine:` section of a
run config (the `Refine` knobs plus `cartography`, off unless set). `is_kept` reads the verdict.

The whole section belongs to refining: a run whose config only changes it re-refines the
generations it has instead of paying the teacher again (`run.build.run_key` leaves it out)."""

from typing import Any, Literal, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field

#: The share of each label's synthetic rows that SynthesizRR's code keeps, most confident first
#: (`CART_FRAC` in amazon-science/synthesizrr).
CART_FRAC = 0.83


class RefineStepSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    too_long: Literal["drop", "truncate"] = Field(default="drop", description="Texts over the task's output length.")
    boilerplate: Literal["strip", "drop"] = Field(
        default="strip", description="Meta-summaries ('The article discusses ...'): strip the opening or drop the row."
    )
    normalize: Optional[bool] = Field(default=None, description="Lower-case, no punctuation; None: the task's.")
    near_duplicate_threshold: float = Field(default=0.7, gt=0.0, le=1.0,
                                            description="Word 3-gram Jaccard similarity that makes a near duplicate.")
    drop_seed_copies: bool = Field(default=True, description="Drop texts that copy the seeds (see `seed_copy_share`).")
    seed_copy_share: float = Field(default=0.2, gt=0.0, le=1.0,
                                   description="Share of a text's word 6-grams found in the seeds that makes it a copy.")
    judge: bool = Field(default=False, description="Drop texts that a judge fitted on the seeds (`JudgeLabel`, "
                                                   "column `judge_label`) gives another label.")


class CartographySettings(BaseModel):
    """Dataset cartography after `Refine` (`refine.cartography`): training dynamics of a student
    on the kept rows, and the share of each label to keep."""

    model_config = ConfigDict(extra="forbid")

    keep: float = Field(
        default=CART_FRAC, gt=0.0, le=1.0,
        description="Share of each label's rows kept, best first by `by` (1.0: compute the scores, drop nothing).",
    )
    by: Literal["confidence", "correctness"] = Field(
        default="confidence",
        description="The score that ranks rows: `confidence` (mean probability of the intended label over the "
                    "epochs) or `correctness` (share of epochs predicted right; ties by confidence).",
    )
    epochs: int = Field(default=10, ge=2, le=100,
                        description="Training epochs of the student, one probability per row each (at least 2).")


class RefineSettings(RefineStepSettings):
    """The `refine:` section of a run config."""

    cartography: Optional[CartographySettings] = Field(
        default=None, description="Dataset cartography after `Refine`; None (default): off.",
    )


def is_kept(row: Mapping[str, Any]) -> bool:
    """Whether a row is kept: `Refine` (and `Cartography`, and a failed request) give a dropped
    row its `drop_reason`; the one rule that splits rows into kept and dropped."""
    return row.get("drop_reason") is None
