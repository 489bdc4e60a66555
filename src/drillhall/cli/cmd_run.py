"""``drillhall run``, ``drillhall history`` and ``drillhall report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from drillhall.cli.console import out
from drillhall.cli.flow import open_store, rerender, run_plan
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
from drillhall.core.execute import plan_configured
from drillhall.core.model import Severity


def run(
    only: Annotated[str | None, typer.Option(
        "--only", help="Comma-separated drills or families (patch, chaos, llm, ml) to run "
        "(default: every configured drill).",
        show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and plan; touch "
                                          "nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat skipped drills as policy "
                                         "failures.")] = False,
) -> None:
    """Run every drill drillhall.toml configures, store the run, apply the policy.

    Exit codes: 0 policy met, 1 policy not met, 2 configuration or runtime error.
    """
    cfg = load_or_default(config, Path.cwd())
    names = [n.strip() for n in only.split(",") if n.strip()] if only else []
    plan = plan_configured(cfg, Registry.default(), names)
    code = run_plan(cfg, plan, Delivery(fmt, output, parse_fail_on(fail_on)),
                    store_runs=not no_store, dry_run=dry_run, strict=strict,
                    configured_reports=True)
    raise typer.Exit(code)


def history(
    service: Annotated[str | None, typer.Option("--service", "-s", help="Only this service "
                                                "(default: the configured one).",
                                                show_default=False)] = None,
    all_services: Annotated[bool, typer.Option("--all", help="Runs of every service.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs.")] = 20,
    metric: Annotated[list[str] | None, typer.Option(
        "--metric", "-m", help="Also show how this metric moved (repeatable).",
        show_default=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """List past runs, newest first, with how their findings and metrics moved."""
    cfg = load_or_default(config, Path.cwd())
    name = None if all_services else (service or cfg.service.name)
    store = open_store(cfg, True)
    assert store is not None
    with store:
        runs = store.runs(service=name, limit=limit)
        table = Table(title=f"runs of {name or 'every service'}", title_justify="left")
        table.add_column("run", no_wrap=True, min_width=23)
        if name is None:
            table.add_column("service", no_wrap=True)
        for col in ("started (UTC)", "verdict", "crit", "high", "med", "low", "info",
                    "Δ findings"):
            table.add_column(col, no_wrap=True,
                             justify="right" if len(col) <= 4 or col.startswith("Δ") else "left")
        for i, s in enumerate(runs):
            prev = runs[i + 1] if i + 1 < len(runs) else None
            delta = "" if prev is None else f"{s.findings_total - prev.findings_total:+d}"
            c = s.severity_counts
            colour = {"passed": "green", "failed": "red"}.get(s.verdict.value, "yellow")
            table.add_row(s.id, *([s.service] if name is None else []),
                          s.started.strftime("%Y-%m-%d %H:%M:%S"),
                          f"[{colour}]{s.verdict.value}[/]",
                          *(str(c.get(sev, 0)) for sev in reversed(Severity)), delta)
        out.print(table if runs else "no runs recorded yet")
        for m in metric or []:
            series = store.metric_series(m, service=name, limit=limit)
            t = Table(title=f"metric {m}", title_justify="left")
            t.add_column("run", no_wrap=True, min_width=23)
            t.add_column("started (UTC)")
            t.add_column("value", justify="right")
            t.add_column("Δ", justify="right")
            prev_value: float | None = None
            for started, run_id, value in series:
                delta = "" if prev_value is None else f"{value - prev_value:+g}"
                t.add_row(run_id, started.strftime("%Y-%m-%d %H:%M:%S"), f"{value:g}", delta)
                prev_value = value
            out.print(t if series else f"metric {m!r}: no values recorded")


def report(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix (see drillhall "
                                          "history).", show_default=False)],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Re-render a stored run in any format (with the verdict it had when it ran)."""
    cfg = load_or_default(config, Path.cwd())
    store = open_store(cfg, True)
    assert store is not None
    with store:
        stored = store.get(run_id)
        code = rerender(cfg, stored, store, Delivery(fmt, output, "policy"))
    raise typer.Exit(code)
