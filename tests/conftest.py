"""Shared test set-up: no colour, a stable terminal width, no user configuration leaking in."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("NO_COLOR", "1")
os.environ["COLUMNS"] = "100"
os.environ.pop("FORCE_COLOR", None)


@pytest.fixture(autouse=True)
def _isolated_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write to a user's database: DRILLHALL_DATABASE_URL is unset unless a test
    sets it."""
    monkeypatch.delenv("DRILLHALL_DATABASE_URL", raising=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI a browser test (DRILLHALL_REQUIRE_BROWSER=1) or a PostgreSQL test
    (DRILLHALL_REQUIRE_POSTGRES=1) may not silently skip."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    for marker, env in (("browser", "DRILLHALL_REQUIRE_BROWSER"),
                        ("postgres", "DRILLHALL_REQUIRE_POSTGRES")):
        if item.get_closest_marker(marker) is not None and os.environ.get(env):
            report.outcome = "failed"
            report.longrepr = f"{marker} test skipped but {env} is set"
