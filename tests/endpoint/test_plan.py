"""plan(): what will be sent, decided before anything is sent; target checks."""

from __future__ import annotations

import pytest

from drillhall.errors import ConfigError
from drillhall.ml.endpoint import ProbeConfig, plan
from drillhall.ml.endpoint.client import HARD_CAP, is_loopback, parse_target

UNUSED = "http://127.0.0.1:9/classify"  # discard port; plan() never connects


def test_default_plan_fits_the_default_budget() -> None:
    the_plan = plan(ProbeConfig(UNUSED))
    assert the_plan.budget == 60
    assert the_plan.total <= 60
    checks = [s.check for s in the_plan.steps if not s.skipped]
    assert checks == ["prediction", "cors", "error-details", "management-route",
                      "no-rate-limit"]
    management = the_plan.step("management-route")
    assert management is not None
    assert "/openapi.json" in management.paths and "/docs" in management.paths
    assert the_plan.origin == "http://127.0.0.1:9"
    assert the_plan.target_path == "/classify"
    data = the_plan.as_dict()
    assert data["total"] == the_plan.total and len(data["steps"]) == len(the_plan.steps)  # type: ignore[arg-type]


def test_credentials_add_the_comparison_step() -> None:
    the_plan = plan(ProbeConfig(UNUSED, headers={"Authorization": "Bearer x"}))
    assert the_plan.step("unauthenticated") is not None


def test_active_takes_what_is_left_and_small_budgets_leave_steps_out() -> None:
    active = plan(ProbeConfig(UNUSED, active=True, max_requests=200))
    extraction = active.step("extraction")
    assert extraction is not None and active.total == 200
    small = plan(ProbeConfig(UNUSED, active=True, max_requests=8))
    assert small.total <= 8
    skipped = {s.check: s.skipped for s in small.steps if s.skipped}
    assert "no-rate-limit" in skipped and "extraction" in skipped
    assert "left in the budget" in skipped["extraction"]


def test_model_named_in_the_path_fills_templated_routes() -> None:
    the_plan = plan(ProbeConfig("http://127.0.0.1:9/predictions/resnet"))
    assert the_plan.model == "resnet"
    management = the_plan.step("management-route")
    assert management is not None and "/models/resnet" in management.paths


@pytest.mark.parametrize("url", ["http://10.0.0.5/predict", "https://models.example.com/x",
                                 "http://[2001:db8::1]:8080/p"])
def test_remote_hosts_need_allow_remote(url: str) -> None:
    with pytest.raises(ConfigError, match="allow_remote"):
        plan(ProbeConfig(url))
    assert plan(ProbeConfig(url, allow_remote=True)).total > 0


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "localhost", "::1", "[::1]",
                                  "api.localhost"])
def test_loopback_names(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "localhost.example.com", "0.0.0.0", "example"])
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://127.0.0.1/x", "http:// or https://"),
    ("127.0.0.1:8080/x", "http:// or https://"),
    ("http:///x", "no host"),
    ("http://user:pw@127.0.0.1/x", "carries credentials"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_target(url, allow_remote=False)


def test_budget_limits_and_templates() -> None:
    with pytest.raises(ConfigError, match="max_requests"):
        plan(ProbeConfig(UNUSED, max_requests=HARD_CAP + 1))
    with pytest.raises(ConfigError, match="no placeholder"):
        plan(ProbeConfig(UNUSED, body_template='{"text": "hello"}'))
    with pytest.raises(ConfigError, match="not valid JSON"):
        plan(ProbeConfig(UNUSED, body_template='{"text": '))
    with pytest.raises(ConfigError, match="mixes"):
        plan(ProbeConfig(UNUSED, body_template='{"a": "{text}", "b": "{x}"}'))
    assert plan(ProbeConfig(UNUSED, body_template='{"x": ["{x0}", "{x1}"]}')).total > 0
