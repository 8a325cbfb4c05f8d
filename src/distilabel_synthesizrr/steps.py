"""Every distilabel component of the package, in pipeline order, for `from distilabel_synthesizrr.steps import ...`.

Load seeds (`LoadSeeds`, or `LabelRequests` for FewGen) -> retrieve (`RetrieveContext`) ->
generate (`RetrievalAugmentedGenerate`, `FewShotGenerate`, `ExtractiveGenerate`) -> judge
(`JudgeLabel`) -> refine (`Refine`) -> cartography (`Cartography`) -> review
(`SynthesizedToArgilla`). Each lives in the folder of its stage.
"""

from distilabel_synthesizrr.data.steps import LabelRequests, LoadSeeds
from distilabel_synthesizrr.generate.extractive import ExtractiveGenerate
from distilabel_synthesizrr.generate.few_shot import FewShotGenerate
from distilabel_synthesizrr.generate.retrieval_augmented import RetrievalAugmentedGenerate
from distilabel_synthesizrr.refine.cartography import Cartography
from distilabel_synthesizrr.refine.judge import JudgeLabel
from distilabel_synthesizrr.refine.step import Refine
from distilabel_synthesizrr.retrieve.step import RetrieveContext
from distilabel_synthesizrr.review.step import SynthesizedToArgilla

__all__ = [
    "Cartography",
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
