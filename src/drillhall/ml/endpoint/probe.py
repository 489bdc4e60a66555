"""The bounded black-box probe of a model endpoint.

:func:`probe` follows :func:`~drillhall.ml.endpoint.plan.plan`: an ordinary prediction, the
same without credentials, a CORS preflight, malformed bodies, well-known management routes, a
burst, and (``active``) the extraction test. Every request goes through one
:class:`~drillhall.ml.endpoint.client.BoundedClient`, so the target's origin and the budget are
enforced in one place. Credentials never appear in findings or the journal: every text taken
from a response is scrubbed of the values sent.
"""

from __future__ import annotations

import secrets as _secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from drillhall.__about__ import __version__
from drillhall.core.model import Finding, JournalEntry, Severity, utcnow
from drillhall.core.redact import scrub
from drillhall.errors import InputError
from drillhall.ml.endpoint import analysis
from drillhall.ml.endpoint.checks import Findings
from drillhall.ml.endpoint.client import (
    BoundedClient,
    BudgetExhausted,
    Cancelled,
    Exchange,
    Origin,
    is_loopback,
)
from drillhall.ml.endpoint.extraction import ExtractionResult, Sample, measure, require_sklearn
from drillhall.ml.endpoint.payload import InputGenerator
from drillhall.ml.endpoint.plan import ProbeConfig, ProbePlan, is_credential_header, plan
from drillhall.ml.endpoint.routes import ROUTES, documented_paths, route_severity

FOREIGN_ORIGIN = "https://drillhall-probe.invalid"
HUGE_FIELD = 64 * 1024


@dataclass
class ProbeReport:
    """What a probe found and what it cost."""

    plan: ProbePlan
    findings: tuple[Finding, ...] = ()
    requests_sent: int = 0
    seconds: float = 0.0
    journal: tuple[JournalEntry, ...] = ()
    extraction: ExtractionResult | None = None
    redirects_refused: tuple[str, ...] = ()
    cancelled: bool = False

    @property
    def exposures(self) -> int:
        """Findings of severity low or above."""
        return sum(1 for f in self.findings if f.severity.at_least(Severity.LOW))


@dataclass
class _State:
    config: ProbeConfig
    plan: ProbePlan
    client: BoundedClient
    secrets: tuple[str, ...]
    found: Findings
    journal: list[JournalEntry] = field(default_factory=list)
    model: str | None = None
    labels: tuple[str, ...] = ()
    prediction_ok: bool = False
    samples: list[Sample] = field(default_factory=list)

    def note(self, event: str, detail: str = "") -> None:
        self.journal.append(JournalEntry(utcnow(), event, scrub(detail, self.secrets)))


def probe(config: ProbeConfig, *, transport: httpx.BaseTransport | None = None,
          cancel: threading.Event | None = None,
          progress: Callable[[str, float | None], None] | None = None) -> ProbeReport:
    """Probe ``config.url`` within its budget and report the exposures found.

    ``transport`` replaces the network (an ``httpx.MockTransport`` in tests). Raises
    :class:`~drillhall.errors.ConfigError` for a bad configuration and
    :class:`~drillhall.errors.DependencyMissing` when ``active`` needs scikit-learn.
    """
    the_plan = plan(config)
    if config.active and the_plan.step("extraction") is not None:
        require_sklearn()
    target = config.target()
    origin = Origin.of(target)
    secret_values = _secret_values(config)
    started = time.monotonic()
    report_progress = progress or (lambda message, fraction: None)
    with BoundedClient(origin, the_plan.total, timeout=config.timeout, transport=transport,
                       cancel=cancel, secrets=secret_values) as client:
        state = _State(config, the_plan, client, secret_values,
                       Findings(origin, secret_values))
        state.model = the_plan.model
        state.note("plan", f"{the_plan.total} requests at most to {origin}")
        cancelled = False
        try:
            for step in the_plan.steps:
                if step.skipped:
                    state.note(f"skipped {step.check}", step.skipped)
                    continue
                report_progress(f"endpoint: {step.check}", client.sent / max(the_plan.total, 1))
                _STEPS[step.check](state, step.requests)
        except Cancelled:
            cancelled = True
            state.note("cancelled", f"after {client.sent} requests")
        except BudgetExhausted as exc:
            state.note("budget spent", str(exc))
        _plain_http(state, target)
        for hop in client.redirects_refused:
            state.note("redirect not followed (other origin)", hop)
        state.note("sent", f"{client.sent} requests in {time.monotonic() - started:.2f} s")
        return ProbeReport(
            plan=the_plan, findings=state.found.all(), requests_sent=client.sent,
            seconds=time.monotonic() - started, journal=tuple(state.journal),
            extraction=state.found.extraction, redirects_refused=tuple(client.redirects_refused),
            cancelled=cancelled)


# -- helpers ------------------------------------------------------------------------------


