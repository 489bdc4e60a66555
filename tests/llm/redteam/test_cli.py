"""`drillhall llm redteam` end to end in a subprocess against a stand-in server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from drillhall.testing.fakekeys import fake_secret
from drillhall.testing.llm import (
    DEFAULT_SYSTEM_PROMPT,
    Fault,
    Faults,
    HardenedModel,
    NaiveModel,
    serve_model,
)
from tests.llm.redteam.conftest import CANARY


def drillhall(*args: str, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    full.pop("DRILLHALL_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "drillhall", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=180, check=False)


def test_json_report_shape_plan_and_no_key_anywhere(tmp_path: Path, index_url: str) -> None:
    key = fake_secret("DH-SECRET-OPENAI-API-KEY", seed=5)
    (tmp_path / "prompt.txt").write_text(DEFAULT_SYSTEM_PROMPT)
    with serve_model(NaiveModel(), canaries=(CANARY,), api_key=key) as url:
        r = drillhall("llm", "redteam", "--target", url, "--api-key-env", "RT_KEY",
                      "--system-prompt-file", "prompt.txt", "--canary", CANARY,
                      "--categories", "system-prompt-extraction,canary-leakage",
                      "--categories", "excessive-agency", "--budget", "200",
                      "--package-index", index_url, "-f", "json", cwd=tmp_path,
                      env={"RT_KEY": key})
    assert r.returncode == 1, r.stderr
    assert "red-team plan:" in r.stderr and "requests: at most" in r.stderr
    assert "127.0.0.1" in r.stderr and "run id: rt-" in r.stderr
    report = json.loads(r.stdout)
    (result,) = report["results"]
    assert result["drill"] == "redteam" and result["status"] == "failed"
    metrics = result["metrics"]
    for name in ("llm.attacks", "llm.attack_success_rate", "llm.asr.LLM02", "llm.asr.LLM06",
                 "llm.asr.LLM07", "llm.requests", "llm.errors"):
        assert name in metrics
    assert "llm.asr.LLM01" not in metrics  # not tested
    categories = set()
    for finding in result["findings"]:
        tags = finding["tags"]
        assert tags[0] in ("LLM02", "LLM06", "LLM07")
        categories.add(tags[1])
        assert finding["rule_id"].startswith("DH-LLM-") and finding["location"]["symbol"]
    assert categories == {"attack:system-prompt-extraction", "attack:canary-leakage",
                          "attack:excessive-agency"}
    everything = r.stdout + r.stderr
    assert key not in everything and CANARY not in everything
    for path in [*tmp_path.rglob("*.jsonl"), *tmp_path.rglob("*.db")]:
        assert key.encode() not in path.read_bytes() and CANARY.encode() not in path.read_bytes()

    # the stored run is what the next run compares with
    with serve_model(HardenedModel(), canaries=(CANARY,), api_key=key) as url:
        again = drillhall("llm", "redteam", "--target", url, "--api-key-env", "RT_KEY",
                          "--canary", CANARY, "--categories", "canary-leakage", "-f", "json",
                          "--package-index", "none", cwd=tmp_path, env={"RT_KEY": key})
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["results"][0]["findings"] == []


def test_dry_run_and_bad_input(tmp_path: Path) -> None:
    with serve_model(HardenedModel()) as url:
        dry = drillhall("llm", "redteam", "--target", url, "--dry-run", "--no-store",
                        "-f", "json", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "red-team plan:" in dry.stderr
    assert json.loads(dry.stdout)["results"][0]["status"] == "skipped"
    assert not list(tmp_path.rglob("*.jsonl"))  # nothing was sent or checkpointed
    unset = drillhall("llm", "redteam", "--target", "http://127.0.0.1:9/v1", "--api-key-env",
                      "NOT_SET_ANYWHERE", cwd=tmp_path)
    assert unset.returncode == 2 and "NOT_SET_ANYWHERE" in unset.stderr
    bad = drillhall("llm", "redteam", "--target", "http://127.0.0.1:9/v1", "--categories",
                    "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown attack category 'nope'" in bad.stderr
    missing = drillhall("llm", "redteam", "--target", "http://127.0.0.1:9/v1", "--resume",
                        "rt-20260101T000000Z-000000", cwd=tmp_path)
    assert missing.returncode == 2 and "no red-team checkpoint" in missing.stderr
    assert "Traceback" not in unset.stderr + bad.stderr + missing.stderr


def test_sigterm_then_resume_finishes_the_same_run(tmp_path: Path, index_url: str) -> None:
    faults = Faults(always=Fault("slow", delay=0.05))
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DRILLHALL_DATABASE_URL", None)
    with serve_model(NaiveModel(), canaries=(CANARY,), faults=faults) as url:
        args = ["llm", "redteam", "--target", url, "--canary", CANARY, "--limit", "40",
                "--concurrency", "2", "--package-index", index_url, "-f", "json"]
        proc = subprocess.Popen([sys.executable, "-m", "drillhall", *args], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        folder = tmp_path / ".drillhall" / "redteam"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(folder.glob("*.jsonl")) if folder.is_dir() else []
            if files and len(files[0].read_text().splitlines()) > 6:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        (checkpoint,) = folder.glob("*.jsonl")
        first = [json.loads(x)["attack"] for x in checkpoint.read_text().splitlines()[1:]]
        assert 5 < len(first) < 40
        assert json.loads(out)["results"][0]["status"] == "interrupted"

        again = drillhall(*args, "--resume", checkpoint.stem, cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    assert f"resuming run {checkpoint.stem}" in again.stderr
    done = [json.loads(x)["attack"] for x in checkpoint.read_text().splitlines()[1:]]
    assert done[:len(first)] == first and len(done) == len(set(done)) == 40
    metrics = json.loads(again.stdout)["results"][0]["metrics"]
    assert metrics["llm.attacks"] == 40 and metrics["llm.attacks_not_run"] == 0
