"""Every TCP toxic's effect, measured on real sockets through the proxy."""

from __future__ import annotations

import socket
import time

import pytest

from drillhall.chaos.proxy import Proxy, ProxyServer
from tests.chaos.proxy._servers import closed_by_peer, connect, recv_all, recv_exactly


def _proxy(server: ProxyServer, echo: tuple[str, int], name: str = "echo") -> Proxy:
    return server.create(name, upstream=f"{echo[0]}:{echo[1]}")


def _round_trip(sock: socket.socket, payload: bytes = b"ping") -> float:
    start = time.perf_counter()
    sock.sendall(payload)
    assert recv_exactly(sock, len(payload)) == payload
    return time.perf_counter() - start


def test_no_toxics_passes_bytes_and_half_close(server: ProxyServer, echo: tuple[str, int]
                                               ) -> None:
    proxy = _proxy(server, echo)
    with connect(proxy.listen_address) as sock:
        payload = bytes(range(256)) * 4000
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == payload


def test_latency_downstream_adds_delay_and_removal_releases_held_data(
        server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    with connect(proxy.listen_address) as sock:
        base = _round_trip(sock)
        proxy.add_toxic("latency", latency=150)  # applies to the open connection too
        slowed = _round_trip(sock)
        assert 0.150 <= slowed < 0.150 + base + 0.1
        proxy.update_toxic("latency_downstream", latency=5000)
        sock.sendall(b"held")
        time.sleep(0.1)
        start = time.perf_counter()
        proxy.remove_toxic("latency_downstream")
        assert recv_exactly(sock, 4) == b"held"
        assert time.perf_counter() - start < 1.0
        assert _round_trip(sock) < 0.1


def test_latency_upstream_and_jitter_stay_in_range(server: ProxyServer,
                                                   echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("latency", stream="upstream", latency=100, jitter=50)
    with connect(proxy.listen_address) as sock:
        times = [_round_trip(sock) for _ in range(6)]
    assert all(0.050 <= t < 0.250 for t in times), times


def test_bandwidth_limits_throughput(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("bandwidth", rate=200)  # 200 KB/s downstream
    with connect(proxy.listen_address) as sock:
        start = time.perf_counter()
        sock.sendall(b"x" * 100_000)
        assert len(recv_exactly(sock, 100_000)) == 100_000
        elapsed = time.perf_counter() - start
    assert 0.4 <= elapsed < 1.5, elapsed


def test_slow_close_delays_the_close(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("slow_close", delay=300)
    with connect(proxy.listen_address) as sock:
        assert _round_trip(sock) < 0.2
        start = time.perf_counter()
        sock.shutdown(socket.SHUT_WR)  # the echo server then closes its side
        assert sock.recv(10) == b""
        assert time.perf_counter() - start >= 0.3


def test_timeout_drops_data_then_closes(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("timeout", timeout=300)
    with connect(proxy.listen_address) as sock:
        start = time.perf_counter()
        sock.sendall(b"lost")
        assert sock.recv(10) == b""
        assert 0.3 <= time.perf_counter() - start < 1.5


def test_timeout_zero_holds_until_removed(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("timeout", timeout=0)
    with connect(proxy.listen_address, timeout=0.4) as sock:
        sock.sendall(b"dropped")
        with pytest.raises(TimeoutError):
            sock.recv(10)
        proxy.remove_toxic("timeout_downstream")
        assert _round_trip(sock, b"again") < 0.2


def test_reset_peer_yields_econnreset(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("reset_peer", timeout=100)
    with connect(proxy.listen_address) as sock:
        start = time.perf_counter()
        with pytest.raises(ConnectionResetError):
            sock.recv(10)
        assert time.perf_counter() - start >= 0.09


def test_slicer_cuts_data_into_small_delayed_slices(server: ProxyServer,
                                                    echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("slicer", average_size=10, size_variation=2, delay=5000)
    with connect(proxy.listen_address) as sock:
        sock.sendall(b"y" * 120)
        sizes: list[int] = []
        start = time.perf_counter()
        while sum(sizes) < 120:
            sizes.append(len(sock.recv(1000)))
        elapsed = time.perf_counter() - start
    assert len(sizes) >= 6 and max(sizes) <= 24, sizes
    assert elapsed >= 0.04


def test_limit_data_closes_after_n_bytes(server: ProxyServer, echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    proxy.add_toxic("limit_data", bytes=100)
    with connect(proxy.listen_address) as sock:
        sock.sendall(b"z" * 300)
        assert recv_all(sock) == b"z" * 100


def test_toxicity_zero_affects_none_one_all_half_some(echo: tuple[str, int]) -> None:
    with ProxyServer(seed=3) as srv:
        proxy = srv.create("t", upstream=f"{echo[0]}:{echo[1]}")
        proxy.add_toxic("latency", name="never", latency=400, toxicity=0.0)
        with connect(proxy.listen_address) as sock:
            assert _round_trip(sock) < 0.2
        proxy.remove_toxic("never")
        proxy.add_toxic("latency", name="always", latency=80, toxicity=1.0)
        for _ in range(3):
            with connect(proxy.listen_address) as sock:
                assert _round_trip(sock) >= 0.08
        proxy.update_toxic("always", toxicity=0.5)
        slowed = 0
        for _ in range(12):
            with connect(proxy.listen_address) as sock:
                first = _round_trip(sock) >= 0.08
                assert (_round_trip(sock) >= 0.08) == first  # decided once per connection
                slowed += first
        assert 0 < slowed < 12


def test_down_refuses_and_drops_then_comes_back(server: ProxyServer,
                                                echo: tuple[str, int]) -> None:
    proxy = _proxy(server, echo)
    addr = proxy.listen_address
    with connect(addr) as open_conn:
        assert _round_trip(open_conn) < 0.2
        proxy.disable()
        assert not proxy.enabled
        assert closed_by_peer(open_conn)
        with pytest.raises(ConnectionRefusedError):
            connect(addr, timeout=1.0)
    proxy.enable()
    assert proxy.listen_address == addr
    with connect(addr) as sock:
        assert _round_trip(sock) < 0.2


def test_unreachable_upstream_closes_the_client(server: ProxyServer) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proxy = server.create("nowhere", upstream=f"127.0.0.1:{port}")
    with connect(proxy.listen_address) as sock:
        assert closed_by_peer(sock)