def _secret_values(config: ProbeConfig) -> tuple[str, ...]:
    """Values of credential headers, and the bare token of ``Bearer``-style values."""
    values: list[str] = []
    for name, value in config.headers.items():
        if not (is_credential_header(name) and value.strip()):
            continue
        values.append(value.strip())
        scheme, _, rest = value.strip().partition(" ")
        if rest.strip() and scheme.isalpha():
            values.append(rest.strip())
    return tuple(values)


def _base_headers(state: _State, *, credentials: bool) -> dict[str, str]:
    headers = {"User-Agent": f"drillhall-endpoint-probe/{__version__}",
               "Accept": "application/json"}
    for name, value in state.config.headers.items():
        if credentials or not is_credential_header(name):
            headers[name] = value
    return headers


def _no_query(path: str) -> str:
    return path.split("?", 1)[0]


def _predict(state: _State, body: bytes, *, credentials: bool = True) -> Exchange:
    headers = _base_headers(state, credentials=credentials)
    headers["Content-Type"] = "application/json"
    exchange = state.client.send(state.config.method.upper(), state.plan.target_path,
                                 headers=headers, content=body)
    _watch_headers(state, exchange)
    return exchange


def _watch_headers(state: _State, exchange: Exchange) -> None:
    """Checks that apply to every answer: model-info headers and ``ACAO: *``."""
    for header in analysis.find_model_headers(exchange.headers):
        state.found.model_info(exchange.path, header, from_header=True)
    if exchange.headers.get("access-control-allow-origin", "").strip() == "*":
        state.found.cors_wildcard(exchange.path, exchange.method)


# -- steps --------------------------------------------------------------------------------


def _step_prediction(state: _State, budget: int) -> None:
    generator = InputGenerator(state.config.template(), seed=state.config.seed)
    first = generator.next()
    exchange = _predict(state, state.config.template().render(first))
    path = exchange.path
    if exchange.status == 0:
        raise InputError(f"the endpoint {state.client.origin}{_no_query(path)} did not "
                         f"answer ({exchange.error})")
    if exchange.status in (404, 405):
        # not access control: the URL or method is wrong, and every check would be hollow
        raise InputError(f"the endpoint {state.client.origin}{_no_query(path)} answered "
                         f"{exchange.status} to {exchange.method}: not a prediction route "
                         "(check the URL and --body-template)")
    state.note("prediction", f"{exchange.method} {path} -> {exchange.status}")
    if not exchange.ok:
        hint = ("credentials were given" if state.config.has_credentials
                else "no credentials were given")
        state.note("prediction refused", f"status {exchange.status}; {hint}; the checks "
                   "that need predictions are left out")
        return
    state.prediction_ok = True
    if not state.config.has_credentials:
        state.found.unauthenticated(path, exchange.method, exchange.status, compared=False)
    body = exchange.json()
    sample = _sample(first, body)
    if sample is not None:
        state.samples.append(sample)
    for leak in analysis.find_scores(body):
        state.found.scores(path, leak)
        if leak.labels:
            state.labels = leak.labels
    for item in analysis.find_model_info(body):
        state.found.model_info(path, item)
    if state.model is None and isinstance(body, dict):
        for key in ("model", "model_name", "model_id"):
            if isinstance(body.get(key), str) and body[key]:
                state.model = body[key]
                break


def _step_unauthenticated(state: _State, budget: int) -> None:
    template = state.config.template()
    generator = InputGenerator(template, seed=state.config.seed)
    exchange = _predict(state, template.render(generator.next()), credentials=False)
    state.note("prediction without credentials", f"{exchange.method} {exchange.path} -> "
               f"{exchange.status or exchange.error}")
    if exchange.ok:
        state.found.unauthenticated(exchange.path, exchange.method, exchange.status,
                                    compared=True)


def _step_cors(state: _State, budget: int) -> None:
    headers = _base_headers(state, credentials=False)
    headers.update({"Origin": FOREIGN_ORIGIN,
                    "Access-Control-Request-Method": state.config.method.upper(),
                    "Access-Control-Request-Headers": "content-type,authorization"})
    exchange = state.client.send("OPTIONS", state.plan.target_path, headers=headers)
    allowed = exchange.headers.get("access-control-allow-origin", "").strip()
    with_credentials = exchange.headers.get(
        "access-control-allow-credentials", "").strip().lower() == "true"
    state.note("cors preflight", f"-> {exchange.status}; allow-origin {allowed or 'absent'}")
    if allowed == "*":
        state.found.cors_wildcard(exchange.path, "OPTIONS")
    elif allowed == FOREIGN_ORIGIN:
        state.found.cors_reflected(exchange.path, with_credentials)


def _step_error_details(state: _State, budget: int) -> None:
    template = state.config.template()
    huge: Any = "A" * HUGE_FIELD if template.kind == "text" else [1e308] * 4096
    bodies = (
        ("broken JSON", b'{"drillhall": '),
        ("wrong type", template.render_wrong_type()),
        ("oversized field", template.render(huge)),
    )
    for what, body in bodies[:budget]:
        exchange = _predict(state, body)
        text = scrub(exchange.text, state.secrets)
        hits = analysis.find_error_details(text)
        state.note("malformed request", f"{what} -> {exchange.status or exchange.error}")
        for kind, severity, excerpt in hits:
            state.found.error_details(exchange.path, what, exchange.status, kind,
                                      Severity(severity), excerpt)


