"""LLM tasks: task inversion of retrieved passages, and the FewGen baseline."""

from distilabel_synthesizrr.steps.tasks.few_shot_generate import FewShotGenerate
from distilabel_synthesizrr.steps.tasks.retrieval_augmented_generate import RetrievalAugmentedGenerate

__all__ = ["FewShotGenerate", "RetrievalAugmentedGenerate"]
