"""``drillhall secrets PATH``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

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
    scan_base,
)
from drillhall.core.config import Config, load_or_default
from drillhall.core.drill import Registry
from drillhall.core.execute import Plan, execute, plan_single
from drillhall.core.model import Status
from drillhall.errors import DrillError, InputError


def secrets(
    path: Annotated[Path, typer.Argument(help="Directory, git repository, file or archive "
                                         "(zip, jar, whl, apk, aab, ipa, tar, tar.gz).",
                                         show_default=False)] = Path(),
    history: Annotated[bool, typer.Option("--history", help="Also scan every commit of the "
                                          "git repository.")] = False,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="Report only findings not in this baseline file.",
        dir_okay=False, show_default=False)] = None,
    update_baseline: Annotated[Path | None, typer.Option(
        "--update-baseline", help="Accept the current findings: write them to this baseline "
        "file and exit 0.", dir_okay=False, show_default=False)] = None,
    allowlist: Annotated[Path | None, typer.Option(
        "--allowlist", help="TOML file of accepted findings ([[allow]] rule / path / "
        "value_sha256 / reason).", dir_okay=False, show_default=False)] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", "-x", help="Glob of paths to skip (repeatable), e.g. 'docs/**'.",
        show_default=False)] = None,
    include_fixtures: Annotated[bool, typer.Option(
        "--include-fixtures", help="Also report secrets in test-fixture directories.")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=1, help="Parallel worker processes (default: one per core).",
        show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be scanned; "
                                          "scan nothing.")] = False,
) -> None:
    """Find credentials embedded in repositories, mobile apps and bundles.

    Scans text files, archives (members shown as [bold]app.apk!/classes.dex[/]), Android DEX
    string tables and binary XML, iOS plists, minified JavaScript and notebooks. Every value
    is shown masked with a short hash, never in clear.

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad input or error.
    """
    target = path.expanduser()
    if not target.exists():
        raise InputError(f"{path}: no such file or directory")
    cfg = load_or_default(config, Path.cwd())
    options: dict[str, Any] = dict(cfg.drills.get("secrets", {}))
    options["paths"] = [str(target.resolve())]
    options["history"] = history or bool(options.get("history", False))
    if exclude:
        options["exclude"] = [*options.get("exclude", []), *exclude]
    if include_fixtures:
        options["include_fixtures"] = True
    if workers is not None:
        options["workers"] = workers
    if allowlist is not None:
        options["allowlist"] = str(allowlist.resolve())
    if baseline is not None and update_baseline is None:
        options["baseline"] = str(baseline.resolve())
    if update_baseline is not None:
        options.pop("baseline", None)
    plan = plan_single(Registry.default(), "secrets", options, cfg.root)
    if update_baseline is not None and not dry_run:
        code = _update_baseline(plan, cfg, update_baseline)
    else:
        delivery = Delivery(fmt, output, parse_fail_on(fail_on), scan_base(target))
        code = run_plan(cfg, plan, delivery, store_runs=not no_store, dry_run=dry_run)
    raise typer.Exit(code)


def _update_baseline(plan: Plan, cfg: Config, target: Path) -> int:
    """Scan and accept every finding into ``target``; only a complete scan may write it."""
    from drillhall.ml.secrets.baseline import write_baseline

    run = execute(cfg, plan, fail_on=None)
    (result,) = run.results
    if result.status not in (Status.PASSED, Status.FAILED):
        why = result.diagnostics or result.reason or result.status.value
        raise DrillError(f"baseline not written to {target}: the scan did not complete ({why})")
    write_baseline(result.findings, target)
    err.print(f"wrote {len(result.findings)} accepted finding(s) to {escape(str(target))}")
    return 0
