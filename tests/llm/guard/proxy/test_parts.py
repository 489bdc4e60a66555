"""The proxy's parts on their own: the sliding window, buckets and abuse, keys, signals."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from drillhall.llm.guard.proxy.engine import ScanEngine
from drillhall.llm.guard.proxy.keys import KeyRing, new_key
from drillhall.llm.guard.proxy.limits import AbuseMonitor, Limiter, TokenBucket
from drillhall.llm.guard.proxy.settings import AbuseSettings, LimitSettings
from drillhall.llm.guard.proxy.streaming import GuardBlocked, SlidingWindow, StreamRelay
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Verdict
from drillhall.llm.guard.signals import Observation, SignalWindow, answer_vector, percentile
from drillhall.store import Store


class _Word:
    """Flags a word; blocks or masks it (as ``[X]``) depending on ``action``."""

    name = "word"
    directions: tuple[Direction, ...] = ("output",)

    def __init__(self, word: str, action: Action) -> None:
        self.word, self.action = word, action
        self.seen: list[str] = []

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        self.seen.append(text)
        if self.word not in text:
            return Verdict(self.name, False)
        return Verdict(self.name, True, 1.0, "found the word",
                       redacted=text.replace(self.word, "[X]"))


def _feed(window: SlidingWindow, text: str, size: int) -> str:
    out = "".join(window.feed(text[i:i + size]) for i in range(0, len(text), size))
    return out + window.flush()


@pytest.mark.parametrize("size", [1, 3, 7, 50])
def test_the_window_never_releases_part_of_a_blocked_word(size: int) -> None:
    secret = "SECRETWORD"
    scanner = _Word(secret, Action.BLOCK)
    window = SlidingWindow(ScanEngine([], [scanner]), ScanContext(), hold=len(secret), every=4)
    released: list[str] = []
    text = "a" * 37 + secret + "b" * 20
    with pytest.raises(GuardBlocked):
        for i in range(0, len(text), size):
            released.append(window.feed(text[i:i + size]))
        window.flush()
    sent = "".join(released)
    assert "S" not in sent  # not even the first letter left before the word was seen whole
    assert all(len(t) <= len(secret) + 4 + size for t in scanner.seen)


@pytest.mark.parametrize("size", [1, 4, 9])
def test_the_window_releases_redacted_text_whole_and_in_order(size: int) -> None:
    scanner = _Word("SECRET", Action.REDACT)
    window = SlidingWindow(ScanEngine([], [scanner]), ScanContext(), hold=8, every=5)
    text = "start " + " ".join(f"w{i} SECRET" for i in range(6)) + " end"
    assert _feed(window, text, size) == text.replace("SECRET", "[X]")


def test_the_relay_keeps_events_in_order_and_holds_text() -> None:
    relay = StreamRelay(ScanEngine([], []), ScanContext(), hold=4, every=4)

    def chunk(delta: dict[str, object], finish: str | None = None) -> str:
        return json.dumps({"id": "c", "object": "chat.completion.chunk",
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    out = []
    for data in (chunk({"role": "assistant", "content": ""}), chunk({"content": "Hello "}),
                 chunk({"content": "there, "}), chunk({"content": "friend"}),
                 chunk({}, "stop"), "[DONE]"):
        out.extend(relay.event("message", data))
    texts = [e.decode() for e in out]
    assert texts[-1] == "data: [DONE]\n\n"
    decoded = [json.loads(t[6:]) for t in texts[:-1]]
    content = "".join((c.get("delta") or {}).get("content") or ""
                      for d in decoded for c in d["choices"])
    assert content == "Hello there, friend"
    assert decoded[-1]["choices"][0]["finish_reason"] == "stop"
    assert decoded[0]["choices"][0]["delta"] == {"role": "assistant"}


def test_token_bucket_refills_and_takes_debt() -> None:
    bucket = TokenBucket(capacity=2, rate=1.0)
    assert bucket.take(1, now=0.0) == 0 and bucket.take(1, now=0.0) == 0
    assert bucket.take(1, now=0.0) == pytest.approx(1.0)
    assert bucket.take(1, now=1.0) == 0
    bucket.charge(5, now=1.0)
    assert bucket.in_debt(now=1.0) == pytest.approx(5.0)
    assert bucket.in_debt(now=6.1) == 0


def test_limiter_requests_tokens_and_cost() -> None:
    now = [0.0]
    limiter = Limiter(LimitSettings(requests_per_minute=60, request_burst=1,
                                    tokens_per_minute=600, price_per_1k_prompt_tokens=2.0,
                                    cost_cap=0.5, cost_window_seconds=1000),
                      clock=lambda: now[0], wall=lambda: 1000.0 + now[0])
    assert limiter.admit("a") is None
    denial = limiter.admit("a")
    assert denial is not None and denial.kind == "requests" and denial.retry_after == 1
    assert limiter.admit("b") is None  # per client
    now[0] = 1.0
    assert limiter.record("a", 100, 0) == pytest.approx(0.2)
    assert limiter.admit("a") is None
    limiter.record("a", 900, 0)  # 1000 tokens against a 600 bucket: in debt
    denial = limiter.admit("a")
    assert denial is not None and denial.kind == "tokens" and denial.retry_after >= 39
    now[0] = 100.0
    denial = limiter.admit("a")
    assert denial is not None and denial.kind == "cost"  # 2.0 spent against 0.5 in this window
    now[0] = 1001.0  # a new cost window (wall clock 2001 // 1000)
    assert limiter.admit("a") is None


def test_abuse_flags_then_blocks_then_forgives() -> None:
    now = [0.0]
    monitor = AbuseMonitor(AbuseSettings(window_seconds=10, min_requests=4, flag_share=0.5,
                                         block_share=0.75, block_seconds=30),
                           clock=lambda: now[0])
    states = [monitor.record("c", blocked) for blocked in (False, True, True, False)]
    assert states[-1].flagged and not states[-1].blocked and states[-1].changed
    assert monitor.check("c") is None
    state = monitor.record("c", True)  # 3 of 5 blocked: 0.6, still only flagged
    assert state.flagged and not state.blocked
    state = monitor.record("c", True)  # 4 of 6 is 0.67; another makes 5 of 7 ...
    state = monitor.record("c", True)
    state = monitor.record("c", True)  # 6 of 8 = 0.75: blocked
    assert state.blocked
    denial = monitor.check("c")
    assert denial is not None and denial.kind == "abuse" and denial.retry_after == 30
    now[0] = 31.0
    assert monitor.check("c") is None and not monitor.flagged("c")


def test_keys_are_random_hashed_and_checked() -> None:
    a, b = new_key("a"), new_key("b")
    assert re.fullmatch(r"dhg-[0-9a-f]{12}-[A-Za-z0-9_-]{43}", a.token)
    assert a.token != b.token and a.record.salt != b.record.salt
    assert a.token.split("-", 2)[2] not in repr(a.record)
    ring = KeyRing(lambda: [a.record, b.record], refresh=60)
    ring.reload()
    assert ring.check(a.token) == "a" and ring.check(b.token) == "b"
    assert ring.check(a.token[:-1] + ("x" if a.token[-1] != "x" else "y")) is None
    assert ring.check("sk-" + "0" * 40) is None and ring.check("") is None


def test_signals_summarise_a_window_as_a_run(tmp_path: object) -> None:
    start = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    window = SignalWindow("docs-assistant", start)
    for i in range(10):
        answer = "I'm sorry, but I can't help with that." if i < 3 else f"Returns take {i} days."
        window.add(Observation(blocked=i == 9, injection=i >= 8, leak=i == 7,
                               latency_ms=float(10 + i), added_ms=1.0,
                               answer_chars=len(answer), refused=i < 3,
                               vector=tuple(answer_vector(answer))))
    run = window.run(start + timedelta(minutes=5))
    assert run is not None and run.results[0].drill == "guard"
    metrics = run.metrics()
    assert metrics["guard.requests"] == 10
    assert metrics["guard.blocked_rate"] == pytest.approx(0.1)
    assert metrics["guard.injection_rate"] == pytest.approx(0.2)
    assert metrics["guard.leak_rate"] == pytest.approx(0.1)
    assert metrics["guard.refusal_rate"] == pytest.approx(0.3)
    assert metrics["guard.latency_ms_p50"] == pytest.approx(14.5)
    assert metrics["guard.added_latency_ms_p50"] == 1.0
    assert all(f"guard.answer_vector.{i}" in metrics for i in range(16))
    with Store.open("sqlite://") as store:
        store.save(run)
        series = store.metric_series("guard.refusal_rate", service="docs-assistant")
    assert [v for _, _, v in series] == [pytest.approx(0.3)]
    assert SignalWindow("x", start).run(start) is None


def test_answer_vectors_and_percentiles() -> None:
    v = answer_vector("Returns are free within 30 days.")
    assert len(v) == 16 and math.isclose(sum(x * x for x in v), 1.0)
    assert answer_vector("Returns are free within 30 days.") == v
    assert answer_vector("!!!") == [0.0] * 16
    assert percentile([1, 2, 3, 4], 50) == 2.5 and math.isnan(percentile([], 50))
