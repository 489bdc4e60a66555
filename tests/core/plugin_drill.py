"""A tiny third-party-style drill used by the registry tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Status


class Answer:
    name = "x"

    def __init__(self, answer: int) -> None:
        self.answer = answer

    def run(self, ctx: DrillContext) -> DrillResult:
        return DrillResult(self.name, Status.PASSED)


def build(options: Mapping[str, Any], root: Path) -> Answer:
    return Answer(int(options["answer"]))
