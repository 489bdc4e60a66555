"""The Chaos Day log in the store: append, read back in order, update incident status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from drillhall.core.model import DayEntry
from drillhall.errors import StoreError
from drillhall.store import Store

T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _entry(day: str, minutes: int, kind: str = "observation", text: str = "seen") -> DayEntry:
    return DayEntry(day=day, at=T0 + timedelta(minutes=minutes), author="responder", kind=kind,
                    text=text, status="open" if kind == "incident" else None)


def test_entries_come_back_in_time_order_per_day(store: Store) -> None:
    store.add_day_entry(_entry("day-b", 1))
    late = store.add_day_entry(_entry("day-a", 30, text="late"))
    early = store.add_day_entry(_entry("day-a", 5, text="early"))
    assert late.id is not None and early.id is not None and late.id != early.id
    got = store.day_entries("day-a")
    assert [e.text for e in got] == ["early", "late"]
    assert got[0].at == T0 + timedelta(minutes=5)
    assert got[0].at.tzinfo is not None
    assert store.day_entries("nope") == []


def test_incident_status_moves_on_the_board(store: Store) -> None:
    incident = store.add_day_entry(_entry("day-a", 1, kind="incident"))
    note = store.add_day_entry(_entry("day-a", 2))
    assert incident.id is not None and note.id is not None
    moved = store.set_day_status("day-a", incident.id, "resolved-by-agents")
    assert moved.status == "resolved-by-agents"
    assert store.day_entries("day-a")[0].status == "resolved-by-agents"
    with pytest.raises(StoreError, match="no incident"):
        store.set_day_status("day-a", note.id, "resolved-by-team")
    with pytest.raises(StoreError, match="no incident"):
        store.set_day_status("day-b", incident.id, "resolved-by-team")


def test_runs_between_picks_the_window(store: Store) -> None:
    from tests.store.sample import BASE, make_run

    store.save(make_run("r-inside"))
    store.save(make_run("r-outside", minutes=-3000))
    store.save(make_run("r-other-service", service="other"))
    got = store.runs_between(BASE - timedelta(hours=1), BASE + timedelta(hours=1),
                             service="docs-assistant")
    assert [r.id for r in got] == ["r-inside"]
    assert got[0].results[0].findings  # whole runs, not summaries
