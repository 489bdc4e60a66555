"""``drillhall serve``: refuses an exposed address without credentials, and serves the store
of drillhall.toml (a real process on a real port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from drillhall.cli.cmd_serve import serve
from drillhall.errors import ConfigError

WRAPPER = """
import sys, typer
from drillhall.cli.cmd_serve import serve
app = typer.Typer()
app.command()(serve)
app(sys.argv[1:])
"""


def test_exposed_address_without_credentials_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "drillhall.toml"
    config.write_text('[service]\nname = "svc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a loopback address"):
        serve(host="0.0.0.0", port=0, token_env=None, basic_auth_env=None,
              config=config)
    assert not (tmp_path / ".drillhall").exists()  # refused before the store was opened


def test_missing_token_variable_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DH_TEST_NO_SUCH_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="DH_TEST_NO_SUCH_TOKEN is not set"):
        serve(host="0.0.0.0", port=0, token_env="DH_TEST_NO_SUCH_TOKEN",
              basic_auth_env=None, config=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_the_url_and_answers(tmp_path: Path) -> None:
    (tmp_path / "drillhall.toml").write_text(
        '[service]\nname = "svc"\n\n[store]\nurl = "sqlite:///history.db"\n', encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "DH_DASH_TOKEN": "a-long-enough-test-token"}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, "--host", "127.0.0.1", "--port", str(port),
         "--token-env", "DH_DASH_TOKEN"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        else:
            pytest.fail("the dashboard did not start within 30 s")
        page = httpx.get(f"http://127.0.0.1:{port}/",
                         headers={"Authorization": "Bearer a-long-enough-test-token"})
        assert page.status_code == 200 and "No run is stored yet" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 401
        assert "server" not in page.headers
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in err and "'svc'" in err
