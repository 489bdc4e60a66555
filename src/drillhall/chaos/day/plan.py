"""The Chaos Day plan: a YAML (or JSON) day file, typed on load.

A day file says what the day is about and who does what: theme, scope, components that are
off limits, roles (facilitator, agents of chaos, responders, stakeholders), the shortlisted
experiments (each with the component, the failure, the expected impact and response and the
rollback steps, optionally the experiment file that automates it), the schedule and the
blackout windows. :data:`TEMPLATE` is a commented starting point (``drillhall chaosday plan
--new``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drillhall.chaos.loader import line_map, line_of
from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_CLOCK = re.compile(r"^(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)$")
_WINDOW = re.compile(r"^(?P<a>\d{1,2}:\d{2})\s*-\s*(?P<b>\d{1,2}:\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Roles(_Strict):
    facilitator: str = Field(min_length=1)
    agents: list[str] = Field(min_length=1, description="the agents of chaos")
    responders: list[str] = Field(min_length=1)
    stakeholders: list[str] = Field(default_factory=list)
    observers: list[str] = Field(default_factory=list)


class PlannedExperiment(_Strict):
    id: str
    component: str = Field(min_length=1)
    failure: str = Field(min_length=1)
    expected_impact: str = Field(min_length=1)
    expected_response: str = Field(min_length=1)
    rollback_steps: list[str] = Field(min_length=1)
    experiment: str | None = None
    owner: str | None = None
    hypothesis: str = ""

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' and '-' only")
        return value


class Slot(_Strict):
    at: str
    what: str = ""
    experiment: str | None = None

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("give a time of day as HH:MM")
        return value


class DayFile(_Strict):
    """The day file as written (outside data: validated here, turned into :class:`DayPlan`)."""

    day: str
    title: str = Field(min_length=1)
    date: dt.date
    theme: str = Field(min_length=1)
    scope: list[str] = Field(min_length=1)
    off_limits: list[str] = Field(default_factory=list)
    roles: Roles
    experiments: list[PlannedExperiment] = Field(min_length=1)
    schedule: list[Slot] = Field(default_factory=list)
    blackout: list[str] = Field(default_factory=list)
    service: str | None = None
    timezone: str = "UTC"

    @field_validator("day")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("use lower-case letters, digits, '.', '_' and '-' only")
        return value

    @field_validator("blackout")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        for item in value:
            m = _WINDOW.match(item.strip())
            if not m or not (_CLOCK.match(m["a"]) and _CLOCK.match(m["b"])):
                raise ValueError(f"blackout window {item!r} is not HH:MM-HH:MM")
        return value


@dataclass(frozen=True, slots=True)
class DayPlan:
    """A validated day plan. ``source`` is the file it came from."""

    spec: DayFile
    source: Path

    @property
    def day(self) -> str:
        return self.spec.day

    def experiment(self, experiment_id: str) -> PlannedExperiment:
        for e in self.spec.experiments:
            if e.id == experiment_id:
                return e
        known = ", ".join(e.id for e in self.spec.experiments)
        raise ConfigError(f"{self.source}: no experiment {experiment_id!r} in the plan "
                          f"(planned: {known})")

    def experiment_path(self, planned: PlannedExperiment) -> Path | None:
        """The experiment file of a planned experiment, relative to the day file."""
        if planned.experiment is None:
            return None
        path = Path(planned.experiment).expanduser()
        return path if path.is_absolute() else self.source.parent / path

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        """The day in UTC: midnight to midnight in the plan's time zone."""
        zone = _zone(self.spec.timezone, self.source)
        start = dt.datetime.combine(self.spec.date, dt.time(0, 0), tzinfo=zone)
        end = start + dt.timedelta(days=1)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def in_blackout(self, when: dt.datetime) -> str | None:
        """The blackout window ``when`` falls in (local time of the plan), or ``None``."""
        local = when.astimezone(_zone(self.spec.timezone, self.source)).time()
        for window in self.spec.blackout:
            m = _WINDOW.match(window.strip())
            if m is None:  # validated on load
                continue
            a, b = _clock(m["a"]), _clock(m["b"])
            inside = a <= local < b if a <= b else (local >= a or local < b)
            if inside:
                return window
        return None


def _clock(text: str) -> dt.time:
    h, _, m = text.partition(":")
    return dt.time(int(h), int(m))


def _zone(name: str, source: Path) -> dt.tzinfo:
    if name.upper() == "UTC":
        return dt.UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: unknown time zone {name!r} (use an IANA name such as "
                          f"'Europe/London')") from None


def load_plan(path: Path) -> DayPlan:
    """Read and validate a day file; one-sentence :class:`ConfigError` naming the file and
    line on any problem."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such day file (write one with "
                          f"'drillhall chaosday plan --new {path}')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the day file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{where}: {problem}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: a day file is a mapping of keys (day, title, date, …)")
    try:
        spec = DayFile.model_validate(dict(data))
    except ValidationError as exc:
        loc = [p for p in exc.errors()[0].get("loc", ()) if isinstance(p, str | int)]
        line = line_of(line_map(text), tuple(loc))
        source = f"{path}:{line}" if line else str(path)
        raise ConfigError(describe_error(exc, source=source)) from None
    plan = DayPlan(spec, path)
    plan.window()  # checks the time zone
    _check_references(plan)
    return plan


def _check_references(plan: DayPlan) -> None:
    ids = [e.id for e in plan.spec.experiments]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{plan.source}: experiment id {dupes[0]!r} is used twice")
    for slot in plan.spec.schedule:
        if slot.experiment is not None and slot.experiment not in ids:
            raise ConfigError(f"{plan.source}: the schedule at {slot.at} names experiment "
                              f"{slot.experiment!r}, which is not in the plan")


TEMPLATE = """\
# A Chaos Day plan for drillhall (drillhall chaosday plan | log | review).
# Keep it in source control next to the experiments it names.

day: docs-assistant-2026-12-03        # an id: lower-case letters, digits, '.', '_', '-'
title: "Chaos Day: the docs assistant's dependencies"
date: 2026-12-03
timezone: UTC                         # an IANA zone, e.g. Europe/London
theme: "What happens to answers when the model upstream slows down or a worker dies?"
service: docs-assistant               # runs of this service that day are attached to the review

scope: [docs assistant, retrieval upstream, ticket classifier]
off_limits: [customer database, payment service]

roles:
  facilitator: facilitator-on-duty
  agents: [agent-of-chaos-1]          # who injects the failures
  responders: [on-call-engineer]      # who detects and fixes, without being told what was done
  stakeholders: [product-owner]

experiments:
  - id: slow-upstream
    component: retrieval upstream
    failure: the upstream answers in 3 s instead of 50 ms
    hypothesis: the assistant still answers within 5 s
    expected_impact: answers slow down but stay under 5 s
    expected_response: the latency alert fires; the responder finds the slow dependency
    rollback_steps: [remove the latency toxic from the proxy]
    experiment: experiments/slow-upstream.yaml   # optional: the automated experiment
    owner: agent-of-chaos-1
  - id: classifier-restart
    component: ticket classifier
    failure: the classifier process is killed
    expected_impact: classification fails for a few seconds
    expected_response: the supervisor restarts it; no alert needed
    rollback_steps: [start the classifier again]

schedule:
  - {at: "09:30", what: "briefing: scope, roles, the big red button"}
  - {at: "10:00", experiment: slow-upstream}
  - {at: "11:00", experiment: classifier-restart}
  - {at: "15:00", what: blameless review}

blackout: ["12:00-13:00"]             # no experiment starts in these windows (local time)
"""