def _step_management(state: _State, budget: int) -> None:
    headers = _base_headers(state, credentials=False)
    first = state.client.sent
    canary = state.client.send("GET", f"/drillhall-{_secrets.token_hex(6)}", headers=headers)
    catch_all = canary.text if canary.ok else None
    if catch_all is not None:
        state.note("catch-all", "an unknown path answered 2xx; identical answers are ignored")
    reached = []
    for route in ROUTES:
        path = route.resolve(state.model)
        if path is None:
            continue
        if state.client.sent - first >= budget:  # redirects count against the step too
            break
        exchange = state.client.send(route.method, path, headers=headers, content=route.body)
        _watch_headers(state, exchange)
        if not exchange.ok or (catch_all is not None and exchange.text == catch_all):
            continue
        content_type = exchange.headers.get("content-type", "")
        if not route.check(content_type, exchange.text):
            continue
        reached.append(path)
        body = exchange.json()
        for item in analysis.find_model_info(body):
            state.found.model_info(path, item)
        detail = ""
        if route.path.endswith(".json"):
            listed = documented_paths(exchange.text)
            detail = "lists " + ", ".join(listed) if listed else ""
        state.found.route(path, route, route_severity(route, exchange.text), detail)
    state.note("management routes", f"reachable: {', '.join(reached) or 'none'}")


def _step_burst(state: _State, budget: int) -> None:
    if not state.prediction_ok:
        state.note("skipped no-rate-limit", "the prediction route did not answer 2xx")
        return
    template = state.config.template()
    generator = InputGenerator(template, seed=state.config.seed + 1,
                               extra_words=state.labels)
    signals: list[str] = []
    sent = 0
    started = time.monotonic()
    for _ in range(budget):
        value = generator.next()
        exchange = _predict(state, template.render(value))
        sent += 1
        signals = analysis.rate_limit_signals(exchange.status, exchange.headers)
        sample = _sample(value, exchange.json()) if exchange.ok else None
        if sample is not None:
            state.samples.append(sample)
        if signals:
            break
    elapsed = time.monotonic() - started
    if signals:
        state.note("rate limit seen", f"after {sent} burst requests: {', '.join(signals)}")
    else:
        state.found.no_rate_limit(state.plan.target_path, sent + 1, elapsed)


def _step_extraction(state: _State, budget: int) -> None:
    if not state.prediction_ok:
        state.note("skipped extraction", "the prediction route did not answer 2xx")
        return
    template = state.config.template()
    generator = InputGenerator(template, seed=state.config.seed + 2, extra_words=state.labels)
    test_n = max(budget // 4, 5)
    train_n = budget - test_n
    train = list(state.samples)
    test: list[Sample] = []
    refused = 0
    for index in range(budget):
        value = generator.next()
        exchange = _predict(state, template.render(value))
        sample = _sample(value, exchange.json()) if exchange.ok else None
        if sample is None:
            refused += 1
            if exchange.status == 429 or refused > budget // 4:
                state.note("extraction stopped", f"after {index + 1} queries: "
                           f"{refused} answers without a label (last status {exchange.status})")
                break
            continue
        (train if index < train_n else test).append(sample)
    if len(train) < 10 or len(test) < 5:
        state.note("extraction not measured", f"{len(train)} training and {len(test)} "
                   "held-out answers are too few")
        return
    result = measure(template.kind, train, test)
    state.note("extraction", f"copy ({result.method}) trained on {result.train} answers agrees on "
               f"{result.agreement:.0%} of {result.test} fresh queries (a constant guess: "
               f"{result.majority_rate:.0%})")
    state.found.extracted(state.plan.target_path, result)


def _sample(value: Any, body: Any) -> Sample | None:
    """The answer to one query as a training or test sample (None without a label)."""
    label = analysis.extract_label(body)
    if label is None:
        return None
    vector = analysis.score_vector(body)
    if vector is None:
        return Sample(value, label)
    kind, keys, scores = vector
    return Sample(value, label, kind, keys, tuple(scores))


_STEPS: dict[str, Callable[[_State, int], None]] = {
    "prediction": _step_prediction,
    "unauthenticated": _step_unauthenticated,
    "cors": _step_cors,
    "error-details": _step_error_details,
    "management-route": _step_management,
    "no-rate-limit": _step_burst,
    "extraction": _step_extraction,
}


def _plain_http(state: _State, target: httpx.URL) -> None:
    if target.scheme != "http":
        return
    if is_loopback(target.host):
        state.note("plain http", "loopback host: not judged")
        return
    state.found.plain_http(state.plan.target_path, state.config.has_credentials)


__all__ = ["ProbeConfig", "ProbeReport", "probe"]
