from distilabel_synthesizrr.run.build import run_key
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.run.plan import plan_run


def _key(config_dict, **sections) -> str:
    return run_key(plan_run(config_from_dict({**config_dict, **sections}), limit=4))


def test_the_run_key_follows_what_changes_the_generations(config_dict):
    base = _key(config_dict)
    # Refining and the endpoint's URL come after or beside generation: the checkpoint stays usable.
    assert _key(config_dict, refine={"seed_copy_share": 0.5, "judge": True}) == base
    assert _key(config_dict, teacher={**config_dict["teacher"], "base_url": "http://127.0.0.1:9/v1"}) == base
    # What the teacher is asked, or how it samples, starts afresh.
    assert _key(config_dict, generation={"mode": "retricl", "shots": 1, "temperature": 0.9}) != base
    assert _key(config_dict, seed=1) != base
