"""The dashboard's ASGI app: :func:`create_app` wires the store, the settings, the security
middleware, the static files and the pages together.

The app holds no global state: everything it needs hangs off ``app.state`` (the store, the
settings and the :class:`~drillhall.web.dashboard.security.Guard` with its signing key), so
any number of apps can live in one process (the tests start several).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from drillhall.errors import DependencyMissing, DrillhallError
from drillhall.store import Store
from drillhall.web.dashboard.settings import DashboardSettings

STATIC = Path(__file__).parent / "static"


@cache
def report_css() -> str:
    """The HTML report's stylesheet (its look, CSS variables and cards), served as is."""
    text = (files("drillhall.reports") / "templates" / "report.css").read_text("utf-8")
    return text.replace("{% raw %}", "").replace("{% endraw %}", "")


def create_app(store: Store, settings: DashboardSettings | None = None) -> Any:
    """The dashboard over ``store``. Raises :class:`~drillhall.errors.ConfigError` when the
    settings would expose it off-loopback without credentials, and
    :class:`~drillhall.errors.DependencyMissing` without the ``web`` extra."""
    try:
        from fastapi import FastAPI
        from fastapi.exceptions import RequestValidationError
        from starlette.staticfiles import StaticFiles
    except ImportError as exc:
        raise DependencyMissing("fastapi", "web") from exc
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import Response

    from drillhall.web.dashboard import account, chaosday, pages
    from drillhall.web.dashboard.rendering import page
    from drillhall.web.dashboard.security import Forbidden, Guard, guard_requests

    settings = settings or DashboardSettings()
    settings.check()
    app = FastAPI(title="drillhall dashboard", docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.store = store
    app.state.settings = settings
    app.state.guard = Guard(settings)
    app.middleware("http")(guard_requests)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Exception) -> Response:
        return page(request, "error.html.j2", status_code=403, title="Forbidden",
                    message=str(exc))

    @app.exception_handler(DrillhallError)
    async def _failed(request: Request, exc: Exception) -> Response:
        message = exc.diagnostics() if isinstance(exc, DrillhallError) else str(exc)
        return page(request, "error.html.j2", status_code=500, title="Error", message=message)

    @app.get("/static/report.css", include_in_schema=False)
    def base_css() -> Response:
        return Response(report_css(), media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(account.router)
    app.include_router(pages.router)
    app.include_router(chaosday.router)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: Exception) -> Response:
        return page(request, "error.html.j2", status_code=400, title="Bad request",
                    message="A value in the address is not of the expected kind.")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        detail = getattr(exc, "detail", None)
        titles = {404: "Not found", 400: "Bad request", 405: "Method not allowed"}
        message = detail if isinstance(detail, str) and detail not in (
            "Not Found", "Method Not Allowed") else "There is nothing at this address."
        return page(request, "error.html.j2", status_code=status,
                    title=titles.get(status, "Error"), message=message,
                    headers=getattr(exc, "headers", None))

    return app
