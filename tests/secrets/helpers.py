"""Helpers shared by the secrets tests: planting fake keys and scanning text."""

from __future__ import annotations

import re

from drillhall.ml.secrets.engine import Engine, Hit
from drillhall.testing.fakekeys import CONTEXT_KINDS, fake_secret

try:
    import hyperscan  # noqa: F401

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_HYPERSCAN = False

ENGINES = {"python": Engine(use_hyperscan=False)}
if HAVE_HYPERSCAN:
    ENGINES["hyperscan"] = Engine(use_hyperscan=True)


def planted(kind: str, seed: int = 0) -> str:
    """A small config file with the fake secret of ``kind`` in it."""
    value = fake_secret(kind, seed)
    if kind in CONTEXT_KINDS or "\n" in value:
        return f"# settings\n{value}\n"
    return f"# settings\nDEBUG = False\nclient = Client({value!r})\n"


def scan(text: str, engine: str = "python", path: str = "app/settings.py") -> list[Hit]:
    return ENGINES[engine].scan(text, path=path)


def rule_ids(text: str, engine: str = "python", path: str = "app/settings.py") -> list[str]:
    return [h.finding.rule_id for h in scan(text, engine, path)]


def placeholderize(text: str) -> str:
    """Replace every long random run by x's, as documentation does."""
    return re.sub(r"[A-Za-z0-9+/_\-]{12,}", lambda m: "x" * len(m.group(0)), text)


def secret_parts(text: str) -> list[str]:
    """The long random runs of a planted value (what must never appear in evidence)."""
    return [p for p in re.findall(r"[A-Za-z0-9+/]{16,}", text) if not p.isalpha() or len(p) > 20]
