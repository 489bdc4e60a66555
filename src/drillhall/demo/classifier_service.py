"""The demo's ticket classifier as its own process, kept alive by a supervisor.

``python -m drillhall.demo.classifier_service --port N --pid-file F [--assets DIR]`` serves
``POST /classify`` and ``GET /health`` on 127.0.0.1:N and writes its process id to ``F``.
``python -m drillhall.demo.classifier_service --supervise ...`` runs the same command as a
child and starts it again whenever it exits, as a process manager would — so the demo's
"kill the classifier" chaos experiment shows it coming back.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

RESTART_DELAY = 0.3
"""Seconds the supervisor waits before starting the classifier again."""


def serve(port: int, pid_file: Path, assets: Path | None) -> None:
    import uvicorn
    from fastapi import FastAPI

    from drillhall.demo import assets_dir
    from drillhall.demo.app import add_classifier_route
    from drillhall.demo.classifier import NaiveBayesClassifier

    root = assets or assets_dir()
    classifier = NaiveBayesClassifier.from_csv(root / "data" / "tickets.csv")
    app = FastAPI(title="ticket classifier (drillhall demo)", docs_url=None, redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "classifier": classifier.version}

    add_classifier_route(app, classifier)
    pid_file.write_text(f"{os.getpid()}\n", encoding="ascii")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def supervise(child: list[str]) -> int:
    """Run ``child`` and start it again whenever it exits, until SIGTERM or SIGINT."""
    stopping = threading.Event()
    procs: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        if procs and procs[-1].poll() is None:
            procs[-1].terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping.is_set():
        procs[:] = [subprocess.Popen(child)]
        while procs[-1].poll() is None and not stopping.is_set():
            time.sleep(0.05)
        stopping.wait(RESTART_DELAY)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid-file", type=Path, required=True)
    parser.add_argument("--assets", type=Path)
    parser.add_argument("--supervise", action="store_true")
    args = parser.parse_args(argv)
    if args.supervise:
        child = [sys.executable, "-m", "drillhall.demo.classifier_service",
                 "--port", str(args.port), "--pid-file", str(args.pid_file)]
        if args.assets is not None:
            child += ["--assets", str(args.assets)]
        return supervise(child)
    serve(args.port, args.pid_file, args.assets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
