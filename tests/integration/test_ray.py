"""The same SynthesizRR pipeline on distilabel's RayPipeline, on a local Ray cluster started for
the test (about 15 s of Ray start-up on 2 cores), with a real HTTP teacher (MockOpenAIServer)."""

import pytest

from distilabel_synthesizrr.generate.teachers import resilient_llm
from distilabel_synthesizrr.run.config import RunConfig
from distilabel_synthesizrr.run.execute import plan_run, run_synthesis
from distilabel_synthesizrr.run.scale import RayOptions
from distilabel_synthesizrr.testing import MockOpenAIServer

# Fails (does not skip) without ray, unless SYNTHESIZRR_ALLOW_SKIP=1: see tests/conftest.py.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.requires_module("ray", install="the [ray] extra: pip install -e '.[ray]'")]


def _run(config, plan, out, ray=None):
    with MockOpenAIServer(responses=["Story: {passage}, traders said."]) as server:
        llm = resilient_llm(config.teacher, server.model, server.base_url, "test")
        result = run_synthesis(config, out, llm=llm, plan=plan, ray=ray, resume=False)
        return result, server.requests


def test_pipeline_runs_on_a_local_ray_cluster_like_it_does_locally(config_dict, tmp_path):
    import ray

    config = RunConfig.model_validate({**config_dict, "teacher": {"kind": "openai", "max_concurrency": 4}})
    plan = plan_run(config, limit=8)
    local, local_requests = _run(config, plan, tmp_path / "local")
    on_ray, ray_requests = _run(config, plan, tmp_path / "ray", ray=RayOptions(num_cpus=2))
    assert not ray.is_initialized()  # the cluster this run started is stopped again

    def rows(result):
        return sorted((r["passage_id"], r["label"], r["text"], r["drop_reason"]) for r in result.kept + result.dropped)

    assert ray_requests == local_requests == len(rows(on_ray)) >= 4
    assert rows(on_ray) == rows(local)
    assert on_ray.kept and {r["label"] for r in on_ray.kept} == {"crude", "interest"}
    assert (tmp_path / "ray" / "distiset_configs" / "synthesizrr_summary.json").is_file()
