"""``drillhall llm guard serve`` (the guard proxy) and ``drillhall llm guard keys`` (its client
keys). Mounted under ``drillhall llm guard`` by the main command."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from drillhall.cli.console import err, out
from drillhall.core.config import Config, load_or_default
from drillhall.core.model import utcnow
from drillhall.errors import ConfigError

keys_app = typer.Typer(no_args_is_help=True, help="Client keys of the guard proxy: "
                       "applications call the proxy with these, never the provider's key.")

StoreOpt = Annotated[str | None, typer.Option(
    "--store", metavar="URL", help="History store URL (default: DRILLHALL_DATABASE_URL, else "
    ".drillhall/history.db next to the nearest drillhall.toml).", show_default=False)]


def _project() -> Config:
    return load_or_default(None, Path.cwd())


def _open_store(url: str | None, project: Config) -> Any:
    from drillhall.store import Store

    return Store.open(url or project.store.url, root=project.root)


def _json_logs() -> None:
    """Structured logs: one JSON object a line on stderr from the guard's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    guard_log = logging.getLogger("drillhall.guard")
    guard_log.handlers[:] = [handler]
    guard_log.setLevel(logging.INFO)
    guard_log.propagate = False


def serve(
    upstream: Annotated[str, typer.Option(
        "--upstream", "-u", metavar="URL", help="The upstream's OpenAI-compatible base URL "
        "(e.g. http://127.0.0.1:11434/v1).", show_default=False)],
    listen: Annotated[str, typer.Option(
        "--listen", "-l", metavar="HOST:PORT", help="Address to listen on. Anything but "
        "loopback requires client keys.")] = "127.0.0.1:8080",
    upstream_key_env: Annotated[str | None, typer.Option(
        "--upstream-key-env", metavar="VAR", help="Environment variable holding the "
        "upstream's API key (never given on the command line, never logged).",
        show_default=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "--guard-config", "-c", help="Guard configuration file (TOML or JSON): "
        "scanner tables as in [drills.guard], plus a [proxy] table for limits, abuse, "
        "canaries and streaming. Default: [drills.guard] of the nearest drillhall.toml.",
        dir_okay=False, show_default=False)] = None,
    service: Annotated[str | None, typer.Option(
        "--service", help="Service name for the audit log and the signal runs (default: "
        "drillhall.toml's service).", show_default=False)] = None,
    allow_anonymous: Annotated[bool, typer.Option(
        "--allow-anonymous", help="Accept calls without a client key (loopback only).")]
    = False,
    canary: Annotated[list[str] | None, typer.Option(
        "--canary", help="A token that must never appear in an answer (repeatable).",
        show_default=False)] = None,
    allow_tool: Annotated[list[str] | None, typer.Option(
        "--allow-tool", help="A tool answers may call (repeatable); with any, a call to "
        "another tool is blocked (tool-policy). Default: no tool policy.",
        show_default=False)] = None,
    store_url: StoreOpt = None,
    no_store: Annotated[bool, typer.Option(
        "--no-store", help="Keep no audit log, signals or client keys (anonymous on "
        "loopback only).")] = False,
    logs: Annotated[bool, typer.Option(
        "--logs/--no-logs", help="Write one JSON log line per request to stderr.")] = True,
) -> None:
    """Run the LLM guard: an OpenAI-compatible proxy in front of --upstream that scans every
    prompt and answer, authenticates clients with their own keys, rate-limits them, and
    records every decision.

    Chat completions (streamed or not, with tools), completions, embeddings and models are
    passed through; Prometheus metrics on /metrics. The upstream key stays in this process.

    Exit codes: 0 stopped with Ctrl-C, 2 bad option, address in use or missing key.
    """
    from drillhall.llm.guard.config import GuardConfig, from_drillhall, parse_guard_config
    from drillhall.llm.guard.proxy import ProxySettings, build_proxy, read_config_file
    from drillhall.llm.guard.proxy.server import (
        bind,
        check_exposure,
        is_loopback,
        parse_listen,
        serve_forever,
    )
    from drillhall.store import guard as guard_store

    host, port = parse_listen(listen)
    project = _project()
    if config is not None:
        settings, rest = read_config_file(config.expanduser())
        section = ""
        if set(rest) == {"guard"} and isinstance(rest["guard"], dict):
            rest, section = rest["guard"], "guard"
        guard_config: GuardConfig = parse_guard_config(rest, source=str(config),
                                                       section=section)
    else:
        settings, guard_config = ProxySettings(), from_drillhall(project)
    chosen_service = service or (settings.service if "service" in settings.model_fields_set
                                 else project.service.name)
    settings = settings.with_overrides(
        upstream=upstream, service=chosen_service,
        allow_anonymous=allow_anonymous or settings.allow_anonymous,
        canaries=tuple(dict.fromkeys((*settings.canaries, *(canary or ())))),
        allowed_tools=tuple(dict.fromkeys(allow_tool)) if allow_tool else None)
    if not settings.upstream.startswith(("http://", "https://")):
        raise ConfigError(f"--upstream {upstream!r} is not an http:// or https:// URL")
    check_exposure(host, settings.allow_anonymous)
    key: str | None = None
    if upstream_key_env:
        key = os.environ.get(upstream_key_env, "").strip()
        if not key:
            raise ConfigError(f"--upstream-key-env {upstream_key_env}: that environment "
                              "variable is not set or empty")
    store = None if no_store else _open_store(store_url, project)
    if not is_loopback(host):
        active = [] if store is None else guard_store.list_keys(store, include_revoked=False)
        if not active:
            raise ConfigError(f"listening on {host} needs client keys, and there is no active "
                              "one: add one with 'drillhall llm guard keys add NAME'")
    if not settings.allow_anonymous and store is None:
        raise ConfigError("--no-store leaves no client keys to check; add --allow-anonymous "
                          "(loopback only)")
    if logs:
        _json_logs()
    proxy = build_proxy(settings, guard_config, store=store, upstream_key=key)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    out.print(f"drillhall guard proxy on http://{shown}:{port}/v1 -> {settings.upstream} "
              f"(service {settings.service!r}, "
              f"{'anonymous calls allowed' if settings.allow_anonymous else 'client keys'}"
              f"{'' if store is None else ', store ' + store.url}); Ctrl-C stops it",
              highlight=False, markup=False)
    sys.stdout.flush()
    try:
        serve_forever(proxy, sock)
    finally:
        if store is not None:
            store.close()


