"""``GET /metrics`` asks for a client key unless ``metrics_auth = "open"`` (the default only
when anonymous calls are allowed); ``/health`` stays open. Real HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from drillhall.errors import ConfigError
from drillhall.llm.guard.proxy import ProxySettings, read_config_file
from drillhall.llm.guard.proxy.keys import new_key
from drillhall.store import Store
from drillhall.store import guard as guard_store
from tests.llm.guard.proxy.conftest import BENIGN, StartProxy, chat, client


def _get(url: str, key: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.get(url, headers=headers, timeout=10.0, trust_env=False)


def test_the_default_follows_whether_client_keys_are_required() -> None:
    assert ProxySettings().metrics_auth is None and not ProxySettings().metrics_open
    assert ProxySettings(allow_anonymous=True).metrics_open
    assert not ProxySettings(allow_anonymous=True, metrics_auth="key").metrics_open
    assert ProxySettings(metrics_auth="open").metrics_open


def test_metrics_need_a_valid_client_key_when_keys_are_required(start_proxy: StartProxy,
                                                                store: Store) -> None:
    made = new_key("scraper")
    guard_store.add_key(store, made.record)
    wrong = made.token[:-4] + ("aaaa" if not made.token.endswith("aaaa") else "bbbb")
    with start_proxy(allow_anonymous=False, keys_refresh_seconds=0) as server:
        with client(server, made.token) as c:
            assert c.post("/chat/completions", json=chat(BENIGN)).status_code == 200
        assert server.proxy.sink.wait_idle()
        missing = _get(server.url + "/metrics")
        bad = _get(server.url + "/metrics", wrong)
        good = _get(server.url + "/metrics", made.token)
        health = _get(server.url + "/health")
        assert server.proxy.sink.wait_idle()
        rows = guard_store.audit_rows(store, service="guard-test")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_api_key"
    assert missing.json()["error"]["type"] == "invalid_request_error"
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_api_key"
    assert "drillhall_guard" not in missing.text + bad.text
    assert good.status_code == 200
    assert 'drillhall_guard_requests_total{outcome="allowed",route="chat",status="200"} 1.0' \
        in good.text
    assert 'drillhall_guard_denials_total{kind="auth"} 2.0' in good.text
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    denied = [r for r in rows if r["route"] == "metrics"]
    assert [r["status"] for r in denied] == [401, 401]
    assert all("denied:auth" in r["decisions"] for r in denied)


def test_metrics_auth_overrides_the_default(start_proxy: StartProxy, store: Store) -> None:
    made = new_key("scraper")
    guard_store.add_key(store, made.record)
    with start_proxy(metrics_auth="key", keys_refresh_seconds=0) as server:
        anonymous_chat = httpx.post(server.url + "/v1/chat/completions", json=chat(BENIGN),
                                    timeout=10.0, trust_env=False)
        closed = _get(server.url + "/metrics")
        keyed = _get(server.url + "/metrics", made.token)
    assert anonymous_chat.status_code == 200  # anonymous calls still work on the API
    assert closed.status_code == 401 and keyed.status_code == 200
    with start_proxy(allow_anonymous=False, metrics_auth="open") as server:
        opened = _get(server.url + "/metrics")
        api = httpx.post(server.url + "/v1/chat/completions", json=chat(BENIGN), timeout=10.0,
                         trust_env=False)
    assert opened.status_code == 200 and "drillhall_guard" in opened.text
    assert api.status_code == 401


def test_metrics_auth_is_read_and_checked_from_the_proxy_table(tmp_path: Path) -> None:
    good = tmp_path / "guard.toml"
    good.write_text('[proxy]\nmetrics_auth = "open"\n', encoding="utf-8")
    settings, _ = read_config_file(good)
    assert settings.metrics_auth == "open" and settings.metrics_open
    bad = tmp_path / "bad.toml"
    bad.write_text('[proxy]\nmetrics_auth = "public"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="metrics_auth"):
        read_config_file(bad)
