"""Each check against real model servers on 127.0.0.1, with requests counted server-side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drillhall.core.model import Finding, Severity
from drillhall.demo.server import DemoServer
from drillhall.ml.endpoint import ProbeConfig, ProbeReport, plan, probe
from drillhall.ml.endpoint import rules as R
from drillhall.testing.endpoints import (
    EndpointServer,
    authenticated_app,
    hardened_app,
    label_only_app,
    leaky_app,
    numeric_app,
    open_app,
    rate_limited_app,
)


def tags(report: ProbeReport) -> set[str]:
    return {f.tags[0] for f in report.findings}


def by_rule(report: ProbeReport, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule_id == rule_id]


def above_info(report: ProbeReport) -> list[Finding]:
    return [f for f in report.findings if f.severity.at_least(Severity.LOW)]


def test_every_finding_has_exactly_one_exposure_tag(demo: EndpointServer) -> None:
    report = probe(ProbeConfig(demo.url + "/classify"))
    assert report.findings
    for finding in report.findings:
        assert sum(t.startswith("exposure:") for t in finding.tags) == 1
        assert finding.tags[0] in R.EXPOSURE_TAGS
        assert finding.rule_id in R.RULES_BY_ID


@pytest.fixture(scope="module")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def test_demo_server_planted_exposures(demo_server: DemoServer) -> None:
    report = probe(ProbeConfig(demo_server.classify_url))
    assert {R.TAG_UNAUTHENTICATED, R.TAG_PROBABILITIES, R.TAG_MODEL_INFO,
            R.TAG_NO_RATE_LIMIT, R.TAG_MANAGEMENT} <= tags(report)
    (probabilities,) = by_rule(report, R.PROBABILITIES)
    assert probabilities.severity == Severity.HIGH and "5 values" in probabilities.evidence
    assert "significant digits" in probabilities.evidence
    docs = by_rule(report, R.API_DOCS)
    assert [f.location.uri for f in docs] == [demo_server.url + "/openapi.json"]
    assert "/classify" in docs[0].evidence
    assert any("model_version=ticket-triage-nb-" in f.evidence
               for f in by_rule(report, R.MODEL_INFO))
    assert report.requests_sent <= 60
    assert report.extraction is None


def test_demo_active_extraction_within_200_requests(demo: EndpointServer) -> None:
    report = probe(ProbeConfig(demo.url + "/classify", active=True, max_requests=200))
    assert report.extraction is not None
    assert report.extraction.agreement >= 0.8
    assert report.extraction.method == "scores"
    (finding,) = by_rule(report, R.EXTRACTION)
    assert finding.severity == Severity.HIGH and finding.tags[0] == R.TAG_PROBABILITIES
    assert report.requests_sent == demo.log.count <= 200


@pytest.mark.parametrize("budget", [1, 7, 25, 60, 120])
def test_budget_is_never_exceeded(demo: EndpointServer, budget: int) -> None:
    report = probe(ProbeConfig(demo.url + "/classify", max_requests=budget, active=True))
    assert demo.log.count == report.requests_sent <= min(budget, plan(
        ProbeConfig(demo.url + "/classify", max_requests=budget, active=True)).total)


def test_open_app_docs_routes() -> None:
    with EndpointServer(open_app()) as server:
        report = probe(ProbeConfig(server.url + "/classify"))
    docs = {f.location.uri.rsplit("/", 1)[-1] for f in by_rule(report, R.API_DOCS) if
            f.location.uri}
    assert docs == {"docs", "redoc", "openapi.json"}


def test_hardened_has_nothing_above_info(token: str) -> None:
    with EndpointServer(hardened_app(token), server_header=False) as server:
        url = server.url + "/classify"
        with_token = probe(ProbeConfig(url, active=True, max_requests=200,
                                       headers={"Authorization": f"Bearer {token}"}))
        assert above_info(with_token) == []
        assert with_token.requests_sent <= 200
        assert any(e.event == "rate limit seen" for e in with_token.journal)
        without = probe(ProbeConfig(url, active=True, max_requests=200))
        assert above_info(without) == []
        assert any(e.event == "prediction refused" for e in without.journal)
        assert server.log.count == with_token.requests_sent + without.requests_sent


def test_authentication_compared(token: str) -> None:
    with EndpointServer(authenticated_app(token)) as server:
        url = server.url + "/classify"
        good = probe(ProbeConfig(url, headers={"Authorization": f"Bearer {token}"}))
        assert R.TAG_UNAUTHENTICATED not in tags(good)
        assert any(e.event == "prediction without credentials" and "401" in e.detail
                   for e in good.journal)
        unauthorized = [e for e in server.log.entries if not e.authorized]
        assert unauthorized, "the comparison request must go without credentials"
        nothing = probe(ProbeConfig(url))
        assert R.TAG_UNAUTHENTICATED not in tags(nothing)
    with EndpointServer(open_app()) as server:
        ignored = probe(ProbeConfig(server.url + "/classify",
                                    headers={"Authorization": f"Bearer {token}"}))
    (finding,) = by_rule(ignored, R.UNAUTHENTICATED)
    assert "also succeeds" in finding.evidence


def test_rate_limited_server_is_recognised() -> None:
    with EndpointServer(rate_limited_app(limit=8)) as server:
        report = probe(ProbeConfig(server.url + "/classify"))
        assert R.TAG_NO_RATE_LIMIT not in tags(report)
        seen = [e for e in report.journal if e.event == "rate limit seen"]
        assert seen and "status 429" in seen[0].detail and "retry-after" in seen[0].detail
        # the burst stops at the first 429 instead of spending the rest of its share
        assert report.requests_sent < plan(ProbeConfig(server.url + "/classify")).total


def test_label_only_server_leaks_no_scores() -> None:
    with EndpointServer(label_only_app()) as server:
        report = probe(ProbeConfig(server.url + "/classify", active=True, max_requests=150))
    assert R.TAG_PROBABILITIES not in {f.tags[0] for f in by_rule(report, R.PROBABILITIES)}
    assert not by_rule(report, R.PROBABILITIES) and not by_rule(report, R.CONFIDENCE_SCORE)
    assert report.extraction is not None and report.extraction.method == "labels"
    assert R.TAG_UNAUTHENTICATED in tags(report)


def test_leaky_server() -> None:
    with EndpointServer(leaky_app()) as server:
        report = probe(ProbeConfig(server.url + "/predictions/ticket_triage"))
    (cors,) = by_rule(report, R.CORS_REFLECTED)
    assert cors.severity == Severity.HIGH and cors.tags[0] == R.TAG_CORS
    (errors,) = by_rule(report, R.ERROR_DETAILS)
    assert errors.severity == Severity.HIGH and "Traceback" in errors.evidence
    management = {f.location.uri.split("/", 3)[-1] for f in by_rule(report, R.MANAGEMENT_API)
                  if f.location.uri}
    assert management == {"models", "models/ticket_triage"}
    assert (by_rule(report, R.METADATA_ROUTE)[0].location.uri or "").endswith("/metrics")
    (logits,) = by_rule(report, R.PROBABILITIES)
    assert "logits" in logits.evidence
    assert any("x-model-version" in f.evidence for f in by_rule(report, R.MODEL_INFO))


def test_numeric_extraction_with_a_vector_template() -> None:
    with EndpointServer(numeric_app()) as server:
        report = probe(ProbeConfig(server.url + "/predict", active=True, max_requests=150,
                                   body_template='{"x": "{x}"}', features=4))
        assert server.log.count == report.requests_sent <= 150
    assert report.extraction is not None and report.extraction.agreement >= 0.8
    assert by_rule(report, R.EXTRACTION)
