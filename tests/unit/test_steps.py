"""Every public component documents itself the way distilabel's own components do, as read
by distilabel's own docstring parser."""

import pytest
from distilabel.utils.docstring import parse_google_docstring

from distilabel_synthesizrr.steps import (
    ExtractiveGenerate,
    FewShotGenerate,
    JudgeLabel,
    LabelRequests,
    LoadSeeds,
    Refine,
    RetrievalAugmentedGenerate,
    RetrieveContext,
    SynthesizedToArgilla,
)

COMPONENTS = [
    RetrieveContext, RetrievalAugmentedGenerate, FewShotGenerate, ExtractiveGenerate, Refine, LoadSeeds, LabelRequests,
    SynthesizedToArgilla, JudgeLabel,
]


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_docstring_has_distilabel_sections(component):
    doc = parse_google_docstring(component)
    assert doc["short_description"]
    assert doc["attributes"], "Attributes"
    assert doc["runtime_parameters"], "Runtime parameters"
    if component is not SynthesizedToArgilla:  # a leaf that passes rows through, like distilabel's *ToArgilla
        assert doc["output_columns"], "Output columns"
    assert doc["categories"] and "synthesizrr" in doc["categories"]
    assert doc["citations"] and "2405.10040" in doc["citations"][0]
    assert doc["examples"]
    for title, code in doc["examples"].items():
        assert len(title) > 10 and component.__name__ in code and ".load()" in code
    if component not in (LoadSeeds, LabelRequests):
        assert doc["input_columns"], "Input columns"


def test_documented_columns_match_the_declared_ones():
    for component in (RetrieveContext, ExtractiveGenerate):
        doc = parse_google_docstring(component)
        step = component.model_construct()
        assert set(doc["output_columns"]) >= set(step.outputs)
