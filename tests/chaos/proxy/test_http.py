"""HTTP-aware faults: status injection, the first N requests, delay by route, keep-alive."""

from __future__ import annotations

import time

import httpx
import pytest

from drillhall.chaos.proxy import Proxy, ProxyServer
from drillhall.chaos.proxy.http import RequestParser
from tests.chaos.proxy._servers import connect, recv_exactly

Upstream = tuple[tuple[str, int], list[str]]


def _proxy(server: ProxyServer, http: Upstream) -> tuple[Proxy, httpx.Client]:
    (host, port), _ = http
    proxy = server.create("web", upstream=f"{host}:{port}")
    client = httpx.Client(base_url=proxy.listen_url, timeout=5.0)
    return proxy, client


def test_status_injection_answers_every_request_on_a_keep_alive_connection(
        server: ProxyServer, http: Upstream) -> None:
    proxy, client = _proxy(server, http)
    proxy.add_toxic("http_status", status=503)
    with client:
        for _ in range(3):
            r = client.post("/v1/chat/completions", json={"messages": ["hi"] * 50})
            assert r.status_code == 503
            assert r.json()["error"]["code"] == 503
            assert r.headers["x-drillhall-fault"] == "http_status"
        proxy.remove_toxic("http_status_upstream")
        assert client.get("/ok").status_code == 200
    assert http[1] == ["GET /ok"]  # nothing injected reached the upstream


def test_429_with_retry_after_and_custom_body(server: ProxyServer, http: Upstream) -> None:
    proxy, client = _proxy(server, http)
    proxy.add_toxic("http_status", status=429, retry_after=7, body="slow down",
                    content_type="text/plain")
    with client:
        r = client.get("/x")
    assert (r.status_code, r.headers["retry-after"], r.text) == (429, "7", "slow down")


def test_first_n_requests_fail_then_pass_across_connections(server: ProxyServer,
                                                            http: Upstream) -> None:
    proxy, _ = _proxy(server, http)
    proxy.add_toxic("http_status", status=500, first=2)
    codes = []
    for _ in range(2):
        with httpx.Client(base_url=proxy.listen_url, timeout=5.0) as client:
            codes += [client.get(f"/r{i}").status_code for i in range(2)]
    assert codes == [500, 500, 200, 200]


def test_route_matching_by_prefix_regex_and_method(server: ProxyServer, http: Upstream
                                                   ) -> None:
    proxy, client = _proxy(server, http)
    proxy.add_toxic("http_status", name="chat", status=503, path="/v1/chat")
    proxy.add_toxic("http_status", name="del", status=403, method="delete",
                    path_regex=r"^/items/\d+$")
    with client:
        assert client.get("/v1/chat/completions").status_code == 503
        assert client.get("/health").status_code == 200
        assert client.delete("/items/12").status_code == 403
        assert client.get("/items/12").status_code == 200
        assert client.post("/v1/models?x=/v1/chat", content=b"a" * 10).status_code == 200


def test_delay_by_route(server: ProxyServer, http: Upstream) -> None:
    proxy, client = _proxy(server, http)
    proxy.add_toxic("http_delay", delay=250, path="/slow")
    with client:
        start = time.perf_counter()
        assert client.get("/fast").status_code == 200
        fast = time.perf_counter() - start
        start = time.perf_counter()
        assert client.get("/slow/thing").status_code == 200
        slow = time.perf_counter() - start
    assert fast < 0.2 and slow >= 0.25


def test_chunked_and_sized_bodies_keep_framing(server: ProxyServer, http: Upstream) -> None:
    proxy, _ = _proxy(server, http)
    proxy.add_toxic("http_status", status=502, path="/bad")

    def chunks() -> object:
        yield b"hello "
        yield b"world"

    with httpx.Client(base_url=proxy.listen_url, timeout=5.0) as client:
        r = client.post("/good", content=chunks())  # type: ignore[arg-type]
        assert r.json()["received"] == 11
        assert client.post("/bad", content=chunks()).status_code == 502  # type: ignore[arg-type]
        assert client.post("/bad", content=b"q" * 5000).status_code == 502
        assert client.post("/good", content=b"q" * 5000).json()["received"] == 5000


def test_raw_http10_injected_answer_closes(server: ProxyServer, http: Upstream) -> None:
    proxy, _ = _proxy(server, http)
    proxy.add_toxic("http_status", status=503)
    with connect(proxy.listen_address) as sock:
        sock.sendall(b"HEAD / HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert data.endswith(b"\r\n\r\n")  # HEAD: no body
    assert b"Connection: close" in data


def test_non_http_bytes_pass_through(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = server.create("raw", upstream=f"{echo[0]}:{echo[1]}")
    proxy.add_toxic("http_status", status=503)
    with connect(proxy.listen_address) as sock:
        payload = b"\x00\x01 not http at all\r\n\r\n"
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload


def test_parser_splits_pipelined_requests() -> None:
    parser = RequestParser()
    stream = (b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
              b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"2\r\nhi\r\n0\r\n\r\nGET /c HTTP/1.1\r\n\r\n")
    pieces = [p for i in range(0, len(stream), 7) for p in parser.feed(stream[i:i + 7])]
    assert b"".join(p.data for p in pieces) == stream
    ends = [p.request.path for p in pieces if p.last and p.request]
    assert ends == ["/a", "/b", "/c"]


@pytest.mark.parametrize("attrs", [{"status": 99}, {"delay": -1}, {"path_regex": "("}])
def test_bad_http_attributes_are_refused(server: ProxyServer, http: Upstream,
                                         attrs: dict[str, object]) -> None:
    from drillhall.errors import ConfigError

    proxy, client = _proxy(server, http)
    client.close()
    kind = "http_delay" if "delay" in attrs else "http_status"
    with pytest.raises(ConfigError):
        proxy.add_toxic(kind, **attrs)
