"""drillhall's own entry point, runnable from the test tree (``python -m
tests.chaos.engine.cli chaos run …``) so subprocess tests run the code under test."""

from __future__ import annotations

import sys

from drillhall.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
