"""Small model servers on loopback, shipped as test doubles for the endpoint probe.

Each factory returns a FastAPI app serving a text classifier (the demo's naive Bayes ticket
triage model) or a small numeric model, with one property switched on or off, so that each
check of :mod:`drillhall.ml.endpoint` can be tested (and benchmarked) against a real server:

=====================  =========================================================================
``open_app``           no auth, full probability vector, model version, FastAPI docs routes
``authenticated_app``  401 without ``Authorization: Bearer <token>``
``rate_limited_app``   429 with Retry-After after ``limit`` requests per window
``label_only_app``     only the label, nothing else
``leaky_app``          TorchServe-like routes, logits, tracebacks, reflected CORS, model headers
``numeric_app``        a linear model over feature vectors (``{"x": [...]}``), with scores
``hardened_app``       auth, label only, rate limit with RateLimit headers, no docs, closed CORS,
                       generic errors
=====================  =========================================================================

:class:`EndpointServer` serves any ASGI app on 127.0.0.1 in a thread and counts every request
the server receives in a :class:`RequestLog`, so tests can check budgets server-side::

    with EndpointServer(open_app()) as server:
        probe(ProbeConfig(server.url + "/classify"))
        assert server.log.count <= 60
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from drillhall.demo import assets_dir
from drillhall.demo.classifier import NaiveBayesClassifier
from drillhall.errors import DependencyMissing, DrillhallError
from drillhall.web.loopback import LOOPBACK, LoopbackServer

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, PlainTextResponse, Response
    from pydantic import BaseModel, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.types import ASGIApp, Receive, Scope, Send
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DependencyMissing("fastapi", "web") from exc

MODEL_VERSION = "ticket-triage-test-1"
Middleware = Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]


class EndpointServerError(DrillhallError):
    """A test endpoint server cannot start or stop."""


# -- request counting ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    authorized: bool
    """Whether the request carried an ``Authorization`` header."""


class RequestLog:
    """Every request a server received, in order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def entries(self) -> tuple[LoggedRequest, ...]:
        with self._lock:
            return tuple(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class CountingApp:
    """ASGI wrapper that records every HTTP request in a :class:`RequestLog`."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            names = {name.lower() for name, _ in scope.get("headers", ())}
            self.log.record(LoggedRequest(scope["method"], scope["path"],
                                          b"authorization" in names))
        await self.app(scope, receive, send)


# -- the server ---------------------------------------------------------------------------


class EndpointServer:
    """Serve an ASGI app on loopback with uvicorn in a daemon thread (a context manager),
    counting every request in :attr:`log`.

    ``server_header=False`` leaves out uvicorn's ``Server`` header; any answer to
    ``/__ready__`` counts as ready before :meth:`start` returns.
    """

    def __init__(self, app: ASGIApp, *, host: str = LOOPBACK, port: int = 0,
                 server_header: bool = True, startup_timeout: float = 15.0) -> None:
        self.log = RequestLog()
        self.app = CountingApp(app, self.log)
        self._server = LoopbackServer(self.app, host=host, port=port, ready_path="/__ready__",
                                      ready=lambda status: True, server_header=server_header,
                                      startup_timeout=startup_timeout,
                                      error=EndpointServerError, what="the endpoint server",
                                      thread_name="drillhall-endpoint")

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:54321``."""
        return self._server.url

    def start(self) -> EndpointServer:
        self._server.start()
        self.log.clear()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.stop(timeout)

    def __enter__(self) -> EndpointServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


# -- models -------------------------------------------------------------------------------

_CLASSIFIER: NaiveBayesClassifier | None = None
_CLASSIFIER_LOCK = threading.Lock()


def ticket_classifier() -> NaiveBayesClassifier:
    """The demo's ticket-triage classifier, trained once per process."""
    global _CLASSIFIER  # noqa: PLW0603 - a process-wide cache of an immutable model
    with _CLASSIFIER_LOCK:
        if _CLASSIFIER is None:
            _CLASSIFIER = NaiveBayesClassifier.from_csv(assets_dir() / "data" / "tickets.csv")
        return _CLASSIFIER


class _TextIn(BaseModel):
    text: str = Field(min_length=1)


class _VectorIn(BaseModel):
    x: list[float] = Field(min_length=1, max_length=64)


NUMERIC_WEIGHTS = ((1.5, -2.0, 0.5, 1.0), (-1.0, 1.0, 2.0, -0.5), (0.2, 0.8, -1.5, 1.8))
NUMERIC_LABELS = ("low", "medium", "high")


def numeric_predict(x: list[float]) -> tuple[str, list[float]]:
    """A fixed three-class linear model over four features: label and softmax scores."""
    padded = (list(x) + [0.0] * 4)[:4]
    logits = [sum(w * v for w, v in zip(row, padded, strict=True)) for row in NUMERIC_WEIGHTS]
    top = max(logits)
    exp = [math.exp(v - top) for v in logits]
    total = sum(exp)
    scores = [v / total for v in exp]
    return NUMERIC_LABELS[scores.index(max(scores))], scores


# -- building blocks ----------------------------------------------------------------------


def _bearer_middleware(token: str) -> Middleware:
    expected = f"Bearer {token}".encode()

    async def require_token(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "unauthorized"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)
    return require_token


class _Window:
    """A fixed-window request counter shared by every caller."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._used = 0

    def take(self) -> tuple[bool, int, int]:
        """``(allowed, remaining, seconds until reset)``."""
        with self._lock:
            now = time.monotonic()
            if now - self._start >= self.window:
                self._start, self._used = now, 0
            reset = max(1, math.ceil(self.window - (now - self._start)))
            if self._used >= self.limit:
                return False, 0, reset
            self._used += 1
            return True, self.limit - self._used, reset


def _rate_limit_middleware(limit: int, window: float, *, headers: bool) -> Middleware:
    counter = _Window(limit, window)

    async def limit_rate(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        allowed, remaining, reset = counter.take()
        info = {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(reset)} if headers else {}
        if not allowed:
            return JSONResponse({"error": "too many requests"}, status_code=429,
                                headers={"Retry-After": str(reset), **info})
        response = await call_next(request)
        response.headers.update(info)
        return response
    return limit_rate


def _plain_app() -> FastAPI:
    return FastAPI(title="test endpoint", docs_url=None, redoc_url=None, openapi_url=None)


def _generic_errors(app: FastAPI) -> None:
    async def invalid(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "invalid request"}, status_code=400)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        return JSONResponse({"error": "request failed"}, status_code=status)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)


# -- the apps -----------------------------------------------------------------------------


def open_app() -> FastAPI:
    """Like the demo's classifier: open, full probabilities, model version, and FastAPI's
    default documentation routes (``/docs``, ``/redoc``, ``/openapi.json``)."""
    classifier = ticket_classifier()
    app = FastAPI(title="open test endpoint")

    @app.post("/classify")
    def classify(request: _TextIn) -> dict[str, Any]:
        prediction = classifier.predict(request.text)
        return {"label": prediction.label, "probabilities": prediction.probabilities,
                "model_version": MODEL_VERSION}
    return app


def label_only_app() -> FastAPI:
    """Open, but answers with the label only; no documentation routes."""
    classifier = ticket_classifier()
    app = _plain_app()

    @app.post("/classify")
    def classify(request: _TextIn) -> dict[str, str]:
        return {"label": classifier.predict(request.text).label}
    return app


def authenticated_app(token: str) -> FastAPI:
    """Label and probabilities, but only with ``Authorization: Bearer <token>``."""
    classifier = ticket_classifier()
    app = _plain_app()
    app.middleware("http")(_bearer_middleware(token))

    @app.post("/classify")
    def classify(request: _TextIn) -> dict[str, str]:
        return {"label": classifier.predict(request.text).label}
    return app


def rate_limited_app(limit: int = 5, window: float = 60.0) -> FastAPI:
    """Open and label-only, answering 429 with Retry-After after ``limit`` requests per
    ``window`` seconds (no rate-limit headers before that)."""
    classifier = ticket_classifier()
    app = _plain_app()
    app.middleware("http")(_rate_limit_middleware(limit, window, headers=False))

    @app.post("/classify")
    def classify(request: _TextIn) -> dict[str, str]:
        return {"label": classifier.predict(request.text).label}
    return app


def leaky_app(model: str = "ticket_triage") -> FastAPI:
    """A TorchServe-like server gone wrong: ``POST /predictions/{model}`` answers logits and
    an ``X-Model-Version`` header, malformed bodies get Python tracebacks, any Origin is
    reflected with credentials allowed, and the management routes ``/models``,
    ``/models/{model}`` and ``/metrics`` answer."""
    classifier = ticket_classifier()
    app = _plain_app()

    @app.middleware("http")
    async def reflect_origin(request: Request,
                             call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        origin = request.headers.get("origin")
        if request.method == "OPTIONS" and origin:
            response: Response = PlainTextResponse("", status_code=200)
        else:
            response = await call_next(request)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
        return response

    @app.post("/predictions/{name}")
    async def predict(name: str, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            text = body["text"]
            if not isinstance(text, str):
                raise TypeError(f"expected str, got {type(text).__name__}")
            prediction = classifier.predict(text)
        except Exception:  # the weakness on purpose: internals go back to the caller
            return PlainTextResponse(traceback.format_exc(), status_code=500)
        logits = [round(math.log(max(p, 1e-300)), 6) for p in prediction.probabilities.values()]
        return JSONResponse({"label": prediction.label, "logits": logits},
                            headers={"X-Model-Version": f"{name}-2.3.1"})

    @app.get("/models")
    def models() -> dict[str, Any]:
        return {"models": [{"modelName": model, "modelUrl": f"{model}.mar"}]}

    @app.get("/models/{name}")
    def describe(name: str) -> list[dict[str, Any]]:
        return [{"modelName": name, "modelVersion": "2.3.1", "runtime": "python",
                 "workers": [{"id": "9000", "status": "READY"}]}]

    @app.get("/metrics")
    def metrics() -> PlainTextResponse:
        return PlainTextResponse("# HELP ts_inference_requests_total Total requests.\n"
                                 "# TYPE ts_inference_requests_total counter\n"
                                 f'ts_inference_requests_total{{model_name="{model}"}} 42\n')
    return app


def numeric_app() -> FastAPI:
    """Open numeric model: ``POST /predict {"x": [four floats]}`` answers the class index
    and its scores."""
    app = _plain_app()

    @app.post("/predict")
    def predict(request: _VectorIn) -> dict[str, Any]:
        label, scores = numeric_predict(request.x)
        return {"prediction": label, "scores": [round(s, 4) for s in scores]}
    return app


def hardened_app(token: str, *, limit: int = 10, window: float = 60.0) -> FastAPI:
    """The demo classifier done right: bearer auth on every route, the label only, a rate
    limit announced in RateLimit headers (429 with Retry-After past it), no documentation
    routes, no CORS, generic error bodies. Serve it with ``server_header=False``."""
    classifier = ticket_classifier()
    app = _plain_app()
    _generic_errors(app)
    # the last middleware added runs first: rate limit before auth, so guessing is limited too
    app.middleware("http")(_bearer_middleware(token))
    app.middleware("http")(_rate_limit_middleware(limit, window, headers=True))

    @app.post("/classify")
    def classify(request: _TextIn) -> dict[str, str]:
        return {"label": classifier.predict(request.text).label}
    return app


def demo_app() -> ASGIApp:
    """The bundled demo service's app (for counting requests server-side)."""
    from drillhall.demo.app import create_app

    return create_app()
