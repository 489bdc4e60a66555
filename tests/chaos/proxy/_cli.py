"""Run ``drillhall chaos proxy`` through drillhall's own entry point, mounting the command
when the integrator has not wired ``chaos`` into the main app yet."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from drillhall.cli import main as main_module
from drillhall.cli.cmd_chaos_proxy import proxy


@contextmanager
def wired() -> Iterator[None]:
    names = {g.name for g in main_module.app.registered_groups}
    if "chaos" in names:
        yield
        return
    saved = main_module.app
    app = typer.Typer(pretty_exceptions_enable=False)
    chaos = typer.Typer()
    chaos.command(name="proxy", help=proxy.__doc__)(proxy)
    app.add_typer(chaos, name="chaos")

    @app.callback()
    def _root() -> None:
        pass

    main_module.app = app
    try:
        yield
    finally:
        main_module.app = saved


def run(argv: list[str]) -> int:
    with wired():
        return main_module.main(argv)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
