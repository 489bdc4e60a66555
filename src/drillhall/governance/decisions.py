"""The ``[governance]`` table of drillhall.toml: the team's decisions, with owners and review
dates, for the questions LLM and ML security guidance asks before anything ships.

Five decision areas, each a sub-table with ``owner``, ``decided`` and ``next_review``:

* ``model_usage`` — SaaS or self-hosted models, and which providers;
* ``data_usage`` — personal or commercially sensitive data allowed? customer data in
  development?
* ``privacy`` — allowed use cases, human oversight, internal or customer-facing;
* ``agency`` — may the system act on its own? which tools may it call? how are answers
  explained?
* ``legal`` — regulations in scope and the legal review's status.

Each decision becomes checks against the evidence drills produce
(:mod:`drillhall.governance.checks`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str = ""
    """Who answers for this decision (a person, a role or a team)."""
    decided: dt.date | None = None
    next_review: dt.date | None = None
    notes: str = ""


class ModelUsage(_Decision):
    hosting: Literal["self-hosted", "saas", "either"] = "either"
    providers: list[str] = Field(default_factory=list)
    """Allowed providers or hosts (``openai``, ``azure``, ``ollama``, ``api.example.com``);
    empty allows any."""


class DataUsage(_Decision):
    personal_data: bool = True
    """May personal data appear in training data and prompts?"""
    commercially_sensitive: bool = True
    """May credentials and commercially sensitive data appear in the data and bundles?"""
    customer_data_in_development: bool = True


class Privacy(_Decision):
    audience: Literal["internal", "customer-facing"] = "internal"
    use_cases: list[str] = Field(default_factory=list)
    human_oversight: bool = True


class Agency(_Decision):
    autonomous_actions: bool = False
    """May the system call tools that act (send, delete, pay, run) without a person?"""
    allowed_tools: list[str] = Field(default_factory=list)
    explainability: str = ""


class Legal(_Decision):
    regulations: list[str] = Field(default_factory=list)
    review_status: Literal["approved", "pending", "not-required"] = "pending"


class GovernanceSection(BaseModel):
    """``[governance]``: the decisions. Areas left out are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str = ""
    """Who owns governance for this service as a whole."""
    require_evidence: bool = False
    """When true, a check without evidence (the drill never ran) fails instead of being
    reported as missing evidence."""
    model_usage: ModelUsage | None = None
    data_usage: DataUsage | None = None
    privacy: Privacy | None = None
    agency: Agency | None = None
    legal: Legal | None = None

    def decisions(self) -> list[tuple[str, _Decision]]:
        """The decisions made, by area name."""
        areas = ("model_usage", "data_usage", "privacy", "agency", "legal")
        return [(a, d) for a in areas if (d := getattr(self, a)) is not None]
