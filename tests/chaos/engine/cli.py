"""Run ``drillhall chaos run|validate|recover`` through drillhall's own entry point, mounting
the commands on a temporary app when the integrator has not wired ``chaos`` into the main app
yet (the main app itself is never changed)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from drillhall.cli import cmd_chaos
from drillhall.cli import main as main_module


@contextmanager
def wired() -> Iterator[None]:
    if "chaos" in {g.name for g in main_module.app.registered_groups}:
        yield
        return
    saved = main_module.app
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(cmd_chaos.app, name="chaos")

    @app.callback()
    def _root() -> None:
        pass

    main_module.app = app
    try:
        yield
    finally:
        main_module.app = saved


def main(argv: list[str]) -> int:
    with wired():
        return main_module.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
