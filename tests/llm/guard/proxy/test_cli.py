"""``drillhall llm guard serve`` and ``keys`` as a user runs them (mounted here the way the
main command mounts them)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import typer
from typer.testing import CliRunner

from drillhall.cli.cmd_guard_serve import keys_app, serve
from drillhall.store import Store
from drillhall.store import guard as guard_store
from drillhall.testing.llm import StandInServer
from tests.llm.guard.proxy.conftest import BENIGN, CANARY, CANARY_PROMPT, chat

_MOUNT = """
import sys, typer
from drillhall.cli.cmd_guard_serve import keys_app, serve
from drillhall.errors import DrillhallError
app = typer.Typer()
app.command("serve")(serve)
app.add_typer(keys_app, name="keys")
try:
    app(sys.argv[1:], standalone_mode=False)
except DrillhallError as exc:
    print(exc.diagnostics(), file=sys.stderr)
    sys.exit(2)
"""


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
    return app


def test_keys_add_list_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    runner = CliRunner()
    added = runner.invoke(_app(), ["keys", "add", "docs-app", "--store", url])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[0]
    assert re.fullmatch(r"dhg-[0-9a-f]{12}-[A-Za-z0-9_-]{43}", token)
    again = runner.invoke(_app(), ["keys", "add", "docs-app", "--store", url])
    assert again.exit_code != 0
    listed = runner.invoke(_app(), ["keys", "list", "--store", url])
    assert "docs-app" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout and token.split("-", 2)[2] not in listed.stdout
    revoked = runner.invoke(_app(), ["keys", "revoke", "docs-app", "--store", url])
    assert revoked.exit_code == 0
    with Store.open(url) as store:
        (record,) = guard_store.list_keys(store)
        assert record.revoked is not None and record.digest != token.split("-", 2)[2]
        db = (tmp_path / "h.db").read_bytes()
    assert token.split("-", 2)[2].encode() not in db
    bad = runner.invoke(_app(), ["keys", "add", "no spaces please", "--store", url])
    assert bad.exit_code != 0


def test_serve_proxies_audits_and_stores_signals_at_shutdown(
        tmp_path: Path, standin: StandInServer, upstream_key: str) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    env = {**os.environ, "UPSTREAM_KEY_FOR_TEST": upstream_key, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", _MOUNT, "serve", "--upstream", standin.base_url,
         "--listen", "127.0.0.1:0", "--upstream-key-env", "UPSTREAM_KEY_FOR_TEST",
         "--store", url, "--service", "docs-assistant", "--allow-anonymous",
         "--canary", CANARY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/v1", line)
        assert match, line + (process.stderr.read() if process.stderr else "")
        base = match.group(0)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(base.removesuffix("/v1") + "/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        ok = httpx.post(base + "/chat/completions", json=chat(BENIGN))
        blocked = httpx.post(base + "/chat/completions", json=chat(CANARY_PROMPT))
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert ok.status_code == 200 and blocked.status_code == 400
    assert process.returncode == 0, stderr
    logs = [json.loads(x) for x in stderr.splitlines() if x.startswith("{")]
    requests = [x for x in logs if x.get("event") == "guard.request"]
    assert [x["outcome"] for x in requests] == ["allowed", "blocked"]
    assert upstream_key not in stderr and BENIGN not in stderr
    with Store.open(url) as store:
        run = store.latest("docs-assistant")
        rows = guard_store.audit_rows(store, service="docs-assistant")
    assert run is not None and run.results[0].drill == "guard"
    assert run.metrics()["guard.requests"] == 2
    assert run.metrics()["guard.blocked_rate"] == 0.5
    assert len(rows) == 2


def test_serve_refuses_an_exposed_address_without_keys(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _MOUNT, "serve", "--upstream", "http://127.0.0.1:9/v1",
         "--listen", "0.0.0.0:0", "--store", f"sqlite:///{tmp_path / 'h.db'}"],
        check=False, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "needs client keys" in result.stderr
    anonymous = subprocess.run(
        [sys.executable, "-c", _MOUNT, "serve", "--upstream", "http://127.0.0.1:9/v1",
         "--listen", "0.0.0.0:0", "--allow-anonymous", "--no-store"],
        check=False, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert anonymous.returncode == 2 and "loopback" in anonymous.stderr
