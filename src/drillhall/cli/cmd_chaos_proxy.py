"""``drillhall chaos proxy``: run the fault-injection proxy until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from drillhall.chaos.proxy.config import (
    ProxySpec,
    format_address,
    load_proxies,
    parse_address,
    parse_proxy,
)
from drillhall.chaos.proxy.server import ProxyServer
from drillhall.chaos.proxy.spec import parse_toxic_option
from drillhall.cli.console import out
from drillhall.errors import ConfigError


def proxy(
    listen: Annotated[str | None, typer.Option(
        "--listen", "-l", metavar="HOST:PORT", help="Address the proxy listens on.",
        show_default=False)] = None,
    upstream: Annotated[str | None, typer.Option(
        "--upstream", "-u", metavar="HOST:PORT", help="Address it forwards to.",
        show_default=False)] = None,
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the proxy (used by the "
                                      "control API and by experiments).")] = "proxy",
    toxic: Annotated[list[str] | None, typer.Option(
        "--toxic", "-t", metavar="TYPE[:k=v,...]",
        help="Toxic to start with (repeatable), e.g. 'latency:latency=3000,jitter=0' or "
        "'http_status:status=429,retry_after=5,stream=upstream'. Keys stream, toxicity and "
        "name are the toxic's own; the rest are its attributes.", show_default=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="Toxiproxy-style JSON list of proxies "
        "([{name, listen, upstream, enabled, toxics}]).", dir_okay=False,
        show_default=False)] = None,
    control: Annotated[str, typer.Option(
        "--control", metavar="HOST:PORT", help="Address of the control API ('off' for "
        "none).")] = "127.0.0.1:8474",
    control_token: Annotated[str | None, typer.Option(
        "--control-token", envvar="DRILLHALL_PROXY_TOKEN", show_default=False,
        help="Bearer token the control API requires; needed to serve it off loopback.")]
    = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed for toxicity draws and jitter (reproducible runs).",
        show_default=False)] = None,
) -> None:
    """Run the chaos fault proxy (Toxiproxy's toxics plus HTTP faults) until Ctrl-C.

    Toxic types: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data,
    http_status, http_delay. Add and remove toxics at run time through the control API
    (routes as Toxiproxy's: /proxies, /proxies/NAME/toxics, /reset).

    Exit codes: 0 stopped with Ctrl-C, 2 bad option or address in use.
    """
    specs: list[ProxySpec] = load_proxies(config.expanduser()) if config is not None else []
    if listen is not None or upstream is not None or toxic:
        if listen is None or upstream is None:
            raise ConfigError("--listen and --upstream must be given together (or use "
                              "--config)")
        toxics = [parse_toxic_option(text).as_dict() for text in toxic or ()]
        spec = parse_proxy({"name": name, "listen": listen, "upstream": upstream,
                            "toxics": toxics}, source="command line")
        if any(s.name == spec.name for s in specs):
            raise ConfigError(f"--name {name!r} is already used by a proxy in {config}")
        specs.append(spec)
    if not specs:
        raise ConfigError("nothing to proxy: give --listen and --upstream, or --config")
    control_addr = None if control.strip().lower() in {"off", "none", ""} else control
    if control_addr is not None:
        parse_address(control_addr, what="--control")
    server = ProxyServer(control=control_addr, token=control_token, seed=seed)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    server.start(specs)
    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        for info in (p.info() for p in server.proxies()):
            toxics_text = ", ".join(t["name"] for t in info["toxics"]) or "no toxics"
            out.print(f"proxy {info['name']!r} listening on {info['listen']} -> upstream "
                      f"{info['upstream']} ({toxics_text})", highlight=False)
        addr = server.control_address
        out.print(f"control API on http://{format_address(addr)}" if addr else
                  "control API off", highlight=False)
        out.print("press Ctrl-C to stop", highlight=False)
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
