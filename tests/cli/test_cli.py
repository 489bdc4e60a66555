"""The command line end to end, as a user runs it: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drillhall.cli.main import main
from drillhall.testing.fakekeys import fake_secret

EXE = [sys.executable, "-m", "drillhall"]


def drillhall(*args: str, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    full_env.pop("DRILLHALL_DATABASE_URL", None)
    return subprocess.run([*EXE, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small service tree with one planted GitHub token and one clean file."""
    (tmp_path / "app").mkdir()
    token = fake_secret("DH-SECRET-GITHUB-PAT", seed=7)
    (tmp_path / "app" / "settings.py").write_text(f'DEBUG = False\nGITHUB_TOKEN = "{token}"\n')
    (tmp_path / "app" / "main.py").write_text("print('hello')\n")
    return tmp_path


def test_help_and_version(tmp_path: Path) -> None:
    r = drillhall("--help", cwd=tmp_path)
    assert r.returncode == 0
    for command in ("demo", "init", "run", "secrets", "history", "report"):
        assert command in r.stdout
    assert "Exit codes" in r.stdout
    v = drillhall("--version", cwd=tmp_path)
    assert v.returncode == 0 and v.stdout.startswith("drillhall ")


def test_secrets_json_exit_code_and_masking(project: Path) -> None:
    token = fake_secret("DH-SECRET-GITHUB-PAT", seed=7)
    out = project / "report.json"
    r = drillhall("secrets", "app", "--format", "json", "--output", str(out), cwd=project)
    assert r.returncode == 1, r.stderr
    text = out.read_text()
    assert token not in text and token not in r.stdout + r.stderr
    report = json.loads(text)
    assert report["schema"] == "drillhall/report/v1"
    (result,) = report["results"]
    (finding,) = result["findings"]
    assert finding["rule_id"] == "DH-SECRET-GITHUB-PAT"
    assert finding["location"] == {"path": "settings.py", "line": 2,
                                   "column": finding["location"]["column"]}
    assert finding["evidence"].startswith(token[:4]) and "sha256:" in finding["evidence"]
    # the run was stored, and the database holds no clear value
    db = project / ".drillhall" / "history.db"
    assert db.is_file()
    stored = b"".join(p.read_bytes() for p in db.parent.glob("history.db*"))
    assert token.encode() not in stored


def test_fail_on_none_and_clean_tree(project: Path) -> None:
    r = drillhall("secrets", "app", "--fail-on", "none", "-f", "json", cwd=project)
    assert r.returncode == 0
    clean = drillhall("secrets", "app/main.py", "-f", "json", cwd=project)
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["results"][0]["findings"] == []


def test_bad_input_one_sentence_exit_2(project: Path) -> None:
    r = drillhall("secrets", "missing-dir", cwd=project)
    assert r.returncode == 2
    assert "missing-dir: no such file or directory" in r.stderr
    assert "Traceback" not in r.stderr
    (project / "drillhall.toml").write_text('[policy]\nfail_on = "hihg"\n')
    r = drillhall("run", cwd=project)
    assert r.returncode == 2
    assert "drillhall.toml:2: key 'policy.fail_on'" in r.stderr
    assert "Traceback" not in r.stderr
    (project / "drillhall.toml").unlink()
    r = drillhall("secrets", "app", "--fail-on", "severe", cwd=project)
    assert r.returncode == 2 and "--fail-on" in r.stderr


def test_init_run_history_report(project: Path) -> None:
    assert drillhall("init", cwd=project).returncode == 0
    again = drillhall("init", cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    cfg = project / "drillhall.toml"
    cfg.write_text(cfg.read_text().replace('paths = ["."]', 'paths = ["app"]')
                   .replace('formats = ["table"]', 'formats = ["table", "sarif", "html"]')
                   .replace('# "secrets.findings" = 0', '"secrets.findings" = 0'))
    first = drillhall("run", "-f", "json", cwd=project)
    assert first.returncode == 1, first.stderr
    report = json.loads(first.stdout)
    assert report["verdict"] == "failed"
    rules = {v["rule"] for v in report["violations"]}
    assert {"fail-on", "metric-max"} <= rules
    run_id = report["run_id"]
    reports = project / ".drillhall" / "reports"
    name = project.name
    assert json.loads((reports / f"drillhall-{name}.sarif").read_text())["runs"][0]["results"]
    assert run_id in (reports / f"drillhall-{name}.html").read_text()
    hist = drillhall("history", "--metric", "secrets.findings", cwd=project)
    assert hist.returncode == 0 and run_id in hist.stdout and "secrets.findings" in hist.stdout
    html = project / "r.html"
    again_r = drillhall("report", run_id[:12], "--output", str(html), cwd=project)
    assert again_r.returncode == 1
    assert "<html" in html.read_text().lower()
    sarif = drillhall("report", run_id, "-f", "sarif", cwd=project)
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    unknown = drillhall("report", "nope", cwd=project)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_run_dry_run_touches_nothing(project: Path) -> None:
    drillhall("init", cwd=project)
    r = drillhall("run", "--dry-run", "-f", "json", cwd=project)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(r.stdout)["results"][0]["status"] == "skipped"
    assert not (project / ".drillhall" / "history.db").exists()


def test_in_process_main_returns_codes(project: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    assert main(["secrets", "app", "--no-store", "-f", "markdown"]) == 1
    assert "DH-SECRET-GITHUB-PAT" in capsys.readouterr().out
    assert main(["secrets", "--bogus"]) == 2


def test_update_baseline_then_only_new_findings(project: Path) -> None:
    base = project / "baseline.json"
    r = drillhall("secrets", "app", "--update-baseline", str(base), cwd=project)
    assert r.returncode == 0 and base.is_file(), r.stderr
    assert drillhall("secrets", "app", "--baseline", str(base), "-f", "json",
                     cwd=project).returncode == 0
    token = fake_secret("DH-SECRET-SLACK-TOKEN", seed=3)
    (project / "app" / "new.py").write_text(f'SLACK = "{token}"\n')
    r = drillhall("secrets", "app", "--baseline", str(base), "-f", "json", cwd=project)
    assert r.returncode == 1
    (finding,) = json.loads(r.stdout)["results"][0]["findings"]
    assert finding["location"]["path"] == "new.py"


def test_update_baseline_fails_closed(project: Path) -> None:
    base = project / "baseline.json"
    r = drillhall("secrets", "app", "--update-baseline", str(base), "--allowlist",
                  "missing.toml", cwd=project)
    assert r.returncode == 2 and not base.exists()
    assert "missing.toml" in r.stderr


def test_markup_in_paths_is_text(project: Path) -> None:
    r = drillhall("secrets", "[/x]", cwd=project)
    assert r.returncode == 2 and "[/x]: no such file or directory" in r.stderr
    assert "Traceback" not in r.stderr


def test_policy_typo_and_pasted_secret_are_config_errors(project: Path) -> None:
    (project / "drillhall.toml").write_text(
        '[drills.secrets]\npaths = ["app"]\n[policy.max_severity]\nsecretz = "low"\n')
    r = drillhall("run", cwd=project)
    assert r.returncode == 2 and "unknown drill 'secretz'" in r.stderr
    token = fake_secret("DH-SECRET-GITHUB-PAT", seed=9)
    (project / "allow.toml").write_text(f'[[allow]]\nvalue_sha256 = "{token}"\nreason = "x"\n')
    r = drillhall("secrets", "app", "--allowlist", "allow.toml", cwd=project)
    assert r.returncode == 2, r.stderr
    assert token not in r.stderr and "allow.toml" in r.stderr
