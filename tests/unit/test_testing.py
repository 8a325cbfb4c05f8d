from distilabel_synthesizrr.testing import ScriptedLLM


def test_scripted_llm_fills_placeholders_and_cycles():
    llm = ScriptedLLM(responses=["Story: {passage} #{n}", None], passage_words=3)
    llm.load()
    prompt = [{"role": "user", "content": "News article:\nOil rose sharply today.\n\nRewrite it."}]
    out = llm.generate([prompt, prompt, prompt])
    assert [o["generations"] for o in out] == [["Story: Oil rose sharply #0"], [None], ["Story: Oil rose sharply #2"]]
    assert out[0]["statistics"]["input_tokens"][0] > 0
    assert llm.prompts == [prompt, prompt, prompt]
    assert llm.model_name == "scripted"
