"""The bundled demo service: a small, deliberately weak internal documentation assistant.

``drillhall demo`` starts it on loopback and runs every drill against it. It has an
OpenAI-compatible chat endpoint backed by a deterministic stand-in model
(:mod:`drillhall.demo.model`), an unauthenticated ticket-triage classifier
(:mod:`drillhall.demo.classifier`), and a small "repository" of its own under ``assets/``
(documentation, system prompt, training data, configuration, web bundle) in which weaknesses
are planted for the drills to find. Every key in ``assets/`` is fake.

The web parts need the ``web`` extra (FastAPI, uvicorn); this module itself imports neither.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from drillhall.errors import DrillhallError

__all__ = ["DemoServiceError", "assets_dir"]


class DemoServiceError(DrillhallError):
    """The demo service cannot load its assets, start or answer."""


def assets_dir() -> Path:
    """The directory holding the demo service's assets (inside the installed package).

    Raises :class:`DemoServiceError` when the package is not installed as plain files (for
    example imported from a zip archive), because the service serves its assets from disk.
    """
    resource = files("drillhall.demo").joinpath("assets")
    path = resource if isinstance(resource, Path) else Path(str(resource))
    if not path.is_dir():
        raise DemoServiceError(
            f"the demo service's assets directory {path} is missing; reinstall drillhall"
        )
    return path
