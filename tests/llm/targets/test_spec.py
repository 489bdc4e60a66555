"""TargetSpec parsing, open_target and the cost estimate."""

from __future__ import annotations

import pytest

from drillhall.errors import ConfigError
from drillhall.llm.targets import (
    CallableTarget,
    HttpTemplateTarget,
    OpenAIChatTarget,
    TargetSpec,
    estimate_cost,
    estimate_tokens,
    open_target,
)
from drillhall.llm.types import Target


def test_url_shortcuts() -> None:
    base = open_target("http://127.0.0.1:11434/v1")
    full = open_target("http://127.0.0.1:8000/v1/chat/completions")
    assert isinstance(base, OpenAIChatTarget) and isinstance(full, OpenAIChatTarget)
    assert base.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert full.base_url == "http://127.0.0.1:8000/v1"
    assert isinstance(open_target("python:tests.llm.targets.test_callable:echo"),
                      CallableTarget)
    for target in (base, full):
        assert isinstance(target, Target)


def test_mappings_and_kinds() -> None:
    http = open_target({"kind": "http", "url": "http://127.0.0.1:9/ask",
                        "response_path": "$.answer"})
    assert isinstance(http, HttpTemplateTarget)
    azure = open_target({"url": "http://127.0.0.1:9/openai/deployments/gpt4o",
                         "api_version": "2024-10-21"})
    assert isinstance(azure, OpenAIChatTarget)
    assert (azure.model, azure.azure) == ("gpt4o", True)


@pytest.mark.parametrize(("data", "phrase"), [
    ({"kind": "http"}, "needs a url"),
    ({"kind": "callable"}, "needs callable"),
    ({"url": "http://x/v1", "api_key": "pasted"}, "at api_key"),
    ({"url": "http://x/v1", "timeout": 0}, "at timeout"),
])
def test_invalid_specs(data: dict[str, object], phrase: str) -> None:
    with pytest.raises(ConfigError, match=phrase):
        TargetSpec.parse(data)


def test_cost_estimate() -> None:
    estimate = estimate_cost(200, 300, 200, price_per_1k_in=0.15, price_per_1k_out=0.6)
    assert (estimate.prompt_tokens, estimate.completion_tokens) == (60_000, 40_000)
    assert estimate.cost == pytest.approx(9.0 + 24.0)
    assert estimate.describe() == ("200 requests, about 60,000 prompt and 40,000 completion "
                                   "tokens, about $33.00")
    assert estimate_cost(10, 1, 1).describe().endswith("completion tokens")
    with pytest.raises(ConfigError):
        estimate_cost(-1, 1, 1)
    assert estimate_tokens("one two three four") == 5
