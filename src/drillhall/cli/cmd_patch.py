"""``drillhall patch``: dependency audits (and, later, upgrade drills)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from drillhall.cli.console import err
from drillhall.cli.flow import run_plan
from drillhall.cli.output import (
    ConfigOpt,
    Delivery,
    FailOnOpt,
    FormatOpt,
    NoStoreOpt,
    OutputOpt,
    parse_fail_on,
)
from drillhall.core.config import load_or_default
from drillhall.core.drill import Registry
from drillhall.core.execute import plan_single
from drillhall.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Patch culture: vulnerable and outdated "
                  "dependencies, end-of-life runtimes, advisory snapshots.")
db_app = typer.Typer(no_args_is_help=True, help="The offline OSV advisory snapshot.")
app.add_typer(db_app, name="db")

DEFAULT_DB = Path.home() / ".cache" / "drillhall" / "osv"


@app.command()
def audit(
    path: Annotated[Path, typer.Argument(help="Project directory, or one requirements file, "
                                         "pyproject.toml, uv.lock, poetry.lock, Pipfile.lock, "
                                         "pylock.toml or Dockerfile.", show_default=False)]
    = Path(),
    advisories: Annotated[Path | None, typer.Option(
        "--advisories", help="Use only this OSV snapshot (a directory of OSV JSON or the "
        "PyPI all.zip) and no advisory network service.", show_default=False)] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="No network at all: advisories from --advisories (default: the "
        "snapshot of `drillhall patch db update`), no freshness check.")] = False,
    index_url: Annotated[str | None, typer.Option(
        "--index-url", help="Package index (PEP 691) for freshness, e.g. a private mirror.",
        show_default=False)] = None,
    python: Annotated[str | None, typer.Option(
        "--python", help="Python version the project runs on (e.g. 3.11), for "
        "requires-python.", show_default=False)] = None,
    env: Annotated[Path | None, typer.Option(
        "--env", help="Also audit what this interpreter has installed.", dir_okay=False,
        show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Find vulnerable and outdated dependencies, end-of-life Python runtimes and unpinned
    base images.

    Advisories come from OSV (PyPA, GitHub and others; a CVE and its GHSA/PYSEC twins are one
    finding); freshness (libyears, versions behind) from the package index.

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad input or error.
    """
    if not path.expanduser().exists():
        raise InputError(f"{path}: no such file or directory")
    overrides: dict[str, Any] = {"paths": [str(path.expanduser().resolve())]}
    if offline:
        overrides["offline"] = True
        if advisories is None and DEFAULT_DB.exists():
            advisories = DEFAULT_DB
    if advisories is not None:
        overrides["advisories"] = str(advisories.expanduser().resolve())
    if index_url is not None:
        overrides["index_url"] = index_url
    if python is not None:
        overrides["python"] = python
    if env is not None:
        overrides["env"] = str(env.expanduser())
    cfg = load_or_default(config, Path.cwd())
    plan = plan_single(Registry.default(), "patch",
                       {**cfg.drills.get("patch", {}), **overrides}, cfg.root)
    raise typer.Exit(run_plan(cfg, plan, Delivery(fmt, output, parse_fail_on(fail_on)),
                              store_runs=not no_store))


@db_app.command("update")
def db_update(
    target: Annotated[Path, typer.Argument(help="Where to keep the snapshot.",
                                           file_okay=False)] = DEFAULT_DB,
) -> None:
    """Download the PyPI advisories of OSV (all.zip) for offline audits."""
    from drillhall.patch.advisories import db_update as download

    with err.status("downloading the OSV PyPI snapshot"):
        written = download(target)
    err.print(Text(f"wrote {written}; audit offline with: drillhall patch audit --offline"))
