"""The dashboard (``drillhall serve``): server-rendered pages over the history store.

:func:`create_app` builds the FastAPI app for a :class:`~drillhall.store.Store` and
:class:`DashboardSettings`; it needs the ``web`` extra (FastAPI, uvicorn). Pages: services
overview, a service's runs, a run (findings filtered, sorted, searched and paginated in SQL),
one drill's journal (chaos timeline, red-team transcripts, patch-drill table), metric history
charts, governance, and the Chaos Day board.
"""

from drillhall.web.dashboard.app import create_app
from drillhall.web.dashboard.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    BasicCredentials,
    DashboardSettings,
    credentials_from_env,
    is_loopback,
)

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "BasicCredentials", "DashboardSettings",
           "create_app", "credentials_from_env", "is_loopback"]
