"""``drillhall chaos run | validate | recover``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from drillhall.cli.console import err, out
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
from drillhall.core.execute import Plan, plan_single
from drillhall.errors import InputError

app = typer.Typer(no_args_is_help=True, help="Chaos experiments: steady state, faults with "
                  "guaranteed rollback, stop conditions, journal.")

ExperimentArg = Annotated[Path, typer.Argument(
    help="Experiment file (YAML or JSON; Chaos Toolkit experiments work).",
    show_default=False)]


def _plan(options: dict[str, Any], root: Path) -> Plan:
    return plan_single(Registry.default(), "chaos", options, root)


@app.command()
def run(
    experiment: ExperimentArg,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and print the plan; "
                                          "touch nothing.")] = False,
    journal: Annotated[Path | None, typer.Option(
        "--journal", help="Write the journal (JSON Lines) here (default: "
        ".drillhall/journals/).", dir_okay=False, show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Allow faults outside this "
                                      "machine (containers, Kubernetes, cloud).")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Run a chaos experiment: check the steady state, inject the faults, watch, roll back.

    Every fault's revert is written to the journal before the fault starts and runs on
    success, failure, timeout, Ctrl-C and SIGTERM (a second Ctrl-C does not skip it).

    Exit codes: 0 the hypothesis held, 1 it did not (deviation, failed gate, stop condition,
    fault left behind) or the experiment could not complete, 2 bad experiment or usage,
    130 interrupted (faults reverted).
    """
    if not experiment.expanduser().is_file():
        raise InputError(f"{experiment}: no such experiment file")
    cfg = load_or_default(config, Path.cwd())
    options: dict[str, Any] = dict(cfg.drills.get("chaos", {}))
    options.pop("experiments", None)  # the command line names the one experiment to run
    options["experiment"] = str(experiment.expanduser().resolve())
    if journal is not None:
        options["journal"] = str(journal.expanduser().resolve())
    if yes:
        options["yes"] = True
    plan = _plan(options, cfg.root)
    if dry_run:  # the plan on stderr, so that a JSON report on stdout stays clean
        from drillhall.chaos.drill import ChaosDrill

        drill = plan.drills[0]
        assert isinstance(drill, ChaosDrill)
        for line in drill.experiment.plan():
            err.print(Text(line), highlight=False)
    delivery = Delivery(fmt, output, parse_fail_on(fail_on))
    raise typer.Exit(run_plan(cfg, plan, delivery, store_runs=not no_store, dry_run=dry_run))


@app.command()
def validate(experiment: ExperimentArg) -> None:
    """Check an experiment file and print its plan (nothing runs).

    Exit codes: 0 valid, 2 invalid (the error names the file, line and value).
    """
    from drillhall.chaos.loader import load_experiment

    loaded = load_experiment(experiment.expanduser())
    for line in loaded.plan():
        out.print(Text(line), highlight=False)
    remote = loaded.remote_faults()
    if remote:
        err.print(Text(f"note: {len(remote)} fault(s) reach outside this machine; "
                       "`chaos run` needs --yes", style="yellow"))
    raise typer.Exit(0)


@app.command()
def recover(
    journal: Annotated[Path, typer.Argument(help="Journal of the experiment to clean up.",
                                            show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the reverts that are "
                                          "not done; run none.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Run even if the runner that "
                                        "wrote the journal still seems alive.")] = False,
) -> None:
    """Revert every fault a journal registered and did not record as reverted.

    Use it after a runner was killed (SIGKILL, power loss). Running it twice is harmless.

    Exit codes: 0 nothing left, 1 a revert failed, 2 the journal cannot be read.
    """
    from drillhall.chaos.recover import recover as do_recover

    report = do_recover(journal.expanduser(), dry_run=dry_run, force=force)
    if not report.pending:
        out.print(Text(f"{journal}: nothing to revert"))
        raise typer.Exit(0)
    if dry_run:
        for item in report.pending:
            out.print(Text(f"pending {item.id}: {item.revert.description or item.fault}"))
        raise typer.Exit(0)
    for result in report.results:
        mark = "reverted" if result.ok else "FAILED"
        out.print(Text(f"{mark} {result.id}: {result.description}"
                       + (f" ({result.detail})" if result.detail else "")), highlight=False)
    left = report.faults_left
    err.print(Text(f"{len(report.results) - left} reverted, {left} left", style="dim"))
    raise typer.Exit(1 if left else 0)
