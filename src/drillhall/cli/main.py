"""The ``drillhall`` command."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.text import Text

from drillhall.__about__ import __version__
from drillhall.cli import (
    cmd_chaos,
    cmd_chaosday,
    cmd_demo,
    cmd_governance,
    cmd_guard,
    cmd_llm,
    cmd_ml,
    cmd_patch,
)
from drillhall.cli.cmd_chaos_proxy import proxy
from drillhall.cli.cmd_eval import eval_command
from drillhall.cli.cmd_guard_serve import keys_app
from drillhall.cli.cmd_guard_serve import serve as guard_serve
from drillhall.cli.cmd_init import init
from drillhall.cli.cmd_run import history, report, run
from drillhall.cli.cmd_secrets import secrets
from drillhall.cli.cmd_serve import serve
from drillhall.cli.console import err
from drillhall.errors import DrillhallError

EXIT_ERROR = 2

app = typer.Typer(
    name="drillhall",
    help="Security and resilience drills for ML and LLM services: one policy, one history, "
    "one report.\n\nExit codes: 0 clean or policy met, 1 findings at or above --fail-on or "
    "policy not met, 2 usage or runtime error.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_debug = False


def _version(value: bool) -> None:
    if value:
        print(f"drillhall {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")]
    = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    global _debug  # noqa: PLW0603 - the one process-wide switch, set once per invocation
    _debug = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


app.command(help=init.__doc__)(init)
app.command(help=run.__doc__)(run)
app.command(help=secrets.__doc__)(secrets)
app.command(help=history.__doc__)(history)
app.command(help=report.__doc__)(report)
app.command(help=serve.__doc__)(serve)
app.add_typer(cmd_demo.app, name="demo")
app.add_typer(cmd_ml.app, name="ml")
app.add_typer(cmd_patch.app, name="patch")
cmd_chaos.app.command(name="proxy", help=proxy.__doc__)(proxy)
app.add_typer(cmd_chaos.app, name="chaos")
app.add_typer(cmd_chaosday.app, name="chaosday")
cmd_llm.app.command(name="eval", help=eval_command.__doc__)(eval_command)
cmd_guard.app.command(name="serve", help=guard_serve.__doc__)(guard_serve)
cmd_guard.app.add_typer(keys_app, name="keys")
cmd_llm.app.add_typer(cmd_guard.app, name="guard")
app.add_typer(cmd_llm.app, name="llm")
app.add_typer(cmd_governance.app, name="governance")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and maps errors to exit codes (never a traceback unless
    --debug)."""
    try:
        code = app(args=argv, prog_name="drillhall", standalone_mode=False)
    except typer.Abort:
        err.print("aborted")
        code = 130
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"drillhall: error: {exc}")
        code = EXIT_ERROR
    except DrillhallError as exc:
        if _debug:
            raise
        err.print(Text.assemble(("drillhall: error: ", "bold red"), exc.diagnostics()),
                  highlight=False)
        code = EXIT_ERROR
    except Exception as exc:  # a bug: one sentence, and the traceback only with --debug
        if _debug:
            raise
        err.print(Text.assemble(("drillhall: internal error: ", "bold red"),
                                f"{type(exc).__name__}: {exc} (run with --debug for the "
                                "traceback, and please report it)"), highlight=False)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        code = 130
    if argv is None:
        sys.exit(code if isinstance(code, int) else 0)
    return code if isinstance(code, int) else 0
