"""Governance as code: decisions in drillhall.toml checked against drill evidence."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

from drillhall.cli.cmd_init import TEMPLATES, template_text
from drillhall.cli.main import main
from drillhall.core.config import load_config
from drillhall.core.model import (
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Run,
    Severity,
    Status,
    utcnow,
)
from drillhall.governance.checks import (
    Evidence,
    EvidenceItem,
    Outcome,
    collect_evidence,
    evaluate_governance,
)
from drillhall.governance.decisions import GovernanceSection
from drillhall.governance.hosts import provider_allowed, saas_provider
from drillhall.store import Store
from drillhall.testing.fakekeys import fake_secret

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("url", "provider"), [
    ("https://api.openai.com/v1", "openai"),
    ("https://my-res.openai.azure.com/openai/deployments/gpt", "azure"),
    ("https://api.anthropic.com", "anthropic"),
    ("https://bedrock-runtime.eu-west-1.amazonaws.com", "aws"),
    ("https://s3.eu-west-1.amazonaws.com", None),
    ("http://127.0.0.1:11434/v1", None),
    ("http://llm.internal:8000/v1", None),
    ("api.mistral.ai:443", "mistral"),
    ("https://evil-api.openai.com.example.net", None),
    ("api.openai.com gpt-4o", "openai"),
    ("127.0.0.1:8000 qwen2.5", None),
    ("http://[oops/v1", None),
    ("python:my_app.chat:answer", None),
])
def test_saas_hosts(url: str, provider: str | None) -> None:
    assert saas_provider(url) == provider


def test_provider_allow_list() -> None:
    assert provider_allowed("https://api.openai.com/v1", ["openai"])
    assert not provider_allowed("https://api.openai.com/v1", ["azure", "self-hosted"])
    assert provider_allowed("http://127.0.0.1:8000", ["self-hosted"])
    assert provider_allowed("http://llm.corp.example:8000", [".corp.example"])
    assert provider_allowed("anything", [])
    assert provider_allowed("python:my_app.chat:answer", ["ollama"])


def _result(drill: str, *findings: Finding, journal: tuple[JournalEntry, ...] = ()
            ) -> EvidenceItem:
    return EvidenceItem(DrillResult(drill, Status.FAILED if findings else Status.PASSED,
                                    findings=findings, journal=journal), "run-1")


def _finding(rule: str, *tags: str) -> Finding:
    return Finding(rule, "t", Severity.HIGH, location=Location(path="x"), tags=tags)


def _gov(**areas: object) -> GovernanceSection:
    return GovernanceSection.model_validate({"owner": "ml-platform", **areas})


def _outcomes(gov: GovernanceSection, evidence: Evidence) -> dict[str, Outcome]:
    return {c.rule_id: c.outcome for c in evaluate_governance(gov, evidence, TODAY)
            if c.rule_id != "DH-GOV-REVIEW-DUE"}


def test_each_decision_meets_its_evidence() -> None:
    gov = _gov(data_usage={"personal_data": False, "commercially_sensitive": False},
               agency={"autonomous_actions": False}, privacy={"audience": "internal"},
               model_usage={"hosting": "self-hosted", "providers": ["self-hosted"]})
    bad = collect_evidence({
        "data": _result("data", _finding("DH-PII-EMAIL", "pii:email")),
        "secrets": _result("secrets", _finding("DH-SECRET-X")),
        "redteam": _result("redteam", _finding("DH-LLM-X", "LLM06",
                                               "attack:excessive-agency")),
        "endpoint": _result("endpoint", _finding("DH-ENDPOINT-X", "exposure:unauthenticated")),
    }, {"redteam": {"target": "https://api.openai.com/v1"}})
    assert set(_outcomes(gov, bad).values()) == {Outcome.NOT_MET}
    assert len(_outcomes(gov, bad)) == 6
    good = collect_evidence({
        "data": _result("data", _finding("DH-DATA-LABEL-ISSUE", "label:flip")),
        "secrets": _result("secrets"),
        "redteam": _result("redteam", _finding("DH-LLM-X", "LLM01", "attack:prompt-injection"),
                           journal=(JournalEntry(utcnow(), "target",
                                                 "http://127.0.0.1:11434/v1"),)),
        "endpoint": _result("endpoint", _finding("DH-ENDPOINT-X", "exposure:probabilities")),
    }, {})
    assert set(_outcomes(gov, good).values()) == {Outcome.MET}
    nothing = _outcomes(gov, collect_evidence({}, {}))
    assert set(nothing.values()) == {Outcome.NO_EVIDENCE}


def test_a_recorded_saas_target_breaks_self_hosting() -> None:
    gov = _gov(model_usage={"hosting": "self-hosted"})
    evidence = collect_evidence({"redteam": _result("redteam", journal=(
        JournalEntry(utcnow(), "target", "https://my.openai.azure.com/openai"),))}, {})
    [check] = [c for c in evaluate_governance(gov, evidence, TODAY)
               if c.rule_id == "DH-GOV-SAAS-MODEL"]
    assert check.outcome is Outcome.NOT_MET
    assert "my.openai.azure.com, a azure SaaS endpoint" in check.message
    assert "run-1" in check.message


def test_review_dates_owners_and_legal() -> None:
    gov = GovernanceSection.model_validate({
        "legal": {"review_status": "pending", "regulations": ["GDPR"], "owner": "legal",
                  "next_review": "2026-01-01"},
        "privacy": {"owner": "", "next_review": "2027-06-01", "audience": "customer-facing"},
        "agency": {"owner": "ops"},
    })
    checks = evaluate_governance(gov, collect_evidence({}, {}), TODAY)
    by = [(c.rule_id, c.area, c.outcome, c.severity) for c in checks]
    assert ("DH-GOV-REVIEW-DUE", "legal", Outcome.NOT_MET, Severity.MEDIUM) in by
    assert ("DH-GOV-REVIEW-DUE", "privacy", Outcome.MET, Severity.MEDIUM) in by
    assert ("DH-GOV-REVIEW-DUE", "agency", Outcome.NOT_MET, Severity.LOW) in by
    assert ("DH-GOV-NO-OWNER", "privacy", Outcome.NOT_MET, Severity.LOW) in by
    assert ("DH-GOV-LEGAL-REVIEW", "legal", Outcome.NOT_MET, Severity.MEDIUM) in by
    due = next(c for c in checks if c.rule_id == "DH-GOV-REVIEW-DUE" and c.area == "legal")
    assert "2026-01-01 (329 days ago)" in due.message


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_init_template_is_valid_and_dated(name: str, tmp_path: Path) -> None:
    text = template_text(name, dt.date(2026, 11, 26))
    assert "@TODAY@" not in text and "@NEXT_REVIEW@" not in text
    path = tmp_path / "drillhall.toml"
    path.write_text(text)
    config = load_config(path)
    if name != "default":
        assert config.governance is not None
        assert all(d.next_review == dt.date(2027, 5, 27)
                   for _, d in config.governance.decisions())


GOVERNED = """
[service]
name = "svc"

