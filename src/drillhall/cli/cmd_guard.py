"""``drillhall llm guard``: scan texts with the guard's scanners (``scan``); the proxy's
``serve`` command is added by its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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
from drillhall.errors import ConfigError, InputError

app = typer.Typer(no_args_is_help=True, help="The LLM guard: input and output scanners, "
                  "as a command and as an OpenAI-compatible proxy.")


@app.callback()
def _guard() -> None:
    """The LLM guard: input and output scanners, as a command and as a proxy."""


@app.command()
def scan(
    text: Annotated[str | None, typer.Argument(help="The text to scan (or use --file).",
                                               show_default=False)] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-F", help="JSONL file, one {\"text\": ...} object a line; each line is "
        "scanned and reported by its 0-based row.", dir_okay=False, show_default=False)] = None,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0, help="Prompt-injection threshold, replacing the "
        "detector's calibrated one.", show_default=False)] = None,
    scanner: Annotated[list[str] | None, typer.Option(
        "--scanner", "-s", help="Run only this input scanner (repeatable): prompt-injection, "
        "secrets, pii, invisible-text, token-limit, banned.", show_default=False)] = None,
    guard_config: Annotated[Path | None, typer.Option(
        "--guard-config", help="Guard settings file (TOML or JSON) instead of "
        "[drills.guard] in drillhall.toml.", dir_okay=False, show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Scan a text, or each line of a JSONL file, with the guard's input scanners.

    One finding per flagged text, tagged [bold]scanner:NAME[/] for every scanner that
    flagged it; secrets and personal data are shown masked. Severities: prompt injection and
    secrets high, personal data, invisible text and banned content medium, token limit low.

    Exit codes: 0 nothing at or above --fail-on, 1 flagged texts, 2 bad input or error.
    """
    if (text is None) == (file is None):
        raise ConfigError("give either a TEXT to scan or --file TEXTS.jsonl, not both")
    cfg = load_or_default(config, Path.cwd())
    options: dict[str, Any] = dict(cfg.drills.get("guard-scan", {}))
    options.pop("text", None)
    options.pop("file", None)
    if isinstance(options.get("guard_file"), str):  # relative to drillhall.toml, wherever we scan
        options["guard_file"] = str((cfg.root / options["guard_file"]).expanduser().resolve())
    root = cfg.root
    if file is not None:
        target = file.expanduser().resolve()
        if not target.is_file():
            raise InputError(f"{file}: no such file")
        options["file"] = str(target)
        if not target.is_relative_to(cfg.root.resolve()):
            root = target.parent
    else:
        options["text"] = text
    if threshold is not None:
        options["threshold"] = threshold
    if scanner:
        options["scanners"] = [n.strip() for item in scanner for n in item.split(",")
                               if n.strip()]
    if guard_config is not None:
        options.pop("guard", None)
        options["guard_file"] = str(guard_config.expanduser().resolve())
    elif "guard_file" not in options and "guard" not in options:
        from drillhall.llm.guard.config import from_drillhall

        from_drillhall(cfg)  # a wrong [drills.guard] is reported against drillhall.toml
        options["guard"] = dict(cfg.drills.get("guard", {}))
    registry = Registry.default()
    if "guard-scan" in registry and root == cfg.root:
        plan = plan_single(registry, "guard-scan", options, cfg.root)
    else:
        from drillhall.llm.guard.scan_drill import from_config

        plan = Plan((from_config(options, root),), frozenset({"guard-scan"}))
    delivery = Delivery(fmt, output, parse_fail_on(fail_on), root)
    raise typer.Exit(run_plan(cfg, plan, delivery, store_runs=not no_store))
