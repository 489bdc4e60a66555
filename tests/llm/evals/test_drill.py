"""`drillhall llm eval` end to end: stored runs, significant drops, wobbles, redaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.errors import ConfigError
from drillhall.llm.evals.drill import from_config
from drillhall.testing.fakekeys import fake_secret
from drillhall.testing.llm import serve_model
from tests.llm.evals.fakes import CANARY, EMAIL, ScriptedModel, cli, report, write_golden

QUESTIONS = [f"Question number {i}?" for i in range(20)]
GOOD = {q: f"The answer to {q} is fact-{i} and detail-{i}." for i, q in enumerate(QUESTIONS)}
ITEMS = [{"id": f"q{i:02d}", "question": q, "required_facts": [f"fact-{i}", f"detail-{i}"]}
         for i, q in enumerate(QUESTIONS)]


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedModel, str]]:
    model = ScriptedModel(GOOD)
    with serve_model(model) as url:
        yield model, url


def answers(wrong: set[int]) -> dict[str, str]:
    return {q: ("I am not sure." if i in wrong else a)
            for i, (q, a) in enumerate(GOOD.items())}


def run_eval(tmp_path: Path, url: str, *extra: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "report.json"
    code = cli("llm", "eval", "--target", url, "--golden", str(tmp_path / "golden.jsonl"),
               "--label", "docs-app", "-f", "json", "-o", str(out), *extra)
    return code, report(out)


def test_significant_drop_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       scripted: tuple[ScriptedModel, str]) -> None:
    monkeypatch.chdir(tmp_path)
    model, url = scripted
    write_golden(tmp_path / "golden.jsonl", ITEMS)
    code, first = run_eval(tmp_path, url)
    assert code == 0, first
    metrics = first["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["eval.score"] == 1.0 and metrics["eval.pass_rate"] == 1.0
    assert metrics["eval.items"] == 20 and metrics["eval.forbidden"] == 0
    assert "eval.drop" not in metrics  # nothing to compare with yet

    model.set(answers({3, 5, 7, 11, 13, 17, 19, 2}))
    code, second = run_eval(tmp_path, url)
    assert code == 1
    metrics = second["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["eval.pass_rate"] == 0.6 and metrics["eval.regressions"] == 8
    assert metrics["eval.drop"] == pytest.approx(0.4)
    assert metrics["eval.drop_p_value"] < 0.05
    findings = second["findings"]
    assert isinstance(findings, list)
    (drop,) = findings
    assert drop["rule_id"] == "DH-EVAL-ACCURACY-DROP" and drop["severity"] == "high"
    assert "q03" in drop["evidence"] and "q19" in drop["evidence"]
    assert "regressed:q02" in drop["tags"]

    # the paired exact test compares with the newest earlier run only (the same 60%)
    code, exact = run_eval(tmp_path, url, "--drop-test", "exact")
    assert code == 0 and exact["metrics"]["eval.drop"] == 0.0  # type: ignore[index]
    model.set(GOOD)
    code, better = run_eval(tmp_path, url, "--drop-test", "exact")
    assert code == 0 and better["metrics"]["eval.drop"] == pytest.approx(-0.4)  # type: ignore[index]
    code, off = run_eval(tmp_path, url, "--no-compare")
    assert code == 0 and "eval.drop" not in off["metrics"]  # type: ignore[operator]


def test_wobble_is_not_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               scripted: tuple[ScriptedModel, str]) -> None:
    monkeypatch.chdir(tmp_path)
    model, url = scripted
    write_golden(tmp_path / "golden.jsonl", ITEMS)
    assert run_eval(tmp_path, url)[0] == 0
    model.set(answers({4}))
    code, second = run_eval(tmp_path, url)
    assert code == 0 and second["findings"] == []
    metrics = second["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["eval.regressions"] == 1 and metrics["eval.drop_p_value"] > 0.05
    history = [e["detail"] for e in second["journal"] if e["event"] == "history"]  # type: ignore[index, union-attr, attr-defined]
    assert "regressed: q04" in history[0]


def test_no_key_canary_or_personal_data_anywhere(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    key = fake_secret("DH-SECRET-OPENAI-API-KEY", seed=11)
    monkeypatch.setenv("EVAL_KEY", key)
    leak = f"Write to {EMAIL}; the reference is {CANARY}. The freeze starts 20 December."
    model = ScriptedModel({"When is the freeze?": leak, "Who is on call?": "Ask " + EMAIL})
    write_golden(tmp_path / "golden.jsonl", [
        {"id": "freeze", "question": "When is the freeze?", "required_facts": ["20 December"],
         "forbidden": [CANARY]},
        {"id": "oncall", "question": "Who is on call?", "pattern": "ask"},
    ])
    with serve_model(model, api_key=key) as url:
        code, result = run_eval(tmp_path, url, "--api-key-env", "EVAL_KEY",
                                "--canary", CANARY)
    assert code == 1
    findings = result["findings"]
    assert isinstance(findings, list)
    (forbidden,) = findings
    assert forbidden["rule_id"] == "DH-EVAL-FORBIDDEN"
    assert forbidden["location"] == {"path": "golden.jsonl", "line": 1, "uri": forbidden[
        "location"]["uri"], "symbol": "freeze"}
    assert result["metrics"]["eval.forbidden"] == 1  # type: ignore[index]
    everything = [(tmp_path / "report.json").read_bytes()]
    everything += [p.read_bytes() for p in tmp_path.rglob("*.db*")]
    assert len(everything) >= 2
    for blob in everything:
        for value in (key, CANARY, EMAIL):
            assert value.encode() not in blob
    items = [json.loads(e["detail"]) for e in result["journal"]  # type: ignore[union-attr, attr-defined]
             if e["event"] == "item"]
    assert "sha256:" in items[0]["answer"] and "20 December" in items[0]["answer"]


def test_callable_target_and_system_prompt(tmp_path: Path) -> None:
    write_golden(tmp_path / "golden.jsonl", [
        {"id": "port", "question": "What port does the VPN use?", "expected": "udp port 51820"},
        {"id": "admin", "question": "Who approves admin roles?", "expected": "the manager"},
    ])
    drill = from_config({"target": "python:tests.llm.evals.fakes:callable_target",
                         "golden": "golden.jsonl", "system_prompt": "Be brief."}, tmp_path)
    result = drill.run(DrillContext(tmp_path))
    assert result.status is Status.PASSED
    assert result.metric("eval.pass_rate") == 0.5 and result.metric("eval.items") == 2
    assert [e.detail for e in result.journal if e.event == "history"] == [
        "no earlier run of this target and golden set to compare with"]
    dry = drill.run(DrillContext(tmp_path, dry_run=True))
    assert dry.status is Status.SKIPPED and dry.reason == "dry run"


@pytest.mark.parametrize(("options", "message"), [
    ({"target": "http://127.0.0.1:9/v1"}, "needs a golden set"),
    ({"golden": "g.jsonl"}, "needs a target"),
    ({}, "give a target and a golden set, or drift"),
    ({"drift": True}, "drift needs the guard's service name"),
    ({"target": "http://127.0.0.1:9/v1", "golden": "g.jsonl", "canaries": ["abc"]},
     "too short"),
    ({"target": "http://127.0.0.1:9/v1", "golden": "j.jsonl"}, "no judge is configured"),
    ({"target": "http://127.0.0.1:9/v1", "golden": "g.jsonl", "api_key_env": "NOT_SET_EVAL"},
     "NOT_SET_EVAL named for the API key is not set"),
])
def test_bad_options(tmp_path: Path, options: dict[str, object], message: str) -> None:
    write_golden(tmp_path / "g.jsonl", [{"id": "a", "question": "Q?", "expected": "x"}])
    write_golden(tmp_path / "j.jsonl", [{"id": "a", "question": "Q?", "expected": "x",
                                         "scoring": "judge"}])
    with pytest.raises(ConfigError, match=message):
        from_config(options, tmp_path)


def test_judge_through_the_drill(tmp_path: Path) -> None:
    from tests.llm.evals.fakes import JudgeModel

    model = ScriptedModel({"How often are laptops replaced?": "Every four years."})
    write_golden(tmp_path / "golden.jsonl", [
        {"id": "cycle", "question": "How often are laptops replaced?",
         "required_facts": ["four years"], "scoring": "judge"},
        {"id": "other", "question": "Unknown?", "expected": "x", "scoring": "judge"},
    ])
    with serve_model(model) as url, serve_model(JudgeModel()) as judge:
        drill = from_config({"target": url, "golden": "golden.jsonl", "judge": judge,
                             "compare": False}, tmp_path)
        result = drill.run(DrillContext(tmp_path))
    assert result.metric("eval.passed") == 1 and result.metric("eval.items") == 2
    targets = [e.detail for e in result.journal if e.event == "target"]
    assert targets[0].endswith("scripted-1") and targets[1].endswith("judge-1")
    items = [json.loads(e.detail) for e in result.journal if e.event == "item"]
    assert items[0]["method"] == "judge" and "rates the answer correct" in items[0]["detail"]


def test_refusals_are_counted(tmp_path: Path) -> None:
    from drillhall.testing.llm import REFUSAL

    model = ScriptedModel({"A?": REFUSAL, "B?": "The freeze starts on 20 December."})
    write_golden(tmp_path / "golden.jsonl", [
        {"id": "a", "question": "A?", "required_facts": ["20 December"]},
        {"id": "b", "question": "B?", "required_facts": ["20 December"]},
    ])
    with serve_model(model) as url:
        result = from_config({"target": url, "golden": "golden.jsonl"}, tmp_path).run(
            DrillContext(tmp_path))
    assert result.metric("eval.refusals") == 1 and result.metric("eval.pass_rate") == 0.5
    refused = [json.loads(e.detail)["refused"] for e in result.journal if e.event == "item"]
    assert refused == [True, False]
