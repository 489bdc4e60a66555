"""`drillhall ml model | manifest | endpoint` end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drillhall.testing.endpoints import EndpointServer, demo_app, hardened_app
from tests.artifacts._corpus import call4

pytest.importorskip("cryptography")


def drillhall(*args: str, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    full.pop("DRILLHALL_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "drillhall", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=180, check=False)


def test_model_finds_renamed_payload_by_content(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "weights.txt").write_bytes(call4("posix", "system", "echo pwned"))
    (models / "notes.md").write_text("# a model card\n")
    r = drillhall("ml", "model", "models", "-f", "json", "--no-store", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    (finding,) = json.loads(r.stdout)["results"][0]["findings"]
    assert finding["rule_id"] == "DH-MODEL-PICKLE-DANGEROUS-IMPORT"
    assert finding["location"]["path"] == "weights.txt"
    assert finding["severity"] == "critical"
    missing = drillhall("ml", "model", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "nope: no such file or directory" in missing.stderr


def test_manifest_keygen_create_verify_and_tamper(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("text,label\nhello,a\n")
    assert drillhall("ml", "manifest", "keygen", "--private", "k.key", "--public", "k.pub",
                     cwd=tmp_path).returncode == 0
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
    r = drillhall("ml", "manifest", "create", "data", "--key", "k.key", "--bom", "bom.json",
                  cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "bom.json").read_text())["bomFormat"] == "CycloneDX"
    ok = drillhall("ml", "manifest", "verify", "data", "-p", "k.pub", "-f", "json",
                   "--no-store", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    (data / "train.csv").write_text("text,label\nhello,b\n")
    (data / "extra.csv").write_text("x\n")
    bad = drillhall("ml", "manifest", "verify", "data", "-p", "k.pub", "-f", "json",
                    "--no-store", cwd=tmp_path)
    assert bad.returncode == 1
    rules = {f["rule_id"] for f in json.loads(bad.stdout)["results"][0]["findings"]}
    assert rules == {"DH-MANIFEST-FILE-CHANGED", "DH-MANIFEST-FILE-ADDED"}


def test_endpoint_open_versus_hardened(tmp_path: Path) -> None:
    with EndpointServer(demo_app()) as open_server:
        r = drillhall("ml", "endpoint", f"{open_server.url}/classify", "-f", "json",
                      "--no-store", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "probe plan for" in r.stderr
    tags = {t for f in json.loads(r.stdout)["results"][0]["findings"] for t in f["tags"]}
    assert {"exposure:unauthenticated", "exposure:probabilities",
            "exposure:no-rate-limit"} <= tags
    token = "tok-" + "7f3a9c" * 4
    with EndpointServer(hardened_app(token, limit=30)) as hard:
        h = drillhall("ml", "endpoint", f"{hard.url}/classify", "--token-env", "DEMO_TOKEN",
                      "-f", "json", "--no-store", cwd=tmp_path, env={"DEMO_TOKEN": token})
    assert h.returncode == 0, h.stderr
    findings = json.loads(h.stdout)["results"][0]["findings"]
    assert all(f["severity"] == "info" for f in findings)
    assert token not in h.stdout + h.stderr
    remote = drillhall("ml", "endpoint", "http://192.0.2.1/classify", cwd=tmp_path)
    assert remote.returncode == 2 and "--allow-remote" in remote.stderr


def test_data_finds_pii_and_flips_and_redacts(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    from drillhall.demo import assets_dir

    source = assets_dir() / "data" / "tickets.csv"
    r = drillhall("ml", "data", str(source), "--label", "label", "--pii", "-f", "json",
                  "--no-store", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    findings = json.loads(r.stdout)["results"][0]["findings"]
    tags = {t for f in findings for t in f["tags"]}
    assert {"label:flip", "poison:trigger", "pii:email", "pii:card"} <= tags
    for f in findings:
        assert f["location"]["path"] == "tickets.csv"
        if f["rule_id"].startswith("DH-PII-") and f["rule_id"] != "DH-PII-COLUMN":
            assert isinstance(f["location"]["row"], int) and f["location"]["field"] == "text"
    emails = [line.split(",", 1)[1] for line in source.read_text().splitlines() if "@" in line]
    out = tmp_path / "redacted.csv"
    no_key = drillhall("ml", "data", str(source), "--redact", str(out), cwd=tmp_path)
    assert no_key.returncode == 2 and "DRILLHALL_PSEUDONYM_KEY" in no_key.stderr
    key = {"DRILLHALL_PSEUDONYM_KEY": "k" * 24}
    red = drillhall("ml", "data", str(source), "--redact", str(out), "--no-store", "-f", "json",
                    cwd=tmp_path, env=key)
    assert red.returncode == 1, red.stderr
    text = out.read_text()
    assert "@" not in text and "<email:" in text
    assert emails and all(e not in red.stdout for e in emails)
    bad = drillhall("ml", "data", str(source), "--label", "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr


def test_endpoint_query_values_are_masked_everywhere(tmp_path: Path) -> None:
    secret = "QuErY" + "sEcReT42xyz"
    with EndpointServer(demo_app()) as server:
        r = drillhall("ml", "endpoint", f"{server.url}/classify?api_key={secret}", "-f", "json",
                      "-o", "e.json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert secret not in r.stdout + r.stderr
    assert secret not in (tmp_path / "e.json").read_text()
    stored = b"".join(p.read_bytes() for p in (tmp_path / ".drillhall").glob("history.db*"))
    assert secret.encode() not in stored
