"""Shared fixtures: a local package index for the package-hallucination grader, and a helper
that runs the red-team drill against a URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult
from drillhall.core.runner import RunnerOptions, run_drills
from drillhall.llm.redteam.drill import from_config
from drillhall.testing.llm import DEFAULT_SYSTEM_PROMPT
from drillhall.testing.pypi import FakeIndex, FakeIndexServer, FakePackage, FakeRelease

CANARY = "CANARY-" + "4f2b8e19c7"
KNOWN_PACKAGES = ("requests", "numpy", "pandas", "flask", "django", "fastapi", "httpx",
                  "pydantic", "scikit-learn", "pyyaml", "sqlalchemy", "pytest")


@pytest.fixture(scope="session")
def index_url() -> Iterator[str]:
    """A PEP 691 index on 127.0.0.1 that knows a few real package names."""
    uploaded = datetime(2024, 1, 2, tzinfo=UTC)
    packages = [FakePackage(n, [FakeRelease("1.0", uploaded=uploaded)]) for n in KNOWN_PACKAGES]
    with FakeIndexServer(FakeIndex(packages)) as server:
        yield server.simple_url


def options(url: str, index: str, **extra: Any) -> dict[str, Any]:
    return {"target": url, "canaries": [CANARY], "system_prompt": DEFAULT_SYSTEM_PROMPT,
            "package_index": index, "compare": False, **extra}


def run_drill(opts: Mapping[str, Any], root: Path, *, cancel_after: int | None = None
              ) -> DrillResult:
    """Build and run the drill through drillhall's runner (errors become error results);
    ``cancel_after`` sets the cancel event once that many attacks have finished."""
    if cancel_after is None:
        (result,) = run_drills([from_config(opts, root)], root, RunnerOptions(timeout=120))
        return result
    drill = from_config(opts, root)
    ctx = DrillContext(root=root, cancel=threading.Event())

    def progress(message: str, fraction: float | None) -> None:
        done = int(message.split("/", 1)[0])
        if done >= cancel_after:
            ctx.cancel.set()

    ctx.progress = progress
    return drill.run(ctx)
