"""LLM targets: the things a red team, a guard or an eval talks to.

Every target implements :class:`drillhall.llm.types.Target` (``name``, ``async send(messages,
*, tools, max_tokens) -> Reply``, ``async aclose()``) and raises
:class:`~drillhall.errors.TargetError` — one sentence naming the target, never a key — when
the target cannot be reached, refuses the request or answers garbage.

=========================  ==================================================================
:class:`OpenAIChatTarget`  OpenAI-compatible chat completions: OpenAI, Azure OpenAI, Ollama,
                           vLLM, llama.cpp server, LiteLLM (JSON or streamed, with tools)
:class:`HttpTemplateTarget`  any HTTP endpoint: a JSON body template and a response path
:class:`CallableTarget`    a Python function ``(messages, tools) -> str | Reply``
=========================  ==================================================================

:func:`open_target` builds one from a :class:`TargetSpec` or a URL string. A run shares one
:class:`Budget` (``BudgetExhausted`` when spent) and one :class:`RateLimitStats` between its
targets; :func:`estimate_cost` gives the figure to show before starting. See
``docs/llm-targets.md``.
"""

from drillhall.llm.targets.base import (
    Budget,
    BudgetExhausted,
    RateLimitSnapshot,
    RateLimitStats,
    RetryPolicy,
    TargetTimeout,
)
from drillhall.llm.targets.callable import CallableTarget, load_callable
from drillhall.llm.targets.openai import OpenAIChatTarget
from drillhall.llm.targets.spec import (
    CostEstimate,
    TargetSpec,
    estimate_cost,
    estimate_tokens,
    open_target,
)
from drillhall.llm.targets.template import HttpTemplateTarget, JsonPath

__all__ = [
    "Budget",
    "BudgetExhausted",
    "CallableTarget",
    "CostEstimate",
    "HttpTemplateTarget",
    "JsonPath",
    "OpenAIChatTarget",
    "RateLimitSnapshot",
    "RateLimitStats",
    "RetryPolicy",
    "TargetSpec",
    "TargetTimeout",
    "estimate_cost",
    "estimate_tokens",
    "load_callable",
    "open_target",
]
