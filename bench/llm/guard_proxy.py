"""Guard proxy benchmark: the latency the proxy adds, and its throughput under load.

    python bench/llm/guard_proxy.py                 # 60 s per load level
    python bench/llm/guard_proxy.py --quick         # 10 s per load level
    python bench/llm/guard_proxy.py --duration 30 --clients 50,200 --lexical-only

Three processes on 127.0.0.1: the stand-in model (``drillhall.testing.llm``, the hardened
model) as the upstream; the guard proxy in front of it, run through its command line as a
user runs it (``drillhall llm guard serve`` with a client key, the audit log in a SQLite
store, the default scanners with both prompt-injection stages when drillhall[llm-embed] is
installed); and this script, the load generator (httpx, asyncio).

* **Added latency**: the same benign chat request sent sequentially, alternating between the
  upstream directly and the proxy (``--latency-requests`` each, after a warm-up), over
  keep-alive connections; p50 and p99 of each, and the difference.
* **Throughput**: ``--clients`` concurrent clients (default 50 and 200), each sending the next
  request as soon as the last is answered, for ``--duration`` seconds, through the proxy and
  directly; requests per second, p50/p99 latency, and failed requests (any status but 200,
  or a transport error).

Goals (issue 6): at most 3 ms p50 and 25 ms p99 added; no failed request at 200 clients.
Results go to bench/.work/llm-guard-proxy-results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
VENV_PY = REPO / ".venv" / "bin" / "python"
RESULTS = REPO / "bench" / ".work" / "llm-guard-proxy-results.json"
PROMPT = "How do I return a jacket?"
BODY = {"model": "hardened-stand-in-1", "messages": [{"role": "user", "content": PROMPT}]}

_UPSTREAM = r"""
import sys
from drillhall.testing.llm import HardenedModel, StandInServer
with StandInServer(HardenedModel()) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""

# `drillhall llm guard serve` is mounted by the integrator; until then this mounts it here.
_GUARD = r"""
import sys, typer
from drillhall.cli.cmd_guard_serve import keys_app, serve
app = typer.Typer()
app.command("serve")(serve)
app.add_typer(keys_app, name="keys")
app(sys.argv[1:])
"""


def _reexec_in_venv() -> None:
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
        os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not come up within {timeout:g} s")


async def latency(direct: str, proxy: str, key: str, n: int) -> dict[str, Any]:
    """Alternate direct and proxied requests; p50/p99 of each and the added latency."""
    times: dict[str, list[float]] = {"direct": [], "proxy": []}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(limits=limits, timeout=30) as d, \
            httpx.AsyncClient(limits=limits, timeout=30,
                              headers={"authorization": f"Bearer {key}"}) as p:
        for i in range(n + 50):
            for name, client, base in (("direct", d, direct), ("proxy", p, proxy)):
                t0 = time.perf_counter()
                reply = await client.post(base + "/chat/completions", json=BODY)
                elapsed = (time.perf_counter() - t0) * 1000
                if reply.status_code != 200:
                    raise SystemExit(f"{name} answered {reply.status_code}: {reply.text[:200]}")
                if i >= 50:
                    times[name].append(elapsed)
    out: dict[str, Any] = {}
    for name, values in times.items():
        out[name] = {"p50_ms": round(percentile(values, 50), 3),
                     "p99_ms": round(percentile(values, 99), 3), "n": len(values)}
    out["added_p50_ms"] = round(out["proxy"]["p50_ms"] - out["direct"]["p50_ms"], 3)
    out["added_p99_ms"] = round(out["proxy"]["p99_ms"] - out["direct"]["p99_ms"], 3)
    return out


