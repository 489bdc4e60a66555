"""The JUnit XML report: well-formed, escaped, shaped like the Jenkins JUnit schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from drillhall.core.model import (
    DrillResult,
    Finding,
    Location,
    PolicyViolation,
    Run,
    Severity,
    Status,
    Verdict,
)
from drillhall.reports import Format, ReportContext, render

T = datetime(2026, 1, 1, tzinfo=UTC)

# Attributes the Jenkins JUnit XSD allows on each element (the ones we may write).
ALLOWED = {
    "testsuites": {"name", "tests", "failures", "errors", "skipped", "time", "disabled"},
    "testsuite": {"name", "tests", "failures", "errors", "skipped", "time", "timestamp",
                  "hostname", "id", "package", "disabled"},
    "testcase": {"name", "classname", "time", "assertions", "status"},
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
    "property": {"name", "value"},
}
SUITE_CHILD_ORDER = ["properties", "testcase", "system-out", "system-err"]


def _parse(run: Run, ctx: ReportContext | None = None) -> ET.Element:
    text = render(run, Format.JUNIT, ctx)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def _check_structure(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    for el in root.iter():
        if el.tag in ALLOWED:
            assert set(el.attrib) <= ALLOWED[el.tag], (el.tag, el.attrib)
    for suite in root.findall("testsuite"):
        assert {"name", "tests"} <= set(suite.attrib)
        tags = [child.tag for child in suite]
        assert tags == sorted(tags, key=SUITE_CHILD_ORDER.index), tags
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(key, "0")) == sum(len(c.findall(tag)) for c in cases), key
        for case in cases:
            assert case.get("name") and case.get("classname")
            float(case.get("time", "0"))
            outcomes = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            assert len(outcomes) <= 1
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "0")) == sum(int(s.get(key, "0")) for s in root), key


def test_structure_of_the_sample(run: Run) -> None:
    root = _parse(run, ReportContext(fail_on=Severity.HIGH))
    _check_structure(root)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["secrets", "llm-redteam", "patch", "chaos", "ml-endpoint", "policy"]
    secrets = suites["secrets"]
    failures = [c.find("failure") for c in secrets.findall("testcase")[1:]]
    assert [f.get("type") for f in failures if f is not None] == ["critical", "high", "medium"]
    assert "AKIA****" in (failures[1].text or "") if failures[1] is not None else False
    chaos_case = suites["chaos"].find("testcase")
    assert chaos_case is not None and chaos_case.find("error") is not None
    skipped = suites["ml-endpoint"].find("testcase/skipped")
    assert skipped is not None and "url configured" in (skipped.get("message") or "")
    assert suites["patch"].find("testcase/failure") is None
    policy = suites["policy"]
    assert [c.get("name") for c in policy.findall("testcase")] == [
        "max-severity", "llm.attack_success_rate"]
    props = {p.get("name"): p.get("value") for p in policy.iter("property")}
    assert props == {"verdict": "failed", "fail_on": "high"}


def test_hostile_text_is_escaped_and_control_characters_replaced() -> None:
    nasty = '<x a="1"> & ]]> \x00\x07 end'
    run = Run(
        id="r&1", service="s<", started=T, finished=T,
        results=(
            DrillResult("d\"1", Status.FAILED, started=T, finished=T, findings=(
                Finding("DH-<>", nasty + " \ud800", Severity.LOW, location=Location(path="a&b.py"),
                        evidence=nasty, remediation=nasty),
            )),
            DrillResult("e", Status.ERROR, started=T, finished=T, diagnostics=nasty),
            DrillResult("i", Status.INTERRUPTED, started=T, finished=T, reason="stop"),
        ),
        verdict=Verdict.FAILED,
        violations=(PolicyViolation("r<", nasty, "d\"1"),),
    )
    root = _parse(run)
    _check_structure(root)
    failure = root.find("testsuite/testcase/failure[@type='low']")
    assert failure is not None
    assert failure.get("message", "").startswith('<x a="1"> & ]]>')
    assert "\x00" not in (failure.text or "")
    error = root.find("testsuite[@name='e']/testcase/error")
    assert error is not None and error.get("type") == "error"
    interrupted = root.find("testsuite[@name='i']/testcase/error")
    assert interrupted is not None and interrupted.get("type") == "interrupted"


def test_no_policy_gives_a_skipped_verdict_case() -> None:
    run = Run(id="r", service="s", started=T, finished=T,
              results=(DrillResult("ok", Status.PASSED, started=T, finished=T),))
    root = _parse(run)
    _check_structure(root)
    case = root.find("testsuite[@name='policy']/testcase")
    assert case is not None and case.get("name") == "verdict"
    assert case.find("skipped") is not None
    passed = Run(id="r", service="s", started=T, finished=T, results=(), verdict=Verdict.PASSED)
    root = _parse(passed)
    _check_structure(root)
    case = root.find("testsuite[@name='policy']/testcase")
    assert case is not None and len(case) == 0
