"""``drillhall patch``: dependency audits (and, later, upgrade drills)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from drillhall.cli.console import err
from drillhall.cli.flow import run_command
from drillhall.cli.output import (
    ConfigOpt,
    Delivery,
    FailOnOpt,
    FormatOpt,
    NoStoreOpt,
    OutputOpt,
    parse_fail_on,
    scan_base,
)
from drillhall.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Patch culture: vulnerable and outdated "
                  "dependencies, end-of-life runtimes, upgrade trials, advisory snapshots.")
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
    delivery = Delivery(fmt, output, parse_fail_on(fail_on), scan_base(path))
    raise typer.Exit(run_command("patch", overrides, config, delivery,
                                 store_runs=not no_store))


def _days(text: str) -> float:
    """``3d``, ``12h``, ``2w`` or a plain number of days."""
    units = {"d": 1.0, "h": 1 / 24, "w": 7.0}
    value = text.strip().lower()
    factor = units.get(value[-1:])
    number = value[:-1] if factor is not None else value
    try:
        return float(number) * (factor or 1.0)
    except ValueError:
        raise InputError(f"--min-age {text!r}: expected a duration such as 3d, 12h or 2w") \
            from None


@app.command()
def drill(
    path: Annotated[Path, typer.Argument(help="The project directory (with requirements*.txt "
                                         "or pyproject.toml and a test suite).",
                                         file_okay=False, show_default=False)] = Path(),
    apply: Annotated[bool, typer.Option("--apply", help="Write the upgrades that passed back "
                                        "to the project's files.")] = False,
    group: Annotated[str, typer.Option(
        "--group", help="single: one upgrade per trial; patch / minor: upgrades within the "
        "same minor / major version, tried together (a failing group is bisected); all: "
        "everything at once.")] = "single",
    min_age: Annotated[str, typer.Option(
        "--min-age", help="Cooldown: skip releases younger than this (3d, 12h, 2w).")] = "3d",
    test_command: Annotated[str | None, typer.Option(
        "--test-command", help="How to run the project's tests (default: detected: pytest, "
        "tox, nox or make test).", show_default=False)] = None,
    index_url: Annotated[str | None, typer.Option(
        "--index-url", help="Package index for the trials (default: your pip configuration).",
        show_default=False)] = None,
    advisories: Annotated[Path | None, typer.Option(
        "--advisories", help="OSV snapshot: security fixes are tried first.",
        show_default=False)] = None,
    max_trials: Annotated[int | None, typer.Option("--max-trials", min=1,
                                                   show_default=False,
                                                   help="At most this many trials.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan the upgrades; try "
                                          "nothing.")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Try each dependency upgrade in a throwaway copy and virtual environment against the
    project's own tests; keep (with --apply) what passes.

    The working tree is never touched until every trial is done, and not at all without
    --apply or when interrupted. Exit codes: 0 nothing at or above --fail-on, 1 findings,
    2 bad input (including tests that fail before any upgrade).
    """
    overrides: dict[str, Any] = {"paths": [str(path.expanduser().resolve())], "group": group,
                                 "min_age_days": _days(min_age), "apply": apply}
    if test_command is not None:
        overrides["test_command"] = test_command
    if index_url is not None:
        overrides["index_url"] = index_url
    if advisories is not None:
        overrides["advisories"] = str(advisories.expanduser().resolve())
    if max_trials is not None:
        overrides["max_trials"] = max_trials
    delivery = Delivery(fmt, output, parse_fail_on(fail_on), scan_base(path))
    raise typer.Exit(run_command("patch-drill", overrides, config, delivery,
                                 store_runs=not no_store, dry_run=dry_run))


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
