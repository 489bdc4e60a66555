"""The Chaos Day live log: timestamped entries of what was seen, thought and done, by whom.

Entries are kept in the history store next to the runs (table ``chaosday_log``), so the
dashboard and the review read one place. Free text is redacted before it is stored: secrets
and structured personal values never reach the database in clear.
"""

from __future__ import annotations

from datetime import datetime

from drillhall.chaos.day.plan import DayPlan
from drillhall.core.model import DAY_ENTRY_KINDS, DAY_STATUSES, DayEntry, utcnow
from drillhall.errors import ConfigError
from drillhall.pii.text import redact_text

MAX_TEXT = 4000
"""Longest entry text kept; a pasted log dump is cut here (the cut is marked)."""


def new_entry(plan: DayPlan, text: str, *, author: str, kind: str = "observation",
              experiment: str | None = None, owner: str | None = None,
              status: str | None = None, run_id: str | None = None,
              at: datetime | None = None) -> DayEntry:
    """Build a checked, redacted log entry for ``plan``'s day (not yet stored)."""
    body = text.strip()
    if not body:
        raise ConfigError("a log entry needs some text: what was seen, thought or done")
    if not author.strip():
        raise ConfigError("a log entry needs an author (--by NAME or role)")
    if kind not in DAY_ENTRY_KINDS:
        raise ConfigError(f"log entry kind {kind!r} is not one of {', '.join(DAY_ENTRY_KINDS)}")
    if status is not None and status not in DAY_STATUSES:
        raise ConfigError(f"incident status {status!r} is not one of {', '.join(DAY_STATUSES)}")
    if experiment is not None:
        plan.experiment(experiment)  # raises with the planned ids
    if kind == "backlog" and not owner:
        raise ConfigError("a backlog item needs an owner (--owner NAME)")
    if len(body) > MAX_TEXT:
        body = body[:MAX_TEXT] + " […cut]"
    stamp = at or utcnow()
    if stamp.tzinfo is None:
        raise ConfigError(f"log time {stamp.isoformat()} has no time zone")
    return DayEntry(
        day=plan.day, at=stamp, author=author.strip(), kind=kind,
        text=redact_text(body), experiment=experiment, owner=owner,
        status=status if status is not None else ("open" if kind == "incident" else None),
        run_id=run_id,
    )
