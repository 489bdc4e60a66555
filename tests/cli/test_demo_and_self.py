"""`drillhall demo` end to end, and drillhall's secrets drill run on drillhall itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from drillhall.demo import assets_dir
from drillhall.demo.run import PLANTED

REPO = Path(__file__).resolve().parents[2]


def _planted_values() -> list[str]:
    """The demo's planted key values, read from its files at run time (never written here)."""
    env = (assets_dir() / ".env").read_text()
    values = [line.split("=", 1)[1].strip() for line in env.splitlines()
              if line.startswith(("AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="))]
    assert len(values) == 2
    return values


def test_demo_finds_every_planted_weakness_and_masks_them(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("DRILLHALL_DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "drillhall", "demo", "--report", "demo.html"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "every planted weakness was found" in r.stderr
    for p in PLANTED:
        assert p.rule_id in r.stdout, p
    html = (tmp_path / "demo.html").read_text()
    # the database and its write-ahead log
    db = b"".join(p.read_bytes() for p in (tmp_path / ".drillhall").glob("history.db*"))
    for value in _planted_values():
        assert value not in r.stdout + r.stderr
        assert value not in html
        assert value.encode() not in db
    assert "sha256:" in html
    # the red team's canary and the fake employee record it made the assistant disclose
    from drillhall.demo.run import CANARY
    from drillhall.testing.llm_models import default_user_record

    for value in (CANARY, *default_user_record().values()[1:]):
        assert value not in r.stdout + r.stderr, value
        assert value not in html, value
        assert value.encode() not in db, value
    assert "chaos" in r.stdout and "redteam" in r.stdout and "eval" in r.stdout
    assert "with drillhall's guard in front of the assistant" in r.stderr


def test_self_scan_reports_only_the_demo_keys(tmp_path: Path) -> None:
    out = tmp_path / "self.json"
    r = subprocess.run(
        [sys.executable, "-m", "drillhall", "secrets", str(REPO), "--no-store", "-f", "json",
         "-o", str(out), "-x", ".venv/**", "-x", "bench/.work/**", "-x", ".drillhall/**",
         "-x", "**/__pycache__/**", "-x", ".mypy_cache/**", "-x", ".ruff_cache/**",
         "-x", "*.egg-info/**"],
        capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 1, r.stderr
    findings = json.loads(out.read_text())["results"][0]["findings"]
    paths = {f["location"]["path"] for f in findings}
    assert paths, "the demo's planted keys must be found"
    assert all(p.startswith("src/drillhall/demo/assets/") for p in paths), sorted(paths)
    planted_keys = {p.path for p in PLANTED if p.drill == "secrets"}
    assert planted_keys == {p.removeprefix("src/drillhall/demo/assets/") for p in paths}
