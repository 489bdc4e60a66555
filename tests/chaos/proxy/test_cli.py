"""``drillhall chaos proxy`` on the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.chaos.proxy import _cli
from tests.chaos.proxy._servers import connect, recv_exactly

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("argv", "words"), [
    (["--listen", "127.0.0.1:0"], "--listen and --upstream must be given together"),
    (["--listen", "localhost", "--upstream", "127.0.0.1:1"], "is not HOST:PORT"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--toxic", "laser"],
     "unknown toxic type 'laser'"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--toxic",
      "latency:latency=-1"], "latency"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--toxic", "latency:oops"],
     "is not key=value"),
    (["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:1", "--control", "0.0.0.0:0"],
     "not loopback"),
    ([], "nothing to proxy"),
])
def test_bad_values_exit_2(argv: list[str], words: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.run(["chaos", "proxy", *argv]) == 2
    err = capsys.readouterr().err
    assert words in " ".join(err.split()), err


def test_bad_config_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "proxies.json"
    bad.write_text('[{"name": "a", "listen": "127.0.0.1:0"}]')
    assert _cli.run(["chaos", "proxy", "--config", str(bad)]) == 2
    assert "missing required key 'upstream'" in capsys.readouterr().err
    bad.write_text("[\n{oops")
    assert _cli.run(["chaos", "proxy", "--config", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_runs_until_ctrl_c(tmp_path: Path, echo: tuple[str, int]) -> None:
    config = tmp_path / "proxies.json"
    config.write_text(json.dumps([{"name": "cfg", "listen": "127.0.0.1:0",
                                   "upstream": f"{echo[0]}:{echo[1]}"}]))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.chaos.proxy._cli", "chaos", "proxy", "--config",
         str(config), "--listen", "127.0.0.1:0", "--upstream", f"{echo[0]}:{echo[1]}",
         "--name", "cli", "--control", "127.0.0.1:0", "--toxic",
         "latency:latency=100,name=slow"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        assert lines[0].startswith("proxy 'cfg' listening on 127.0.0.1:"), lines
        assert "proxy 'cli'" in lines[1] and "(slow)" in lines[1], lines
        control = lines[2].split(" on ")[1].strip()
        listen = lines[1].split(" listening on ")[1].split(" ")[0]
        host, port = listen.rsplit(":", 1)
        with connect((host, int(port))) as sock:
            start = time.perf_counter()
            sock.sendall(b"x")
            assert recv_exactly(sock, 1) == b"x"
            assert time.perf_counter() - start >= 0.1
        assert set(httpx.get(control + "/proxies", timeout=5.0).json()) == {"cfg", "cli"}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
