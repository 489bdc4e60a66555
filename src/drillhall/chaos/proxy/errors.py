"""Errors of the fault proxy, each carrying the HTTP status the control API answers with."""

from __future__ import annotations

from drillhall.errors import ConfigError


class ProxyNotFound(ConfigError):
    """No proxy or toxic has that name (404)."""

    status = 404


class ProxyConflict(ConfigError):
    """A proxy or toxic of that name already exists, or the address is taken (409)."""

    status = 409