@keys_app.command("add")
def keys_add(
    name: Annotated[str, typer.Argument(help="A name for the client (letters, digits, . _ -).",
                                        show_default=False)],
    store_url: StoreOpt = None,
) -> None:
    """Create a client key and print it once (only its salted hash is stored)."""
    from drillhall.llm.guard.proxy.keys import new_key, valid_name
    from drillhall.store import guard as guard_store

    if not valid_name(name):
        raise ConfigError(f"key name {name!r} must be 1-64 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit")
    made = new_key(name)
    with _open_store(store_url, _project()) as store:
        guard_store.add_key(store, made.record)
    out.print(made.token, highlight=False, markup=False, soft_wrap=True)
    err.print(f"client key {name!r} created; it is shown only this once: give it to the "
              "application as its API key for the guard proxy", highlight=False, markup=False)


@keys_app.command("list")
def keys_list(store_url: StoreOpt = None) -> None:
    """List the client keys (names, ids, dates; never the keys)."""
    from drillhall.store import guard as guard_store

    with _open_store(store_url, _project()) as store:
        keys = guard_store.list_keys(store)
    if not keys:
        err.print("no client keys yet: add one with 'drillhall llm guard keys add NAME'",
                  highlight=False, markup=False)
        return
    table = Table("name", "key id", "created", "status")
    for k in keys:
        table.add_row(k.name, k.key_id, k.created.strftime("%Y-%m-%d %H:%M UTC"),
                      "active" if k.active else
                      f"revoked {k.revoked:%Y-%m-%d %H:%M UTC}" if k.revoked else "revoked")
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    name: Annotated[str, typer.Argument(help="The client key to revoke.", show_default=False)],
    store_url: StoreOpt = None,
) -> None:
    """Revoke a client key (a running proxy stops accepting it within its key refresh
    interval, 5 seconds by default)."""
    from drillhall.store import guard as guard_store

    with _open_store(store_url, _project()) as store:
        guard_store.revoke_key(store, name, utcnow())
    err.print(f"client key {name!r} revoked", highlight=False, markup=False)
