"""``drillhall chaosday plan | log | review``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from drillhall.cli.console import err, out
from drillhall.cli.flow import open_store
from drillhall.cli.output import ConfigOpt
from drillhall.core.config import load_or_default
from drillhall.core.model import DAY_ENTRY_KINDS, DAY_STATUSES, utcnow
from drillhall.errors import ConfigError

app = typer.Typer(
    help="Chaos Days: plan the day, keep a live incident log, write the blameless review.",
    no_args_is_help=True,
)

DayArg = Annotated[Path, typer.Argument(help="The day file (YAML).", show_default=False)]


@app.command()
def plan(
    day_file: DayArg,
    new: Annotated[bool, typer.Option("--new", help="Write a commented starting plan to "
                                      "DAY_FILE (refuses to overwrite).")] = False,
) -> None:
    """Write a new day plan, or check one and show it.

    The day file holds the theme, scope, off-limits components, roles (facilitator, agents
    of chaos, responders, stakeholders), the shortlisted experiments with their expected
    impact, expected response and rollback steps, the schedule and the blackout windows.
    Exit codes: 0 valid, 2 the file is wrong (one sentence naming the line).
    """
    from drillhall.chaos.day.plan import TEMPLATE, load_plan

    if new:
        if day_file.exists():
            raise ConfigError(f"{day_file}: already exists; not overwriting it")
        day_file.parent.mkdir(parents=True, exist_ok=True)
        day_file.write_text(TEMPLATE, encoding="utf-8")
        out.print(f"wrote {escape(str(day_file))}: edit it, then run "
                  f"[bold]drillhall chaosday plan {escape(str(day_file))}[/] to check it")
        return
    day = load_plan(day_file)
    spec = day.spec
    out.print(f"[bold]{escape(spec.title)}[/] — {spec.date.isoformat()} ({spec.timezone}), "
              f"day [bold]{spec.day}[/]")
    out.print(f"theme: {escape(spec.theme)}")
    out.print(f"scope: {escape(', '.join(spec.scope))}"
              + (f"; off limits: {escape(', '.join(spec.off_limits))}" if spec.off_limits
                 else ""))
    roles = spec.roles
    out.print(f"facilitator {escape(roles.facilitator)}; agents "
              f"{escape(', '.join(roles.agents))}; "
              f"responders {escape(', '.join(roles.responders))}")
    table = Table("experiment", "component", "failure", "automated by", title="Shortlist")
    for e in spec.experiments:
        path = day.experiment_path(e)
        shown = "manual" if path is None else str(path)
        if path is not None and not path.is_file():
            shown += " [red](missing)[/]"
        table.add_row(e.id, escape(e.component), escape(e.failure), shown)
    out.print(table)
    for slot in spec.schedule:
        out.print(f"  {slot.at}  {escape(slot.experiment or slot.what)}")
    if spec.blackout:
        out.print(f"blackout: {', '.join(spec.blackout)}")
    missing = [e.id for e in spec.experiments
               if (p := day.experiment_path(e)) is not None and not p.is_file()]
    if missing:
        raise ConfigError(f"{day_file}: experiment file of {missing[0]!r} does not exist")


@app.command()
def log(
    day_file: DayArg,
    text: Annotated[str | None, typer.Argument(help="What was seen, thought or done.",
                                               show_default=False)] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who (a name or a role).",
                                           show_default=False)] = None,
    kind: Annotated[str, typer.Option("--kind", "-k", help="One of: "
                                      + ", ".join(DAY_ENTRY_KINDS) + ".")] = "observation",
    experiment: Annotated[str | None, typer.Option("--experiment", "-e",
                                                   help="The planned experiment it is about.",
                                                   show_default=False)] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owner of a backlog item.",
                                              show_default=False)] = None,
    status: Annotated[str | None, typer.Option("--status", help="Incident status: "
                                               + ", ".join(DAY_STATUSES) + ".",
                                               show_default=False)] = None,
    resolve: Annotated[int | None, typer.Option("--resolve", help="Set the --status of the "
                                                "incident with this entry id instead of "
                                                "adding an entry.", show_default=False)] = None,
    show: Annotated[bool, typer.Option("--show", help="Print the day's log.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Add an entry to the day's live log (kept in the history store), or show the log.

    Text is redacted before it is stored: credentials and personal values are masked.
    """
    from drillhall.chaos.day.log import new_entry
    from drillhall.chaos.day.plan import load_plan

    day = load_plan(day_file)
    cfg = load_or_default(config, Path.cwd())
    store = open_store(cfg, True)
    assert store is not None
    with store:
        if resolve is not None:
            if status not in ("resolved-by-agents", "resolved-by-team"):
                raise ConfigError("--resolve needs --status resolved-by-agents or "
                                  f"resolved-by-team (got {status!r})")
            entry = store.set_day_status(day.day, resolve, status)
            out.print(f"incident {entry.id} is now {status}")
            return
        if text is not None:
            entry = store.add_day_entry(new_entry(
                day, text, author=by or "", kind=kind, experiment=experiment, owner=owner,
                status=status))
            out.print(f"logged #{entry.id} at {entry.at.strftime('%H:%M:%S')} UTC ({kind})")
        elif not show:
            raise ConfigError("give the text of the entry, or --show to print the log")
        if show:
            entries = store.day_entries(day.day)
            table = Table("#", "time (UTC)", "kind", "by", "text", title=f"{day.day} log")
            for e in entries:
                table.add_row(str(e.id), e.at.strftime("%H:%M:%S"),
                              e.kind + (f" ({e.status})" if e.status else ""),
                              escape(e.author), escape(e.text))
            out.print(table)


@app.command()
def review(
    day_file: DayArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the review "
                                                "here (.md or .html; default: "
                                                "<day>-review.md and .html next to the "
                                                "day file).", show_default=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """Write the blameless review from the plan, the stored experiment runs and the log.

    Timeline, hypothesis against outcome per experiment with detection, recovery and revert
    times, what was learnt, what to improve, and the backlog with owners.
    """
    from drillhall.chaos.day.plan import load_plan
    from drillhall.chaos.day.review import build_review, render_html, render_markdown
    from drillhall.core.files import write_text_atomic

    day = load_plan(day_file)
    cfg = load_or_default(config, Path.cwd())
    store = open_store(cfg, True)
    assert store is not None
    start, end = day.window()
    with store:
        entries = store.day_entries(day.day)
        runs = store.runs_between(start, end, service=day.spec.service)
    result = build_review(day, entries, runs, now=utcnow())
    if output is not None and output.suffix.lower() not in {".md", ".html", ".htm"}:
        raise ConfigError(f"{output}: give a .md or .html file for the review")
    targets = ([output] if output is not None else
               [day_file.with_name(f"{day.day}-review.md"),
                day_file.with_name(f"{day.day}-review.html")])
    for path in targets:
        text = render_markdown(result) if path.suffix.lower() == ".md" else render_html(result)
        write_text_atomic(path, text)
        out.print(f"wrote {escape(str(path))}")
    if not entries and not any(e.runs for e in result.experiments):
        err.print("note: nothing was logged and no experiment run was found for this day")
