"""Signing in with the access token, signing out, and the unauthenticated health check."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from drillhall.web.dashboard.rendering import page
from drillhall.web.dashboard.security import SESSION_COOKIE, read_form, safe_next
from drillhall.web.dashboard.settings import DashboardSettings, same_secret

router = APIRouter()


def _settings(request: Request) -> DashboardSettings:
    settings: DashboardSettings = request.app.state.settings
    return settings


@router.get("/health", include_in_schema=False)
def health() -> Response:
    return PlainTextResponse("ok")


@router.get("/login", include_in_schema=False)
def login_form(request: Request) -> Response:
    if _settings(request).token is None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html.j2", title="Sign in",
                next=safe_next(request.query_params.get("next", "/")), failed=False)


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    form = await read_form(request)
    target = safe_next(form.get("next", "/"))
    token = _settings(request).token
    if token is None:
        return RedirectResponse("/", status_code=303)
    if not same_secret(form.get("token", ""), token):
        return page(request, "login.html.j2", status_code=401, title="Sign in", next=target,
                    failed=True)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, request.app.state.guard.new_session(), httponly=True,
                        samesite="strict", path="/", secure=request.url.scheme == "https")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    await read_form(request)
    token = _settings(request).token
    response = RedirectResponse("/login" if token else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
