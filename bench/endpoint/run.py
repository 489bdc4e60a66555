"""Model-endpoint benchmark: drillhall's exposure probe against a weak and a hardened server.

    python bench/endpoint/run.py               # one probe of each server
    python bench/endpoint/run.py --repeat 3    # three of each; times and agreement per run
    python bench/endpoint/run.py --limit 100 --results bench/.work/endpoint-limit100.json

There is no anchor to run side by side: the usual reference for model extraction and
membership inference (the Adversarial Robustness Toolbox) attacks a model object wrapped in
Python, not an HTTP endpoint, and no open-source tool probes a model-serving endpoint for
these exposures. The benchmark measures the probe against the goal its issue set instead:
every planted exposure of the demo classifier found, nothing above info on the hardened
variant, within 200 requests, counted on the server side.

Both servers are the test doubles shipped in ``drillhall.testing.endpoints``, served on
127.0.0.1 by :class:`EndpointServer` in this process (which counts every request it gets):

* ``demo_app()``: the bundled demo service (``/classify``: no authentication, full
  probability vector, model name and version, no rate limit, FastAPI docs routes);
* ``hardened_app(token, limit=10, window=60)``: bearer token on every route, the label only,
  a rate limit with RateLimit headers and 429 + Retry-After, no docs, no CORS, generic errors,
  no ``Server`` header.

drillhall is run through its command line,
``drillhall ml endpoint URL --active --max-requests 200 -f json -o F --no-store``, with
``--token-env`` for the hardened server (the token is random, made at run time). Results go
to bench/.work/endpoint-results.json. The network is not cut off here (``unshare -n`` would
also hide this process's loopback servers); the probe only contacts the origin it is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VENV_PY = REPO / ".venv" / "bin" / "python"
DRILLHALL = REPO / ".venv" / "bin" / "drillhall"
WORK = REPO / "bench" / ".work"
REPORTS = WORK / "endpoint-reports"
RESULTS = WORK / "endpoint-results.json"
BUDGET = 200
TOKEN_ENV = "DH_BENCH_ENDPOINT_TOKEN"
EXPECTED_DEMO = ("exposure:unauthenticated", "exposure:probabilities", "exposure:model-info",
                 "exposure:no-rate-limit", "exposure:management-route")
SEVERITIES = ("info", "low", "medium", "high", "critical")


def _reexec_in_venv() -> None:
    """This script needs drillhall's test servers: run it with the project's .venv."""
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
        os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])


def machine() -> dict[str, Any]:
    cpu, ram, os_name = "unknown", 0.0, platform.platform()
    for ln in Path("/proc/cpuinfo").read_text().splitlines():
        if ln.startswith("model name"):
            cpu = ln.split(":", 1)[1].strip()
            break
    for ln in Path("/proc/meminfo").read_text().splitlines():
        if ln.startswith("MemTotal"):
            ram = int(ln.split()[1]) / 1024 / 1024
    for ln in Path("/etc/os-release").read_text().splitlines():
        if ln.startswith("PRETTY_NAME="):
            os_name = ln.split("=", 1)[1].strip('"')
    date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1), "os": os_name,
            "kernel": platform.release(), "python": platform.python_version(),
            "date": date.stdout.strip(), "load_avg_at_start": [round(x, 2)
                                                                for x in os.getloadavg()]}


def probe(url: str, report: Path, token: str | None) -> dict[str, Any]:
    """Run the CLI once; return exit code, wall time and the parsed report."""
    argv = [str(DRILLHALL), "ml", "endpoint", url, "--active", "--max-requests", str(BUDGET),
            "-f", "json", "-o", str(report), "--no-store"]
    env = dict(os.environ, NO_COLOR="1")
    if token is not None:
        argv += ["--token-env", TOKEN_ENV]
        env[TOKEN_ENV] = token
    report.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPORTS, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"argv": " ".join(a if a != url else "URL" for a in argv[1:]),
                           "exit_code": proc.returncode, "seconds": round(seconds, 2)}
    if not report.exists():
        out["error"] = (proc.stderr or proc.stdout).strip()[-500:]
        return out
    data = json.loads(report.read_text(encoding="utf-8"))
    result = data["results"][0]
    out["status"] = result["status"]
    out["metrics"] = result.get("metrics", {})
    out["findings"] = [{"rule_id": f["rule_id"], "severity": f["severity"],
                        "tags": [t for t in f.get("tags", []) if t.startswith("exposure:")],
                        "title": f["title"]} for f in result.get("findings", [])]
    return out


def assess(run: dict[str, Any], requests: int, expected: tuple[str, ...],
           hardened: bool) -> dict[str, Any]:
    found = sorted({t for f in run.get("findings", []) for t in f["tags"]})
    above_info = [f for f in run.get("findings", []) if f["severity"] != "info"]
    out: dict[str, Any] = {
        "server_requests": requests,
        "requests_sent_metric": run.get("metrics", {}).get("endpoint.requests_sent"),
        "within_budget": requests <= BUDGET,
        "tags_found": found,
        "extraction_agreement": run.get("metrics", {}).get("endpoint.extraction_agreement"),
    }
    if hardened:
        out["findings_above_info"] = above_info
        out["goal_met"] = not above_info and requests <= BUDGET and "error" not in run
    else:
        out["expected_tags"] = list(expected)
        out["missing_tags"] = [t for t in expected if t not in found]
        out["extra_tags"] = [t for t in found if t not in expected]
        out["goal_met"] = not out["missing_tags"] and requests <= BUDGET and "error" not in run
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="probe each server N times")
    ap.add_argument("--limit", type=int, default=10, help="hardened server: requests / window")
    ap.add_argument("--window", type=float, default=60.0, help="hardened server: window, s")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON")
    args = ap.parse_args(argv)

    from drillhall.testing.endpoints import EndpointServer, demo_app, hardened_app

    REPORTS.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([str(VENV_PY), "-c", "import drillhall; print(drillhall.__version__)"],
                             capture_output=True, text=True, check=False).stdout.strip()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    results: dict[str, Any] = {
        "machine": machine(), "drillhall": version, "commit": commit,
        "command": " ".join(["python bench/endpoint/run.py",
                             *(sys.argv[1:] if argv is None else argv)]).strip(),
        "budget": BUDGET, "hardened_limit": [args.limit, args.window], "targets": {}}
    token = secrets.token_urlsafe(24)
    targets = (("demo", demo_app, None, True),
               ("hardened", lambda: hardened_app(token, limit=args.limit, window=args.window),
                token, False))
    for name, factory, tok, header in targets:
        runs = []
        for i in range(max(1, args.repeat)):
            # a fresh server per run: the hardened rate-limit window starts empty each time
            with EndpointServer(factory(), server_header=header) as server:
                print(f"{name} (run {i + 1}): {server.url}/classify ...", flush=True)
                run = probe(server.url + "/classify", REPORTS / f"{name}-{i + 1}.json", tok)
                run["assessment"] = assess(run, server.log.count, EXPECTED_DEMO,
                                           hardened=name == "hardened")
                run["requests_by_status_path"] = _paths(server.log.entries)
            runs.append(run)
        results["targets"][name] = {"runs": runs}
    args.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nresults: {args.results}")
    return 0


def _paths(entries: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        key = f"{e.method} {e.path}{' (auth)' if e.authorized else ''}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def table(results: dict[str, Any]) -> str:
    head = ("server", "run", "exit", "goal met", "requests", "time s", "agreement",
            "exposure tags found", "missing / above info")
    rows = [head]
    for name, target in results["targets"].items():
        for i, run in enumerate(target["runs"], 1):
            a = run["assessment"]
            agree = a.get("extraction_agreement")
            if name == "hardened":
                bad = ", ".join(f"{f['rule_id']} ({f['severity']})"
                                for f in a["findings_above_info"]) or "none"
            else:
                bad = ", ".join(a["missing_tags"]) or "none missing"
            rows.append((name, str(i), str(run["exit_code"]), "yes" if a["goal_met"] else "NO",
                         f"{a['server_requests']}/{BUDGET}", str(run["seconds"]),
                         "-" if agree is None else f"{agree:.3f}",
                         ", ".join(t.removeprefix("exposure:") for t in a["tags_found"]) or "-",
                         bad))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


if __name__ == "__main__":
    _reexec_in_venv()
    raise SystemExit(main())
