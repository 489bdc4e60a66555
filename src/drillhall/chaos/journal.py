"""The experiment journal: JSON Lines, written as things happen.

Each line is one event ``{"ts": ISO-8601 UTC, "t": seconds since the start, "event": NAME,
...}``; every line is flushed and fsync'ed before the runner goes on, so a runner that is
killed leaves a journal that can be read up to its last event. The events:

``experiment-start`` (title, source, plan, pid) · ``steady-state`` (phase ``before`` /
``during`` / ``after`` / ``recovery``, ``met``, per-probe results) · ``activity-start`` and
``activity`` (phase, name, status, output, error, start, end) · ``revert-registered`` (id,
fault kind, the revert record and the module to import to run it — written **before** the
fault is injected) · ``fault-injected`` · ``stop-condition`` · ``deviation`` · ``abort``
(reason) · ``preempted`` · ``revert-start`` / ``revert-end`` (status ``ok`` or ``failed``) ·
``rollback`` · ``recovery`` · ``experiment-end`` (outcome, reason, timings, faults left).

Secret values are masked in every line (see :func:`drillhall.core.redact.scrub`).

Durability: every line is flushed to the operating system at once, so a runner that is killed
(SIGKILL, a crash) leaves every line it wrote. By default each line is also fsync'ed, so the
journal survives a power loss or kernel crash too; with ``sync="critical"`` only the events
``recover`` depends on (:data:`CRITICAL`) are fsync'ed, which makes activities cheaper
(an fsync costs milliseconds on many disks).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from drillhall.chaos.faults.base import Revert
from drillhall.core.model import utcnow
from drillhall.core.redact import scrub
from drillhall.errors import ConfigError, FaultError, InputError

CRITICAL = frozenset({"experiment-start", "revert-registered", "fault-injected",
                      "revert-start", "revert-end", "deviation", "stop-condition", "abort",
                      "experiment-end", "recover-start", "recover-end"})
"""Events always fsync'ed: those that say which faults are in place and which are reverted."""
SyncPolicy = Literal["every-event", "critical"]

FIELD_LIMIT = 16_000
"""Characters of one output kept in the journal (the rest is cut, and says so)."""


def jsonable(value: Any) -> Any:
    """``value`` as JSON-able data, long texts cut to :data:`FIELD_LIMIT`."""
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = json.dumps(repr(value))
    if len(text) > FIELD_LIMIT:
        return text[:FIELD_LIMIT] + f"… [{len(text) - FIELD_LIMIT} more characters]"
    return json.loads(text)


class Journal:
    """Appends events to one JSON Lines file (thread-safe). Also keeps them in memory."""

    def __init__(self, path: Path, secrets: Sequence[str] = (),
                 sync: SyncPolicy = "every-event") -> None:
        self.path = path
        self._sync_all = sync == "every-event"
        self._secrets = tuple(s for s in secrets if s)
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self.records: list[dict[str, Any]] = []
        self.write_error: str | None = None
        """Why an event could not be written, or ``None``."""
        self.best_effort = False
        """When set, an event that cannot be written is kept in memory and remembered in
        :attr:`write_error` instead of raising: on the rollback and recover paths a journal
        that cannot be written (a full disk — perhaps the fault itself) must never stop a
        revert."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] | None = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: the journal cannot be written "
                              f"({exc.strerror or exc})") from None

    def event(self, name: str, /, **fields: Any) -> dict[str, Any]:
        """Write one event and return it (as written, secrets masked)."""
        record = {"ts": utcnow().isoformat(), "t": round(time.monotonic() - self._t0, 4),
                  "event": name, **{k: jsonable(v) for k, v in fields.items()}}
        line = json.dumps(record, ensure_ascii=False)
        if self._secrets:
            line = scrub(line, self._secrets)
            record = json.loads(line)
        with self._lock:
            self.records.append(record)
            if self._file is not None:
                try:
                    self._file.write(line + "\n")
                    self._file.flush()
                    if self._sync_all or name in CRITICAL:
                        os.fsync(self._file.fileno())
                except OSError as exc:
                    self.write_error = self.write_error or f"{exc.strerror or exc}"
                    if not self.best_effort:
                        raise
        return record

    def note(self, name: str, /, **fields: Any) -> dict[str, Any]:
        """:meth:`event`, best effort whatever :attr:`best_effort` says."""
        saved, self.best_effort = self.best_effort, True
        try:
            return self.event(name, **fields)
        finally:
            self.best_effort = saved

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The events of a journal. A cut-off last line (the runner died while writing it) is
    ignored; any other line that is not a JSON object is an :class:`InputError`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such journal") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: the journal cannot be read ({exc})") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise InputError(f"{path}:{number}: not a journal line (invalid JSON)") from None
        if not isinstance(record, dict) or "event" not in record:
            raise InputError(f"{path}:{number}: not a journal event")
        records.append(record)
    if records and records[0].get("event") != "experiment-start":
        raise InputError(f"{path}: not a drillhall chaos journal (it does not begin with "
                         "an experiment-start event)")
    return records


@dataclass(frozen=True, slots=True)
class PendingRevert:
    """A revert registered in a journal and not recorded as done."""

    id: str
    revert: Revert
    module: str
    fault: str


def pending_reverts(records: Iterable[Mapping[str, Any]]) -> list[PendingRevert]:
    """Reverts registered but never finished successfully, last registered first (the order
    they must run in)."""
    registered: dict[str, PendingRevert] = {}
    done: set[str] = set()
    for r in records:
        if r.get("event") == "revert-registered":
            try:
                revert = Revert.from_dict(r.get("revert") or {})
            except FaultError as exc:
                raise InputError(f"journal event {r.get('id')!r}: {exc}") from None
            key = str(r.get("id"))
            registered[key] = PendingRevert(key, revert, str(r.get("module") or ""),
                                            str(r.get("fault") or ""))
        elif r.get("event") == "revert-end" and r.get("status") == "ok":
            done.add(str(r.get("id")))
    return [p for key, p in reversed(registered.items()) if key not in done]
