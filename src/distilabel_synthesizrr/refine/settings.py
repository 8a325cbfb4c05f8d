"""`RefineSettings`: every knob of the refine stage, declared once: the `refine:` section of a
run config and the fields of `Refine`."""

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class RefineSettings(BaseModel):
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
