"""The distilabel components of SynthesizRR, in pipeline order: load seeds (`generators/`),
retrieve (`RetrieveContext`), generate (`tasks/`, `ExtractiveGenerate`), judge (`JudgeLabel`),
refine (`Refine`),
review (`SynthesizedToArgilla`)."""

from distilabel_synthesizrr.steps.extractive_generate import ExtractiveGenerate
from distilabel_synthesizrr.steps.generators import LabelRequests, LoadSeeds
from distilabel_synthesizrr.steps.judge_label import JudgeLabel
from distilabel_synthesizrr.steps.refine import Refine
from distilabel_synthesizrr.steps.retrieve_context import RetrieveContext
from distilabel_synthesizrr.steps.tasks import FewShotGenerate, RetrievalAugmentedGenerate
from distilabel_synthesizrr.steps.to_argilla import SynthesizedToArgilla

__all__ = [
    "ExtractiveGenerate",
    "FewShotGenerate",
    "JudgeLabel",
    "LabelRequests",
    "LoadSeeds",
    "Refine",
    "RetrievalAugmentedGenerate",
    "RetrieveContext",
    "SynthesizedToArgilla",
]
