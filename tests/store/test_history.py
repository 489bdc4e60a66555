"""Saving runs and reading them back: round trips, look-ups, summaries, series."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from drillhall.core.model import DrillResult, Metric, Run, Severity, Status, Verdict
from drillhall.errors import StoreError
from drillhall.store import Store

from .sample import BASE, make_run


def test_get_rebuilds_an_equal_run(store: Store) -> None:
    run = make_run("20261126T020700Z-abc123")
    store.save(run)
    back = store.get(run.id)
    assert back == run
    assert [r.drill for r in back.results] == ["secrets", "patch", "chaos", "llm"]
    assert [f.rule_id for f in back.findings] == [f.rule_id for f in run.findings]
    assert back.results[0].findings[0].tags == ("CWE-798", "ML05")
    assert back.results[2].reason == "no experiment configured"
    assert back.results[3].diagnostics == run.results[3].diagnostics
    assert back.violations == run.violations


def test_timestamps_come_back_aware_in_utc(store: Store) -> None:
    run = make_run("tz-run")
    store.save(run)
    back = store.get("tz-run")
    stamps = [back.started, back.finished]
    for result in back.results:
        stamps += [result.started, result.finished, *(j.at for j in result.journal)]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in stamps)
    assert back.started == BASE
    assert back.results[0].journal[1].at == BASE + timedelta(seconds=1)


def test_empty_run_and_special_metric_values(store: Store) -> None:
    empty = Run(id="empty", service="svc", started=BASE, finished=BASE, results=())
    store.save(empty)
    assert store.get("empty") == empty
    odd = Run(
        id="odd", service="svc", started=BASE, finished=BASE,
        results=(DrillResult(
            drill="x", status=Status.INTERRUPTED, started=BASE, finished=BASE,
            metrics=(Metric("a", math.inf), Metric("b", -0.5), Metric("c", math.nan)),
        ),),
    )
    store.save(odd)
    values = [m.value for m in store.get("odd").results[0].metrics]
    assert values[:2] == [math.inf, -0.5]
    assert math.isnan(values[2])


def test_saving_the_same_run_twice_is_refused(store: Store) -> None:
    run = make_run("dup-1")
    store.save(run)
    with pytest.raises(StoreError, match="'dup-1' is already stored"):
        store.save(replace(run, service="other"))
    assert store.get("dup-1") == run


def test_failed_save_leaves_nothing_behind(store: Store) -> None:
    naive = datetime(2026, 1, 1)  # no time zone: the point of the test
    run = make_run("half")
    bad = replace(run, results=(*run.results, replace(run.results[0], finished=naive)))
    with pytest.raises(StoreError, match="cannot save run 'half'"):
        store.save(bad)
    assert store.runs() == []
    store.save(run)
    assert store.get("half") == run


def test_get_by_unique_prefix_unknown_and_ambiguous(store: Store) -> None:
    for run_id in ("20261126T0207-aa", "20261126T0207-ab", "20261127T0000-cc"):
        store.save(make_run(run_id))
    assert store.get("20261127").id == "20261127T0000-cc"
    assert store.get("20261126T0207-ab").id == "20261126T0207-ab"
    with pytest.raises(StoreError, match="ambiguous") as err:
        store.get("20261126")
    assert "20261126T0207-aa, 20261126T0207-ab" in str(err.value)
    with pytest.raises(StoreError, match="no stored run has an id starting with 'zz'"):
        store.get("zz")
    with pytest.raises(StoreError, match="no stored run"):
        store.get("2026112_")  # wildcards are literal characters
    with pytest.raises(StoreError, match="give a run id"):
        store.get("  ")


def test_exact_id_wins_over_longer_ids_sharing_it_as_prefix(store: Store) -> None:
    store.save(make_run("abc"))
    store.save(make_run("abcd"))
    assert store.get("abc").id == "abc"


def test_runs_summaries_newest_first(store: Store) -> None:
    store.save(make_run("r1", minutes=0, libyears=1.0))
    store.save(make_run("r2", minutes=10, libyears=2.0, verdict=Verdict.PASSED))
    store.save(make_run("r3", minutes=5, service="other"))
    summaries = store.runs()
    assert [s.id for s in summaries] == ["r2", "r3", "r1"]
    top = summaries[0]
    assert top.service == "docs-assistant"
    assert top.verdict is Verdict.PASSED
    assert top.started == BASE + timedelta(minutes=10)
    assert top.started.tzinfo is not None
    assert top.drills == ("secrets", "patch", "chaos", "llm")
    assert top.metrics == {"secrets.files_scanned": 120.0, "secrets.bytes_scanned": 1.5e6,
                           "patch.libyears": 2.0, "patch.outdated": 4.0}
    assert top.severity_counts == {Severity.INFO: 0, Severity.LOW: 0, Severity.MEDIUM: 1,
                                   Severity.HIGH: 1, Severity.CRITICAL: 1}
    assert top.findings_total == 3
    assert [s.id for s in store.runs(service="docs-assistant")] == ["r2", "r1"]
    assert [s.id for s in store.runs(limit=1)] == ["r2"]
    assert store.runs(service="nobody") == []


def test_latest_and_services(store: Store) -> None:
    assert store.latest("docs-assistant") is None
    assert store.services() == []
    store.save(make_run("old", minutes=0))
    store.save(make_run("new", minutes=1))
    store.save(make_run("zeta", service="zeta", minutes=9))
    latest = store.latest("docs-assistant")
    assert latest is not None and latest.id == "new"
    assert store.services() == ["docs-assistant", "zeta"]


def test_metric_series_oldest_first_with_limit_and_service(store: Store) -> None:
    for i in range(5):
        store.save(make_run(f"m{i}", minutes=i, libyears=float(i)))
    store.save(make_run("elsewhere", service="other", minutes=99, libyears=42.0))
    series = store.metric_series("patch.libyears", service="docs-assistant")
    assert [(run_id, value) for _, run_id, value in series] == [
        (f"m{i}", float(i)) for i in range(5)
    ]
    assert series[0][0] == BASE and series[0][0].tzinfo is not None
    assert [v for _, _, v in store.metric_series("patch.libyears", limit=2)] == [4.0, 42.0]
    assert store.metric_series("no.such.metric") == []


def test_metric_series_takes_the_last_value_of_a_run_like_run_metrics(store: Store) -> None:
    run = make_run("twice")
    extra = DrillResult(drill="patch-again", status=Status.PASSED, started=BASE, finished=BASE,
                        metrics=(Metric("patch.libyears", 7.0), Metric("patch.libyears", 8.0)))
    run = replace(run, results=(*run.results, extra))
    store.save(run)
    assert run.metrics()["patch.libyears"] == 8.0
    assert [v for _, _, v in store.metric_series("patch.libyears")] == [8.0]
    assert store.runs()[0].metrics["patch.libyears"] == 8.0


def test_store_is_a_context_manager_and_shows_its_url(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.save(make_run("ctx"))
        assert repr(store).startswith("Store(")
        assert store.backend in ("sqlite", "postgresql")
    with Store.open(store_url) as again:
        assert again.get("ctx") == make_run("ctx")


def test_in_memory_store_is_private_and_works_across_threads() -> None:
    import threading

    with Store.open("sqlite://") as one, Store.open("sqlite://") as two:
        one.save(make_run("mem"))
        assert two.runs() == []
        seen: list[Run] = []
        thread = threading.Thread(target=lambda: seen.append(one.get("mem")))
        thread.start()
        thread.join()
        assert seen == [make_run("mem")]


def test_aware_non_utc_input_is_stored_as_the_same_instant(store: Store) -> None:
    tokyo = BASE.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    run = Run(id="tokyo", service="svc", started=tokyo, finished=tokyo, results=())
    store.save(run)
    back = store.get("tokyo")
    assert back == run
    assert back.started.tzinfo is UTC or back.started.utcoffset() == timedelta(0)
