"""The endpoint drill: a bounded black-box probe of a model-serving endpoint.

``[drills.endpoint]`` in drillhall.toml (or ``drillhall ml endpoint URL``) names the prediction
route; the drill checks it for the exposures listed in :mod:`drillhall.ml.endpoint.rules`,
sending only to that URL's origin and never more than ``max_requests`` requests. Only loopback
hosts may be probed unless ``allow_remote`` is set. A credential comes from the environment
variable named by ``token_env`` (never from the file itself) or from ``headers``; its value
never appears in findings or the journal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from drillhall.core.drill import DrillContext
from drillhall.core.model import (
    DrillResult,
    Finding,
    JournalEntry,
    Metric,
    Severity,
    Status,
    utcnow,
)
from drillhall.core.redact import scrub
from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError
from drillhall.ml.endpoint.client import HARD_CAP
from drillhall.ml.endpoint.plan import ProbeConfig, ProbePlan, plan
from drillhall.ml.endpoint.probe import ProbeReport, probe


class EndpointOptions(BaseModel):
    """The ``[drills.endpoint]`` table."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1)
    max_requests: int = Field(default=60, ge=1, le=HARD_CAP)
    active: bool = False
    headers: dict[str, str] = Field(default_factory=dict)
    token_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    body_template: str | None = None
    method: Literal["POST", "PUT"] = "POST"
    burst: int = Field(default=20, ge=0, le=HARD_CAP)
    timeout: float = Field(default=10.0, gt=0, le=300)
    allow_remote: bool = False
    features: int = Field(default=4, ge=1, le=10_000)


class EndpointDrill:
    """Probe one model endpoint (see the module docstring)."""

    name = "endpoint"

    def __init__(self, options: EndpointOptions, root: Path,
                 environ: Mapping[str, str] | None = None) -> None:
        self.options = options
        self.root = root
        self._environ = environ if environ is not None else os.environ

    def _headers(self) -> dict[str, str]:
        headers = dict(self.options.headers)
        env = self.options.token_env
        if env:
            token = self._environ.get(env, "").strip()
            if not token:
                raise ConfigError(f"the environment variable {env} named by token_env is not "
                                  "set or empty")
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def config(self) -> ProbeConfig:
        """The probe's configuration (credentials resolved from the environment)."""
        o = self.options
        return ProbeConfig(
            url=o.url, max_requests=o.max_requests, active=o.active, headers=self._headers(),
            body_template=o.body_template, method=o.method, burst=o.burst, timeout=o.timeout,
            allow_remote=o.allow_remote, features=o.features)

    def plan(self) -> ProbePlan:
        """What the drill will send, before it sends anything."""
        return plan(self.config())

    def preflight(self) -> None:
        """Check the URL (http/https, loopback unless allow_remote), the body template and
        the token variable before any drill starts. Raises ConfigError."""
        self.plan()
        if self.options.active:
            from drillhall.ml.endpoint.extraction import require_sklearn

            require_sklearn()

    def run(self, ctx: DrillContext) -> DrillResult:
        """Probe the endpoint, or with ``ctx.dry_run`` only plan."""
        started = utcnow()
        config = self.config()
        if ctx.dry_run:
            return DrillResult(self.name, Status.SKIPPED, journal=_plan_journal(plan(config)),
                               started=started, finished=utcnow(), reason="dry run")
        report = probe(config, cancel=ctx.cancel, progress=ctx.progress)
        return self.result(report, started)

    def result(self, report: ProbeReport, started: Any) -> DrillResult:
        """The drill result of a finished probe."""
        metrics = [Metric("endpoint.requests_sent", report.requests_sent),
                   Metric("endpoint.exposures", report.exposures),
                   Metric("endpoint.seconds", round(report.seconds, 3), "s")]
        if report.extraction is not None:
            metrics.append(Metric("endpoint.extraction_agreement",
                                  round(report.extraction.agreement, 4)))
        if report.cancelled:
            status, reason = Status.INTERRUPTED, "cancelled before the probe finished"
        elif any(f.severity.at_least(Severity.LOW) for f in report.findings):
            status, reason = Status.FAILED, None
        else:
            status, reason = Status.PASSED, None
        journal = _plan_journal(report.plan) + report.journal
        secrets = self.query_values()
        findings = tuple(_scrub_finding(f, secrets) for f in report.findings)
        journal = tuple(replace(e, detail=scrub(e.detail, secrets), event=scrub(e.event, secrets))
                        for e in journal)
        return DrillResult(self.name, status, findings, tuple(metrics), journal,
                           started, utcnow(), reason=reason)

    def query_values(self) -> list[str]:
        """Values in the URL's query string. They may be keys (``?api_key=…``), so every
        text the drill reports shows them masked."""
        return [value for _, value in parse_qsl(urlsplit(self.options.url).query)
                if len(value) >= 4]


def _scrub_finding(finding: Finding, secrets: Sequence[str]) -> Finding:
    if not secrets:
        return finding
    loc = finding.location
    return replace(finding, title=scrub(finding.title, secrets),
                   evidence=scrub(finding.evidence, secrets),
                   location=replace(loc, uri=scrub(loc.uri, secrets) if loc.uri else loc.uri,
                                    path=scrub(loc.path, secrets) if loc.path else loc.path))


def _plan_journal(the_plan: ProbePlan) -> tuple[JournalEntry, ...]:
    now = utcnow()
    entries = [JournalEntry(now, "plan", f"at most {the_plan.total} of {the_plan.budget} "
                            f"requests to {the_plan.origin}")]
    for step in the_plan.steps:
        shown = ", ".join(step.paths[:4]) + (" …" if len(step.paths) > 4 else "")
        if step.skipped:
            entries.append(JournalEntry(now, f"plan {step.check}", f"left out: {step.skipped}"))
        else:
            entries.append(JournalEntry(now, f"plan {step.check}",
                                        f"{step.requests} x {step.method} {shown}"))
    return tuple(entries)


def from_config(options: Mapping[str, Any], root: Path) -> EndpointDrill:
    """Build the drill from its ``[drills.endpoint]`` table."""
    parsed = parse_section(EndpointOptions, options, source="drillhall.toml",
                           section="drills.endpoint")
    drill = EndpointDrill(parsed, root)
    drill.preflight()
    return drill
