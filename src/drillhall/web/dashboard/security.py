"""Authentication, CSRF protection and security headers for the dashboard.

* **Authentication** (only when credentials are configured, which
  :class:`~drillhall.web.dashboard.settings.DashboardSettings` requires off-loopback): an
  ``Authorization: Bearer TOKEN`` header, HTTP basic credentials, or the session cookie the
  login form sets after the token is typed in (``HttpOnly``, ``SameSite=Strict``, ``Secure``
  over HTTPS, signed with a key that lives as long as the process). Every comparison is
  constant-time.
* **CSRF**: every form carries a token derived (HMAC) from a random per-browser nonce kept in
  its own ``HttpOnly; SameSite=Strict`` cookie; a POST is refused unless the token matches,
  and unless its ``Origin`` (or ``Referer``) names this host and ``Sec-Fetch-Site`` does not
  say cross-site. A request authenticated by a bearer header (which browsers never attach on
  their own) needs no form token.
* **Headers**: a Content-Security-Policy without ``unsafe-inline`` or ``unsafe-eval`` (scripts
  and styles come from ``/static`` only), ``X-Frame-Options: DENY``, ``nosniff``, a strict
  referrer policy, and ``no-store`` on every page (they show security findings).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, quote, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from drillhall.errors import DrillhallError
from drillhall.web.dashboard.settings import DashboardSettings, same_secret

CSRF_COOKIE = "drillhall_csrf"
SESSION_COOKIE = "drillhall_session"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
MAX_FORM_BYTES = 64 * 1024
"""Largest form body read (a Chaos Day log entry is at most a few kilobytes)."""

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
PUBLIC_PATHS = ("/health", "/login")
"""Paths served without authentication (besides ``/static/``, which holds no data)."""


class Forbidden(DrillhallError):
    """A POST failed the CSRF checks; the message says which, for the 403 page."""


class Guard:
    """The dashboard's gatekeeper for one app: it owns the signing key of its cookies."""

    def __init__(self, settings: DashboardSettings) -> None:
        self.settings = settings
        self._key = secrets.token_bytes(32)

    def _sign(self, purpose: str, value: str) -> str:
        mac = hmac.new(self._key, f"{purpose}|{value}".encode(), hashlib.sha256)
        return mac.hexdigest()

    # --- authentication -------------------------------------------------------------------

    def identify(self, request: Request) -> str | None:
        """How ``request`` authenticated (``bearer``, ``basic``, ``session``), or ``None``."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        token, basic = self.settings.token, self.settings.basic
        if token is not None and scheme.lower() == "bearer" and value.strip():
            return "bearer" if same_secret(value.strip(), token) else None
        if basic is not None and scheme.lower() == "basic" and value.strip():
            try:
                user, sep, password = base64.b64decode(value.strip(), validate=True) \
                    .decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return "basic" if sep and basic.matches(user, password) else None
        if token is not None and self.valid_session(request.cookies.get(SESSION_COOKIE, "")):
            return "session"
        return None

    def new_session(self) -> str:
        """A signed session cookie value, good for :data:`SESSION_SECONDS`."""
        body = f"{int(time.time()) + SESSION_SECONDS}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._sign('session', body)}"

    def valid_session(self, cookie: str) -> bool:
        body, _, signature = cookie.rpartition(".")
        expires, _, _nonce = body.partition(".")
        if not body or not expires.isdigit():
            return False
        good = hmac.compare_digest(signature, self._sign("session", body))
        return good and int(expires) > time.time()

    def challenge(self, request: Request) -> Response:
        """The answer to a request without valid credentials."""
        if self.settings.basic is not None:
            text = "Authentication required: give the dashboard's basic-auth credentials"
            if self.settings.token is not None:
                text += ", or sign in with the access token at /login"
            return PlainTextResponse(text + ".", status_code=401, headers={
                "WWW-Authenticate": 'Basic realm="drillhall", charset="UTF-8"'})
        wants_html = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and wants_html:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
        return PlainTextResponse("Authentication required: send the access token as "
                                 "'Authorization: Bearer TOKEN'.", status_code=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="drillhall"'})

    # --- CSRF -------------------------------------------------------------------------------

    def csrf_token(self, nonce: str) -> str:
        return self._sign("csrf", nonce)

    def check_post(self, request: Request, form: dict[str, str]) -> None:
        """Raise :class:`Forbidden` unless the POST comes from one of our own pages."""
        site = request.headers.get("sec-fetch-site", "")
        if site in ("cross-site", "same-site"):
            raise Forbidden(f"the form was sent from another site (Sec-Fetch-Site: {site})")
        host = request.headers.get("host", "")
        origin = request.headers.get("origin")
        referer = request.headers.get("referer")
        if origin is not None:
            if urlsplit(origin).netloc != host:
                raise Forbidden("the form was sent from another origin")
        elif referer is not None and urlsplit(referer).netloc != host:
            raise Forbidden("the form was sent from another page's origin")
        if getattr(request.state, "auth", None) == "bearer":
            return
        nonce = request.cookies.get(CSRF_COOKIE, "")
        given = form.get(CSRF_FIELD, "")
        if not nonce or not given or not hmac.compare_digest(given, self.csrf_token(nonce)):
            raise Forbidden("the form's CSRF token is missing or wrong; reload the page and "
                            "try again")


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` body (first value of each),
    after the CSRF checks of the request's :class:`Guard`."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Forbidden("forms must be sent URL-encoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Forbidden(f"the form is larger than {MAX_FORM_BYTES // 1024} KiB")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Forbidden(f"the form cannot be read ({exc})") from None
    form = {name: values[0] for name, values in fields.items()}
    guard: Guard = request.app.state.guard
    guard.check_post(request, form)
    return form


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith("/static/")


def _valid_nonce(value: str) -> bool:
    return 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


async def guard_requests(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """HTTP middleware: authenticate, hand the page its CSRF token, add security headers."""
    guard: Guard = request.app.state.guard
    request.state.auth = None
    if guard.settings.auth_required:
        request.state.auth = guard.identify(request)
        if request.state.auth is None and not _is_public(request.url.path):
            return _with_headers(guard.challenge(request), request)
    nonce = request.cookies.get(CSRF_COOKIE, "")
    fresh = not _valid_nonce(nonce)
    if fresh:
        nonce = secrets.token_urlsafe(24)
    request.state.csrf = guard.csrf_token(nonce)
    response = await call_next(request)
    if fresh and not request.url.path.startswith("/static/"):
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
    return _with_headers(response, request)


def _with_headers(response: Response, request: Request) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def safe_next(target: str) -> str:
    """A local path to go to after signing in (anything else becomes ``/``)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
