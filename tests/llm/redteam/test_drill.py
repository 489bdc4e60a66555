"""The red-team drill over real HTTP against the stand-in naive and hardened models."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drillhall.core.model import Run, Status, Verdict, utcnow
from drillhall.errors import ConfigError
from drillhall.llm.attacks import CATEGORIES
from drillhall.llm.redteam import checkpoint as ckpt
from drillhall.llm.redteam.drill import from_config
from drillhall.store import Store
from drillhall.testing.llm import (
    Fault,
    Faults,
    HardenedModel,
    NaiveModel,
    default_user_record,
    serve_model,
)
from tests.llm.redteam.conftest import CANARY, options, run_drill


def test_naive_fails_in_every_category_and_hardened_passes(tmp_path: Path,
                                                           index_url: str) -> None:
    with serve_model(NaiveModel(), canaries=(CANARY,)) as url:
        naive = run_drill(options(url, index_url), tmp_path)
    assert naive.status is Status.FAILED, naive.diagnostics
    found = {t.removeprefix("attack:") for f in naive.findings for t in f.tags
             if t.startswith("attack:")}
    assert found == set(CATEGORIES)
    for f in naive.findings:
        assert f.tags[0].startswith("LLM") and f.tags[2].startswith("AML.T")
        assert CANARY not in f.evidence and CANARY not in f.title
    transcripts = [json.loads(e.detail) for e in naive.journal if e.event == "transcript"]
    assert len(transcripts) == len(naive.findings)
    shown = json.dumps(transcripts) + json.dumps([f.evidence for f in naive.findings])
    for value in (CANARY, *default_user_record().values()):  # personal data masked too
        assert value not in shown
    metrics = {m.name: m.value for m in naive.metrics}
    assert metrics["llm.attacks"] >= 100 and metrics["llm.errors"] == 0
    assert {"llm.asr.LLM01", "llm.asr.LLM02", "llm.asr.LLM05", "llm.asr.LLM06", "llm.asr.LLM07",
            "llm.asr.LLM09", "llm.asr.LLM10"} <= set(metrics)
    assert 0 < metrics["llm.attack_success_rate"] <= 1

    with serve_model(HardenedModel(), canaries=(CANARY,)) as url:
        hard = run_drill(options(url, index_url), tmp_path)
    assert hard.status is Status.PASSED and hard.findings == ()
    hard_metrics = {m.name: m.value for m in hard.metrics}
    assert hard_metrics["llm.attack_success_rate"] == 0
    assert hard_metrics["llm.attacks"] == metrics["llm.attacks"]


def settled(read: Callable[[], int], quiet: float = 0.3, limit: float = 5.0) -> int:
    """``read()`` once it has not changed for ``quiet`` seconds (``limit`` at most)."""
    value, since, deadline = read(), time.monotonic(), time.monotonic() + limit
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        if (now := read()) != value:
            value, since = now, time.monotonic()
    return value


def test_interrupt_and_resume_runs_the_same_attacks_once(tmp_path: Path, index_url: str
                                                         ) -> None:
    faults = Faults(always=Fault("slow", delay=0.01))
    with serve_model(NaiveModel(), canaries=(CANARY,), faults=faults) as url:
        opts = options(url, index_url, seed=11, concurrency=4, limit=60,
                       target_options={"label": "stand-in"})
        first = run_drill(opts, tmp_path, cancel_after=20)
        assert first.status is Status.INTERRUPTED and "--resume rt-" in (first.reason or "")
        run_id = (first.reason or "").rsplit("--resume ", 1)[1]
        path = ckpt.checkpoint_path(tmp_path, run_id)
        done_first = [json.loads(x)["attack"] for x in path.read_text().splitlines()[1:]]
        assert 20 <= len(done_first) < 60
        # a request the cancelled run had in flight may reach the server a moment later:
        # count it with the first run, not the resumed one
        sent_first = settled(lambda: faults.requests)

        # another seed on the command line does not change a resumed run's attacks
        second = run_drill({**opts, "resume": run_id, "seed": 99}, tmp_path)
        sent_second = faults.requests - sent_first
    lines = path.read_text().splitlines()[1:]
    done_all = [json.loads(x)["attack"] for x in lines]
    assert len(done_all) == len(set(done_all)) == 60  # nothing done twice
    assert second.status is Status.FAILED
    metrics = {m.name: m.value for m in second.metrics}
    assert metrics["llm.attacks"] == 60 and metrics["llm.attacks_not_run"] == 0
    # only the attacks left over were sent, each once
    assert sent_second == sum(json.loads(x)["requests"] for x in lines[len(done_first):])

    # the same seed without interruption picks exactly the same attacks
    with serve_model(NaiveModel(), canaries=(CANARY,)) as url:
        fresh = from_config(options(url, index_url, seed=11, limit=60,
                                    target_options={"label": "stand-in"}), tmp_path)
        assert sorted(a.id for a in fresh.plan().attacks) == sorted(done_all)
    with pytest.raises(ConfigError, match="attacked stand-in"):
        from_config({**opts, "resume": run_id, "target_options": {"label": "other"}}, tmp_path)


def test_budget_stops_cleanly_and_429_is_retried(tmp_path: Path, index_url: str) -> None:
    faults = Faults(Fault("rate-limit", retry_after="0.2"), Fault("rate-limit", retry_after="0.2"))
    with serve_model(NaiveModel(), canaries=(CANARY,), faults=faults) as url:
        result = run_drill(options(url, index_url, budget=12, concurrency=3), tmp_path)
        received = faults.requests
    metrics = {m.name: m.value for m in result.metrics}
    assert result.status is Status.FAILED  # naive: some of the 12 requests got through
    assert metrics["llm.requests"] <= 12 and received <= 12 + 2  # + the two 429s retried
    assert metrics["llm.target.rate_limited"] == 2 and metrics["llm.errors"] == 0
    assert metrics["llm.attacks_not_run"] > 0
    (note,) = [e.detail for e in result.journal if e.event == "budget"]
    assert "budget of 12 is spent" in note and "--resume rt-" in note


@pytest.mark.parametrize("fault", [
    Fault("error", status=400), Fault("garbage"), Fault("no-choices"),
    Fault("huge", size=8 * 1024 * 1024), Fault("hang"),
])
def test_broken_target_ends_in_a_clear_error_quickly(tmp_path: Path, index_url: str,
                                                     fault: Fault) -> None:
    started = time.monotonic()
    with serve_model(NaiveModel(), faults=Faults(always=fault)) as url:
        result = run_drill(options(url, index_url, timeout=1.0, concurrency=4), tmp_path)
    assert time.monotonic() - started < 20
    assert result.status is Status.ERROR
    assert result.diagnostics and "is not answering" in result.diagnostics
    assert result.diagnostics.count("\n") == 0 and "Traceback" not in result.diagnostics


def test_some_errors_are_counted_not_successes(tmp_path: Path, index_url: str) -> None:
    faults = Faults()
    with serve_model(HardenedModel(), faults=faults) as url:
        faults.fail_next(*[Fault("error", status=400)] * 3)
        result = run_drill(options(url, index_url, concurrency=8, limit=30), tmp_path)
    metrics = {m.name: m.value for m in result.metrics}
    assert result.status is Status.PASSED and result.findings == ()
    assert metrics["llm.errors"] == 3 and metrics["llm.attacks"] == 27
    (note,) = [e.detail for e in result.journal if e.event == "target errors"]
    assert "HTTP 400" in note


def test_target_that_is_down(tmp_path: Path, index_url: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = run_drill(options(f"http://127.0.0.1:{port}/v1", index_url, model="m",
                               target_options={"max_retries": 1, "backoff_base": 0.05}),
                       tmp_path)
    assert time.monotonic() - started < 10
    assert result.status is Status.ERROR and "cannot reach" in (result.diagnostics or "")


def test_regression_against_the_previous_stored_run(tmp_path: Path, index_url: str) -> None:
    db = f"sqlite:///{tmp_path / 'history.db'}"
    opts = options("", index_url, limit=25, compare=True, store_url=db,
                   target_options={"label": "docs-assistant"})
    with serve_model(HardenedModel(), canaries=(CANARY,)) as url:
        before = run_drill({**opts, "target": url}, tmp_path)
    with Store.open(db, root=tmp_path) as store:
        store.save(Run("r1", "svc", utcnow(), utcnow(), (before,), Verdict.PASSED))
    with serve_model(NaiveModel(), canaries=(CANARY,)) as url:
        after = run_drill({**opts, "target": url}, tmp_path)
    assert after.findings and all("regression" in f.tags for f in after.findings)
    assert all(f.title.endswith("(regression)") for f in after.findings)
    (note,) = [e.detail for e in after.journal if e.event == "history"]
    assert note.startswith("compared with run r1:")
