from distilabel_synthesizrr.generate.teachers import resilient_llm
from distilabel_synthesizrr.run.build import run_key
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.plan import plan_run


def _key(config_dict, model: str = "teacher-a", **sections) -> str:
    config = config_from_dict({**config_dict, **sections})
    llm = resilient_llm(config.teacher, model, config.teacher.base_url or "http://127.0.0.1:9/v1", "key")
    return run_key(plan_run(config, limit=4), llm)


def test_the_run_key_follows_what_changes_the_generations(config_dict):
    base = _key(config_dict)
    # Refining and the endpoint's URL come after or beside generation: the checkpoint stays usable.
    assert _key(config_dict, refine={"seed_copy_share": 0.5, "judge": True}) == base
    assert _key(config_dict, teacher={**config_dict["teacher"], "base_url": "http://127.0.0.1:9/v1"}) == base
    # What the teacher is asked, or how it samples, starts afresh.
    assert _key(config_dict, generation={"mode": "retricl", "shots": 1, "temperature": 0.9}) != base
    assert _key(config_dict, seed=1) != base


def test_how_requests_are_sent_and_paid_for_resumes(config_dict):
    base = _key(config_dict)
    teacher = config_dict["teacher"]
    for change in ({"max_total_tokens": 10_000}, {"timeout": 5.0}, {"max_retries": 7}, {"max_concurrency": 2},
                   {"threads": 1},
                   {"requests_per_minute": 60}, {"tokens_per_minute": 1000}, {"prompt_price_per_million": 0.5},
                   {"completion_price_per_million": 1.5}, {"max_consecutive_failures": 2}, {"batch_size": 3}):
        assert _key(config_dict, teacher={**teacher, **change}) == base, change


def test_the_model_and_the_prompts_start_afresh(config_dict):
    base = _key(config_dict)
    assert _key(config_dict, model="teacher-b") != base
    task = config_dict["task"]
    prompts = {**task["prompts"], "instruction": task["prompts"]["instruction"].replace("short", "brief")}
    assert _key(config_dict, task={**task, "prompts": prompts}) != base
    assert _key(config_dict, generation={"mode": "retricl", "shots": 1, "demonstration_block": 2}) != base


def test_the_copy_penalty_reaches_llama_cpp_teachers_as_their_own_request_fields(config_dict):
    from distilabel_synthesizrr.generate.settings import LLAMA_CPP_DRY
    from distilabel_synthesizrr.run.build import generation_kwargs

    def llm(llama_cpp: bool):
        config = config_from_dict(config_dict)
        return resilient_llm(config.teacher, "m", "http://127.0.0.1:9/v1", "key", llama_cpp=llama_cpp)

    def dry(generation: dict, llama_cpp: bool):
        config = config_from_dict({**config_dict, "generation": {"mode": "retricl", **generation}})
        return generation_kwargs(config, llm(llama_cpp)).get("extra_body")

    # The local teacher (llama.cpp) samples with DRY by default; an endpoint gets no field it would refuse.
    assert dry({}, llama_cpp=True) == {"dry_multiplier": LLAMA_CPP_DRY, "dry_base": 1.75, "dry_allowed_length": 4,
                                       "dry_penalty_last_n": 4096}
    assert dry({}, llama_cpp=False) is None
    assert dry({"dry_multiplier": 0}, llama_cpp=True) is None  # 0: off
    assert dry({"dry_multiplier": 0.5}, llama_cpp=False)["dry_multiplier"] == 0.5  # your own llama.cpp server
    plain = {"mode": "retricl", "shots": 1}
    local = resilient_llm(config_from_dict(config_dict).teacher, "teacher-a", "http://127.0.0.1:9/v1", "key",
                          llama_cpp=True)
    with_dry, without = (run_key(plan_run(config_from_dict({**config_dict, "generation": {**plain, **g}}), limit=4), local)
                         for g in ({}, {"dry_multiplier": 0}))
    assert with_dry != without  # the sampling is part of the run's key
