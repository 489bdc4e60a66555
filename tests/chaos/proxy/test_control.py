"""The control API (routes, errors, token) and the client class."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from drillhall.chaos.proxy import ProxyClient, ProxyConflict, ProxyNotFound, ProxyServer
from drillhall.errors import ConfigError, FaultError
from tests.chaos.proxy._servers import connect, recv_exactly


def test_crud_round_trip(server: ProxyServer, echo: tuple[str, int]) -> None:
    url = server.control_url
    assert url is not None
    up = f"{echo[0]}:{echo[1]}"
    with httpx.Client(base_url=url, timeout=5.0) as http:
        assert http.get("/version").json()["version"]
        r = http.post("/proxies", json={"name": "db", "listen": "127.0.0.1:0", "upstream": up})
        assert r.status_code == 201 and r.json()["enabled"] is True
        listen = r.json()["listen"]
        assert list(http.get("/proxies").json()) == ["db"]
        r = http.post("/proxies/db/toxics", json={"type": "latency", "attributes":
                                                  {"latency": 120}})
        assert r.status_code == 200
        assert r.json() == {"name": "latency_downstream", "type": "latency",
                            "stream": "downstream", "toxicity": 1.0,
                            "attributes": {"latency": 120, "jitter": 0}}
        host, port = listen.rsplit(":", 1)
        with connect((host, int(port))) as sock:
            start = time.perf_counter()
            sock.sendall(b"hi")
            assert recv_exactly(sock, 2) == b"hi"
            assert time.perf_counter() - start >= 0.12
        r = http.post("/proxies/db/toxics/latency_downstream",
                      json={"attributes": {"latency": 5}, "toxicity": 0.5})
        assert r.json()["attributes"]["latency"] == 5 and r.json()["toxicity"] == 0.5
        assert http.get("/proxies/db/toxics/latency_downstream").json()["toxicity"] == 0.5
        assert len(http.get("/proxies/db/toxics").json()) == 1
        assert http.delete("/proxies/db/toxics/latency_downstream").status_code == 204
        assert http.get("/proxies/db/toxics").json() == []
        assert http.post("/proxies/db", json={"enabled": False}).json()["enabled"] is False
        http.post("/proxies/db/toxics", json={"type": "timeout", "name": "t"})
        assert http.post("/reset").status_code == 204
        assert http.get("/proxies/db").json()["enabled"] is True
        assert http.get("/proxies/db").json()["toxics"] == []
        r = http.post("/populate", json=[{"name": "db", "listen": "127.0.0.1:0",
                                          "upstream": up},
                                         {"name": "cache", "listen": "127.0.0.1:0",
                                          "upstream": up, "enabled": False}])
        assert r.status_code == 201 and len(r.json()["proxies"]) == 2
        assert http.delete("/proxies/db").status_code == 204
        assert list(http.get("/proxies").json()) == ["cache"]


@pytest.mark.parametrize(("method", "path", "body", "status", "words"), [
    ("GET", "/proxies/nope", None, 404, "no proxy named 'nope'"),
    ("DELETE", "/proxies/db/toxics/nope", None, 404, "no toxic named 'nope'"),
    ("POST", "/proxies/db/toxics", {"type": "latency", "attributes": {"latency": -5}}, 400,
     "latency"),
    ("POST", "/proxies/db/toxics", {"type": "laser"}, 400, "unknown toxic type 'laser'"),
    ("POST", "/proxies/db/toxics", {"type": "latency", "attributes": {"lat": 1}}, 400,
     "unknown key 'lat'"),
    ("POST", "/proxies/db/toxics", {"type": "latency", "toxicity": 2}, 400, "toxicity"),
    ("POST", "/proxies", {"name": "db", "listen": "127.0.0.1:0", "upstream": "x:1"}, 409,
     "already exists"),
    ("POST", "/proxies", {"name": "x", "listen": "nowhere", "upstream": "x:1"}, 400,
     "not HOST:PORT"),
    ("PUT", "/proxies", None, 405, "not allowed"),
    ("GET", "/toxics", None, 404, "no route"),
])
def test_errors(server: ProxyServer, method: str, path: str, body: object, status: int,
                words: str) -> None:
    server.create("db", upstream="127.0.0.1:9")
    assert server.control_url
    with httpx.Client(base_url=server.control_url, timeout=5.0) as http:
        r = http.request(method, path, json=body)
    assert r.status_code == status
    assert words in r.json()["error"] and r.json()["status"] == status


def test_invalid_json_body_is_400(server: ProxyServer) -> None:
    assert server.control_url
    r = httpx.post(server.control_url + "/proxies", content=b"{nope", timeout=5.0)
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]


def test_client_maps_errors_and_drives_toxics(server: ProxyServer, echo: tuple[str, int]
                                              ) -> None:
    assert server.control_url
    with ProxyClient(server.control_url) as client:
        client.create_proxy("api", "127.0.0.1:0", f"{echo[0]}:{echo[1]}")
        with pytest.raises(ProxyConflict):
            client.create_proxy("api", "127.0.0.1:0", "127.0.0.1:1")
        toxic = client.add_toxic("api", "limit_data", attributes={"bytes": 3})
        assert toxic["name"] == "limit_data_downstream"
        assert server.proxy("api").toxics()[0].name == "limit_data_downstream"
        with pytest.raises(ProxyNotFound):
            client.remove_toxic("api", "absent")
        with pytest.raises(ConfigError, match="bytes"):
            client.add_toxic("api", "limit_data")
        client.remove_toxic("api", "limit_data_downstream")
        assert client.add_toxic("api", "http_status")["stream"] == "upstream"
        client.set_enabled("api", False)
        assert client.proxy("api")["enabled"] is False
        client.reset()
        assert client.proxies()["api"]["enabled"] is True
    with ProxyClient("http://127.0.0.1:9") as dead, pytest.raises(FaultError):
        dead.proxies()


def test_token_is_required_when_set(echo: tuple[str, int]) -> None:
    token = secrets.token_urlsafe(16)
    with ProxyServer(control="127.0.0.1:0", token=token) as srv:
        assert srv.control_url
        r = httpx.get(srv.control_url + "/proxies", timeout=5.0)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        bad = httpx.get(srv.control_url + "/proxies", timeout=5.0,
                        headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
        with ProxyClient(srv.control_url, token=token) as client:
            assert client.proxies() == {}


def test_control_off_loopback_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="not loopback"):
        ProxyServer(control="0.0.0.0:0")


def test_python_api(echo: tuple[str, int]) -> None:
    with ProxyServer() as srv:
        assert srv.control_url is None
        api = srv.create("api", upstream=f"{echo[0]}:{echo[1]}")
        assert [p.name for p in srv.proxies()] == ["api"]
        spec = api.add_toxic("latency", name="slow", latency=60)
        assert spec.name == "slow" and api.info()["toxics"][0]["attributes"]["latency"] == 60
        with pytest.raises(ProxyConflict):
            api.add_toxic("latency", name="slow", latency=1)
        with pytest.raises(ProxyNotFound):
            srv.proxy("nope")
        with connect(api.listen_address) as sock:
            start = time.perf_counter()
            sock.sendall(b"a")
            assert recv_exactly(sock, 1) == b"a"
            assert time.perf_counter() - start >= 0.06
        api.remove_toxic("slow")
        with pytest.raises(ProxyNotFound):
            api.remove_toxic("slow")
        srv.delete("api")
        assert srv.proxies() == []
    srv.stop()  # a second stop is harmless
