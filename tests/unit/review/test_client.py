"""The Argilla connection's errors (no server: the round-trips are in tests/integration/test_review.py)."""

import pytest

from distilabel_synthesizrr.errors import ConfigError
from distilabel_synthesizrr.review.client import ReviewError, connect


def test_connect_without_settings_says_how_to_get_a_server(monkeypatch):
    monkeypatch.delenv("ARGILLA_API_URL", raising=False)
    monkeypatch.delenv("ARGILLA_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="scripts/argilla/server.sh start"):
        connect()


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(ReviewError, match="Argilla at http://127.0.0.1:9 is unreachable"):
        connect("http://127.0.0.1:9", "argilla.apikey")
