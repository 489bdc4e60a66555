"""Origin enforcement, redirects and the budget, with an in-memory transport."""

from __future__ import annotations

import json

import httpx
import pytest

from drillhall.ml.endpoint import ProbeConfig, probe
from drillhall.ml.endpoint import rules as R
from drillhall.ml.endpoint.client import BoundedClient, BudgetExhausted, Origin, OriginViolation

ORIGIN = Origin("http", "127.0.0.1", 8080)


class Recorder:
    """An in-memory server: an open classifier whose /docs redirects off-origin."""

    def __init__(self) -> None:
        self.urls: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        path = request.url.path
        if path == "/predict" and request.method == "POST":
            return httpx.Response(200, json={"label": "a", "probabilities": {"a": 0.6,
                                                                            "b": 0.4}})
        if path == "/docs":
            return httpx.Response(302, headers={"Location": "https://evil.example/steal"})
        if path == "/redoc":
            return httpx.Response(307, headers={"Location": "/redoc/"})
        if path == "/redoc/":
            return httpx.Response(200, text="<html>redoc</html>")
        return httpx.Response(404, json={"detail": "Not Found"})


@pytest.mark.parametrize("path", ["//evil.example/x", "http://evil.example/x", "x",
                                  "\\\\evil\\x"])
def test_paths_cannot_leave_the_origin(path: str) -> None:
    with pytest.raises(OriginViolation):
        ORIGIN.url(path)
    assert str(ORIGIN.url("/ok?q=1")) == "http://127.0.0.1:8080/ok?q=1"


def test_budget_counts_every_request_even_failed_ones() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with BoundedClient(ORIGIN, 2, timeout=1, transport=httpx.MockTransport(broken)) as client:
        assert client.send("GET", "/a").status == 0
        assert client.send("GET", "/b").error == "ConnectError"
        with pytest.raises(BudgetExhausted):
            client.send("GET", "/c")
        assert client.sent == 2


def test_redirects_elsewhere_are_not_followed_but_same_origin_ones_are() -> None:
    server = Recorder()
    with BoundedClient(ORIGIN, 10, timeout=1, transport=httpx.MockTransport(server)) as client:
        away = client.send("GET", "/docs")
        assert away.status == 302 and away.redirected_away == "https://evil.example/steal"
        same = client.send("GET", "/redoc")
        assert same.status == 200 and same.path == "/redoc/"
        assert client.sent == 3
        assert client.redirects_refused == ["/docs -> https://evil.example/steal"]
    assert {(u.host, u.port) for u in server.urls} == {("127.0.0.1", 8080)}


def test_probe_sends_only_to_the_target_origin() -> None:
    server = Recorder()
    report = probe(ProbeConfig("http://127.0.0.1:8080/predict", max_requests=40),
                   transport=httpx.MockTransport(server))
    assert report.requests_sent == len(server.urls) <= 40
    assert {(u.scheme, u.host, u.port) for u in server.urls} == {("http", "127.0.0.1", 8080)}
    assert report.redirects_refused == ("/docs -> https://evil.example/steal",)
    assert any(e.event.startswith("redirect not followed") for e in report.journal)
    tags = {f.tags[0] for f in report.findings}
    assert R.TAG_UNAUTHENTICATED in tags and R.TAG_PROBABILITIES in tags


def _open_handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/predict":
        try:
            json.loads(request.content)
        except ValueError:
            return httpx.Response(400, json={"error": "bad request"})
        return httpx.Response(200, json={"label": "a"})
    return httpx.Response(404)


def test_plain_http_on_a_remote_host() -> None:
    transport = httpx.MockTransport(_open_handler)
    config = ProbeConfig("http://models.internal.example:8080/predict", allow_remote=True,
                         max_requests=10, headers={"X-Api-Key": "k" * 24})
    report = probe(config, transport=transport)
    plain = [f for f in report.findings if f.rule_id == R.PLAIN_HTTP]
    assert len(plain) == 1 and plain[0].severity == "high" and plain[0].tags[0] == R.TAG_PLAIN_HTTP
    secure = probe(ProbeConfig("https://models.internal.example/predict", allow_remote=True,
                               max_requests=10), transport=transport)
    assert not [f for f in secure.findings if f.rule_id == R.PLAIN_HTTP]
    local = probe(ProbeConfig("http://127.0.0.1:8080/predict", max_requests=10),
                  transport=transport)
    assert not [f for f in local.findings if f.rule_id == R.PLAIN_HTTP]


def test_cancel_stops_before_sending() -> None:
    import threading

    server = Recorder()
    cancel = threading.Event()
    cancel.set()
    report = probe(ProbeConfig("http://127.0.0.1:8080/predict"),
                   transport=httpx.MockTransport(server), cancel=cancel)
    assert report.cancelled and report.requests_sent == 0 and server.urls == []


def test_unreachable_target_is_an_error() -> None:
    # the user's URL is at fault: InputError, so the command exits 2
    from drillhall.errors import InputError

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(InputError, match="did not answer"):
        probe(ProbeConfig("http://127.0.0.1:8080/predict"),
              transport=httpx.MockTransport(broken))


def test_catch_all_pages_are_not_taken_for_routes() -> None:
    def spa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/predict":
            return httpx.Response(200, json={"label": "a"})
        return httpx.Response(200, text="<html><div id=app></div></html>")

    report = probe(ProbeConfig("http://127.0.0.1:8080/predict", max_requests=40),
                   transport=httpx.MockTransport(spa))
    assert not [f for f in report.findings if f.tags[0] == R.TAG_MANAGEMENT]
    assert any(e.event == "catch-all" for e in report.journal)


def test_a_route_that_does_not_exist_is_an_error() -> None:
    from drillhall.errors import InputError

    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not Found"})

    with pytest.raises(InputError, match="answered 404"):
        probe(ProbeConfig("http://127.0.0.1:8080/nope"), transport=httpx.MockTransport(missing))
