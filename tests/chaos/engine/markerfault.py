"""Test faults for the engine tests: a fault that creates a marker file and whose revert
deletes it (registered through the ``module:Class`` fault-kind hook)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drillhall.chaos.faults.base import Fault, Revert, reverter
from drillhall.errors import FaultError

KIND = "tests.chaos.engine.markerfault:MarkerFault"
REMOTE_KIND = "tests.chaos.engine.markerfault:RemoteMarkerFault"


class MarkerFault(Fault):
    """Create ``path``; ``fail`` makes injection fail after the revert was registered;
    ``hang`` makes injection wait (until cancelled) before returning; ``revert_delay`` makes
    the revert slow (to test that a second Ctrl-C cannot skip it)."""

    kind = "test-marker"

    def __init__(self, path: str, fail: bool = False, hang: float = 0.0,
                 revert_delay: float = 0.0) -> None:
        if not path:
            raise ValueError("path must not be empty")
        self.path = Path(path).resolve()
        self.fail = fail
        self.hang = hang
        self.revert_delay = revert_delay

    def describe(self) -> str:
        return f"create marker file {self.path.name}"

    def prepare(self) -> Revert:
        return Revert("test-marker", {"path": str(self.path), "delay": self.revert_delay},
                      f"remove {self.path.name}")

    def inject(self, cancel: threading.Event) -> str:
        self.path.write_text("fault in place\n")
        if self.fail:
            raise FaultError("the test fault was told to fail")
        if self.hang:
            cancel.wait(self.hang)
        return f"created {self.path.name}"


class RemoteMarkerFault(MarkerFault):
    """The same, but declared as reaching outside this machine (needs --yes)."""

    local = False


@reverter("test-marker")
def _remove(params: Mapping[str, Any]) -> str:
    time.sleep(float(params.get("delay") or 0.0))
    Path(str(params["path"])).unlink(missing_ok=True)
    return "removed"
