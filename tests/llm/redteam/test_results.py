"""Rates with Wilson intervals, findings, regressions, the checkpoint file and redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillhall.errors import ConfigError, InputError
from drillhall.llm.redteam import checkpoint as ckpt
from drillhall.llm.redteam import results as res
from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.redteam.redaction import Redactor
from drillhall.llm.redteam.rules import GENERIC, KNOWN_CATEGORIES, RULES, rule_for
from drillhall.llm.types import Message, ToolCall
from drillhall.testing.fakekeys import fake_secret
from tests.llm.redteam.fakes import attack


def test_wilson_interval_matches_known_values() -> None:
    assert res.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert res.wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert res.wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert res.wilson(0, 0) == (0.0, 1.0)


def _outcomes() -> tuple[list, dict[str, Outcome]]:
    attacks = [attack(1), attack(2), attack(3, category="system-prompt-extraction",
                                             owasp="LLM07"), attack(4)]
    outcomes = {
        attacks[0].id: Outcome(attacks[0].id, Verdict.SUCCESS, 1, 0.1, "marker", 1.0,
                               "The reply contains the attack marker.", "OK: zorblax001"),
        attacks[1].id: Outcome(attacks[1].id, Verdict.BLOCKED, 1, 0.1),
        attacks[2].id: Outcome(attacks[2].id, Verdict.ERROR, 1, 0.1, reason="HTTP 500"),
    }
    return attacks, outcomes


def test_rates_ignore_errors_and_metrics_follow_the_contract() -> None:
    attacks, outcomes = _outcomes()
    summary = res.summarise(attacks, outcomes)
    assert (summary.overall.successes, summary.overall.graded, summary.overall.errors) == (1, 2, 1)
    assert [r.key for r in summary.by_owasp] == ["LLM01", "LLM07"]
    metrics = {m.name: m.value for m in res.metrics(summary, requests=3)}
    assert metrics["llm.attacks"] == 2 and metrics["llm.attack_success_rate"] == 0.5
    assert metrics["llm.asr.LLM01"] == 0.5 and "llm.asr.LLM07" not in metrics  # nothing graded
    assert metrics["llm.errors"] == 1 and metrics["llm.requests"] == 3
    assert "95% CI" in summary.overall.describe()


def test_finding_tags_and_regressions() -> None:
    attacks, outcomes = _outcomes()
    baseline = res.Baseline("old", frozenset(), frozenset({"LLM01"}))
    assert res.regressions(attacks, outcomes, baseline) == {attacks[0].id}
    assert res.regressions(attacks, outcomes, res.Baseline("old", frozenset({attacks[0].id}),
                                                           frozenset({"LLM01"}))) == set()
    assert res.regressions(attacks, outcomes, res.Baseline("old", frozenset(),
                                                           frozenset({"LLM07"}))) == set()
    f = res.finding(attacks[0], outcomes[attacks[0].id], "http://127.0.0.1:9/v1",
                    regression=True)
    assert f.rule_id == "DH-LLM-PROMPT-INJECTION"
    assert f.tags[:3] == ("LLM01", "attack:prompt-injection", "AML.T0051.000")
    assert "regression" in f.tags and f.location.symbol == attacks[0].id
    assert "OK: zorblax001" in f.evidence


def test_rules_cover_the_catalogue_categories() -> None:
    from drillhall.llm.attacks import CATEGORIES

    assert set(KNOWN_CATEGORIES) == set(CATEGORIES)
    ids = [r.rule_id for r in RULES]
    assert len(set(ids)) == len(ids) and rule_for("no-such").rule_id == GENERIC
    assert all(any(t.startswith("LLM") for t in r.tags) for r in RULES if r.rule_id != GENERIC)


def test_checkpoint_round_trip_and_cut_short_line(tmp_path: Path) -> None:
    path = ckpt.checkpoint_path(tmp_path, "rt-20260101T000000Z-abcdef")
    header = ckpt.Header("rt-20260101T000000Z-abcdef", "127.0.0.1:1 m", 7, {"limit": 3}, 3,
                         ckpt.digest(["a", "b", "c"]))
    transcript = (Message("user", "hi"),
                  Message("assistant", "", (ToolCall("delete_all", '{"x": 1}'),)))
    with ckpt.Writer(path, header) as w:
        w.record(Outcome("a", Verdict.SUCCESS, 2, 0.5, "canary", 1.0, "leaked", "…x…",
                         transcript))
        w.record(Outcome("b", Verdict.ERROR, 1, 0.1, reason="HTTP 502"))
    with path.open("a") as f:
        f.write('{"kind": "outcome", "attack": "c", "verd')  # killed mid-write
    back = ckpt.read(path)
    assert back.header == header
    assert set(back.outcomes) == {"a"}  # errors are redone on resume
    assert back.outcomes["a"].transcript == transcript and back.requests_used == 3
    ckpt.check_same(back.header, "127.0.0.1:1 m", ["a", "b", "c"])
    with pytest.raises(ConfigError, match="catalogue"):
        ckpt.check_same(back.header, "127.0.0.1:1 m", ["a", "b"])
    with pytest.raises(ConfigError, match=r"attacked 127\.0\.0\.1:1 m"):
        ckpt.check_same(back.header, "elsewhere", ["a", "b", "c"])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "{oops", lines[1]]) + "\n")
    with pytest.raises(InputError, match=r":2: malformed"):
        ckpt.read(path)
    with pytest.raises(ConfigError, match="not a red-team run id"):
        ckpt.checkpoint_path(tmp_path, "../../etc/passwd")
    with pytest.raises(ConfigError, match="runs that can be resumed: rt-2026"):
        ckpt.read(ckpt.checkpoint_path(tmp_path, "rt-nope"))


def test_redaction_masks_keys_canaries_credentials_and_personal_data() -> None:
    key = fake_secret("DH-SECRET-GITHUB-PAT", seed=3)
    canary = "CANARY-" + "7f3a9c2e41"
    other = fake_secret("DH-SECRET-GITHUB-PAT", seed=4)
    r = Redactor([key, canary])
    text = (f"The key is {key}, the code {canary}, also {other}; mail jane.doe@corp.example.com "
            "or call +44 20 7946 0958.")
    out = r.text(text)
    for value in (key, canary, other, "jane.doe@corp.example.com", "7946 0958"):
        assert value not in out
    assert "sha256:" in out
    import base64

    hidden = r.text(f"b64 {base64.b64encode(canary.encode()).decode()} rev {canary[::-1]} "
                    f"hex {canary.encode().hex()}")
    assert "[encoded]" in hidden and canary[::-1] not in hidden
    assert base64.b64encode(canary.encode()).decode() not in hidden
    assert canary.encode().hex() not in hidden
    excerpt = r.excerpt("x" * 1000 + f" here: {canary} " + "y" * 1000, [canary])
    assert canary not in excerpt and "sha256:" in excerpt and len(excerpt) < 400
    long = r.message(Message("assistant", "z" * 100_000))
    assert len(long.content) < 5000 and "more characters" in long.content


def test_transcript_entry_is_json() -> None:
    entry = res.transcript_entry("a.b", (Message("user", "hi"), Message("assistant", "yo")))
    assert entry.event == res.TRANSCRIPT_EVENT
    assert json.loads(entry.detail)["messages"][1] == {"role": "assistant", "content": "yo"}


def test_the_integrators_registry_entry_resolves(tmp_path: Path) -> None:
    from drillhall.core.drill import DrillFactory
    from drillhall.core.rules import load_rules

    factory = DrillFactory(name="redteam", family="llm", summary="red team",
                           target="drillhall.llm.redteam.drill:from_config", order=50,
                           rules="drillhall.llm.redteam.rules:RULES")
    assert load_rules(factory.rules or "") == RULES
    drill = factory.build({"target": "http://127.0.0.1:9/v1", "model": "m", "limit": 5,
                           "package_index": "none"}, tmp_path)
    assert drill.name == "redteam" and len(drill.plan().attacks) == 5
    with pytest.raises(ConfigError, match=r"\[drills.redteam\] unknown key 'nope'"):
        factory.build({"target": "http://127.0.0.1:9/v1", "nope": 1}, tmp_path)
