"""``drillhall init``."""

from __future__ import annotations

import datetime as dt
import json
import os
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from drillhall.cli.console import err
from drillhall.core.config import CONFIG_NAME, load_config
from drillhall.errors import ConfigError

TEMPLATES = ("default", "llm-docs-assistant", "ml-model-service")
REVIEW_DAYS = 182
"""Governance decisions in a new file are due for review in about six months."""


def template_text(name: str, today: dt.date | None = None) -> str:
    """The template's text with its dates filled in (decided today, review in six months)."""
    if name not in TEMPLATES:
        raise ConfigError(f"--template: unknown template {name!r} (choose one of "
                          f"{', '.join(TEMPLATES)})")
    day = today or dt.datetime.now(dt.UTC).date()
    text = (files("drillhall") / "templates" / f"{name}.toml").read_text(encoding="utf-8")
    return (text.replace("@TODAY@", day.isoformat())
            .replace("@NEXT_REVIEW@", (day + dt.timedelta(days=REVIEW_DAYS)).isoformat()))


def init(
    directory: Annotated[Path, typer.Argument(help="Where to write drillhall.toml.",
                                              file_okay=False)] = Path(),
    template: Annotated[str, typer.Option("--template", "-t", help="Starting policy: "
                                          + ", ".join(TEMPLATES) + ".")] = "default",
    service: Annotated[str | None, typer.Option("--service", help="Service name (default: "
                                                "the directory's name).",
                                                show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented drillhall.toml to start from."""
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists; use --force to overwrite it")
    name = service or directory.resolve().name or "my-service"
    text = template_text(template).replace('name = "my-service"', f"name = {json.dumps(name)}", 1)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{CONFIG_NAME}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_config(tmp)  # the template must always be valid
    except ConfigError:
        tmp.unlink()
        raise
    tmp.replace(target)
    err.print(Text.assemble(f"wrote {target}: edit [service] and the [drills.*] tables, "
                            "then run ", ("drillhall run", "bold")))
