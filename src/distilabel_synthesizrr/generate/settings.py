"""`GenerateSettings`: every knob of the generate stage, declared once.

`ShotSettings` and `InversionSettings` are the parts the generation steps carry as fields
(`FewShotGenerate`, `RetrievalAugmentedGenerate`); `GenerateSettings` adds what a run decides
before the pipeline (the demonstration bands) and the teacher's sampling, and is the
`generation:` section of a run config.
"""

from typing import List, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["retricl", "zero_shot", "seed_shot"]
#: Rows per demonstration draw: measured in docs/benchmarks.md ("Prompts the server can reuse").
DEMONSTRATION_BLOCK = 8
#: The DRY strength a llama.cpp teacher samples with unless a config says otherwise: without it the
#: default teacher copies its passage (Reuters: 78% of kept texts, 6% with it; docs/benchmarks.md).
LLAMA_CPP_DRY = 0.8


class ShotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shots: int = Field(default=3, ge=0, description="Demonstrations per prompt (paper: 3).")


class InversionSettings(ShotSettings):
    mode: Mode = Field(
        default="retricl",
        description="retricl (seed <- its passage pairs, the paper's best), zero_shot, or seed_shot (seeds only).",
    )
    demonstration_block: int = Field(
        default=DEMONSTRATION_BLOCK, ge=1,
        description="Consecutive rows of one label that share one demonstration draw, so that the teacher's "
                    "server evaluates their common prompt prefix once (1: a draw per row).",
    )


class GenerateSettings(InversionSettings):
    """Task inversion / FewGen prompting and sampling (paper defaults)."""

    demonstration_rank_window: List[int] = Field(default=[1, 3], min_length=2, max_length=2,
                                                 description="Ranks of a seed's own passages usable in its demonstration.")
    demonstration_similarity_band: List[float] = Field(default=[0.05, 0.9], min_length=2, max_length=2,
                                                       description="Seed/passage similarity a demonstration needs.")
    temperature: float = Field(
        default=0.95, ge=0.0,
        description="Sampling temperature: the paper's 0.95. With the default 0.5B teacher and DRY (its default) "
                    "0.95 beat 0.6 on the student on all three presets; without DRY movies did better at 0.6, "
                    "and SmolLM2-135M drifts at 0.95 (docs/benchmarks.md).")
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    max_new_tokens: Optional[int] = Field(default=None, ge=1, description="Default: the task's.")
    dry_multiplier: Optional[float] = Field(
        default=None, ge=0.0,
        description=f"llama.cpp's DRY sampler: penalises continuing a run of tokens that is already in the prompt, "
                    f"so that the teacher writes its own text instead of copying the passage back. Default: "
                    f"{LLAMA_CPP_DRY} for the local teacher (measured, docs/benchmarks.md), off for other endpoints "
                    f"(a value here is sent to any endpoint: for your own llama.cpp server); 0: off.")
    dry_allowed_length: int = Field(
        default=4, ge=1, description="With dry_multiplier: tokens a repeated run may reach before the penalty "
                                     "(names and short phrases of the passage stay free).")
