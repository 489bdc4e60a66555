"""The proxy faults and their reverters, against a live control API."""

from __future__ import annotations

import time
from threading import Event

import pytest

from drillhall.chaos.faults.base import Revert, run_revert
from drillhall.chaos.faults.proxy import (
    FAULTS,
    ProxyDownFault,
    ProxyToxicFault,
    build_fault,
)
from drillhall.chaos.proxy import ProxyServer
from drillhall.errors import ConfigError, FaultError
from tests.chaos.proxy._servers import connect, recv_exactly


def _rtt(addr: tuple[str, int]) -> float:
    with connect(addr) as sock:
        start = time.perf_counter()
        sock.sendall(b"p")
        assert recv_exactly(sock, 1) == b"p"
        return time.perf_counter() - start


def test_toxic_fault_round_trip_and_double_revert(server: ProxyServer,
                                                  echo: tuple[str, int]) -> None:
    proxy = server.create("dep", upstream=f"{echo[0]}:{echo[1]}")
    fault = build_fault("proxy-toxic", {"type": "fault", "kind": "proxy-toxic",
                                        "url": server.control_url, "proxy": "dep",
                                        "toxic": "latency", "attributes": {"latency": 150},
                                        "name": "slow-dep"})
    assert isinstance(fault, ProxyToxicFault) and fault.local
    assert "slow-dep" in fault.describe() and "latency=150" in fault.describe()
    revert = fault.prepare()
    assert revert.kind == "proxy.remove-toxic"
    assert revert.params == {"url": server.control_url, "proxy": "dep", "toxic": "slow-dep"}
    assert proxy.toxics() == []  # prepare changes nothing
    assert "added" in fault.inject(Event())
    assert _rtt(proxy.listen_address) >= 0.15
    with pytest.raises(FaultError, match="already has a toxic named 'slow-dep'"):
        fault.prepare()
    record = Revert.from_dict(revert.as_dict())  # as rebuilt from a journal
    assert "removed" in run_revert(record)
    assert _rtt(proxy.listen_address) < 0.1
    assert "already absent" in run_revert(record)


def test_down_fault_round_trip(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = server.create("dep", upstream=f"{echo[0]}:{echo[1]}")
    fault = ProxyDownFault.from_args({"url": server.control_url, "proxy": "dep"})
    revert = fault.prepare()
    assert revert.kind == "proxy.enable"
    fault.inject(Event())
    with pytest.raises(ConnectionRefusedError):
        connect(proxy.listen_address, timeout=1.0)
    assert "enabled again" in run_revert(revert)
    assert "enabled again" in run_revert(revert)
    assert _rtt(proxy.listen_address) < 0.1
    server.delete("dep")
    assert "no longer exists" in run_revert(revert)


def test_remote_url_is_not_local_and_token_comes_from_env() -> None:
    fault = FAULTS["proxy-down"].from_args({"url": "http://chaos.internal:8474",
                                            "proxy": "p", "token_env": "PROXY_TOKEN"})
    assert fault.local is False
    assert fault._revert().params["token_env"] == "PROXY_TOKEN"
    with pytest.raises(FaultError, match="PROXY_TOKEN"):
        fault.prepare()


def test_unreachable_control_api_is_a_fault_error() -> None:
    fault = build_fault("proxy-toxic", {"url": "http://127.0.0.1:9", "proxy": "p",
                                        "toxic": "timeout"})
    with pytest.raises(FaultError, match="cannot be reached"):
        fault.prepare()
    with pytest.raises(FaultError):
        run_revert(Revert("proxy.remove-toxic", {"url": "http://127.0.0.1:9", "proxy": "p",
                                                 "toxic": "t"}))


@pytest.mark.parametrize(("args", "words"), [
    ({"proxy": "p", "toxic": "latency"}, "missing required key 'url'"),
    ({"url": "http://127.0.0.1:1", "proxy": "p"}, "missing required key 'toxic'"),
    ({"url": "ftp://x", "proxy": "p", "toxic": "latency"}, "http:// or https://"),
    ({"url": "http://127.0.0.1:1", "proxy": "p", "toxic": "laser"}, "unknown toxic type"),
    ({"url": "http://127.0.0.1:1", "proxy": "p", "toxic": "latency",
      "attributes": {"latency": "soon"}}, "latency"),
    ({"url": "http://127.0.0.1:1", "proxy": "p", "toxic": "latency", "toxicity": 3},
     "toxicity"),
    ({"url": "http://127.0.0.1:1", "proxy": "p", "toxic": "latency", "colour": 1},
     "unknown key 'colour'"),
])
def test_bad_args_raise_one_sentence(args: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_fault("proxy-toxic", args)
    message = info.value.diagnostics()
    assert words in message and "\n" not in message


def test_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="unknown proxy fault kind"):
        build_fault("proxy-laser", {})