async def load(base: str, key: str | None, clients: int, duration: float) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``duration`` seconds."""
    headers = {"authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    failures: dict[str, int] = {}
    deadline = time.monotonic() + duration

    async with httpx.AsyncClient(limits=limits, timeout=60, headers=headers) as client:
        async def worker() -> None:
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                try:
                    reply = await client.post(base + "/chat/completions", json=BODY)
                    ok = reply.status_code == 200
                    kind = f"status {reply.status_code}"
                except httpx.HTTPError as exc:
                    ok, kind = False, type(exc).__name__
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    failures[kind] = failures.get(kind, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"clients": clients, "seconds": round(elapsed, 1), "ok": len(latencies),
            "failed": sum(failures.values()), "failures": failures,
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2)}


def main() -> None:
    _reexec_in_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s per load level")
    parser.add_argument("--duration", type=float, default=None, help="seconds per load level")
    parser.add_argument("--clients", default="50,200", help="concurrency levels")
    parser.add_argument("--latency-requests", type=int, default=None)
    parser.add_argument("--lexical-only", action="store_true",
                        help="only the detector's lexical stage")
    parser.add_argument("--skip-direct-load", action="store_true",
                        help="no throughput run against the upstream directly")
    args = parser.parse_args()
    duration = args.duration or (10.0 if args.quick else 60.0)
    n_latency = args.latency_requests or (300 if args.quick else 1000)
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    try:
        import onnxruntime  # noqa: F401
        stages = ["lexical"] if args.lexical_only else ["lexical", "embedding"]
    except ImportError:
        stages = ["lexical"]

    work = Path(tempfile.mkdtemp(prefix="guard-bench-"))
    store = f"sqlite:///{work / 'history.db'}"
    config = work / "guard.toml"
    config.write_text(f"[input.prompt-injection]\nstages = {json.dumps(stages)}\n\n"
                      "[proxy]\nmax_connections = 512\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    upstream = subprocess.Popen([sys.executable, "-c", _UPSTREAM], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=env)
    guard: subprocess.Popen[str] | None = None
    try:
        assert upstream.stdout is not None
        direct = upstream.stdout.readline().strip()
        _wait(direct.removesuffix("/v1") + "/health")
        key = subprocess.run([sys.executable, "-c", _GUARD, "keys", "add", "bench",
                              "--store", store], check=True, capture_output=True, text=True,
                             env=env, cwd=work).stdout.strip()
        guard = subprocess.Popen(
            [sys.executable, "-c", _GUARD, "serve", "--upstream", direct, "--listen",
             "127.0.0.1:0", "--store", store, "--config", str(config), "--no-logs",
             "--service", "guard-bench"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=work)
        assert guard.stdout is not None
        line = guard.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/v1", line)
        if not found:
            raise SystemExit(f"the guard did not start: {line}")
        proxy = found.group(0)
        _wait(proxy.removesuffix("/v1") + "/health")
        results: dict[str, Any] = {"machine": machine(), "stages": stages,
                                   "duration_s": duration}
        print(f"stages: {', '.join(stages)}; latency over {n_latency} requests each ...",
              flush=True)
        results["latency"] = asyncio.run(latency(direct, proxy, key, n_latency))
        lat = results["latency"]
        print(f"  direct p50 {lat['direct']['p50_ms']:.2f} ms p99 {lat['direct']['p99_ms']:.2f}"
              f" ms | proxy p50 {lat['proxy']['p50_ms']:.2f} ms p99 "
              f"{lat['proxy']['p99_ms']:.2f} ms | added p50 {lat['added_p50_ms']:.2f} ms "
              f"p99 {lat['added_p99_ms']:.2f} ms", flush=True)
        results["load"] = []
        for clients in levels:
            targets = [("proxy", proxy, key)]
            if not args.skip_direct_load:
                targets.append(("direct", direct, None))
            for name, base, k in targets:
                print(f"{name}: {clients} clients for {duration:g} s ...", flush=True)
                row = asyncio.run(load(base, k, clients, duration))
                row["target"] = name
                results["load"].append(row)
                print(f"  {row['rps']} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, "
                      f"{row['ok']} ok, {row['failed']} failed {row['failures'] or ''}",
                      flush=True)
        goals = {
            "added_p50_le_3ms": lat["added_p50_ms"] <= 3.0,
            "added_p99_le_25ms": lat["added_p99_ms"] <= 25.0,
            "no_failures_at_200": all(r["failed"] == 0 for r in results["load"]
                                      if r["target"] == "proxy" and r["clients"] >= 200),
        }
        results["goals"] = goals
        print("goals: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in goals.items()))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results: {RESULTS.relative_to(REPO)}")
    finally:
        for process in (guard, upstream):
            if process is None:
                continue
            if process is upstream and process.stdin is not None:
                process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
