"""``drillhall init``."""

from __future__ import annotations

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

TEMPLATES = ("default",)


def template_text(name: str) -> str:
    if name not in TEMPLATES:
        raise ConfigError(f"--template: unknown template {name!r} (choose one of "
                          f"{', '.join(TEMPLATES)})")
    return (files("drillhall") / "templates" / f"{name}.toml").read_text(encoding="utf-8")


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
