"""The endpoint drill: options, preflight, dry run, metrics, status and secrecy."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.errors import ConfigError, DependencyMissing
from drillhall.ml.endpoint import rules as R
from drillhall.ml.endpoint.drill import EndpointDrill, EndpointOptions, from_config
from drillhall.testing.endpoints import EndpointServer, authenticated_app, hardened_app


def test_unknown_keys_and_bad_values_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'token'"):
        from_config({"url": "http://127.0.0.1:9/x", "token": "abc"}, tmp_path)
    with pytest.raises(ConfigError, match="max_requests"):
        from_config({"url": "http://127.0.0.1:9/x", "max_requests": 5000}, tmp_path)
    with pytest.raises(ConfigError, match="allow_remote"):
        from_config({"url": "http://192.0.2.10/predict"}, tmp_path)
    drill = from_config({"url": "http://192.0.2.10/predict", "allow_remote": True}, tmp_path)
    assert drill.name == "endpoint"


def test_token_env_must_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DH_TEST_ENDPOINT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="DH_TEST_ENDPOINT_TOKEN"):
        from_config({"url": "http://127.0.0.1:9/x", "token_env": "DH_TEST_ENDPOINT_TOKEN"},
                    tmp_path)


def test_dry_run_sends_nothing_and_journals_the_plan(demo: EndpointServer,
                                                     tmp_path: Path) -> None:
    drill = from_config({"url": demo.url + "/classify"}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path, dry_run=True))
    assert result.status == Status.SKIPPED and result.reason == "dry run"
    assert demo.log.count == 0
    events = [e.event for e in result.journal]
    assert "plan" in events and "plan management-route" in events


def test_demo_fails_with_metrics(demo: EndpointServer, tmp_path: Path) -> None:
    passive = from_config({"url": demo.url + "/classify"}, tmp_path).run(
        DrillContext(root=tmp_path))
    assert passive.status == Status.FAILED
    assert passive.metric("endpoint.requests_sent") == demo.log.count
    assert (passive.metric("endpoint.exposures") or 0) >= 5
    assert passive.metric("endpoint.extraction_agreement") is None
    demo.log.clear()
    active = from_config({"url": demo.url + "/classify", "active": True,
                          "max_requests": 200}, tmp_path).run(DrillContext(root=tmp_path))
    assert (active.metric("endpoint.extraction_agreement") or 0) >= 0.8
    assert active.metric("endpoint.requests_sent") == demo.log.count <= 200


def test_hardened_passes(token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DH_TEST_ENDPOINT_TOKEN", token)
    with EndpointServer(hardened_app(token), server_header=False) as server:
        drill = from_config({"url": server.url + "/classify", "max_requests": 200,
                             "token_env": "DH_TEST_ENDPOINT_TOKEN"}, tmp_path)
        result = drill.run(DrillContext(root=tmp_path))
    assert result.status == Status.PASSED, [f.rule_id for f in result.findings]
    assert result.metric("endpoint.exposures") == 0


def _echo_app() -> FastAPI:
    """A server that echoes request headers back in its answers and errors."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/predict")
    async def predict(request: Request) -> PlainTextResponse:
        headers = dict(request.headers)
        try:
            json.loads(await request.body())
        except ValueError:
            return PlainTextResponse(
                f"Traceback (most recent call last):\n  File \"/app/main.py\", line 3\n"
                f"ValueError: bad body; request headers: {headers}", status_code=500)
        return PlainTextResponse(json.dumps({"label": "a", "model": str(headers)}),
                                 media_type="application/json",
                                 headers={"X-Model-Name": "m" * 45 + headers.get(
                                     "authorization", "")})
    return app


def test_credentials_never_appear_in_the_result(token: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DH_TEST_ENDPOINT_TOKEN", token)
    api_key = "key" + token[::-1]
    with EndpointServer(_echo_app()) as server:
        drill = from_config({"url": server.url + "/predict", "max_requests": 30,
                             "token_env": "DH_TEST_ENDPOINT_TOKEN",
                             "headers": {"X-API-Key": api_key}}, tmp_path)
        result = drill.run(DrillContext(root=tmp_path))
    rules = {f.rule_id for f in result.findings}
    assert R.ERROR_DETAILS in rules and R.MODEL_INFO in rules  # the echo was analysed
    text = repr([asdict(f) for f in result.findings]) + repr(result.journal)
    assert token not in text and api_key not in text
    # not even a piece of it, where evidence is cut short
    assert not [token[i:i + 8] for i in range(len(token) - 8) if token[i:i + 8] in text]
    assert "****" in text  # the echoed values were masked, not dropped


def test_sklearn_missing_is_dependency_missing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(DependencyMissing, match=r"drillhall\[ml\]"):
        from_config({"url": "http://127.0.0.1:9/x", "active": True}, tmp_path)
    # passive probing does not need it
    from_config({"url": "http://127.0.0.1:9/x"}, tmp_path)


def test_options_defaults() -> None:
    options = EndpointOptions(url="http://127.0.0.1:9/x")
    assert (options.max_requests, options.burst, options.timeout) == (60, 20, 10.0)
    assert not options.active and not options.allow_remote and options.token_env is None


def test_wrong_token_is_refused_not_reported_open(tmp_path: Path, token: str) -> None:
    with EndpointServer(authenticated_app(token)) as server:
        drill = EndpointDrill(EndpointOptions(url=server.url + "/classify",
                                              headers={"Authorization": "Bearer wrong"}),
                              tmp_path)
        result = drill.run(DrillContext(root=tmp_path))
    assert not [f for f in result.findings if f.tags[0] == R.TAG_UNAUTHENTICATED]
    assert any(e.event == "prediction refused" for e in result.journal)


def test_rules_document_every_tag_once() -> None:
    for rule in R.RULES:
        assert sum(t.startswith("exposure:") for t in rule.tags) == 1
        assert rule.rule_id.startswith("DH-ENDPOINT-")
    assert {t for r in R.RULES for t in r.tags if t.startswith("exposure:")} == set(
        R.EXPOSURE_TAGS)
