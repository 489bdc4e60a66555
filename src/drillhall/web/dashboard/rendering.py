"""Rendering the dashboard's Jinja2 templates (autoescaped) into HTML responses.

Every piece of stored free text the pages show goes through the ``redact`` filter
(:func:`drillhall.pii.text.redact_text`) on top of the autoescaping: the store holds redacted
evidence already, and this is the second lock on the door.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from drillhall.core.model import Metric
from drillhall.reports._common import (
    SEVERITIES_DESC,
    format_duration,
    format_metric,
    format_number,
    format_time,
)
from drillhall.web.dashboard.security import CSRF_FIELD

LONG_TEXT = 400
"""Characters past which a journal detail is shown collapsed."""


@lru_cache(maxsize=4096)
def redact(text: object) -> str:
    """``text`` with secrets and structured personal values masked (cached: pages repeat)."""
    from drillhall.pii.text import redact_text

    return redact_text("" if text is None else str(text))


def _when(value: datetime | None) -> str:
    return "–" if value is None else format_time(value)[:19]


def _metric(value: float, unit: str = "") -> str:
    return format_metric(Metric("", value, unit))


def _number(value: float) -> str:
    return format_number(value) if math.isfinite(value) else str(value)


def _long(text: str) -> bool:
    return len(text) > LONG_TEXT or text.count("\n") > 6


def _pretty_json(text: str) -> str | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict | list):
        return None
    return json.dumps(value, indent=2, ensure_ascii=False)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("drillhall.web.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(redact=redact, when=_when, metric=_metric, number=_number,
                       duration=format_duration, pretty_json=_pretty_json)
    env.tests["long"] = _long
    env.globals.update(severities=SEVERITIES_DESC, csrf_field=CSRF_FIELD)
    return env


def page(request: Request, template: str, *, status_code: int = 200,
         headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    """``template`` rendered for ``request`` (with its CSRF token and sign-in state)."""
    settings = request.app.state.settings
    html = environment().get_template(template).render(
        request=request,
        csrf=getattr(request.state, "csrf", ""),
        signed_in=getattr(request.state, "auth", None) == "session",
        auth_required=settings.auth_required,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)
