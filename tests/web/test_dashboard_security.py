"""Authentication off-loopback, CSRF on every form, and the Chaos Day forms over real HTTP."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import httpx
import pytest

from drillhall.core.model import DayEntry
from drillhall.errors import ConfigError
from drillhall.store import Store
from drillhall.web.dashboard import (
    BasicCredentials,
    DashboardSettings,
    create_app,
    credentials_from_env,
    is_loopback,
)
from drillhall.web.dashboard.security import safe_next
from tests.web.sample import DAY, Sample

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def browser(base: str) -> Iterator[httpx.Client]:
    """A client with its own cookie jar, like one browser."""
    with httpx.Client(base_url=base, timeout=10) as client:
        yield client


def entries(store: Store) -> list[DayEntry]:
    return store.day_entries(DAY)


# --- exposure rules ---------------------------------------------------------------------


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("10.0.0.5", False), ("::", False),
    ("dashboard.internal", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_off_loopback_without_credentials_is_refused(filled: tuple[Store, Sample]) -> None:
    with pytest.raises(ConfigError, match=r"refusing to serve the dashboard on 0\.0\.0\.0"):
        DashboardSettings(host="0.0.0.0").check()
    with pytest.raises(ConfigError, match="not a loopback address"):
        create_app(filled[0], DashboardSettings(host="10.1.2.3"))
    with pytest.raises(ConfigError, match="at least 16"):
        DashboardSettings(host="0.0.0.0", token="short").check()
    DashboardSettings(host="0.0.0.0", token="x" * 16).check()
    DashboardSettings(host="0.0.0.0", basic=BasicCredentials("a", "b")).check()


def test_credentials_come_from_the_named_variables() -> None:
    env = {"DASH_TOKEN": "t" * 20, "DASH_BASIC": "lead:pa:ss"}
    token, basic = credentials_from_env("DASH_TOKEN", "DASH_BASIC", env)
    assert token == "t" * 20 and basic == BasicCredentials("lead", "pa:ss")
    assert "pa:ss" not in repr(basic)
    with pytest.raises(ConfigError, match="DASH_MISSING is not set"):
        credentials_from_env("DASH_MISSING", None, env)
    with pytest.raises(ConfigError, match="must hold user:password"):
        credentials_from_env(None, "DASH_TOKEN", env)


# --- access token -----------------------------------------------------------------------


def test_token_is_required_off_loopback(exposed: str, token: str) -> None:
    assert httpx.get(exposed + "/health").status_code == 200
    assert httpx.get(exposed + "/static/dashboard.css").status_code == 200
    page = httpx.get(exposed + "/governance", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fgovernance"
    api = httpx.get(exposed + "/")
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.get(exposed + "/", headers={"Authorization": "Bearer " + token[:-1] + "x"})
    assert wrong.status_code == 401
    right = httpx.get(exposed + "/", headers={"Authorization": f"Bearer {token}"})
    assert right.status_code == 200 and "docs-assistant" in right.text


def test_login_form_sets_a_strict_http_only_session(exposed: str, token: str) -> None:
    with httpx.Client(base_url=exposed, timeout=10) as client:
        form = client.get("/login", params={"next": "/metrics"})
        assert form.status_code == 200 and 'type="password"' in form.text
        csrf = csrf_of(form.text)
        bad = client.post("/login", data={"token": "not-the-token", "next": "/metrics",
                                          "csrf_token": csrf})
        assert bad.status_code == 401 and "not the dashboard" in bad.text
        assert "drillhall_session" not in client.cookies
        missing = client.post("/login", data={"token": token, "next": "/metrics"})
        assert missing.status_code == 403
        good = client.post("/login", data={"token": token, "next": "/metrics",
                                           "csrf_token": csrf})
        assert good.status_code == 303 and good.headers["location"] == "/metrics"
        cookie = good.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        assert token not in cookie
        assert client.get("/metrics").status_code == 200
        out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
        assert out.status_code == 303
        assert client.get("/metrics").status_code == 401


def test_forged_session_cookie_is_refused(exposed: str) -> None:
    forged = {"drillhall_session": "99999999999.abc.0123456789abcdef"}
    assert httpx.get(exposed + "/", cookies=forged).status_code == 401


def test_after_sign_in_only_local_paths() -> None:
    assert safe_next("/runs/x?q=1") == "/runs/x?q=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "x"):
        assert safe_next(hostile) == "/"


def test_bearer_requests_need_no_form_token(exposed: str, token: str,
                                            filled: tuple[Store, Sample]) -> None:
    before = len(entries(filled[0]))
    response = httpx.post(exposed + f"/chaosday/{DAY}/entries",
                          headers={"Authorization": f"Bearer {token}"},
                          data={"author": "bot", "kind": "observation", "text": "via API"})
    assert response.status_code == 303
    assert len(entries(filled[0])) == before + 1


# --- basic auth -------------------------------------------------------------------------


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_auth_is_required_off_loopback(exposed_basic: str,
                                             basic_auth: BasicCredentials) -> None:
    none = httpx.get(exposed_basic + "/")
    assert none.status_code == 401 and none.headers["www-authenticate"].startswith("Basic")
    wrong = httpx.get(exposed_basic + "/", headers=_basic(basic_auth.user, "nope"))
    assert wrong.status_code == 401
    garbage = httpx.get(exposed_basic + "/", headers={"Authorization": "Basic !!!"})
    assert garbage.status_code == 401
    ok = httpx.get(exposed_basic + "/", headers=_basic(basic_auth.user, basic_auth.password))
    assert ok.status_code == 200


# --- CSRF and the Chaos Day forms -------------------------------------------------------


def test_posts_without_a_valid_csrf_token_are_refused(
        browser: httpx.Client, filled: tuple[Store, Sample]) -> None:
    store = filled[0]
    before = len(entries(store))
    csrf = csrf_of(browser.get(f"/chaosday/{DAY}").text)
    path = f"/chaosday/{DAY}/entries"
    fields = {"author": "mallory", "kind": "observation", "text": "forged"}
    assert browser.post(path, data=fields).status_code == 403
    assert browser.post(path, data={**fields, "csrf_token": csrf + "0"}).status_code == 403
    # a token from another browser does not match this browser's cookie
    with httpx.Client(base_url=str(browser.base_url)) as other:
        foreign = csrf_of(other.get(f"/chaosday/{DAY}").text)
    assert browser.post(path, data={**fields, "csrf_token": foreign}).status_code == 403
    # the right token, sent from another origin
    evil = browser.post(path, data={**fields, "csrf_token": csrf},
                        headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and "another origin" in evil.text
    cross = browser.post(path, data={**fields, "csrf_token": csrf},
                         headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    as_json = browser.post(path, json={**fields, "csrf_token": csrf})
    assert as_json.status_code == 403
    assert len(entries(store)) == before


def test_add_a_log_entry_redacts_its_text(browser: httpx.Client,
                                          filled: tuple[Store, Sample]) -> None:
    store, sample = filled
    page = browser.get(f"/chaosday/{DAY}")
    origin = str(browser.base_url).rstrip("/")
    text = f"Saw {sample.raw_secret} in the logs; ask {sample.email}"
    response = browser.post(f"/chaosday/{DAY}/entries", headers={"Origin": origin},
                            data={"author": "observer", "kind": "incident", "text": text,
                                  "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303 and response.headers["location"] == f"/chaosday/{DAY}"
    stored = entries(store)[-1]
    assert stored.kind == "incident" and stored.status == "open"
    assert sample.raw_secret not in stored.text and sample.email not in stored.text
    assert stored.text.startswith("Saw ") and "(sha256:" in stored.text
    board = browser.get(f"/chaosday/{DAY}").text
    column = board.split("col-open")[1].split("</section>")[0]
    assert f'id="incident-{stored.id}"' in column


def test_invalid_entries_are_explained(browser: httpx.Client) -> None:
    csrf = csrf_of(browser.get(f"/chaosday/{DAY}").text)
    path = f"/chaosday/{DAY}/entries"
    empty = browser.post(path, data={"author": "a", "kind": "observation", "text": " ",
                                     "csrf_token": csrf})
    assert empty.status_code == 400 and "needs some text" in empty.text
    kind = browser.post(path, data={"author": "a", "kind": "gossip", "text": "x",
                                    "csrf_token": csrf})
    assert kind.status_code == 400 and "must be one of" in kind.text
    backlog = browser.post(path, data={"author": "a", "kind": "backlog", "text": "x",
                                       "csrf_token": csrf})
    assert backlog.status_code == 400 and "needs an owner" in backlog.text


def test_move_an_incident(browser: httpx.Client, filled: tuple[Store, Sample]) -> None:
    store = filled[0]
    incident = next(e for e in entries(store) if e.text == "Assistant answers time out")
    csrf = csrf_of(browser.get(f"/chaosday/{DAY}").text)
    path = f"/chaosday/{DAY}/incidents/{incident.id}"
    assert browser.post(path, data={"status": "resolved-by-team"}).status_code == 403
    moved = browser.post(path, data={"status": "resolved-by-team", "csrf_token": csrf})
    assert moved.status_code == 303
    assert next(e for e in entries(store) if e.id == incident.id).status == "resolved-by-team"
    board = browser.get(f"/chaosday/{DAY}").text
    assert "Assistant answers time out" in board.split("col-resolved-by-team")[1]
    bad = browser.post(path, data={"status": "closed", "csrf_token": csrf})
    assert bad.status_code == 400
    note = next(e for e in entries(store) if e.kind == "observation")
    missing = browser.post(f"/chaosday/{DAY}/incidents/{note.id}",
                           data={"status": "open", "csrf_token": csrf})
    assert missing.status_code == 404
