"""JUnit XML, for CI systems that show test results (Jenkins, GitLab, Azure, GitHub actions).

The shape follows the widely used Jenkins JUnit schema: ``<testsuites>`` holds one
``<testsuite>`` per drill, whose first ``<testcase>`` is the drill itself (``<skipped>`` for a
skipped drill, ``<error>`` for one in error or interrupted, ``<failure>`` for a failed one) and
whose other test cases are its findings, each a ``<failure>`` with the severity as ``type``.
A last suite, ``policy``, holds the verdict: one failing test case per violation, or one
passing (or skipped, when no policy applied) test case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from drillhall.core.model import DrillResult, Finding, Run, Status, Verdict
from drillhall.reports._common import iso_time, one_line, result_note, sorted_findings
from drillhall.reports._context import ReportContext

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def _plain(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _finding_body(f: Finding) -> str:
    lines = [
        f"rule: {f.rule_id}",
        f"severity: {f.severity.value}",
        f"confidence: {f.confidence.value}",
        f"location: {f.location}",
    ]
    if f.evidence:
        lines.append(f"evidence: {f.evidence}")
    if f.remediation:
        lines.append(f"remediation: {f.remediation}")
    if f.tags:
        lines.append("tags: " + ", ".join(f.tags))
    lines.append(f"fingerprint: {f.fingerprint}")
    return "\n".join(lines)


def _drill_case(suite: ET.Element, result: DrillResult) -> ET.Element:
    case = _sub(suite, "testcase", name=f"drill {result.drill}",
                classname=f"drillhall.{result.drill}", time=f"{result.duration_seconds:.3f}")
    note = one_line(result_note(result))
    match result.status:
        case Status.SKIPPED:
            _sub(case, "skipped", message=note or "skipped")
        case Status.ERROR:
            _sub(case, "error", result.diagnostics or "", message=note or "error", type="error")
        case Status.INTERRUPTED:
            _sub(case, "error", result.reason or "", message=note or "interrupted",
                 type="interrupted")
        case Status.FAILED:
            count = len(result.findings)
            _sub(case, "failure", note, message=note or f"drill failed with {count} finding(s)",
                 type="failed")
        case Status.PASSED:
            pass
    return case


def _suite(root: ET.Element, result: DrillResult) -> None:
    findings = sorted_findings(result.findings)
    failures = len(findings) + (1 if result.status is Status.FAILED else 0)
    errors = 1 if result.status in (Status.ERROR, Status.INTERRUPTED) else 0
    skipped = 1 if result.status is Status.SKIPPED else 0
    suite = _sub(root, "testsuite", name=result.drill, tests=str(len(findings) + 1),
                 failures=str(failures), errors=str(errors), skipped=str(skipped),
                 time=f"{result.duration_seconds:.3f}", timestamp=iso_time(result.started))
    if result.metrics:
        props = _sub(suite, "properties")
        for m in result.metrics:
            _sub(props, "property", name=m.name,
                 value=_plain(m.value) + (f" {m.unit}" if m.unit else ""))
    _drill_case(suite, result)
    for f in findings:
        case = _sub(suite, "testcase", name=f"{f.rule_id} {f.location}",
                    classname=f"drillhall.{result.drill}.{f.rule_id}", time="0")
        _sub(case, "failure", _finding_body(f), message=one_line(f.title),
             type=f.severity.value)
    if result.journal:
        _sub(suite, "system-out", "\n".join(
            f"{iso_time(e.at)} {e.event}" + (f": {e.detail}" if e.detail else "")
            for e in result.journal
        ))


def _policy_suite(root: ET.Element, run: Run, ctx: ReportContext) -> None:
    violations = run.violations
    skipped = 1 if run.verdict is Verdict.NONE and not violations else 0
    suite = _sub(root, "testsuite", name="policy", tests=str(max(1, len(violations))),
                 failures=str(len(violations)), errors="0", skipped=str(skipped), time="0",
                 timestamp=iso_time(run.finished))
    props = _sub(suite, "properties")
    _sub(props, "property", name="verdict", value=run.verdict.value)
    _sub(props, "property", name="fail_on",
         value=ctx.fail_on.value if ctx.fail_on is not None else "")
    if violations:
        for v in violations:
            case = _sub(suite, "testcase", name=v.rule,
                        classname="drillhall.policy" + (f".{v.drill}" if v.drill else ""),
                        time="0")
            _sub(case, "failure", v.message, message=one_line(v.message), type="policy")
        return
    case = _sub(suite, "testcase", name="verdict", classname="drillhall.policy", time="0")
    if skipped:
        _sub(case, "skipped", message="no policy applied")


def render_junit(run: Run, ctx: ReportContext | None = None) -> str:
    """The JUnit XML report of ``run``, UTF-8, with an XML declaration."""
    ctx = ctx if ctx is not None else ReportContext()
    root = ET.Element("testsuites", {
        "name": _clean(f"drillhall {run.service} {run.id}".strip()),
        "tests": "0", "failures": "0", "errors": "0", "skipped": "0",
        "time": f"{max(0.0, (run.finished - run.started).total_seconds()):.3f}",
    })
    for result in run.results:
        _suite(root, result)
    _policy_suite(root, run, ctx)
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
