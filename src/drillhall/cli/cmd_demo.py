"""``drillhall demo`` and ``drillhall demo serve``."""

from __future__ import annotations

import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from drillhall.cli.console import drill_progress, err, out
from drillhall.cli.flow import open_store
from drillhall.cli.output import report_context
from drillhall.core.drill import Registry
from drillhall.core.execute import execute, plan_configured
from drillhall.core.runner import RunnerOptions
from drillhall.demo import assets_dir
from drillhall.demo.patchlab import patch_lab
from drillhall.demo.run import (
    REPORT_NAME,
    demo_config,
    fill_experiments,
    guard_summary,
    guarded_config,
    missed,
    prepare_workspace,
)
from drillhall.reports import Format, render, render_table, write_report

app = typer.Typer(no_args_is_help=False, invoke_without_command=True)


@app.callback(invoke_without_command=True)
def demo(
    context: typer.Context,
    report: Annotated[Path, typer.Option("--report", help="Where to write the HTML report.",
                                         dir_okay=False)] = Path(REPORT_NAME),
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not record the run in "
                                           ".drillhall/history.db.")] = False,
) -> None:
    """Start the demo service, run every drill against it, print the scorecard and write the
    HTML report.

    The demo is weak on purpose, so its verdict is [red]failed[/]; the command exits 0 when
    every planted weakness was found, 1 when a drill missed one, 2 on error.
    """
    if context.invoked_subcommand is not None:
        return
    from drillhall.demo.stack import DemoStack

    root = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="drillhall-demo-") as tmp, \
            DemoStack(Path(tmp) / "stack") as stack, \
            patch_lab(Path(tmp) / "patch-lab") as lab:
        err.print(f"demo service up at {stack.demo.url} (chat: {stack.chat_url}; docs index "
                  f"behind the fault proxy at {stack.proxy_url}; classifier process at "
                  f"{stack.classify_url})")
        workspace = prepare_workspace(assets_dir(), Path(tmp))
        fill_experiments(workspace, stack)
        config = demo_config(root, workspace, stack.classify_url, lab=lab,
                             chat_url=stack.demo.base_url)
        plan = plan_configured(config, Registry.default())
        store = open_store(config, not no_store)
        with store if store is not None else nullcontext(), drill_progress() as progress:
            run = execute(config, plan, runner=RunnerOptions(progress=progress.callback))
            if store is not None:
                store.save(run)
            guarded_cfg = guarded_config(root, workspace, stack.guard_url, lab=lab)
            guarded = execute(guarded_cfg, plan_configured(guarded_cfg, Registry.default()),
                              runner=RunnerOptions(progress=progress.callback))
            if store is not None:
                store.save(guarded)
            ctx = report_context(config, run, store, "policy")
        direct_ms, guarded_ms = stack.guard_latency()
    render_table(run, out, ctx)
    write_report(render(run, Format.HTML, ctx), report)
    err.print(f"HTML report: {report.resolve()}")
    err.print(guard_summary(run, guarded, direct_ms, guarded_ms))
    misses = missed(run)
    for m in misses:
        err.print(Text.assemble(("missed planted weakness", "red"),
                                f": {m.what} ({m.drill}, {m.path or m.tag})"))
    if not misses:
        err.print("every planted weakness was found; the verdict is failed because the demo "
                  "is weak on purpose")
    raise typer.Exit(1 if misses else 0)


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535,
                                      help="Port on 127.0.0.1 (0: a free one).")] = 8765,
) -> None:
    """Keep the demo service up for you to explore; Ctrl-C stops it.

    Starts the whole stack: the assistant, its docs index behind drillhall's fault proxy,
    and the supervised classifier process; prints their addresses and the chaos experiments
    (filled with those addresses) you can run against it.
    """
    from drillhall.demo.stack import DemoStack

    with tempfile.TemporaryDirectory(prefix="drillhall-demo-") as tmp, \
            DemoStack(Path(tmp) / "stack", port=port) as stack:
        workspace = prepare_workspace(assets_dir(), Path(tmp))
        fill_experiments(workspace, stack)
        out.print(f"demo service at [bold]{stack.demo.url}[/]\n"
                  f"  chat (OpenAI-compatible): {stack.chat_url}\n"
                  f"  classifier process:       {stack.classify_url}\n"
                  f"  docs index via the proxy: {stack.proxy_url} (control API "
                  f"{stack.control_url})\n"
                  f"  assets (what the drills scan): {assets_dir()}\n"
                  f"  chaos experiments: {workspace / 'experiments'}\n"
                  "Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            err.print("stopping the demo service")
