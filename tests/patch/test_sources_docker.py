"""Dockerfile FROM lines and Python end-of-life dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from drillhall.patch.sources import python_eol
from drillhall.patch.sources.docker import parse_dockerfile, python_minor, split_reference

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PY_VERSION=3.8
ARG DISTRO="slim-bookworm"
ARG REGISTRY

FROM --platform=$BUILDPLATFORM python:${PY_VERSION}-${DISTRO} AS build
ARG PY_VERSION=3.12
RUN pip wheel -w /wheels . \\
    && echo done

FROM build AS test
RUN pytest

FROM \\
    ${REGISTRY:-docker.io}/library/python:3.12.2@sha256:abcd AS runtime
FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim
FROM localhost:5000/base
FROM ubuntu@sha256:1234
FROM $UNKNOWN/thing:1
FROM scratch
"""


def test_multi_stage_dockerfile(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE, encoding="utf-8")
    found = parse_dockerfile(path)
    rows = [(i.image, i.tag, i.line, i.python) for i in found.images]
    assert rows == [
        ("python", "3.8-slim-bookworm", 6, "3.8"),
        ("docker.io/library/python", "3.12.2", 14, "3.12"),
        ("ghcr.io/astral-sh/uv", "python3.11-bookworm-slim", 16, "3.11"),
        ("localhost:5000/base", "latest", 17, None),
        ("ubuntu", "", 18, None),
    ]
    assert all(image.source == path for image in found.images)
    assert found.notes == [f"{path} line 19: image '$UNKNOWN/thing:1' has an unresolved variable"]


@pytest.mark.parametrize(("reference", "expected"), [
    ("python", ("python", "latest")),
    ("python:3.13-alpine", ("python", "3.13-alpine")),
    ("registry:5000/team/app:2", ("registry:5000/team/app", "2")),
])
def test_split_reference(reference: str, expected: tuple[str, str]) -> None:
    assert split_reference(reference) == expected


@pytest.mark.parametrize(("image", "tag", "minor"), [
    ("python", "3.10", "3.10"),
    ("python", "3.9.18-slim", "3.9"),
    ("python", "3-slim", None),
    ("python", "latest", None),
    ("node", "20", None),
    ("pypy", "3.10", None),
])
def test_python_minor(image: str, tag: str, minor: str | None) -> None:
    assert python_minor(image, tag) == minor


def test_python_eol_table() -> None:
    assert python_eol("3.7") == date(2023, 6, 27)
    assert python_eol("3.8") == date(2024, 10, 7)
    assert python_eol("3.9") == date(2025, 10, 31)
    assert python_eol("3.10") == date(2026, 10, 31)
    assert python_eol("3.14") == date(2030, 10, 31)
    assert python_eol("3.99") is None
