"""The path every finding-producing command takes: plan → run → store → report."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drillhall.cli.console import drill_progress
from drillhall.cli.output import Delivery, deliver, report_context
from drillhall.core.config import Config, load_or_default
from drillhall.core.drill import Registry
from drillhall.core.execute import Plan, execute, plan_single
from drillhall.core.model import Run
from drillhall.core.runner import RunnerOptions

if TYPE_CHECKING:  # SQLAlchemy and Alembic load only when a store is opened
    from drillhall.store import Store


def open_store(config: Config, enabled: bool) -> Store | None:
    """The history store named by the configuration (or the environment), if enabled."""
    if not enabled:
        return None
    from drillhall.store import Store

    return Store.open(config.store.url, root=config.root)


def run_plan(config: Config, plan: Plan, delivery: Delivery, *, store_runs: bool = True,
             dry_run: bool = False, strict: bool = False, timeout: float | None = None,
             configured_reports: bool = False) -> int:
    """Execute ``plan``, record it, render the report; return the exit code.
    ``configured_reports`` also writes the ``[run] formats`` of the configuration."""
    store = open_store(config, store_runs and not dry_run)
    with store if store is not None else nullcontext(), drill_progress() as progress:
        run = execute(
            config, plan,
            runner=RunnerOptions(timeout=timeout, dry_run=dry_run, progress=progress.callback),
            fail_on=delivery.fail_on, strict=strict,
            evidence=store.latest_results if store is not None else None,
        )
        if store is not None:
            store.save(run)
        return deliver(run, report_context(config, run, store, delivery.fail_on,
                                           delivery.root), delivery,
                       config if configured_reports and not dry_run else None)


def rerender(config: Config, run: Run, store: Store, delivery: Delivery) -> int:
    return deliver(run, report_context(config, run, store, delivery.fail_on), delivery)


def plan_command(name: str, overrides: Mapping[str, Any], config: Path | None
                 ) -> tuple[Config, Plan]:
    """The configuration and the one-drill plan of a command: command-line options merged
    over ``[drills.NAME]``, checked before anything runs."""
    cfg = load_or_default(config, Path.cwd())
    options = {**cfg.drills.get(name, {}), **overrides}
    return cfg, plan_single(Registry.default(), name, options, cfg.root)


def run_command(name: str, overrides: Mapping[str, Any], config: Path | None,
                delivery: Delivery, *, store_runs: bool = True, dry_run: bool = False) -> int:
    """Plan and run one drill from a command's options; return the exit code."""
    cfg, plan = plan_command(name, overrides, config)
    return run_plan(cfg, plan, delivery, store_runs=store_runs, dry_run=dry_run)
