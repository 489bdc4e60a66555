"""The Chaos Day board: the days that have a log, and for one day its incidents in three
columns (In progress, Resolved by agents, Resolved by owning team) beside the live log, with
forms to add a log entry and to move an incident. Every form is CSRF-checked
(:func:`~drillhall.web.dashboard.security.read_form`) and every text is redacted before it
is stored."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from drillhall.core.model import DAY_ENTRY_KINDS, DAY_STATUSES, DayEntry, utcnow
from drillhall.pii.text import redact_text
from drillhall.store import Store
from drillhall.web.dashboard import queries, views
from drillhall.web.dashboard.rendering import page
from drillhall.web.dashboard.security import read_form

router = APIRouter()

DAY_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
"""A Chaos Day id, as in day files: lower-case letters, digits, ``.``, ``_`` and ``-``."""
MAX_TEXT = 4000
MAX_NAME = 120


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _day(day: str) -> str:
    if not DAY_ID.fullmatch(day):
        raise HTTPException(404, "A Chaos Day id is lower-case letters, digits, '.', '_' "
                            "and '-'.")
    return day


@router.get("/chaosday")
def days_page(request: Request) -> Response:
    wanted = request.query_params.get("day", "").strip().lower()
    if wanted and DAY_ID.fullmatch(wanted):
        return RedirectResponse(f"/chaosday/{wanted}", status_code=303)
    return page(request, "chaosday_days.html.j2", title="Chaos Days", nav="chaosday",
                days=queries.chaos_days(_store(request)), bad=bool(wanted))


def _board_context(request: Request, day: str) -> dict[str, Any]:
    entries = _store(request).day_entries(day)
    return {"board": views.board(day, entries), "statuses": views.BOARD_COLUMNS,
            "refresh": request.app.state.settings.refresh_seconds}


@router.get("/chaosday/{day}")
def board_page(request: Request, day: str) -> Response:
    day = _day(day)
    return page(request, "chaosday_board.html.j2", title=f"Chaos Day {day}", nav="chaosday",
                day=day, kinds=DAY_ENTRY_KINDS, error=None, **_board_context(request, day))


@router.get("/chaosday/{day}/live")
def board_live(request: Request, day: str) -> Response:
    """The board and log alone, for the page's 10-second refresh."""
    day = _day(day)
    return page(request, "chaosday_live.html.j2", day=day, **_board_context(request, day))


def _field(form: dict[str, str], name: str, limit: int) -> str:
    return form.get(name, "").strip()[:limit]


@router.post("/chaosday/{day}/entries")
async def add_entry(request: Request, day: str) -> Response:
    day = _day(day)
    form = await read_form(request)
    text = form.get("text", "").strip()
    author = _field(form, "author", MAX_NAME)
    kind = form.get("kind", "observation")
    problem = None
    if not text:
        problem = "A log entry needs some text: what was seen, thought or done."
    elif not author:
        problem = "A log entry needs an author (a name or a role)."
    elif kind not in DAY_ENTRY_KINDS:
        problem = f"The kind of entry must be one of {', '.join(DAY_ENTRY_KINDS)}."
    owner = _field(form, "owner", MAX_NAME) or None
    if problem is None and kind == "backlog" and not owner:
        problem = "A backlog item needs an owner."
    if problem is not None:
        return page(request, "chaosday_board.html.j2", status_code=400,
                    title=f"Chaos Day {day}", nav="chaosday", day=day, kinds=DAY_ENTRY_KINDS,
                    error=problem, **_board_context(request, day))
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + " […cut]"
    experiment = _field(form, "experiment", MAX_NAME) or None
    _store(request).add_day_entry(DayEntry(
        day=day, at=utcnow(), author=redact_text(author), kind=kind, text=redact_text(text),
        experiment=None if experiment is None else redact_text(experiment),
        owner=None if owner is None else redact_text(owner),
        status="open" if kind == "incident" else None))
    return RedirectResponse(f"/chaosday/{day}", status_code=303)


@router.post("/chaosday/{day}/incidents/{entry_id}")
async def move_incident(request: Request, day: str, entry_id: int) -> Response:
    day = _day(day)
    form = await read_form(request)
    status = form.get("status", "")
    if status not in DAY_STATUSES:
        raise HTTPException(400, f"An incident's status is one of {', '.join(DAY_STATUSES)}.")
    store = _store(request)
    if not any(e.id == entry_id and e.kind == "incident" for e in store.day_entries(day)):
        raise HTTPException(404, f"Chaos Day {day} has no incident #{entry_id}.")
    store.set_day_status(day, entry_id, status)
    return RedirectResponse(f"/chaosday/{day}", status_code=303)
