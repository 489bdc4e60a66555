"""``drillhall serve``: the dashboard over the history store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drillhall.cli.console import err
from drillhall.cli.flow import open_store
from drillhall.cli.output import ConfigOpt
from drillhall.core.config import load_or_default
from drillhall.errors import DependencyMissing


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but a "
                                      "loopback address needs --token-env or "
                                      "--basic-auth-env.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="Port to listen on.")] = 8008,
    token_env: Annotated[str | None, typer.Option(
        "--token-env", metavar="VAR", show_default=False,
        help="Environment variable holding the access token (at least 16 characters): "
        "sent as 'Authorization: Bearer TOKEN' or typed into the login page.")] = None,
    basic_auth_env: Annotated[str | None, typer.Option(
        "--basic-auth-env", metavar="VAR", show_default=False,
        help="Environment variable holding user:password for HTTP basic auth.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the dashboard: services, runs, findings, metric history, governance and the
    Chaos Day board, read from the history store of drillhall.toml.

    Listens on 127.0.0.1:8008 by default. Binding any other address requires an access
    token or basic-auth credentials, read from the environment variables you name.

    Exit codes: 0 stopped, 2 error (such as an exposed address without credentials).
    """
    from drillhall.web.dashboard import DashboardSettings, create_app, credentials_from_env

    token, basic = credentials_from_env(token_env, basic_auth_env)
    cfg = load_or_default(config, Path.cwd())
    settings = DashboardSettings(host=host, token=token, basic=basic, config=cfg)
    settings.check()
    try:
        import uvicorn
    except ImportError as exc:
        raise DependencyMissing("uvicorn", "web") from exc
    store = open_store(cfg, True)
    assert store is not None
    with store:
        app = create_app(store, settings)
        shown = f"[{host}]" if ":" in host else host
        err.print(f"drillhall dashboard for service {cfg.service.name!r} on "
                  f"http://{shown}:{port}/ (store {store.url}); Ctrl-C stops it",
                  highlight=False, markup=False)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    server_header=False, proxy_headers=True)
