from distilabel_synthesizrr.generate.teachers.resilient import ResilientOpenAILLM


def test_load_sets_up_the_rate_windows():
    llm = ResilientOpenAILLM(model="m", base_url="http://127.0.0.1:9/v1", api_key="k",
                             requests_per_minute=60, tokens_per_minute=1000)
    llm.load()
    assert (llm._request_window.limit, llm._token_window.limit) == (60, 1000)
    llm.unload()
