"""The guard proxy over real HTTP on 127.0.0.1, in front of the stand-in model."""

from __future__ import annotations

import hashlib
import json
import socket

import httpx

from drillhall.llm.guard.proxy.app import GuardProxy
from drillhall.llm.guard.proxy.engine import ScanEngine
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.store import Store
from drillhall.store import guard as guard_store
from drillhall.testing.llm import Fault, StandInServer
from tests.llm.guard.proxy.conftest import (
    BENIGN,
    CANARY,
    CANARY_PROMPT,
    EMAIL_PROMPT,
    StartProxy,
    chat,
    client,
    sse_events,
    streamed_text,
)


def _audit(server_proxy: GuardProxy, store: Store) -> list[dict[str, object]]:
    assert server_proxy.sink.wait_idle()
    return guard_store.audit_rows(store, service="guard-test")


def test_a_benign_chat_goes_through_unchanged(start_proxy: StartProxy, standin: StandInServer,
                                              upstream_key: str, store: Store) -> None:
    direct = httpx.post(standin.base_url + "/chat/completions", json=chat(BENIGN),
                        headers={"authorization": f"Bearer {upstream_key}"}).json()
    with start_proxy() as server, client(server) as c:
        reply = c.post("/chat/completions", json=chat(BENIGN))
        rows = _audit(server.proxy, store)
    assert reply.status_code == 200, reply.text
    assert reply.headers["x-drillhall-guard"] == "allowed"
    body = reply.json()
    assert body["choices"][0]["message"]["content"] == direct["choices"][0]["message"]["content"]
    assert upstream_key not in reply.text
    (row,) = rows
    assert row["outcome"] == "allowed" and row["status"] == 200 and row["client"] == "anonymous"
    assert row["prompt_sha256"] == hashlib.sha256(BENIGN.encode()).hexdigest()
    assert row["upstream_ms"] is not None and row["guard_ms"] >= 0
    assert {v["scanner"] for v in row["verdicts"]} >= {"prompt-injection", "leak", "pii"}  # type: ignore[attr-defined]
    dumped = json.dumps(rows, default=str)
    assert BENIGN not in dumped and "jacket" not in dumped and upstream_key not in dumped


def test_a_streamed_chat_is_relayed_in_order(start_proxy: StartProxy, standin: StandInServer,
                                             upstream_key: str) -> None:
    direct = httpx.post(standin.base_url + "/chat/completions", json=chat(BENIGN),
                        headers={"authorization": f"Bearer {upstream_key}"}).json()
    with start_proxy(stream_hold_chars=8, stream_scan_every_chars=8) as server, \
            client(server) as c:
        reply = c.post("/chat/completions", json=chat(BENIGN, stream=True))
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    assert events[-1] == "[DONE]"
    assert streamed_text(events) == direct["choices"][0]["message"]["content"]
    assert len([e for e in events if isinstance(e, dict)]) > 3  # released piece by piece
    finishes = [c["finish_reason"] for e in events if isinstance(e, dict)
                for c in e["choices"] if c.get("finish_reason")]
    assert finishes == ["stop"]


def test_tool_calls_pass_through_streamed_and_not(start_proxy: StartProxy) -> None:
    tools = [{"type": "function", "function": {
        "name": "track_order", "description": "Track an order by its number.",
        "parameters": {"type": "object", "properties": {"order": {"type": "string"}}}}}]
    prompt = "Please look up the status of order 1234 with the track order tool."
    with start_proxy() as server, client(server) as c:
        plain = c.post("/chat/completions", json=chat(prompt, tools=tools))
        streamed = c.post("/chat/completions", json=chat(prompt, tools=tools, stream=True))
    assert plain.status_code == 200, plain.text
    message = plain.json()["choices"][0]["message"]
    assert message["tool_calls"][0]["function"]["name"] == "track_order"
    assert plain.json()["choices"][0]["finish_reason"] == "tool_calls"
    fragments = [call for e in sse_events(streamed.text) if isinstance(e, dict)
                 for ch in e["choices"] for call in (ch.get("delta") or {}).get("tool_calls") or ()]
    assert fragments and fragments[0]["function"]["name"] == "track_order"
    arguments = "".join(f["function"].get("arguments", "") for f in fragments)
    assert json.loads(arguments) == json.loads(message["tool_calls"][0]["function"]["arguments"])


