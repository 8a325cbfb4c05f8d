"""Generator steps: where a pipeline's rows come from (seed examples, label requests)."""

from distilabel_synthesizrr.steps.generators.seeds import LabelRequests, LoadSeeds

__all__ = ["LabelRequests", "LoadSeeds"]
