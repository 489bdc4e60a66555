"""The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
each page renders the stored runs without a console error (CSP included), filters work by
clicking, the chart draws, the Chaos Day board refreshes itself, and off-loopback the login
comes first. A screenshot of each page is kept in tests/web/artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drillhall.core.model import DayEntry, utcnow
from drillhall.store import Store
from tests.web.conftest import Serve, fill
from tests.web.sample import DAY, Sample

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Store, Sample]]:
    """The browser tests run on SQLite only (the page tests cover PostgreSQL)."""
    yield from fill("sqlite", request, tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable,
                                         args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


class Tab:
    """One page with its console errors collected."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console",
                     lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(chromium: Any, base: str) -> Iterator[Tab]:
    opened = Tab(chromium, base)
    yield opened
    opened.close()
    assert opened.errors == [], opened.errors


def _ordinal(sample: Sample, drill: str) -> int:
    return next(i for i, r in enumerate(sample.latest.results) if r.drill == drill)


def test_every_page_renders_the_stored_runs(tab: Tab, sample: Sample) -> None:
    run = sample.latest.id
    pages = {
        "overview": ("/", "docs-assistant"),
        "service": ("/services/docs-assistant", run),
        "run": (f"/runs/{run}", "Indirect injection made the assistant call a tool"),
        "chaos-timeline": (f"/runs/{run}/results/{_ordinal(sample, 'chaos')}",
                           "experiment-start"),
        "redteam-transcript": (f"/runs/{run}/results/{_ordinal(sample, 'redteam')}",
                               "delete_ticket"),
        "patch-drill": (f"/runs/{run}/results/{_ordinal(sample, 'patch-drill')}",
                        "requests==2.32.3"),
        "governance": ("/governance", "DH-GOV-PERSONAL-DATA"),
        "chaosday-days": ("/chaosday", DAY),
        "chaosday-board": (f"/chaosday/{DAY}", "Retry storm on the gateway"),
    }
    for name, (path, expected) in pages.items():
        page = tab.open(path)
        assert expected in page.inner_text("main"), name
        assert page.locator("header.top").is_visible()
        tab.shot(name)


def test_metric_chart_draws(tab: Tab) -> None:
    page = tab.open("/metrics?name=llm.attack_success_rate")
    canvas = page.locator("#chart canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("#chart .u-legend").inner_text().lower().count("docs-assistant") == 1
    tab.shot("metrics")
    # pick another metric: the form submits itself and the chart is redrawn
    page.select_option("#metric-name", "chaos.recover_seconds")
    page.wait_for_url("**name=chaos.recover_seconds**")
    page.locator("#chart canvas").wait_for()


def test_findings_filter_by_clicking(tab: Tab, sample: Sample) -> None:
    page = tab.open(f"/runs/{sample.latest.id}")
    assert page.locator("tr.finding").count() == 50
    page.select_option("select[name=drill]", "chaos")
    page.wait_for_url("**drill=chaos**")
    assert page.locator("tr.finding").count() == 1
    assert "Steady state did not hold" in page.locator("tr.finding").inner_text()
    page = tab.open(f"/runs/{sample.latest.id}?drill=patch")
    page.locator("label.chip.sev-critical input").uncheck()
    page.wait_for_url("**severity=high**")
    classes = page.locator("tr.finding").evaluate_all("rows => rows.map(r => r.className)")
    assert classes and not any("critical" in c for c in classes)
    page.fill("#search", "package007")
    page.press("#search", "Enter")
    page.wait_for_url("**q=package007**")
    assert page.locator("tr.finding").count() == 1
    tab.shot("run-filtered")


def test_chaos_day_board_adds_entries_and_refreshes_itself(
        chromium: Any, serve: Serve, filled: tuple[Store, Sample]) -> None:
    store = filled[0]
    live = Tab(chromium, serve(refresh_seconds=2))
    try:
        page = live.open(f"/chaosday/{DAY}")
        page.fill("input[name=author]", "browser-user")
        page.select_option("select[name=kind]", "incident")
        page.fill("textarea[name=text]", "Search results empty during failover")
        page.click("#add-entry button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Search results empty during failover" in page.locator(".col-open").inner_text()
        # an entry written elsewhere (the CLI) shows up without a reload
        store.add_day_entry(DayEntry(DAY, utcnow(), "cli", "observation",
                                     "Gateway error rate back to normal"))
        page.locator("#log", has_text="Gateway error rate back to normal").wait_for(
            timeout=8000)
        live.shot("chaosday-board-live")
        assert live.errors == [], live.errors
    finally:
        live.close()


def test_login_is_required_off_loopback(chromium: Any, exposed: str, token: str) -> None:
    guest = Tab(chromium, exposed)
    try:
        page = guest.open("/governance")
        assert page.url.startswith(exposed + "/login")
        guest.shot("login")
        page.fill("#token", "wrong-token-wrong-token")
        page.click("button.primary")
        assert "not the dashboard" in page.inner_text("main")
        assert guest.errors == ["Failed to load resource: the server responded with a status "
                                "of 401 (Unauthorized)"]  # the refused sign-in itself
        guest.errors.clear()
        page.fill("#token", token)
        page.click("button.primary")
        page.wait_for_url(exposed + "/governance")
        assert "Decisions" in page.inner_text("main")
        cookies = {c["name"]: c for c in guest.context.cookies()}
        session = cookies["drillhall_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        assert guest.errors == [], guest.errors
    finally:
        guest.close()