def test_a_tool_policy_blocks_calls_to_tools_not_allowed(start_proxy: StartProxy) -> None:
    tools = [{"type": "function", "function": {
        "name": name, "description": f"{name} tool.",
        "parameters": {"type": "object", "properties": {"order": {"type": "string"}}}}}
        for name in ("track_order", "delete_user")]
    allowed = "Please look up the status of order 1234 with the track order tool."
    # worded so the lexical injection stage lets it through: this test is about the tool policy
    denied = "Could you remove customer 1234 using the delete user tool?"
    with start_proxy(allowed_tools=("track_order",)) as server, client(server) as c:
        ok = c.post("/chat/completions", json=chat(allowed, tools=tools))
        plain = c.post("/chat/completions", json=chat(denied, tools=tools))
        streamed = c.post("/chat/completions", json=chat(denied, tools=tools, stream=True))
    assert ok.status_code == 200, ok.text
    assert ok.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == \
        "track_order"
    assert plain.status_code == 400
    assert plain.json()["error"]["code"] == "tool-policy"
    events = sse_events(streamed.text)
    assert any(isinstance(e, dict) and (e.get("error") or {}).get("code") == "tool-policy"
               for e in events), streamed.text
    assert "delete_user" not in json.dumps([e for e in events if isinstance(e, dict)
                                            and "choices" in e])


def test_a_canary_in_the_answer_is_blocked(start_proxy: StartProxy, store: Store) -> None:
    with start_proxy() as server, client(server) as c:
        plain = c.post("/chat/completions", json=chat(CANARY_PROMPT))
        streamed = c.post("/chat/completions", json=chat(CANARY_PROMPT, stream=True))
        rows = _audit(server.proxy, store)
    assert plain.status_code == 400
    assert plain.json()["error"]["type"] == "guard_blocked"
    assert plain.json()["error"]["code"] == "leak"
    assert CANARY not in plain.text
    assert CANARY not in streamed.text
    events = sse_events(streamed.text)
    assert events[-1]["error"]["type"] == "guard_blocked"
    assert events[-1]["error"]["code"] == "leak"
    assert [r["outcome"] for r in rows] == ["blocked", "blocked"]
    assert [r["blocked_by"] for r in rows] == ["leak", "leak"]
    assert CANARY not in json.dumps(rows, default=str)


def test_an_email_in_the_answer_is_redacted(start_proxy: StartProxy, standin: StandInServer,
                                            store: Store) -> None:
    email = standin.context.user_record.email  # type: ignore[union-attr]
    with start_proxy(stream_hold_chars=64, stream_scan_every_chars=16) as server, \
            client(server) as c:
        plain = c.post("/chat/completions", json=chat(EMAIL_PROMPT))
        streamed = c.post("/chat/completions", json=chat(EMAIL_PROMPT, stream=True))
        rows = _audit(server.proxy, store)
    assert plain.status_code == 200
    text = plain.json()["choices"][0]["message"]["content"]
    assert email not in plain.text and "sha256:" in text
    assert email not in streamed.text and "sha256:" in streamed_text(sse_events(streamed.text))
    assert [r["outcome"] for r in rows] == ["redacted", "redacted"]
    flagged = [v for r in rows for v in r["verdicts"] if v["flagged"]]  # type: ignore[attr-defined]
    assert any(v["scanner"] == "pii" and v["action"] == "redact" for v in flagged)
    assert email not in json.dumps(rows, default=str)


def test_client_keys_missing_wrong_and_revoked_get_401(start_proxy: StartProxy,
                                                       store: Store) -> None:
    from drillhall.core.model import utcnow
    from drillhall.llm.guard.proxy.keys import new_key

    made = new_key("docs-app")
    guard_store.add_key(store, made.record)
    with start_proxy(allow_anonymous=False, keys_refresh_seconds=0) as server:
        with client(server) as anonymous:
            missing = anonymous.post("/chat/completions", json=chat(BENIGN))
        wrong_secret = made.token[:-4] + ("aaaa" if not made.token.endswith("aaaa") else "bbbb")
        with client(server, wrong_secret) as c:
            wrong = c.post("/chat/completions", json=chat(BENIGN))
        with client(server, made.token) as c:
            good = c.post("/chat/completions", json=chat(BENIGN))
            models = c.get("/models")
            guard_store.revoke_key(store, "docs-app", utcnow())
            revoked = c.post("/chat/completions", json=chat(BENIGN))
        rows = _audit(server.proxy, store)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_api_key"
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    assert good.status_code == 200
    assert models.status_code == 200 and models.json()["data"][0]["id"] == "naive-stand-in-1"
    assert revoked.status_code == 401
    assert [r["client"] for r in rows if r["status"] == 200] == ["docs-app", "docs-app"]
    assert made.token not in json.dumps(rows, default=str)


def test_rate_limits_answer_429_with_retry_after(start_proxy: StartProxy, store: Store) -> None:
    with start_proxy(limits={"requests_per_minute": 2}) as server, client(server) as c:
        replies = [c.post("/chat/completions", json=chat(BENIGN)) for _ in range(3)]
        rows = _audit(server.proxy, store)
    assert [r.status_code for r in replies] == [200, 200, 429]
    limited = replies[2]
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "requests_limit"
    assert rows[-1]["outcome"] == "denied" and rows[-1]["decisions"] == ["denied:requests"]


