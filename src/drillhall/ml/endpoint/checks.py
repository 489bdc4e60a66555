"""Turning observations into findings: one method per kind, each finding with exactly one
``exposure:*`` tag, evidence scrubbed of the credentials sent, and no duplicates."""

from __future__ import annotations

from drillhall.core.model import Confidence, Finding, Location, Severity
from drillhall.core.redact import scrub
from drillhall.ml.endpoint import rules
from drillhall.ml.endpoint.analysis import ScoreLeak
from drillhall.ml.endpoint.client import Origin
from drillhall.ml.endpoint.extraction import ExtractionResult
from drillhall.ml.endpoint.routes import Route

HIGH_AGREEMENT = 0.8
MEDIUM_AGREEMENT = 0.6
PRECISE_DIGITS = 3


class Findings:
    """Collects the findings of one probe."""

    def __init__(self, origin: Origin, secrets: tuple[str, ...]) -> None:
        self.origin = origin
        self.secrets = secrets
        self._findings: dict[tuple[str, str], Finding] = {}
        self._model_info: dict[str, list[str]] = {}
        self.extraction: ExtractionResult | None = None

    def all(self) -> tuple[Finding, ...]:
        """Every finding, model information merged into one finding per route."""
        merged = dict(self._findings)
        for path, items in self._model_info.items():
            merged[(rules.MODEL_INFO, path)] = self._make(
                rules.MODEL_INFO, path, Severity.LOW, "; ".join(items[:6]),
                title=f"Model name, version or framework disclosed by {_route(path)}")
        order = {rule.rule_id: i for i, rule in enumerate(rules.RULES)}
        return tuple(sorted(merged.values(),
                            key=lambda f: (-f.severity.rank, order[f.rule_id],
                                           f.location.uri or "")))

    def _make(self, rule_id: str, path: str, severity: Severity, evidence: str, *,
              title: str | None = None, confidence: Confidence = Confidence.HIGH) -> Finding:
        info = rules.RULES_BY_ID[rule_id]
        tags = tuple(t for t in info.tags if t.startswith("exposure:"))[:1] + tuple(
            t for t in info.tags if not t.startswith("exposure:"))
        return Finding(
            rule_id=rule_id, title=title or info.title, severity=severity,
            confidence=confidence, location=Location(uri=f"{self.origin}{_route(path)}"),
            evidence=scrub(evidence, self.secrets), remediation=info.remediation, tags=tags)

    def _add(self, finding: Finding, key: str) -> None:
        current = self._findings.get((finding.rule_id, key))
        if current is None or finding.severity.rank > current.severity.rank:
            self._findings[(finding.rule_id, key)] = finding

    # -- one method per observation ---------------------------------------------------------

    def unauthenticated(self, path: str, method: str, status: int, *, compared: bool) -> None:
        evidence = (f"{method} {_route(path)} without credentials -> {status} (with the "
                    "credentials given it also succeeds)" if compared
                    else f"{method} {_route(path)} with no credentials -> {status}")
        self._add(self._make(rules.UNAUTHENTICATED, path, Severity.HIGH, evidence), path)

    def scores(self, path: str, leak: ScoreLeak) -> None:
        where = leak.pointer.lstrip("/") or "body"
        if leak.kind == "score":
            finding = self._make(rules.CONFIDENCE_SCORE, path, Severity.LOW,
                                 f"{where}: one score with {leak.digits} significant digits")
            self._add(finding, path)
            return
        labels = f" over {', '.join(leak.labels[:8])}" if leak.labels else ""
        precise = leak.digits >= PRECISE_DIGITS or leak.kind == "logits"
        severity = Severity.HIGH if precise else Severity.MEDIUM
        evidence = (f"{where}: {leak.kind}, {leak.size} values{labels}, up to {leak.digits} "
                    "significant digits")
        self._add(self._make(rules.PROBABILITIES, path, severity, evidence), path)

    def model_info(self, path: str, item: str, *, from_header: bool = False) -> None:
        items = self._model_info.setdefault(path, [])
        text = ("header " if from_header else "") + item
        if text not in items:
            items.append(text)

    def no_rate_limit(self, path: str, sent: int, seconds: float) -> None:
        evidence = (f"{sent} predictions in {seconds:.2f} s: no 429, no Retry-After, no "
                    "RateLimit headers")
        self._add(self._make(rules.NO_RATE_LIMIT, path, Severity.MEDIUM, evidence,
                             confidence=Confidence.MEDIUM), path)

    def cors_wildcard(self, path: str, method: str) -> None:
        self._add(self._make(rules.CORS_WILDCARD, path, Severity.MEDIUM,
                             f"{method} {_route(path)} -> Access-Control-Allow-Origin: *"),
                  "origin")

    def cors_reflected(self, path: str, with_credentials: bool) -> None:
        severity = Severity.HIGH if with_credentials else Severity.MEDIUM
        evidence = ("a foreign Origin is echoed in Access-Control-Allow-Origin"
                    + (" with Access-Control-Allow-Credentials: true" if with_credentials
                       else ""))
        self._add(self._make(rules.CORS_REFLECTED, path, severity, evidence), "origin")

    def error_details(self, path: str, request: str, status: int, kind: str,
                      severity: Severity, excerpt: str) -> None:
        evidence = f"{request} -> {status}: {kind}: {excerpt}"
        self._add(self._make(rules.ERROR_DETAILS, path, severity, evidence), path)

    def route(self, path: str, route: Route, severity: Severity, detail: str) -> None:
        evidence = f"GET {_route(path)} -> 2xx: {route.server} {route.what}" if (
            route.method == "GET") else f"{route.method} {_route(path)} -> 2xx: {route.server} " \
            f"{route.what}"
        if detail:
            evidence += f"; {detail}"
        title = f"{route.server} {route.what.split(' (')[0].split(':')[0]} reachable at " \
                f"{_route(path)}"
        self._add(self._make(route.rule_id, path, severity, evidence, title=title), path)

    def extracted(self, path: str, result: ExtractionResult) -> None:
        self.extraction = result
        if result.agreement >= HIGH_AGREEMENT:
            severity = Severity.HIGH
        elif result.agreement >= MEDIUM_AGREEMENT:
            severity = Severity.MEDIUM
        else:
            return
        evidence = (f"a copy trained on {result.train} answers agrees on "
                    f"{result.agreement:.1%} of {result.test} fresh queries ({result.classes} "
                    f"labels seen; a constant guess would agree on {result.majority_rate:.1%})")
        self._add(self._make(rules.EXTRACTION, path, severity, evidence,
                             confidence=Confidence.MEDIUM), path)

    def plain_http(self, path: str, with_credentials: bool) -> None:
        severity = Severity.HIGH if with_credentials else Severity.MEDIUM
        evidence = "http:// on a non-loopback host" + (
            "; credentials are sent in clear" if with_credentials else "")
        self._add(self._make(rules.PLAIN_HTTP, path, severity, evidence), "origin")


def _route(path: str) -> str:
    """The path without its query string (queries may carry keys)."""
    return path.split("?", 1)[0]
