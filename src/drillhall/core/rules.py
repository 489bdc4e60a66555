"""Documentation of the rules behind findings, for SARIF ``rules[]``, HTML help and docs.

Each drill family keeps a ``RULES: tuple[RuleInfo, ...]`` next to its code; the
:class:`~drillhall.core.drill.DrillFactory` of a drill points at it, and :func:`known_rules`
collects them all (importing each family lazily).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

from drillhall.core.model import Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule detects and what to do about it."""

    rule_id: str
    title: str
    description: str
    remediation: str
    severity: Severity
    tags: tuple[str, ...] = ()
    help_uri: str | None = None


def load_rules(target: str) -> tuple[RuleInfo, ...]:
    """Import ``module:ATTRIBUTE`` and return the rules it holds."""
    module, _, attr = target.partition(":")
    rules = getattr(import_module(module), attr)
    return tuple(rules)


def known_rules(targets: Iterable[str]) -> dict[str, RuleInfo]:
    """Every rule of the given ``module:ATTRIBUTE`` targets, by id."""
    out: dict[str, RuleInfo] = {}
    for target in targets:
        for rule in load_rules(target):
            out[rule.rule_id] = rule
    return out