def test_token_budget_and_cost_cap(start_proxy: StartProxy) -> None:
    with start_proxy(limits={"tokens_per_minute": 10}) as server, client(server) as c:
        first = c.post("/chat/completions", json=chat(BENIGN))
        second = c.post("/chat/completions", json=chat(BENIGN))
    assert first.status_code == 200
    assert second.status_code == 429 and second.json()["error"]["code"] == "tokens_limit"
    assert int(second.headers["retry-after"]) >= 1
    with start_proxy(limits={"price_per_1k_prompt_tokens": 1.0,
                             "price_per_1k_completion_tokens": 1.0,
                             "cost_cap": 0.001}) as server, client(server) as c:
        first = c.post("/chat/completions", json=chat(BENIGN))
        second = c.post("/chat/completions", json=chat(BENIGN))
        assert server.proxy.sink.wait_idle()
        spent = server.proxy.metrics.value("drillhall_guard_cost_total", {"client": "anonymous"})
    assert first.status_code == 200
    assert second.status_code == 429 and second.json()["error"]["code"] == "cost_limit"
    assert spent is not None and spent > 0.001


class _Exploding:
    name = "exploding"
    directions: tuple[Direction, ...] = ("input", "output")
    action = Action.BLOCK

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        raise RuntimeError("model file missing")


def test_a_failing_scanner_fails_closed_by_default(start_proxy: StartProxy,
                                                   store: Store) -> None:
    closed = ScanEngine([_Exploding()], [], fail_closed=True)
    with start_proxy(scan_engine=closed) as server, client(server) as c:
        reply = c.post("/chat/completions", json=chat(BENIGN))
        rows = _audit(server.proxy, store)
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert error["type"] == "guard_error" and error["code"] == "scanner_failed"
    assert "exploding" in error["message"] and "fails closed" in error["message"]
    assert rows[-1]["outcome"] == "error" and rows[-1]["decisions"] == ["scanner-error"]


def test_a_failing_scanner_is_logged_and_skipped_when_failing_open(
        start_proxy: StartProxy, store: Store) -> None:
    open_engine = ScanEngine([_Exploding()], [_Exploding()], fail_closed=False)
    with start_proxy(scan_engine=open_engine) as server, client(server) as c:
        reply = c.post("/chat/completions", json=chat(BENIGN))
        streamed = c.post("/chat/completions", json=chat(BENIGN, stream=True))
        rows = _audit(server.proxy, store)
        errors = server.proxy.metrics.value("drillhall_guard_scanner_errors_total",
                                            {"scanner": "exploding"})
    assert reply.status_code == 200 and streamed.status_code == 200
    assert sse_events(streamed.text)[-1] == "[DONE]"
    assert all(v.get("error") for r in rows for v in r["verdicts"])  # type: ignore[attr-defined]
    assert errors == 4.0


def test_a_scanner_failing_mid_stream_cuts_the_answer(start_proxy: StartProxy) -> None:
    closed = ScanEngine([], [_Exploding()], fail_closed=True)
    with start_proxy(scan_engine=closed) as server, client(server) as c:
        streamed = c.post("/chat/completions", json=chat(BENIGN, stream=True))
    events = sse_events(streamed.text)
    assert events[-1]["error"]["code"] == "scanner_failed"
    assert streamed_text(events) == ""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_upstream_down_or_garbage_fails_closed(start_proxy: StartProxy,
                                               standin: StandInServer) -> None:
    with start_proxy(upstream=f"http://127.0.0.1:{_closed_port()}/v1") as server, \
            client(server) as c:
        down = c.post("/chat/completions", json=chat(BENIGN))
        down_stream = c.post("/chat/completions", json=chat(BENIGN, stream=True))
    assert down.status_code == 502
    assert down.json()["error"]["code"] == "upstream_unavailable"
    assert down_stream.status_code == 502
    with start_proxy() as server, client(server) as c:
        standin.faults.fail_next(Fault("garbage"), Fault("no-choices"), Fault("error"),
                                 Fault("rate-limit", retry_after="7"), Fault("stream-error"))
        garbage = c.post("/chat/completions", json=chat(BENIGN))
        no_choices = c.post("/chat/completions", json=chat(BENIGN))
        server_error = c.post("/chat/completions", json=chat(BENIGN))
        limited = c.post("/chat/completions", json=chat(BENIGN))
        broken_stream = c.post("/chat/completions", json=chat(BENIGN, stream=True))
    assert garbage.status_code == 502
    assert garbage.json()["error"]["code"] == "upstream_unreadable"
    assert "fails closed" in garbage.json()["error"]["message"]
    assert no_choices.status_code == 502
    assert server_error.status_code == 500  # the upstream's own error, passed on
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    assert sse_events(broken_stream.text)[-1]["error"]["type"] == "server_error"


