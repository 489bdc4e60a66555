"""Benchmark: drillhall's chaos engine side by side with Chaos Toolkit on the same experiment.

Run: ``.venv/bin/python bench/chaos/engine.py`` (needs ``pip install chaostoolkit`` in the
same venv; its ``chaos`` command is run as users run it). Both tools run the same Chaos
Toolkit JSON experiments through their command lines, against a small HTTP service on
127.0.0.1 started here:

1. engine overhead per activity: an experiment of N no-op process activities (``true``);
   the method's span in each tool's own journal divided by N (both pay one fork/exec);
2. time from a steady-state break to the start of rollback: the method breaks the service's
   dependency and then runs a long activity (``sleep``); drillhall watches the steady state
   during the method (``probe_interval``, a drillhall field Chaos Toolkit ignores) and
   pre-empts the activity, Chaos Toolkit notices only after the method;
3. time to revert: from the break until the rollback has removed the fault.

Prints a table with the ratios (Chaos Toolkit / drillhall).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
LAUNCH = ("from drillhall.cli import cmd_chaos, main as m\n"
          "if not any(g.name == 'chaos' for g in m.app.registered_groups):\n"
          "    m.app.add_typer(cmd_chaos.app, name='chaos')\n"
          "import sys; sys.exit(m.main(sys.argv[1:]))\n")


@contextmanager
def service(marker: Path) -> Iterator[str]:
    """HTTP service whose /health answers 503 while ``marker`` exists."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            code = 503 if marker.exists() else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def drillhall(exp: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", LAUNCH, "chaos", "run", str(exp), "--no-store",
                    "--format", "json", "--journal", str(work / "dh-journal.jsonl")],
                   cwd=work, capture_output=True, check=False, env={**os.environ,
                                                                      "NO_COLOR": "1"})
    return time.perf_counter() - started


def chaostoolkit(exp: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "chaos"), "--no-version-check", "--log-file",
                    str(work / "ctk.log"), "run", "--journal-path",
                    str(work / "ctk-journal.json"), str(exp)],
                   cwd=work, capture_output=True, check=False)
    return time.perf_counter() - started


def write(work: Path, name: str, data: dict[str, Any]) -> Path:
    path = work / name
    path.write_text(json.dumps(data, indent=1))
    return path


def noop(n: int) -> list[dict[str, Any]]:
    return [{"type": "action", "name": f"noop-{i}",
             "provider": {"type": "process", "path": "true"}} for i in range(n)]


def _span_drillhall(journal: Path) -> float:
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    starts = [e["t"] for e in events if e["event"] == "activity-start"]
    ends = [e["t"] for e in events if e["event"] == "activity"]
    return float(max(ends) - min(starts))


def _span_chaostoolkit(journal: Path) -> float:
    from datetime import datetime

    runs = json.loads(journal.read_text())["run"]
    first = datetime.fromisoformat(runs[0]["start"])
    last = datetime.fromisoformat(runs[-1]["end"])
    return (last - first).total_seconds()


def overhead(work: Path, n: int, repeat: int, sync: str) -> dict[str, float]:
    """Wall time per no-op activity inside the method, from each tool's own journal (first
    activity start to last activity end, divided by N): the engine's cost per activity plus
    one fork/exec of ``true``, which both pay."""
    full = write(work, "noop.json", {"title": "noop", "description": f"{n} no-ops",
                                     "method": noop(n)})
    (work / "drillhall.toml").write_text(f'[drills.chaos]\njournal_sync = "{sync}"\n')
    out = {}
    for tool, fn, span, journal in (
            ("drillhall", drillhall, _span_drillhall, work / "dh-journal.jsonl"),
            ("chaostoolkit", chaostoolkit, _span_chaostoolkit, work / "ctk-journal.json")):
        spans = []
        for _ in range(repeat):
            journal.unlink(missing_ok=True)
            fn(full, work)
            spans.append(span(journal) / n)
        out[tool] = statistics.median(spans)
    (work / "drillhall.toml").unlink()
    return out


def sh(script: str) -> dict[str, Any]:
    return {"type": "process", "path": "sh", "arguments": ["-c", script]}


def break_and_revert(work: Path, url: str, marker: Path, hold: float) -> dict[str, Any]:
    broke, rb_start, rb_done = work / "broke", work / "rb-start", work / "rb-done"
    exp = write(work, "outage.json", {
        "title": "dependency outage", "description": "break the dependency, then load",
        "probe_interval": 0.1,
        "steady-state-hypothesis": {"title": "healthy", "probes": [
            {"type": "probe", "name": "health", "tolerance": 200,
             "provider": {"type": "http", "url": url + "/health", "timeout": 2}}]},
        "method": [
            {"type": "action", "name": "break-dependency",
             "provider": sh(f"date +%s.%N > {broke}; touch {marker}")},
            {"type": "action", "name": "load-test",
             "provider": {"type": "process", "path": "sleep", "arguments": [str(hold)]}},
        ],
        "rollbacks": [{"type": "action", "name": "restore-dependency",
                       "provider": sh(f"date +%s.%N > {rb_start}; rm -f {marker}; "
                                      f"date +%s.%N > {rb_done}")}],
    })
    out = {}
    for tool, fn in (("drillhall", drillhall), ("chaostoolkit", chaostoolkit)):
        for f in (broke, rb_start, rb_done, marker):
            f.unlink(missing_ok=True)
        fn(exp, work)
        t0 = float(broke.read_text())
        out[tool] = (float(rb_start.read_text()) - t0, float(rb_done.read_text()) - t0,
                     marker.exists())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hold", type=float, default=5.0,
                        help="seconds the long activity runs after the break")
    args = parser.parse_args()
    if shutil.which("chaos", path=str(VENV_BIN)) is None:
        print("Chaos Toolkit is not installed: .venv/bin/pip install chaostoolkit")
        return 2
    version = subprocess.run([str(VENV_BIN / "chaos"), "--version"], capture_output=True,
                             text=True, check=False).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        marker = work / "dependency-broken"
        per = overhead(work, args.activities, args.repeat, "every-event")
        critical = overhead(work, args.activities, args.repeat, "critical")
        with service(marker) as url:
            outage = break_and_revert(work, url, marker, args.hold)
    dh, ctk = outage["drillhall"], outage["chaostoolkit"]
    rows = [
        ("time per no-op activity, fsync each line (ms)", per["drillhall"] * 1000,
         per["chaostoolkit"] * 1000),
        ("time per no-op activity, fsync critical (ms)", critical["drillhall"] * 1000,
         critical["chaostoolkit"] * 1000),
        ("steady-state break -> rollback start (s)", dh[0], ctk[0]),
        ("steady-state break -> fault reverted (s)", dh[1], ctk[1]),
    ]
    print(f"drillhall vs {version}; {args.activities} no-op activities, median of "
          f"{args.repeat}; long activity {args.hold:g} s; {os.cpu_count()} CPUs")
    print(f"{'measure':<48}{'drillhall':>11}{'chaostoolkit':>14}{'ratio':>9}")
    for name, a, b in rows:
        ratio = f"{b / a:.2f}x" if a > 0 else "-"
        print(f"{name:<48}{a:>11.3f}{b:>14.3f}{ratio:>9}")
    print("ratio = chaostoolkit / drillhall (above 1: drillhall is faster); Chaos Toolkit "
          "writes its journal once, at the end")
    print(f"faults left: drillhall {int(dh[2])}, chaostoolkit {int(ctk[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
