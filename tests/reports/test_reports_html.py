"""The HTML report: self-contained, escaped, complete."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from drillhall.core.model import (
    DrillResult,
    Finding,
    Location,
    Metric,
    PolicyViolation,
    Run,
    RunSummary,
    Severity,
    Status,
    Verdict,
)
from drillhall.core.rules import RuleInfo
from drillhall.reports import Format, ReportContext, render
from drillhall.reports.svg import metric_chart, nice_ticks

T = datetime(2026, 1, 1, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


class _Refs(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
            assert not any(name == "src" for name, _ in attrs)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "action", "formaction", "srcset",
                        "poster", "data", "background", "ping"}:
                self.refs.append((tag, name, value or ""))


def _hostile_run() -> Run:
    return Run(
        id=f"id-{SCRIPT}", service=f"svc {SCRIPT}", started=T, finished=T + timedelta(seconds=3),
        results=(DrillResult(f"drill{SCRIPT}", Status.FAILED, started=T, finished=T, findings=(
            Finding(f"DH-{SCRIPT}", SCRIPT, Severity.CRITICAL,
                    location=Location(path=f"a/{SCRIPT}.py", uri="https://evil.example/x"),
                    evidence=f"\" onmouseover=\"alert(2) {SCRIPT}",
                    remediation=f"see https://example.org/fix {SCRIPT}",
                    tags=(SCRIPT,)),
        ), metrics=(Metric(f"m.{SCRIPT}", 1.0, SCRIPT),), reason=SCRIPT),),
        verdict=Verdict.FAILED,
        violations=(PolicyViolation(SCRIPT, SCRIPT, SCRIPT),),
    )


def _hostile_context() -> ReportContext:
    rule = RuleInfo(f"DH-{SCRIPT}", SCRIPT, SCRIPT, SCRIPT, Severity.HIGH, (SCRIPT,),
                    help_uri="https://example.org/rule")
    history = [RunSummary(f"old-{SCRIPT}", "svc", T - timedelta(days=1), T, Verdict.FAILED,
                          {Severity.HIGH: 1}, {f"m.{SCRIPT}": 2.0})]
    return ReportContext(rules={rule.rule_id: rule}, history=history, fail_on=Severity.LOW)


def test_hostile_text_is_escaped_everywhere() -> None:
    html = render(_hostile_run(), Format.HTML, _hostile_context())
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'onmouseover="alert' not in html
    parser = _Refs()
    parser.feed(html)
    assert parser.scripts == 1  # only our own inline script


def test_no_external_references(run: Run, rules: dict[str, RuleInfo],
                                history: list[RunSummary]) -> None:
    for subject, ctx in ((run, ReportContext(rules=rules, history=history)),
                         (_hostile_run(), _hostile_context())):
        html = render(subject, Format.HTML, ctx)
        parser = _Refs()
        parser.feed(html)
        external = [r for r in parser.refs if re.match(r"\s*(https?:)?//", r[2], re.I)]
        assert not external, external
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
        assert "@import" not in html
        assert "<link" not in html and "<iframe" not in html and "<img" not in html
        assert "default-src 'none'" in html  # the CSP forbids fetches even if one slipped in


def test_page_has_every_section(run: Run, rules: dict[str, RuleInfo],
                                history: list[RunSummary]) -> None:
    html = render(run, Format.HTML, ReportContext(rules=rules, history=history,
                                                  fail_on=Severity.HIGH))
    assert html.startswith("<!DOCTYPE html>")
    for needle in ('id="policy"', 'id="scorecard"', 'id="trends"', 'id="findings"',
                   'id="metrics"', 'id="rules"', "Policy not met", "max-severity",
                   "attack success rate 12.5% ≥ 5%", 'id="search"', "data-filter-sev",
                   "AKIA************MPLE (sha256:1a5d44a2)", "this run", "<svg", "@media print",
                   "fail-on <b>high</b>", "docs-assistant", "20261126T020700Z-3f2a9c"):
        assert needle in html, needle
    assert html.count('class="drill-card') == 5
    assert html.count('class="finding"') == 6
    assert html.count("<svg") == 1 + 6  # severity chart + metric charts (capped at six)
    # The https help link of a rule is shown as text, never as a link.
    assert "More: https://genai.owasp.org" in html


def test_without_history_or_findings() -> None:
    run = Run(id="r", service="s", started=T, finished=T, results=(
        DrillResult("quiet", Status.PASSED, started=T, finished=T),
    ), verdict=Verdict.PASSED)
    html = render(run, Format.HTML)
    assert "Every rule of the policy is met." in html
    assert "no findings" in html
    assert "<svg" in html


def test_svg_helpers() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(16) == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert nice_ticks(0.4, 3)[-1] >= 0.4
    from drillhall.reports.svg import Point

    points = [Point("a", T), Point("b", T + timedelta(days=1)), Point("c", T, current=True)]
    svg = str(metric_chart("m", points, [1.0, None, 3.0]))
    assert svg.count("<circle") == 2 and "<polyline" not in svg  # a gap breaks the line
    assert str(metric_chart("m", points[:1], [None]))
