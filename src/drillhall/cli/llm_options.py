"""Command-line options shared by the commands that talk to an LLM target
(``drillhall llm redteam`` and ``drillhall llm eval``), and the small helpers both use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drillhall.core.config import Config

TargetHelp = ("OpenAI-compatible base URL (e.g. http://127.0.0.1:11434/v1), a full "
              "…/chat/completions URL, or python:module:function.")
ModelOpt = Annotated[str | None, typer.Option(
    "--model", "-m", help="Model name (default: the first one the server lists).",
    show_default=False)]
ApiKeyEnvOpt = Annotated[str | None, typer.Option(
    "--api-key-env", help="Environment variable holding the API key (the key itself is "
    "never accepted on the command line).", show_default=False)]
JudgeModelOpt = Annotated[str | None, typer.Option(
    "--judge-model", help="Model name of the judge.", show_default=False)]
JudgeApiKeyEnvOpt = Annotated[str | None, typer.Option(
    "--judge-api-key-env", help="Environment variable holding the judge's API key.",
    show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the plan; send nothing.")]


def absolute(path: Path | None) -> str | None:
    """A command-line path as an absolute string (drill options resolve relative paths
    against drillhall.toml's folder, not the current directory)."""
    return None if path is None else str(path.expanduser().resolve())


def with_store_url(options: dict[str, object], config: Config) -> dict[str, object]:
    """``options`` with the configuration's store URL, where the drill reads history."""
    if config.store.url and "store_url" not in options:
        options["store_url"] = config.store.url
    return options
