"""Chaos fault proxy benchmark: a direct connection vs drillhall's proxy (vs Toxiproxy).

    python bench/chaos/proxy.py                      # full: 2,000 round trips, 200 MB x 3
    python bench/chaos/proxy.py --quick              # 500 round trips, 50 MB x 1
    python bench/chaos/proxy.py --toxiproxy /path/to/toxiproxy-server

Measured on 127.0.0.1, every party in its own process (upstream, proxy, client):

* added latency with no toxics: p50/p99 round trip of 64-byte request/responses on one
  connection, through the proxy minus direct (goal: <= 0.2 ms p50);
* throughput: one stream of 200 MB from the upstream to the client, MB/s, as a share of the
  direct figure (goal: >= 50%);
* accuracy of injected latency: a 50 ms ``latency`` toxic on the downstream, error of each
  round trip against (no-toxic round trip + 50 ms), p50/p99 (goal: p99 <= 2 ms).

drillhall's proxy runs through its command function (``drillhall chaos proxy``) and is
driven through its control API; Toxiproxy (the Go ``toxiproxy-server``, found on PATH, in
bench/.work/ or given with ``--toxiproxy``) runs the same inputs through the same API
routes when present, and its ratios are printed beside drillhall's. Results also go to
bench/.work/chaos-proxy-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
RESULTS = WORK / "chaos-proxy-results.json"
LATENCY_MS = 50


# -- the upstream: echo ("e") or stream N bytes ("s" + 8-byte length) ----------------------

def serve_upstream() -> None:
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(256)
    print(srv.getsockname()[1], flush=True)
    block = b"\xa5" * (1 << 20)

    def handle(conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            try:
                mode = conn.recv(1)
                if mode == b"s":
                    (left,) = struct.unpack("!Q", _recv_n(conn, 8))
                    view = memoryview(block)
                    while left > 0:
                        n = min(left, len(block))
                        conn.sendall(view[:n])
                        left -= n
                    return
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                return

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def _recv_n(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed early")
        data += chunk
    return data


# -- measurements --------------------------------------------------------------------------

def _connect(addr: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(addr, timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def round_trips(addr: tuple[str, int], count: int, size: int = 64) -> list[float]:
    payload = b"r" * size
    out: list[float] = []
    with _connect(addr) as sock:
        sock.sendall(b"e")
        for i in range(count + count // 10):
            start = time.perf_counter()
            sock.sendall(payload)
            _recv_n(sock, size)
            if i >= count // 10:  # the first tenth warms up
                out.append(time.perf_counter() - start)
    return out


def stream(addr: tuple[str, int], total: int) -> float:
    buf = bytearray(1 << 20)
    got = 0
    with _connect(addr) as sock:
        start = time.perf_counter()
        sock.sendall(b"s" + struct.pack("!Q", total))
        while n := sock.recv_into(buf):
            got += n
        elapsed = time.perf_counter() - start
    if got != total:
        raise RuntimeError(f"stream delivered {got} of {total} bytes")
    return total / elapsed / 1e6


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- the proxies under test -----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Running:
    def __init__(self, proc: subprocess.Popen[str], control: str, listen: tuple[str, int]
                 ) -> None:
        self.proc, self.control, self.listen = proc, control, listen

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_drillhall(upstream: int) -> Running:
    code = ("import typer; from drillhall.cli.cmd_chaos_proxy import proxy; typer.run(proxy)")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--listen", "127.0.0.1:0", "--upstream",
         f"127.0.0.1:{upstream}", "--name", "bench", "--control", "127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1",
                                                "COLUMNS": "200"})
    assert proc.stdout is not None
    first, second = proc.stdout.readline(), proc.stdout.readline()
    listen = first.split(" listening on ")[1].split(" ")[0]
    host, port = listen.rsplit(":", 1)
    return Running(proc, second.split(" on ")[1].strip(), (host, int(port)))


def start_toxiproxy(binary: str, upstream: int) -> Running:
    import httpx

    port = _free_port()
    proc = subprocess.Popen([binary, "-host", "127.0.0.1", "-port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    control = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(control + "/version", timeout=1.0)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    listen = _free_port()
    httpx.post(control + "/proxies", json={"name": "bench", "listen": f"127.0.0.1:{listen}",
                                           "upstream": f"127.0.0.1:{upstream}"}, timeout=5.0)
    return Running(proc, control, ("127.0.0.1", listen))


def find_toxiproxy(given: str | None) -> str | None:
    candidates = [given, shutil.which("toxiproxy-server"),
                  str(WORK / "toxiproxy-server"), str(WORK / "gobin" / "server")]
    for path in candidates:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    return None


def measure(name: str, proxy: Running, rtts: int, total: int, repeats: int,
            direct: dict[str, Any]) -> dict[str, Any]:
    from drillhall.chaos.proxy.client import ProxyClient

    rt = round_trips(proxy.listen, rtts)
    mbps = statistics.median(stream(proxy.listen, total) for _ in range(repeats))
    base = statistics.median(rt)
    with ProxyClient(proxy.control) as client:
        client.add_toxic("bench", "latency", name="lat", attributes={"latency": LATENCY_MS})
        slowed = round_trips(proxy.listen, max(100, rtts // 10))
        client.remove_toxic("bench", "lat")
    errors = [abs(t - base - LATENCY_MS / 1000) for t in slowed]
    return {
        "name": name,
        "rtt_p50_ms": statistics.median(rt) * 1e3, "rtt_p99_ms": pct(rt, 0.99) * 1e3,
        "added_p50_ms": (statistics.median(rt) - direct["rtt_p50_s"]) * 1e3,
        "added_p99_ms": (pct(rt, 0.99) - direct["rtt_p99_s"]) * 1e3,
        "throughput_mb_s": mbps,
        "throughput_ratio": mbps / direct["throughput_mb_s"],
        "latency50_error_p50_ms": statistics.median(errors) * 1e3,
        "latency50_error_p99_ms": pct(errors, 0.99) * 1e3,
        "latency50_samples": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--toxiproxy", help="path to toxiproxy-server")
    parser.add_argument("--serve-upstream", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream()
        return 0
    rtts, total, repeats = (500, 50_000_000, 1) if args.quick else (2000, 200_000_000, 3)
    up = subprocess.Popen([sys.executable, __file__, "--serve-upstream"],
                          stdout=subprocess.PIPE, text=True)
    assert up.stdout is not None
    port = int(up.stdout.readline())
    upstream = ("127.0.0.1", port)
    runs: list[dict[str, Any]] = []
    try:
        rt = round_trips(upstream, rtts)
        direct = {"rtt_p50_s": statistics.median(rt), "rtt_p99_s": pct(rt, 0.99),
                  "throughput_mb_s": statistics.median(stream(upstream, total)
                                                       for _ in range(repeats))}
        proxy = start_drillhall(port)
        try:
            runs.append(measure("drillhall", proxy, rtts, total, repeats, direct))
        finally:
            proxy.stop()
        binary = find_toxiproxy(args.toxiproxy)
        toxiproxy_note = ("not found: no Debian or PyPI package ships toxiproxy-server, and "
                          "the Go module proxy is out of reach here (pass --toxiproxy PATH)")
        if binary:
            toxiproxy_note = binary
            tp = start_toxiproxy(binary, port)
            try:
                runs.append(measure("toxiproxy", tp, rtts, total, repeats, direct))
            finally:
                tp.stop()
    finally:
        up.terminate()
        up.wait()
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} vCPU, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work skews the tails
        "round_trips": rtts, "stream_bytes": total, "stream_repeats": repeats,
        "direct": {"rtt_p50_ms": direct["rtt_p50_s"] * 1e3,
                   "rtt_p99_ms": direct["rtt_p99_s"] * 1e3,
                   "throughput_mb_s": direct["throughput_mb_s"]},
        "runs": runs, "toxiproxy": toxiproxy_note,
    }
    if len(runs) == 2:
        d, t = runs
        result["drillhall_vs_toxiproxy"] = {
            "added_p50_ratio": d["added_p50_ms"] / t["added_p50_ms"]
            if t["added_p50_ms"] > 0 else None,
            "throughput_ratio": d["throughput_mb_s"] / t["throughput_mb_s"],
            "latency50_error_p99_ratio": d["latency50_error_p99_ms"]
            / t["latency50_error_p99_ms"] if t["latency50_error_p99_ms"] > 0 else None,
        }
    print(f"direct: rtt p50 {result['direct']['rtt_p50_ms']:.3f} ms, p99 "
          f"{result['direct']['rtt_p99_ms']:.3f} ms, {direct['throughput_mb_s']:.0f} MB/s")
    head = (f"{'proxy':<10} {'added p50':>10} {'added p99':>10} {'MB/s':>8} {'ratio':>6} "
            f"{'lat50 err p50':>14} {'lat50 err p99':>14}")
    print(head)
    print("-" * len(head))
    for r in runs:
        print(f"{r['name']:<10} {r['added_p50_ms']:>7.3f} ms {r['added_p99_ms']:>7.3f} ms "
              f"{r['throughput_mb_s']:>8.0f} {r['throughput_ratio']:>6.0%} "
              f"{r['latency50_error_p50_ms']:>11.3f} ms {r['latency50_error_p99_ms']:>11.3f} ms")
    if not binary:
        print(f"toxiproxy: {toxiproxy_note}; drillhall measured alone")
    print("goals: added p50 <= 0.2 ms, throughput ratio >= 50%, lat50 error p99 <= 2 ms")
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    sys.exit(main())
