"""Management, metadata and documentation routes of common model servers.

Each route names the server it belongs to, how bad it is to expose, and a check of the answer
(so that a catch-all page answering 200 to every path is not taken for the real thing). Routes
with ``{model}`` are tried only when a model name is known (from the target URL's path or the
prediction's answer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from drillhall.core.model import Severity
from drillhall.ml.endpoint import rules

Check = Callable[[str, str], bool]
"""``check(content_type, body) -> bool``: whether the answer is the route's real content."""


def _json(*keys: str) -> Check:
    def check(content_type: str, body: str) -> bool:
        try:
            data = json.loads(body)
        except ValueError:
            return False
        if not keys:
            return isinstance(data, dict | list)
        return isinstance(data, dict) and any(k in data for k in keys)
    return check


def _json_list_or(*keys: str) -> Check:
    inner = _json(*keys)

    def check(content_type: str, body: str) -> bool:
        try:
            data = json.loads(body)
        except ValueError:
            return False
        return isinstance(data, list) or inner(content_type, body)
    return check


def _text(pattern: str) -> Check:
    compiled = re.compile(pattern, re.IGNORECASE)

    def check(content_type: str, body: str) -> bool:
        return bool(compiled.search(body[:65536]))
    return check


_PROMETHEUS_ML = re.compile(r"^# (HELP|TYPE) \w+", re.MULTILINE)


def _prometheus(content_type: str, body: str) -> bool:
    return bool(_PROMETHEUS_ML.search(body[:65536]))


@dataclass(frozen=True, slots=True)
class Route:
    """One well-known route to try (always a GET unless ``method`` says otherwise)."""

    path: str
    server: str
    what: str
    rule_id: str
    severity: Severity
    check: Check
    method: str = "GET"
    body: bytes | None = None

    def resolve(self, model: str | None) -> str | None:
        """The concrete path, or None when it needs a model name and none is known."""
        if "{model}" not in self.path:
            return self.path
        if not model:
            return None
        from urllib.parse import quote

        return self.path.replace("{model}", quote(model, safe=""))


_H, _M, _L, _I = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO
_MGMT, _META, _DOCS = rules.MANAGEMENT_API, rules.METADATA_ROUTE, rules.API_DOCS

ROUTES: tuple[Route, ...] = (
    # documentation and schemas (FastAPI, BentoML)
    Route("/docs", "FastAPI", "interactive API documentation (Swagger UI)", _DOCS, _L,
          _text(r"swagger-ui|SwaggerUIBundle")),
    Route("/redoc", "FastAPI", "API documentation (ReDoc)", _DOCS, _L, _text(r"redoc")),
    Route("/openapi.json", "FastAPI", "OpenAPI schema of every route", _DOCS, _L,
          _json("openapi", "swagger")),
    Route("/docs.json", "BentoML", "OpenAPI schema of every route", _DOCS, _L,
          _json("openapi", "swagger")),
    # TorchServe
    Route("/models", "TorchServe", "management API: list, register and unregister models",
          _MGMT, _H, _json("models")),
    Route("/models/{model}", "TorchServe", "management API: model description and workers",
          _MGMT, _H, _json_list_or("modelName", "modelVersion")),
    Route("/ping", "TorchServe", "health route identifying the server", _META, _I,
          _json("status")),
    # Triton / KServe v2
    Route("/v2", "Triton", "server metadata (name, version, extensions)", _META, _M,
          _json("extensions", "version")),
    Route("/v2/models/{model}/config", "Triton", "model configuration", _META, _M,
          _json("name", "platform", "backend")),
    Route("/v2/repository/index", "Triton", "model repository API (load and unload models)",
          _MGMT, _H, _json_list_or("models"), method="POST", body=b"{}"),
    # TensorFlow Serving
    Route("/v1/models/{model}", "TensorFlow Serving", "model version status", _META, _M,
          _json("model_version_status")),
    Route("/v1/models/{model}/metadata", "TensorFlow Serving", "model signature metadata",
          _META, _M, _json("metadata", "model_spec")),
    # OpenAI-compatible servers (vLLM and others)
    Route("/v1/models", "OpenAI-compatible", "list of served models", _META, _M,
          _json("data")),
    # MLflow
    Route("/api/2.0/mlflow/experiments/search?max_results=1", "MLflow",
          "tracking server API (experiments, runs, artifacts, registered models)", _MGMT, _H,
          _json("experiments", "next_page_token")),
    Route("/ajax-api/2.0/mlflow/experiments/search?max_results=1", "MLflow",
          "tracking server UI API (experiments, runs, artifacts)", _MGMT, _H,
          _json("experiments", "next_page_token")),
    Route("/version", "MLflow", "server version", _META, _I, _text(r"^\s*\d+\.\d+(\.\d+)?")),
    # Ray Serve and the Ray dashboard
    Route("/api/serve/applications/", "Ray dashboard", "Serve API (deploy and delete "
          "applications)", _MGMT, _H, _json("applications", "controller_info")),
    Route("/-/routes", "Ray Serve", "route table of every deployment", _META, _M, _json()),
    # BentoML and generic
    Route("/livez", "BentoML", "health route identifying the server", _META, _I,
          _text(r"\S")),
    Route("/metrics", "Prometheus", "server and model metrics", _META, _M, _prometheus),
    Route("/health", "generic", "health route", _META, _I, _json("status", "model")),
)
"""Every route the probe may try, in the order it tries them (most telling first)."""


def route_severity(route: Route, body: str) -> Severity:
    """The severity of a reachable route: documentation listing write or management
    operations counts more than documentation of the prediction route alone."""
    if route.rule_id != rules.API_DOCS or not route.path.endswith(".json"):
        return route.severity
    try:
        paths = json.loads(body).get("paths", {})
    except (ValueError, AttributeError):
        return route.severity
    return Severity.MEDIUM if isinstance(paths, dict) and len(paths) > 2 else route.severity


def documented_paths(body: str, limit: int = 8) -> list[str]:
    """The first paths an OpenAPI document lists (for evidence)."""
    try:
        paths = json.loads(body).get("paths", {})
    except (ValueError, AttributeError):
        return []
    return list(paths)[:limit] if isinstance(paths, dict) else []


_MODEL_IN_PATH = (
    re.compile(r"^/predictions/([^/]+)"),  # TorchServe
    re.compile(r"^/v2/models/([^/]+)/"),  # Triton / KServe v2
    re.compile(r"^/v1/models/([^/:]+)(?::|/)"),  # TensorFlow Serving, KServe v1
)


def model_from_path(path: str) -> str | None:
    """The model name the target URL's path names, for the common servers' layouts."""
    for pattern in _MODEL_IN_PATH:
        match = pattern.match(path)
        if match:
            return match.group(1)
    return None