[drills.secrets]
paths = ["src"]

[policy]
fail_on = "none"

[governance]
owner = "ml-platform"

[governance.data_usage]
personal_data = false
commercially_sensitive = false
next_review = 2099-01-01
"""


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "drillhall.toml").write_text(GOVERNED)
    return tmp_path


def test_run_includes_governance_and_it_gates_the_verdict(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "-f", "json"]) == 0  # clean tree; no data evidence yet
    report = json.loads(capsys.readouterr().out)
    gov = next(r for r in report["results"] if r["drill"] == "governance")
    assert gov["status"] == "passed"
    assert gov["metrics"]["governance.no_evidence"] == 1
    key = fake_secret("DH-SECRET-GITHUB-PAT")
    (governed / "src" / "config.py").write_text(f'TOKEN = "{key}"\n')
    assert main(["run", "-f", "json"]) == 1  # fail_on none, yet governance fails the run
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "failed"
    gov = next(r for r in report["results"] if r["drill"] == "governance")
    [finding] = gov["findings"]
    assert finding["rule_id"] == "DH-GOV-SENSITIVE-DATA"
    assert finding["location"]["path"] == "drillhall.toml"
    assert key not in json.dumps(report)


def test_governance_check_reads_stored_evidence(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = utcnow()
    data = DrillResult("data", Status.FAILED, findings=(
        _finding("DH-PII-EMAIL", "pii:email"), _finding("DH-PII-CARD", "pii:card")),
        started=now, finished=now)
    with Store.open(None, root=governed) as store:
        store.save(Run("stored-1", "svc", now, now, (data,)))
        store.save(Run("other-svc", "other", now, now, (data,)))
    assert main(["governance", "check", "-f", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    [result] = report["results"]
    rules = {f["rule_id"]: f["evidence"] for f in result["findings"]}
    assert "2 personal value(s) (card, email) (run stored-1)" in rules["DH-GOV-PERSONAL-DATA"]
    assert "DH-GOV-NO-EVIDENCE" not in rules  # require_evidence is off: secrets not run yet


def test_governance_errors(governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (governed / "drillhall.toml").write_text(GOVERNED.replace(
        "personal_data = false", 'personal_data = "sometimes"'))
    assert main(["governance", "check"]) == 2
    err = capsys.readouterr().err
    assert "drillhall.toml:15" in err and "personal_data" in err
    (governed / "drillhall.toml").write_text("[service]\nname='x'\n")
    assert main(["governance", "check"]) == 2
    assert "no [governance] table" in capsys.readouterr().err
    assert tomllib.loads(GOVERNED)["governance"]["owner"] == "ml-platform"


def test_one_drill_commands_are_not_judged_by_governance(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = fake_secret("DH-SECRET-GITHUB-PAT")
    (governed / "src" / "config.py").write_text(f'TOKEN = "{key}"\n')
    assert main(["secrets", "src", "-f", "json", "--fail-on", "none"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["drill"] for r in report["results"]] == ["secrets"]