def test_an_upstream_timeout_is_504(start_proxy: StartProxy, standin: StandInServer) -> None:
    with start_proxy(upstream_timeout_seconds=0.3) as server, client(server) as c:
        standin.faults.fail_next(Fault("slow", delay=2.0))
        reply = c.post("/chat/completions", json=chat(BENIGN))
    assert reply.status_code == 504
    assert reply.json()["error"]["code"] == "upstream_timeout"


def test_malformed_bodies_get_openai_style_400(start_proxy: StartProxy, store: Store) -> None:
    bad_bodies = [b"{not json", b"[1, 2]", b'{"model": "m"}', b'{"model": "m", "messages": 3}',
                  b'{"model": "m", "messages": [{"role": "wizard", "content": "hi"}]}',
                  b'{"model": "m", "messages": []}', b"\xff\xfe", b""]
    with start_proxy(max_body_bytes=2048) as server, client(server) as c:
        replies = [c.post("/chat/completions", content=body,
                          headers={"content-type": "application/json"}) for body in bad_bodies]
        huge = c.post("/chat/completions", json=chat("x" * 4096))
        unknown = c.post("/chat/nothing", json={})
        after = c.post("/chat/completions", json=chat(BENIGN))
        rows = _audit(server.proxy, store)
    for reply in replies:
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"]["type"] == "invalid_request_error"
        assert reply.json()["error"]["message"]
    assert "messages" in replies[3].json()["error"]["message"]
    assert huge.status_code == 413
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_url"
    assert after.status_code == 200
    assert sum(r["outcome"] == "invalid" for r in rows) == len(bad_bodies) + 1


def test_completions_and_embeddings(start_proxy: StartProxy, echo_upstream: str,
                                    standin: StandInServer) -> None:
    email = standin.context.user_record.email  # type: ignore[union-attr]
    with start_proxy(upstream=echo_upstream, key=None) as server, client(server) as c:
        plain = c.post("/completions", json={"model": "echo", "prompt": f"Mail {email} now"})
        streamed = c.post("/completions", json={"model": "echo", "stream": True,
                                                "prompt": "Say hello to the team"})
        embedded = c.post("/embeddings", json={"model": "echo", "input": ["one", email]})
        bad = c.post("/embeddings", json={"model": "echo"})
    assert plain.status_code == 200
    assert email not in plain.text and "You said: Mail" in plain.text  # masked on the way in
    assert streamed_text(sse_events(streamed.text)).strip() == "You said: Say hello to the team"
    assert embedded.status_code == 200
    assert email not in embedded.text and embedded.json()["data"][0]["echo"] == "one"
    assert bad.status_code == 400


def test_metrics_endpoint(start_proxy: StartProxy) -> None:
    with start_proxy() as server, client(server) as c:
        c.post("/chat/completions", json=chat(BENIGN))
        c.post("/chat/completions", json=chat(CANARY_PROMPT))
        assert server.proxy.sink.wait_idle()
        metrics = httpx.get(server.url + "/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    assert 'drillhall_guard_requests_total{outcome="allowed",route="chat",status="200"} 1.0' in text
    assert 'drillhall_guard_verdicts_total{action="block",direction="output",scanner="leak"} 1.0' \
        in text
    assert "drillhall_guard_added_seconds_bucket" in text
    assert CANARY not in text


def test_a_client_that_keeps_getting_blocked_is_blocked(start_proxy: StartProxy,
                                                        store: Store) -> None:
    abuse = {"min_requests": 4, "flag_share": 0.5, "block_share": 0.75, "block_seconds": 60}
    with start_proxy(abuse=abuse) as server, client(server) as c:
        statuses = [c.post("/chat/completions", json=chat(CANARY_PROMPT)).status_code
                    for _ in range(5)]
        rows = _audit(server.proxy, store)
    assert statuses == [400, 400, 400, 400, 403]
    decisions = [d for r in rows for d in r["decisions"]]  # type: ignore[attr-defined]
    assert "abuse:blocked" in decisions and "denied:abuse" in decisions


def test_anonymous_calls_only_on_loopback(start_proxy: StartProxy, engine: ScanEngine) -> None:
    import pytest

    from drillhall.errors import ConfigError
    from drillhall.llm.guard.proxy import ProxySettings
    from drillhall.llm.guard.proxy.server import GuardServer

    proxy = GuardProxy(ProxySettings(upstream="http://127.0.0.1:9/v1", allow_anonymous=True),
                       engine)
    with pytest.raises(ConfigError, match="loopback"):
        GuardServer(proxy, host="0.0.0.0")
