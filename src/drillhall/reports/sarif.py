"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One SARIF run per drillhall run. ``tool.driver.rules`` lists the rules whose findings are
present, documented from :class:`~drillhall.core.rules.RuleInfo` when known (else from the
finding). Each result carries ``partialFingerprints["drillhall/v1"]`` so that code scanning
de-duplicates across runs, and ``properties["security-severity"]`` so that it ranks them.
Paths are relative to ``%SRCROOT%`` and percent-encoded into valid URI references (archive
members keep their ``!``: ``app.apk!/classes.dex``). Skipped, errored and interrupted drills
become tool execution notifications; the policy verdict and violations sit in the run's
``properties``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from drillhall.core.model import DrillResult, Finding, Run, Severity, Status
from drillhall.core.rules import RuleInfo
from drillhall.reports._common import PROJECT_URL, iso_time, one_line, version_of
from drillhall.reports._context import ReportContext

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "drillhall/v1"

LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""SARIF ``level`` of each severity."""

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
"""``security-severity`` of each severity (GitHub ranks alerts by this CVSS-like score)."""

# Characters that may stay as they are in a URI path (RFC 3986 pchar plus "/").
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def path_to_uri(path: str) -> tuple[str, bool]:
    """``(uri, relative)``: a finding path as a URI reference.

    Relative paths are percent-encoded (``!`` of archive members is kept, being allowed in
    a URI path); a colon in the first segment gets a ``./`` prefix so that it does not read as
    a scheme. Absolute paths become ``file:`` URIs.
    """
    text = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", text) or text.startswith("/"):
        posix = text if text.startswith("/") else "/" + text
        return "file://" + quote(posix, safe=_PATH_SAFE), False
    uri = quote(text, safe=_PATH_SAFE)
    first = uri.split("/", 1)[0]
    if ":" in first:
        uri = "./" + uri
    return uri, True


def _root_uri(root: str) -> str:
    path = Path(root)
    if not path.is_absolute():
        path = path.resolve()
    uri = path.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _pascal(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


def _rule_document(rule_id: str, info: RuleInfo | None, findings: list[Finding]) -> dict[str, Any]:
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    first = findings[0]
    if info is not None:
        title, description, remediation = info.title, info.description, info.remediation
        severity, tags = info.severity, info.tags
    else:
        title, description, remediation = first.title, first.title, first.remediation
        severity, tags = worst, tuple(sorted({t for f in findings for t in f.tags}))
    help_text = remediation or "See the finding's evidence and location."
    markdown = f"**{_md(title)}**\n\n{_md(description)}\n\n**Remediation:** {_md(help_text)}"
    doc: dict[str, Any] = {
        "id": rule_id,
        "name": _pascal(title),
        "shortDescription": {"text": one_line(title)},
        "fullDescription": {"text": description or title},
        "help": {"text": help_text, "markdown": markdown},
    }
    if info is not None and info.help_uri:
        doc["helpUri"] = info.help_uri
    doc["defaultConfiguration"] = {"level": LEVEL[severity]}
    doc["properties"] = {
        "tags": ["security", *tags],
        "precision": "high",
        "security-severity": SECURITY_SEVERITY[severity],
    }
    return doc


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _message(finding: Finding) -> str:
    text = one_line(finding.title)
    if finding.evidence:
        text += f" (evidence: {one_line(finding.evidence)})"
    return text


def _locations(finding: Finding) -> list[dict[str, Any]]:
    loc = finding.location
    if not loc.path:
        return []
    uri, relative = path_to_uri(loc.path)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if loc.line is not None and loc.line >= 1:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column is not None and loc.column >= 1:
            region["startColumn"] = loc.column
        physical["region"] = region
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.symbol:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.symbol}]
    return [out]


def _result(finding: Finding, drill: str, rule_index: int) -> dict[str, Any]:
    props: dict[str, Any] = {
        "drill": drill,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    if finding.tags:
        props["tags"] = list(finding.tags)
    physical = ("path", "line", "column") if finding.location.path else ()
    extra = {k: v for k, v in finding.location.as_dict().items() if k not in physical}
    if extra:
        props["location"] = extra
    if finding.remediation:
        props["remediation"] = finding.remediation
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": _message(finding)},
    }
    locations = _locations(finding)
    if locations:
        out["locations"] = locations
    out["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    out["properties"] = props
    return out


def _notifications(results: Iterable[DrillResult]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in results:
        if r.status is Status.ERROR:
            level, text = "error", r.diagnostics or "the drill ended in error"
        elif r.status is Status.INTERRUPTED:
            level, text = "warning", r.reason or "the drill was interrupted"
        elif r.status is Status.SKIPPED:
            level, text = "note", r.reason or "the drill was skipped"
        else:
            continue
        out.append({
            "level": level,
            "message": {"text": f"drill {r.drill} {r.status.value}: {one_line(text)}"},
            "descriptor": {"id": f"drill/{r.drill}"},
            "timeUtc": iso_time(r.finished),
            "properties": {"drill": r.drill, "status": r.status.value},
        })
    return out


def sarif_document(run: Run, ctx: ReportContext | None = None) -> dict[str, Any]:
    """The SARIF log of ``run`` as a JSON-ready dictionary."""
    ctx = ctx if ctx is not None else ReportContext()
    pairs = [(r.drill, f) for r in run.results for f in r.findings]
    by_rule: dict[str, list[Finding]] = {}
    for _, f in pairs:
        by_rule.setdefault(f.rule_id, []).append(f)
    rule_ids = sorted(by_rule)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = [_rule_document(r, ctx.rules.get(r), by_rule[r]) for r in rule_ids]
    order = sorted(
        pairs,
        key=lambda p: (-p[1].severity.rank, p[1].rule_id, str(p[1].location), p[1].title),
    )
    notifications = _notifications(run.results)
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(r.status is Status.ERROR for r in run.results),
        "startTimeUtc": iso_time(run.started),
        "endTimeUtc": iso_time(run.finished),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    sarif_run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "drillhall",
                "version": version_of(run),
                "informationUri": PROJECT_URL,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"drillhall/{run.service or 'service'}/{run.id}"},
        "invocations": [invocation],
    }
    if ctx.root:
        sarif_run["originalUriBaseIds"] = {SRCROOT: {"uri": _root_uri(ctx.root)}}
    sarif_run["results"] = [_result(f, drill, index[f.rule_id]) for drill, f in order]
    sarif_run["properties"] = {
        "runId": run.id,
        "service": run.service,
        "verdict": run.verdict.value,
        "failOn": ctx.fail_on.value if ctx.fail_on is not None else None,
        "violations": [
            {"rule": v.rule, "message": v.message, "drill": v.drill} for v in run.violations
        ],
        "drills": [{"drill": r.drill, "status": r.status.value} for r in run.results],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [sarif_run]}


def render_sarif(run: Run, ctx: ReportContext | None = None) -> str:
    """The SARIF 2.1.0 log of ``run``, indented, newline at the end."""
    return json.dumps(sarif_document(run, ctx), indent=2, ensure_ascii=False) + "\n"
