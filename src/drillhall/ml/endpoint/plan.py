"""What the probe will send, decided before anything is sent.

:func:`plan` turns a :class:`ProbeConfig` into a :class:`ProbePlan`: the steps in the order
they run, each with its routes and its number of requests, fitted into the request budget in
priority order (a step that does not fit is listed with the reason it is left out). The probe
follows the plan and never sends more than its total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from drillhall.errors import ConfigError
from drillhall.ml.endpoint.client import HARD_CAP, parse_target
from drillhall.ml.endpoint.extraction import MIN_TEST, MIN_TRAIN
from drillhall.ml.endpoint.payload import BodyTemplate
from drillhall.ml.endpoint.routes import ROUTES, model_from_path

MIN_BURST = 5
ERROR_PROBES = 3
CREDENTIAL_HINTS = ("auth", "token", "key", "secret", "cookie", "session", "password")


def is_credential_header(name: str) -> bool:
    """Whether a header looks like it carries a credential (its value is never shown)."""
    lowered = name.lower()
    return any(hint in lowered for hint in CREDENTIAL_HINTS)


@dataclass(frozen=True)
class ProbeConfig:
    """What to probe and how hard. ``headers`` go with every prediction request; those that
    look like credentials (``Authorization``, ``X-API-Key``, cookies …) are left out of the
    "without credentials" comparison and of the management-route checks."""

    url: str
    max_requests: int = 60
    active: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    body_template: str | None = None
    method: str = "POST"
    burst: int = 20
    timeout: float = 10.0
    allow_remote: bool = False
    features: int = 4
    seed: int = 1

    def target(self) -> httpx.URL:
        """The checked target URL (raises :class:`ConfigError`)."""
        return parse_target(self.url, allow_remote=self.allow_remote)

    def template(self) -> BodyTemplate:
        return BodyTemplate.parse(self.body_template, features=self.features)

    @property
    def has_credentials(self) -> bool:
        return any(is_credential_header(name) for name in self.headers)

    def check(self) -> None:
        """Validate everything that can be validated without sending (ConfigError)."""
        self.target()
        self.template()
        if not 1 <= self.max_requests <= HARD_CAP:
            raise ConfigError(f"max_requests must be between 1 and {HARD_CAP} "
                              f"(got {self.max_requests})")
        if self.method.upper() not in ("POST", "PUT"):
            raise ConfigError(f"method must be POST or PUT (got {self.method!r})")


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One step: which check, what it sends, how many requests at most."""

    check: str
    method: str
    paths: tuple[str, ...]
    requests: int
    note: str = ""
    skipped: str = ""
    """Why the step is left out (empty when it runs)."""


@dataclass(frozen=True, slots=True)
class ProbePlan:
    """Every step, in order, and the most requests the probe will send."""

    origin: str
    target_path: str
    budget: int
    steps: tuple[PlannedStep, ...]
    model: str | None = None

    @property
    def total(self) -> int:
        return sum(step.requests for step in self.steps if not step.skipped)

    def as_dict(self) -> dict[str, object]:
        """The plan as JSON-ready data (for ``--format json`` and dry runs)."""
        return {"origin": self.origin, "target": self.target_path, "budget": self.budget,
                "total": self.total, "model": self.model,
                "steps": [{"check": s.check, "method": s.method, "paths": list(s.paths),
                           "requests": s.requests, "note": s.note, "skipped": s.skipped or None}
                          for s in self.steps]}

    def step(self, check: str) -> PlannedStep | None:
        for step in self.steps:
            if step.check == check and not step.skipped:
                return step
        return None


def plan(config: ProbeConfig) -> ProbePlan:
    """The plan for ``config`` (nothing is sent). Raises :class:`ConfigError` for bad
    configuration, including a non-loopback host without ``allow_remote``."""
    config.check()
    target = config.target()
    path = target.raw_path.decode("ascii") or "/"
    origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
    model = model_from_path(target.path)
    method = config.method.upper()
    left = config.max_requests
    steps: list[PlannedStep] = []

    def add(check: str, step_method: str, paths: tuple[str, ...], wanted: int,
            note: str = "", minimum: int = 1) -> int:
        nonlocal left
        if wanted <= 0:
            return 0
        if left < minimum:
            steps.append(PlannedStep(check, step_method, paths, wanted, note,
                                     skipped=f"needs {minimum} requests, {left} left in the "
                                     "budget"))
            return 0
        granted = min(wanted, left)
        left -= granted
        steps.append(PlannedStep(check, step_method, paths, granted, note))
        return granted

    add("prediction", method, (path,), 1,
        "one ordinary prediction" + (" with the credentials given" if config.has_credentials
                                     else " without credentials"))
    if config.has_credentials:
        add("unauthenticated", method, (path,), 1, "the same prediction without credentials")
    add("cors", "OPTIONS", (path,), 1, "CORS preflight from a foreign origin")
    add("error-details", method, (path,), ERROR_PROBES,
        "malformed bodies: broken JSON, wrong type, oversized field", minimum=ERROR_PROBES)
    routes = [r.resolve(model) or r.path for r in ROUTES]
    add("management-route", "GET", ("/<random 404 canary>", *routes), len(routes) + 1,
        "well-known routes of model servers, without credentials"
        + ("" if model else "; routes with {model} only if a model name is found"))
    add("no-rate-limit", method, (path,), max(config.burst, 0),
        f"a burst of up to {config.burst} predictions with varied inputs, stopping at the "
        "first 429", minimum=MIN_BURST)
    if config.active:
        add("extraction", method, (path,), max(left, MIN_TRAIN + MIN_TEST),
            "synthetic queries to train a copy (75%) and held-out queries to compare (25%); "
            "burst answers are reused for training", minimum=MIN_TRAIN + MIN_TEST)
    return ProbePlan(origin, path, config.max_requests, tuple(steps), model)
