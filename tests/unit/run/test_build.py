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


def test_the_copy_penalty_reaches_llama_cpp_as_its_own_request_fields(config_dict):
    from distilabel_synthesizrr.run.build import generation_kwargs

    plain = config_from_dict(config_dict)
    assert "extra_body" not in generation_kwargs(plain)  # an endpoint that is not llama.cpp gets no unknown fields
    dry = config_from_dict({**config_dict, "generation": {"mode": "retricl", "dry_multiplier": 0.8}})
    assert generation_kwargs(dry)["extra_body"] == {"dry_multiplier": 0.8, "dry_base": 1.75, "dry_allowed_length": 4,
                                                    "dry_penalty_last_n": 4096}
    assert _key(config_dict, generation={"mode": "retricl", "shots": 1, "dry_multiplier": 0.8}) != \
        _key(config_dict, generation={"mode": "retricl", "shots": 1})
