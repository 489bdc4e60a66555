"""``drillhall demo``: run every drill against the bundled demo service.

The demo is honest: it runs the same drills a user runs, configured for the demo's assets and
endpoints, and then checks that each weakness planted in the demo was found
(:data:`PLANTED`). A planted weakness that no drill found is reported as a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillhall.core.config import Config, PolicySection, ServiceSection, StoreSection
from drillhall.core.model import Run

SERVICE = "docs-assistant-demo"
REPORT_NAME = "drillhall-demo-report.html"


@dataclass(frozen=True)
class Planted:
    """A weakness planted in the demo and the finding that proves a drill found it."""

    drill: str
    rule_id: str
    path: str
    what: str


PLANTED: tuple[Planted, ...] = (
    Planted("secrets", "DH-SECRET-AWS", ".env", "AWS access key pair in the service's .env"),
    Planted("secrets", "DH-SECRET-GOOGLE-API-KEY", "web/static/app.min.js",
            "Google API key in the minified web bundle"),
    Planted("secrets", "DH-SECRET-OPENAI", "mobile/docs-assistant.apk!/classes.dex",
            "OpenAI key in the Android app's DEX string table"),
)


def demo_config(root: Path, assets: Path, store_url: str | None = None) -> Config:
    """The configuration the demo runs with: every drill pointed at the demo service."""
    drills: dict[str, dict[str, Any]] = {
        "secrets": {"paths": [str(assets)]},
    }
    return Config(
        root=root.resolve(),
        source=None,
        service=ServiceSection(name=SERVICE, description="bundled demo: a deliberately weak "
                               "internal documentation assistant"),
        store=StoreSection(url=store_url),
        policy=PolicySection(required=sorted(drills)),
        drills=drills,
    )


def missed(run: Run, planted: Sequence[Planted] = PLANTED) -> list[Planted]:
    """The planted weaknesses that no finding of ``run`` proves."""
    out = []
    for p in planted:
        result = run.result(p.drill)
        found = result is not None and any(
            f.rule_id.startswith(p.rule_id) and (f.location.path or "") == p.path
            for f in result.findings)
        if not found:
            out.append(p)
    return out
