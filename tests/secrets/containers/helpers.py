"""Helpers for the container-reader tests: run-time tokens and collecting expand() output."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from drillhall.ml.secrets.containers import Blob, Limits, Skip, expand


def make_token() -> str:
    """A unique marker built at run time (nothing credential-like is stored in the repo)."""
    return "tok" + "en_" + uuid.uuid4().hex


def collect(items: Iterable[Blob | Skip]) -> tuple[list[Blob], list[Skip]]:
    blobs: list[Blob] = []
    skips: list[Skip] = []
    for item in items:
        if isinstance(item, Blob):
            blobs.append(item)
        else:
            skips.append(item)
    return blobs, skips


def run(path: Path, limits: Limits | None = None) -> tuple[list[Blob], list[Skip]]:
    return collect(expand(path, path.name, limits or Limits()))


def texts(blobs: Iterable[Blob]) -> str:
    return "\n".join(b.text for b in blobs)
