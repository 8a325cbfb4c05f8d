from distilabel_synthesizrr.run.rundir import RunSummary


def test_a_runs_name_says_its_method_and_its_teachers_model():
    small = RunSummary(method="synthesizrr", mode="retricl", teacher="smollm2-135m")
    large = RunSummary(method="synthesizrr", mode="retricl", teacher="qwen2.5-coder-1.5b")
    assert small.name == "synthesizrr-retricl@smollm2-135m" and large.name == "synthesizrr-retricl@qwen2.5-coder-1.5b"
    # The extractive baseline has no model to name.
    assert RunSummary(method="synthesizrr", mode="extractive", teacher="extractive").name == "synthesizrr-extractive"
