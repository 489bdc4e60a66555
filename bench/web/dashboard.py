"""Dashboard load benchmark: page times over a big SQLite history.

Fills a SQLite store in ``bench/.work/dashboard/`` with 1,000 runs (two services) holding
100,000 findings, metrics, journals and a Chaos Day log, serves the dashboard on loopback
and times each page over real HTTP (p50/p95 of several requests, after one warm-up).

    python bench/web/dashboard.py                 # 1,000 runs, 100,000 findings
    python bench/web/dashboard.py --runs 200 --findings 20000 --repeat 5    # quick
    python bench/web/dashboard.py --reuse         # keep the store from the last run

Needs the ``web`` extra (FastAPI, uvicorn) in the project's ``.venv``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from drillhall.core.config import load_config
from drillhall.core.model import (
    DayEntry,
    DrillResult,
    Finding,
    JournalEntry,
    Location,
    Metric,
    Run,
    Severity,
    Status,
    Verdict,
)
from drillhall.store import Store
from drillhall.web.dashboard import DashboardSettings, create_app
from drillhall.web.loopback import LoopbackServer

WORK = Path(__file__).resolve().parents[1] / ".work" / "dashboard"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
SERVICES = ("docs-assistant", "ticket-router")
DRILLS = ("patch", "secrets", "data", "redteam", "chaos", "endpoint")
CONFIG = """\
[service]
name = "docs-assistant"

[governance]
owner = "ml-platform"

[governance.data_usage]
personal_data = false
next_review = 2099-01-01

[governance.privacy]
audience = "internal"
next_review = 2099-01-01
"""


def build_run(i: int, per_run: int, rng: random.Random) -> Run:
    started = T0 + timedelta(hours=6 * i)
    severities = list(Severity)
    results = []
    for d, drill in enumerate(DRILLS):
        count = per_run // len(DRILLS) + (1 if d < per_run % len(DRILLS) else 0)
        findings = tuple(
            Finding(f"DH-{drill.upper()}-RULE-{k % 12:02d}",
                    f"{drill} finding {k} in component {rng.randrange(500)}",
                    severities[rng.randrange(5)],
                    location=Location(path=f"src/module_{rng.randrange(300)}.py",
                                      line=rng.randrange(1, 900)),
                    evidence=f"value ab{'*' * 12}yz (sha256:{rng.getrandbits(32):08x})",
                    remediation="Fix it.", tags=("CWE-798",))
            for k in range(count))
        metrics = (Metric(f"{drill}.score", rng.random() * 10),
                   Metric("llm.attack_success_rate", rng.random() * 0.3, "ratio")
                   if drill == "redteam" else Metric(f"{drill}.duration_seconds",
                                                     rng.random() * 60, "s"))
        journal = tuple(JournalEntry(started + timedelta(seconds=j), "step",
                                     f"{drill} step {j}") for j in range(8))
        results.append(DrillResult(drill, Status.FAILED if findings else Status.PASSED,
                                   findings, metrics, journal, started,
                                   started + timedelta(seconds=30)))
    return Run(f"{started:%Y%m%dT%H%M%SZ}-{i:06x}", SERVICES[i % len(SERVICES)], started,
               started + timedelta(minutes=5), tuple(results),
               Verdict.FAILED if i % 3 else Verdict.PASSED, (), "bench")


def fill(store: Store, runs: int, findings: int) -> None:
    rng = random.Random(7)
    per_run, extra = divmod(findings, runs)
    began = time.perf_counter()
    for i in range(runs):
        store.save(build_run(i, per_run + (1 if i < extra else 0), rng))
    for k in range(200):
        store.add_day_entry(DayEntry("bench-day", T0 + timedelta(minutes=k), "bench",
                                     "incident" if k % 4 == 0 else "observation",
                                     f"entry {k}", status="open" if k % 4 == 0 else None))
    print(f"filled {runs} runs / {findings} findings in {time.perf_counter() - began:.1f} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="reuse the existing store")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "history.db"
    if db.exists() and not args.reuse:
        db.unlink()
    (WORK / "drillhall.toml").write_text(CONFIG, encoding="utf-8")
    with Store.open(f"sqlite:///{db}") as store:
        if not args.reuse or not store.services():
            fill(store, args.runs, args.findings)
        latest = store.runs(service=SERVICES[0], limit=1)[0].id
        settings = DashboardSettings(config=load_config(WORK / "drillhall.toml"))
        server = LoopbackServer(create_app(store, settings), what="the dashboard")
        server.start()
        pages = {
            "services overview": "/",
            "service runs": f"/services/{SERVICES[0]}?page=3",
            "run (first page)": f"/runs/{latest}",
            "run (filter+search+sort)": f"/runs/{latest}?severity=high&severity=critical"
                                        "&q=component+1&sort=title&order=asc",
            "run (page 2)": f"/runs/{latest}?page=2",
            "chaos journal": f"/runs/{latest}/results/4",
            "metric history": "/metrics?name=llm.attack_success_rate",
            "metric history (one service)": f"/metrics?name=patch.score&service={SERVICES[0]}",
            "governance": "/governance",
            "chaos days": "/chaosday",
            "chaos day board": "/chaosday/bench-day",
        }
        print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>7}")
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                for name, path in pages.items():
                    first = client.get(path)
                    first.raise_for_status()
                    times = []
                    for _ in range(args.repeat):
                        began = time.perf_counter()
                        client.get(path).raise_for_status()
                        times.append((time.perf_counter() - began) * 1000)
                    print(f"{name:32} {statistics.median(times):8.1f} "
                          f"{percentile(times, 0.95):8.1f} {len(first.content) / 1024:7.1f}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
