"""Dataset cartography: the training dynamics of a student on real MiniLM embeddings, the
`Cartography` step, its settings, and a pipeline run with `refine.cartography` on."""

import numpy as np
import pytest
from distilabel.pipeline import Pipeline

from distilabel_synthesizrr import Cartography, CartographySettings, RefineSettings, plan_run, run_synthesis
from distilabel_synthesizrr.common.embeddings import embed
from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.refine.cartography import rows_to_keep, training_dynamics
from distilabel_synthesizrr.run.build import build_pipeline, make_refine_step, run_key
from distilabel_synthesizrr.run.config import config_from_dict
from distilabel_synthesizrr.testing import ScriptedLLM

TEXTS = {
    "crude": [
        "Oil prices rose after OPEC agreed to cut crude output.",
        "Crude oil futures fell as US inventories grew.",
        "Saudi Arabia will lead the cuts in oil production.",
        "Brent crude climbed above ninety dollars a barrel.",
        "The refinery processed less crude oil this quarter.",
        "OPEC ministers meet in Vienna to discuss oil quotas.",
        "Oil exports from the gulf dropped sharply in May.",
        "Gasoline prices follow crude oil higher at the pump.",
    ],
    "interest": [
        "The central bank raised its interest rate by a quarter point.",
        "Mortgage rates hit a ten year high this week.",
        "Bond yields climbed after the rate decision.",
        "The Fed is expected to cut interest rates in March.",
        "Higher interest rates make loans more expensive for borrowers.",
        "The bank of England held its base rate at five percent.",
        "Savers earn more as deposit rates rise.",
        "Economists expect one more rate rise this year.",
    ],
    "sport": [
        "The home team won the football match in extra time.",
        "The striker scored twice in the second half.",
        "Tennis fans filled the stadium for the final.",
        "The coach praised the young quarterback after the game.",
        "The marathon runner set a new course record.",
        "The cricket team lost its opening match of the tour.",
        "A late goal sent the club into the cup semi final.",
        "The basketball season opens next week.",
    ],
}
#: One text of each label given another label: the rows a reviewer would relabel.
FLIPS = {("crude", 2): "interest", ("interest", 5): "sport", ("sport", 1): "crude"}


def _rows():
    rows = []
    for label, texts in TEXTS.items():
        for i, text in enumerate(texts):
            rows.append({"text": text, "label": FLIPS.get((label, i), label), "flipped": (label, i) in FLIPS,
                         "drop_reason": None})
    return rows


class TestTrainingDynamics:
    def test_flipped_labels_get_the_lowest_confidence(self):
        rows = _rows()
        dynamics = training_dynamics(embed([r["text"] for r in rows]), [r["label"] for r in rows])
        order = sorted(range(len(rows)), key=lambda i: dynamics["confidence"][i])
        assert {i for i in order[: len(FLIPS)]} == {i for i, r in enumerate(rows) if r["flipped"]}
        flipped = [i for i, r in enumerate(rows) if r["flipped"]]
        others = [i for i, r in enumerate(rows) if not r["flipped"]]
        # 24 rows in 384 dimensions end up memorised, but later than the rest: less often right.
        assert np.mean(dynamics["correctness"][flipped]) < np.mean(dynamics["correctness"][others])
        assert all(0.0 <= v <= 0.5 for v in dynamics["variability"]) and max(dynamics["variability"]) > 0.0

    def test_is_deterministic_for_a_seed(self):
        rows = _rows()
        vectors, labels = embed([r["text"] for r in rows]), [r["label"] for r in rows]
        a, b = training_dynamics(vectors, labels, seed=3), training_dynamics(vectors, labels, seed=3)
        assert all((a[k] == b[k]).all() for k in a)

    def test_needs_two_labels_and_two_epochs(self):
        vectors = embed(["one text", "another text"])
        with pytest.raises(ValueError, match="at least two labels"):
            training_dynamics(vectors, ["a", "a"])
        with pytest.raises(ValueError, match="at least 2 epochs"):
            training_dynamics(vectors, ["a", "b"], epochs=1)


def test_rows_to_keep_keeps_the_best_share_of_each_label():
    labels = ["a"] * 6 + ["b"] * 2
    scores = [0.9, 0.1, 0.8, 0.7, 0.5, 0.6, 0.2, 0.3]
    # a: ceil(0.5 * 6) = 3 best; b: ceil(0.5 * 2) = 1.
    assert rows_to_keep(labels, scores, 0.5) == [True, False, True, True, False, False, False, True]
    assert all(rows_to_keep(labels, scores, 1.0))
    # Ties are broken by the second score.
    assert rows_to_keep(["a", "a"], [1.0, 1.0], 0.5, tie_break=[0.2, 0.9]) == [False, True]


