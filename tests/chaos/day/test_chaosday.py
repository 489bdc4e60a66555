"""Chaos Days through the command line: plan, log, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drillhall.chaos.day.log import new_entry
from drillhall.chaos.day.plan import TEMPLATE, load_plan
from drillhall.chaos.day.review import build_review, render_html, render_markdown
from drillhall.cli.main import main
from drillhall.core.model import DrillResult, JournalEntry, Metric, Run, Status
from drillhall.errors import ConfigError
from drillhall.store import Store
from drillhall.testing.fakekeys import fake_secret

DAY = "docs-assistant-2026-12-03"
T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def day_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "slow-upstream.yaml").write_text("title: slow\n")
    (tmp_path / "day.yaml").write_text(TEMPLATE)
    return tmp_path


def _chaos_run(run_id: str, started: datetime, *, status: Status, deviated: float,
               gate: float = 0.0) -> Run:
    result = DrillResult(
        drill="chaos", status=status, started=started, finished=started + timedelta(minutes=2),
        metrics=(Metric("chaos.deviated", deviated), Metric("chaos.gate_failed", gate),
                 Metric("chaos.detect_seconds", 1.5), Metric("chaos.recover_seconds", 4.0),
                 Metric("chaos.revert_seconds", 0.2), Metric("chaos.faults_left", 0)),
        journal=(JournalEntry(started, "experiment", "experiments/slow-upstream.yaml"),
                 JournalEntry(started + timedelta(seconds=30), "deviation",
                              "probe answer-in-5s failed")),
    )
    return Run(id=run_id, service="docs-assistant", started=started,
               finished=started + timedelta(minutes=2), results=(result,))


def test_plan_new_writes_a_valid_template_and_refuses_to_overwrite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["chaosday", "plan", "--new", "day.yaml"]) == 0
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "slow-upstream.yaml").write_text("title: x\n")
    assert main(["chaosday", "plan", "day.yaml"]) == 0
    shown = capsys.readouterr().out
    assert "slow-upstream" in shown and "classifier-restart" in shown and "12:00-13:00" in shown
    assert main(["chaosday", "plan", "--new", "day.yaml"]) == 2
    assert "not overwriting" in capsys.readouterr().err


@pytest.mark.parametrize(("edit", "message"), [
    (("date: 2026-12-03", "date: someday"), "day.yaml:6: key 'date'"),
    (("  agents: [agent-of-chaos-1]", "  agents: []"), "day.yaml:16: key 'roles.agents'"),
    (("blackout: [\"12:00-13:00\"]", "blackout: [\"noon\"]"), "not HH:MM-HH:MM"),
    (("  - {at: \"11:00\", experiment: classifier-restart}",
      "  - {at: \"11:00\", experiment: nope}"), "names experiment 'nope'"),
    (("timezone: UTC", "timezone: Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
    (("theme:", "theme: [unclosed\ntheme:"), "day.yaml:"),
])
def test_a_wrong_day_file_is_one_sentence_and_exit_2(
        day_dir: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str],
        message: str) -> None:
    text = TEMPLATE
    assert edit[0] in text
    (day_dir / "day.yaml").write_text(text.replace(edit[0], edit[1], 1))
    assert main(["chaosday", "plan", "day.yaml"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_missing_experiment_file_fails_the_check(day_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (day_dir / "experiments" / "slow-upstream.yaml").unlink()
    assert main(["chaosday", "plan", "day.yaml"]) == 2
    assert "experiment file of 'slow-upstream' does not exist" in capsys.readouterr().err


def test_log_stores_redacted_entries_and_moves_incidents(
        day_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = fake_secret("DH-SECRET-GITHUB-PAT")
    assert main(["chaosday", "log", "day.yaml", f"leaked key {key} in the logs",
                 "--by", "responder", "-e", "slow-upstream"]) == 0
    assert main(["chaosday", "log", "day.yaml", "answers time out", "--by", "responder",
                 "--kind", "incident"]) == 0
    assert main(["chaosday", "log", "day.yaml", "--resolve", "2", "--status",
                 "resolved-by-team"]) == 0
    capsys.readouterr()
    with Store.open(None, root=day_dir) as store:
        entries = store.day_entries(DAY)
    assert [e.kind for e in entries] == ["observation", "incident"]
    assert key not in entries[0].text and "sha256:" in entries[0].text
    assert entries[1].status == "resolved-by-team"
    assert main(["chaosday", "log", "day.yaml", "--show"]) == 0
    assert key not in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["x", "--by", "me", "--kind", "bogus"], "kind 'bogus' is not one of"),
    (["x", "--by", "me", "-e", "nope"], "no experiment 'nope' in the plan"),
    (["x", "--by", "me", "--kind", "backlog"], "needs an owner"),
    (["x"], "needs an author"),
    ([], "give the text of the entry"),
    (["--resolve", "9", "--status", "resolved-by-team"], "has no incident #9"),
    (["--resolve", "2", "--status", "bogus"], "got 'bogus'"),
])
def test_log_rejects_bad_entries(day_dir: Path, capsys: pytest.CaptureFixture[str],
                                 args: list[str], message: str) -> None:
    assert main(["chaosday", "log", "day.yaml", *args]) == 2
    assert message in capsys.readouterr().err


def test_review_joins_plan_log_and_runs(day_dir: Path) -> None:
    plan = load_plan(day_dir / "day.yaml")
    with Store.open(None, root=day_dir) as store:
        store.save(_chaos_run("run-1", T0, status=Status.FAILED, deviated=1))
        store.save(_chaos_run("run-far", T0 + timedelta(days=3), status=Status.PASSED,
                              deviated=0))
        for text, kind, owner in (
                ("latency alert fired after 90 s", "observation", None),
                ("the upstream call has no timeout", "learning", None),
                ("alert on p95 latency, not on errors", "improvement", None),
                ("add a 5 s timeout to the upstream call", "backlog", "platform-team")):
            store.add_day_entry(new_entry(plan, text, author="responder", kind=kind,
                                          owner=owner, experiment="slow-upstream",
                                          at=T0 + timedelta(minutes=1)))
    assert main(["chaosday", "review", "day.yaml"]) == 0
    md = (day_dir / f"{DAY}-review.md").read_text()
    html = (day_dir / f"{DAY}-review.html").read_text()
    assert "1 of 2 planned experiments ran; 0 held" in md
    assert "hypothesis did not hold (deviated)" in md
    assert "| 1.5 s | 4.0 s | 0.2 s | 1 |" in md
    assert "run-far" not in md  # another day
    assert "add a 5 s timeout to the upstream call | platform-team" in md
    assert "the upstream call has no timeout" in md
    assert "deviation: probe answer-in-5s failed" in md
    assert "<script" not in html and "http://" not in html.split("</style>")[1]
    assert "hypothesis did not hold" in html and "platform-team" in html


def test_review_outcomes_and_escaping(day_dir: Path) -> None:
    plan = load_plan(day_dir / "day.yaml")
    hostile = new_entry(plan, "<img src=x onerror=alert(1)> | pipe", author="agent",
                        kind="learning", at=T0)
    runs = [_chaos_run("gate", T0, status=Status.FAILED, deviated=0, gate=1),
            _chaos_run("held", T0 + timedelta(hours=1), status=Status.PASSED, deviated=0)]
    review = build_review(plan, [hostile], runs, now=T0)
    slow = review.experiments[0]
    assert [r.outcome for r in slow.runs] == [
        "steady state did not hold before the fault (gate failed)", "hypothesis held"]
    assert slow.held is True
    html = render_html(review)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "\\| pipe" in render_markdown(review)


def test_blackout_windows_use_the_plan_time_zone(day_dir: Path) -> None:
    text = TEMPLATE.replace("timezone: UTC", "timezone: Europe/Paris")
    (day_dir / "day.yaml").write_text(text)
    plan = load_plan(day_dir / "day.yaml")
    assert plan.in_blackout(datetime(2026, 12, 3, 11, 30, tzinfo=UTC)) == "12:00-13:00"
    assert plan.in_blackout(datetime(2026, 12, 3, 12, 30, tzinfo=UTC)) is None
    start, end = plan.window()
    assert start == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_entry_text_is_bounded(day_dir: Path) -> None:
    plan = load_plan(day_dir / "day.yaml")
    entry = new_entry(plan, "x" * 10_000, author="me")
    assert len(entry.text) < 4100 and entry.text.endswith("[…cut]")
    with pytest.raises(ConfigError, match="no time zone"):
        new_entry(plan, "x", author="me", at=datetime(2026, 12, 3, 10, 0))
