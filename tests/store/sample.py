"""Runs to store in the tests: deterministic, and exercising every field of the model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from drillhall.core.model import (
    Confidence,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    PolicyViolation,
    Run,
    Severity,
    Status,
    Verdict,
)

BASE = datetime(2026, 11, 26, 2, 7, 0, 123456, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1), "CET")


def make_run(
    run_id: str,
    *,
    service: str = "docs-assistant",
    minutes: int = 0,
    verdict: Verdict = Verdict.FAILED,
    libyears: float = 3.5,
) -> Run:
    """A run with three results: findings (every location field), metrics, journal, a skip
    and an error; one violation. ``minutes`` moves its start time from :data:`BASE`."""
    start = BASE + timedelta(minutes=minutes)
    secrets_result = DrillResult(
        drill="secrets",
        status=Status.FAILED,
        findings=(
            Finding(
                rule_id="DH-SECRET-AWS-KEY",
                title="AWS access key id in source",
                severity=Severity.HIGH,
                confidence=Confidence.HIGH,
                location=Location(path="app/config.py", line=12, column=9),
                evidence="AKIA************MPLE (sha256:1a5d44a2)",
                remediation="Revoke the key and load it from the environment.",
                tags=("CWE-798", "ML05"),
            ),
            Finding(
                rule_id="DH-ML-PII-EMAIL",
                title="E-mail address in training data — ünïcödé",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
                location=Location(path="data/train.csv", row=0, field="text"),
                evidence="a***@e****.org (sha256:00ff00ff)",
            ),
            Finding(
                rule_id="DH-LLM-ENDPOINT-OPEN",
                title="Endpoint answers without authentication",
                severity=Severity.CRITICAL,
                location=Location(uri="http://127.0.0.1:8080/v1/chat", symbol="POST /v1/chat"),
                tags=(),
            ),
        ),
        metrics=(
            Metric("secrets.files_scanned", 120.0, "files"),
            Metric("secrets.bytes_scanned", 1.5e6, "bytes"),
        ),
        journal=(
            JournalEntry(start, "started"),
            JournalEntry(start.astimezone(PARIS) + timedelta(seconds=1), "scanned", "120 files"),
        ),
        started=start,
        finished=start + timedelta(seconds=2, microseconds=7),
    )
    patch_result = DrillResult(
        drill="patch",
        status=Status.PASSED,
        metrics=(Metric("patch.libyears", libyears, "years"), Metric("patch.outdated", 4.0)),
        started=start + timedelta(seconds=2),
        finished=start + timedelta(seconds=5),
    )
    chaos_result = DrillResult(
        drill="chaos",
        status=Status.SKIPPED,
        reason="no experiment configured",
        started=start + timedelta(seconds=5),
        finished=start + timedelta(seconds=5),
    )
    llm_result = DrillResult(
        drill="llm",
        status=Status.ERROR,
        diagnostics="the target at http://127.0.0.1:9/v1 refused the connection.",
        started=start + timedelta(seconds=5),
        finished=start + timedelta(seconds=6),
    )
    return Run(
        id=run_id,
        service=service,
        started=start,
        finished=start + timedelta(seconds=6),
        results=(secrets_result, patch_result, chaos_result, llm_result),
        verdict=verdict,
        violations=(
            PolicyViolation("max_severity = high", "1 critical finding", drill="llm"),
            PolicyViolation("patch.libyears <= 2", f"patch.libyears is {libyears}"),
        ),
        drillhall_version="0.1.0",
    )