class TestCartographyStep:
    def _step(self, **kwargs) -> Cartography:
        with Pipeline(name="cartography-test"):
            step = Cartography(name="cartography", **kwargs)
        step.load()
        return step

    def test_filters_the_flipped_rows_and_scores_the_kept_ones(self):
        out = next(self._step(drop_rejected=False).process(_rows()))
        filtered = [r for r in out if r["drop_reason"] is not None]
        assert {r["text"] for r in filtered} == {r["text"] for r in _rows() if r["flipped"]}
        assert {r["drop_reason"] for r in filtered} == {"low_confidence"}
        for row in out:
            assert all(isinstance(row[c], float) for c in ("confidence", "variability", "correctness"))
        kept = [r for r in out if r["drop_reason"] is None]
        assert min(r["confidence"] for r in kept) > max(r["confidence"] for r in filtered)

    def test_keep_one_scores_without_filtering_and_drop_rejected_removes(self):
        rows = _rows()
        assert all(r["drop_reason"] is None and r["confidence"] is not None
                   for r in next(self._step(keep=1.0).process(rows)))
        assert len(next(self._step().process(rows))) == len(rows) - len(FLIPS)

    def test_by_correctness(self):
        out = next(self._step(by="correctness", drop_rejected=False).process(_rows()))
        assert {r["drop_reason"] for r in out} == {None, "low_correctness"}
        assert {r["text"] for r in out if r["drop_reason"]} == {r["text"] for r in _rows() if r["flipped"]}

    def test_rows_dropped_before_pass_on_unscored(self):
        rows = _rows() + [{"text": "UNABLE TO WRITE", "label": "crude", "drop_reason": "refusal", "confidence": 0.9}]
        out = next(self._step(drop_rejected=False).process(rows))
        assert out[-1]["drop_reason"] == "refusal"
        assert all(out[-1][c] is None for c in ("confidence", "variability", "correctness"))
        assert len(out) == len(rows)

    def test_a_single_label_passes_on_unscored(self):
        rows = [{"text": t, "label": "crude"} for t in TEXTS["crude"]]
        out = next(self._step(drop_rejected=False).process(rows))
        assert [r["drop_reason"] for r in out] == [None] * len(rows)
        assert all(r["confidence"] is None for r in out)

    def test_columns_and_serialisation(self):
        step = self._step(keep=0.9, epochs=4)
        assert step.outputs == ["confidence", "variability", "correctness", "drop_reason"]
        assert step.inputs == {"text": True, "label": True, "drop_reason": False}
        dumped = step.dump()
        assert dumped["keep"] == 0.9 and dumped["by"] == "confidence" and dumped["epochs"] == 4


class TestSettings:
    def test_off_by_default_and_paper_share_when_on(self, config_dict):
        assert config_from_dict(config_dict).refine.cartography is None
        config = config_from_dict({**config_dict, "refine": {"cartography": {}}})
        assert config.refine.cartography == CartographySettings(keep=0.83, by="confidence", epochs=10)
        assert RefineSettings(cartography={"keep": 1.0}).cartography.keep == 1.0

    @pytest.mark.parametrize("bad, message", [
        ({"keep": 0.0}, "refine.cartography.keep: Input should be greater than 0"),
        ({"keep": 1.5}, "refine.cartography.keep: Input should be less than or equal to 1"),
        ({"by": "variability"}, "refine.cartography.by: Input should be 'confidence' or 'correctness'"),
        ({"epochs": 1}, "refine.cartography.epochs: Input should be greater than or equal to 2"),
        ({"kep": 0.5}, "unknown key 'refine.cartography.kep'. Did you mean 'keep'?"),
    ])
    def test_invalid_settings_say_what_is_wrong(self, config_dict, bad, message):
        with pytest.raises(ConfigError) as error:
            config_from_dict({**config_dict, "refine": {"cartography": bad}})
        assert message in str(error.value)

    def test_cartography_is_part_of_refine_so_it_does_not_change_the_generations(self, config_dict):
        plain = plan_run(config_from_dict(config_dict), limit=4)
        mapped = plan_run(config_from_dict({**config_dict, "refine": {"cartography": {"keep": 0.5}}}), limit=4)
        assert run_key(plain) == run_key(mapped)

    def test_the_pipeline_runs_cartography_after_refine(self, config_dict, tmp_path):
        plan = plan_run(config_from_dict({**config_dict, "refine": {"cartography": {"keep": 0.7}}}), limit=4)
        pipeline = build_pipeline(plan, name="mapped")
        assert list(pipeline.dag.G.successors("refine")) == ["cartography"]
        pipeline.save(tmp_path / "pipeline.yaml", format="yaml")  # re-runnable with `distilabel pipeline run`
        loaded = Pipeline.from_yaml(tmp_path / "pipeline.yaml")
        assert loaded.dump()["pipeline"]["steps"] == pipeline.dump()["pipeline"]["steps"]
        assert loaded.dag.get_step("cartography")["step"].keep == 0.7
        with Pipeline(name="refine-only"):
            assert "cartography" not in make_refine_step(plan).dump()
        assert not list(build_pipeline(plan_run(config_from_dict(config_dict), limit=4),
                                       name="plain").dag.G.successors("refine"))


@pytest.mark.slow
def test_a_run_with_cartography_saves_scores_and_low_confidence_drops(config_dict, tmp_path):
    """Every fourth request fails, so the retry pass (which refines again) must map the rows again."""
    config = config_from_dict({**config_dict, "refine": {"cartography": {"keep": 0.6}}})
    llm = ScriptedLLM(responses=["Story: {passage} (take {n}).", "Story: {passage} (take {n}).",
                                 "Story: {passage} (take {n}).", None], passage_words=30)
    result = run_synthesis(config, tmp_path / "out", llm=llm, limit=12)
    from distilabel.distiset import Distiset

    distiset = Distiset.load_from_disk(tmp_path / "out")
    kept, dropped = distiset["default"]["train"].to_list(), distiset["dropped"]["train"].to_list()
    assert kept and all(isinstance(r[c], float) for r in kept for c in ("confidence", "variability", "correctness"))
    filtered = [r for r in dropped if r["drop_reason"] == "low_confidence"]
    assert filtered and all(r["confidence"] is not None for r in filtered)
    assert result.summary.dropped_by_reason["low_confidence"] == len(filtered)
    # Per label, every filtered row is less confident than every kept row of its label.
    for row in filtered:
        assert row["confidence"] <= min(r["confidence"] for r in kept if r["label"] == row["label"])
    # Rows dropped for another reason are not scored.
    assert all(r["confidence"] is None for r in dropped if r["drop_reason"] != "low_confidence")
