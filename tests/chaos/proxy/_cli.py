"""drillhall's own entry point, runnable from the test tree (``python -m
tests.chaos.proxy._cli chaos proxy …``)."""

from __future__ import annotations

import sys

from drillhall.cli.main import main as run

__all__ = ["run"]

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
