"""Options shared by every command that produces findings, and delivering its report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from drillhall.cli.console import err, out, stdout_is_terminal
from drillhall.core.config import Config
from drillhall.core.drill import Registry
from drillhall.core.model import Run, Severity, Status, Verdict
from drillhall.core.rules import known_rules
from drillhall.core.runner import BAD_INPUT
from drillhall.errors import ConfigError, ReportError
from drillhall.reports import Format, ReportContext, render, render_table, write_report

if TYPE_CHECKING:  # SQLAlchemy and Alembic load only when a store is opened
    from drillhall.store import Store

FormatOpt = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Report format (default: table on a terminal, "
                 "json otherwise).", case_sensitive=False, show_default=False),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout.",
                 dir_okay=False, show_default=False),
]
FailOnOpt = Annotated[
    str | None,
    typer.Option("--fail-on", metavar="SEVERITY", show_default=False,
                 help="Exit 1 when a finding at or above this severity exists: info, low, "
                 "medium, high, critical or none. Default: the policy's fail_on (high)."),
]
NoStoreOpt = Annotated[
    bool, typer.Option("--no-store", help="Do not record this run in the history store."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="drillhall.toml to use (default: the nearest one in "
                 "this directory or its parents).", exists=False, dir_okay=False,
                 show_default=False),
]


def parse_fail_on(value: str | None) -> Severity | str | None:
    """``--fail-on`` → a severity, ``None`` (disabled) or ``"policy"`` (not given)."""
    if value is None:
        return "policy"
    if value.strip().lower() == "none":
        return None
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"--fail-on: {exc}") from None


@dataclass(frozen=True)
class Delivery:
    fmt: Format | None
    output: Path | None
    fail_on: Severity | str | None
    root: Path | None = None
    """What finding paths are relative to (the scanned PATH) when it is not the configuration's
    root; SARIF's %SRCROOT% must be the same folder."""


def scan_base(path: Path) -> Path:
    """The folder a single-path command's findings are relative to."""
    resolved = path.expanduser().resolve()
    return resolved if resolved.is_dir() else resolved.parent


def report_context(config: Config, run: Run, store: Store | None,
                   fail_on: Severity | str | None, root: Path | None = None) -> ReportContext:
    registry = Registry.default()
    targets = [registry.get(r.drill).rules for r in run.results if r.drill in registry]
    if run.result("governance") is not None:
        targets.append("drillhall.governance.rules:RULES")
    history = []
    if store is not None:
        history = [s for s in reversed(store.runs(service=run.service, limit=30))
                   if s.id != run.id]
    threshold = config.policy.fail_on if fail_on == "policy" else fail_on
    return ReportContext(
        rules=known_rules(t for t in targets if t),
        history=tuple(history),
        fail_on=threshold if isinstance(threshold, Severity) else None,
        root=str(root or config.root),
    )


def deliver(run: Run, ctx: ReportContext, delivery: Delivery,
            config: Config | None = None) -> int:
    """Render the run as asked, write or print it, and return the exit code (0 or 1).
    With ``config``, also write the reports its ``[run] formats`` names."""
    if config is not None:
        for path in write_configured(run, ctx, config):
            err.print(Text(f"wrote {path}", style="dim"))
    fmt = delivery.fmt or default_format(delivery.output)
    if delivery.output is not None:
        write_report(render(run, fmt, ctx), delivery.output)
        err.print(Text(f"wrote {fmt.value} report to {delivery.output}", style="dim"))
        summary(run)
    elif fmt is Format.TABLE:
        render_table(run, out, ctx)
    else:
        try:
            out.file.write(render(run, fmt, ctx))
            out.file.flush()
        except OSError as exc:
            raise ReportError(f"cannot write the report to standard output: "
                              f"{exc.strerror or exc}") from None
    for problem in bad_input(run):
        err.print(Text.assemble(("drillhall: error: ", "bold red"), problem), highlight=False)
    return exit_code(run)


def exit_code(run: Run) -> int:
    """130 when the run was interrupted (as for Ctrl-C), 2 when a drill's input was wrong or
    every drill of the run ended in error (nothing was judged: e.g. the one target of
    ``drillhall llm redteam`` never answered), 1 when the policy is not met, else 0."""
    if any(r.status is Status.INTERRUPTED for r in run.results):
        return 130
    if bad_input(run) or (run.results and all(r.status is Status.ERROR for r in run.results)):
        return 2
    return 1 if run.verdict is Verdict.FAILED else 0




SUFFIX = {Format.TABLE: ".txt", Format.JSON: ".json", Format.SARIF: ".sarif",
          Format.JUNIT: ".xml", Format.MARKDOWN: ".md", Format.HTML: ".html"}


_BY_SUFFIX: dict[str, Format] = {".htm": Format.HTML, **{ext: fmt for fmt, ext in SUFFIX.items()}}


def write_configured(run: Run, ctx: ReportContext, config: Config) -> list[Path]:
    """Write the reports ``[run] formats`` asks for into ``[run] output_dir`` as
    ``drillhall-SERVICE.EXT`` (the latest run's; earlier runs stay in the store)."""
    written = []
    folder = config.root / config.run.output_dir
    for name in config.run.formats:
        try:
            fmt = Format(name.strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in Format)
            raise ConfigError(f"{config.source_name}: key 'run.formats': {name!r} is not a "
                              f"report format (choose from {choices})") from None
        if fmt is Format.TABLE:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"drillhall-{run.service}{SUFFIX[fmt]}"
        write_report(render(run, fmt, ctx), target)
        written.append(target)
    return written


def default_format(output: Path | None) -> Format:
    """Without ``--format``: from the output file's suffix, else table on a terminal, else
    JSON (for pipes)."""
    if output is not None:
        return _BY_SUFFIX.get(output.suffix.lower(), Format.JSON)
    return Format.TABLE if stdout_is_terminal() else Format.JSON


def bad_input(run: Run) -> list[str]:
    """The one-sentence diagnostics of drills that failed on wrong input or options."""
    return [e.detail for r in run.results for e in r.journal if e.event == BAD_INPUT]


def summary(run: Run) -> None:
    """One line on stderr: verdict and counts."""
    n = len(run.findings)
    colour = {"passed": "green", "failed": "red", "none": "yellow"}[run.verdict.value]
    err.print(f"[{colour}]verdict: {run.verdict.value}[/] · {n} finding(s) · run {run.id}")
