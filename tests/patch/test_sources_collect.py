"""collect(): discovery in a project directory, and installed environments."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from drillhall.errors import InputError
from drillhall.patch.sources import collect, collect_env
from drillhall.patch.sources.environment import collect_env as collect_env_direct


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_project_directory_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "p"\ndependencies = ["httpx>=0.27"]\n')
    write(tmp_path / "requirements.txt", "flask==3.0.0\n")
    write(tmp_path / "requirements-dev.txt", "-r requirements.txt\npytest==8.0.0\n")
    write(tmp_path / "services" / "api" / "requirements.txt", "fastapi==0.110.0\n")
    write(tmp_path / "a" / "b" / "c" / "d" / "requirements.txt", "toodeep==1\n")
    write(tmp_path / "deploy" / "Dockerfile.prod", "FROM python:3.9-slim\n")
    for skipped in (".venv", "node_modules", ".git", "lib/site-packages"):
        write(tmp_path / skipped / "requirements.txt", "hidden==1\n")
    write(tmp_path / "env2" / "pyvenv.cfg", "home = /usr\n")
    write(tmp_path / "env2" / "requirements.txt", "hidden==1\n")

    inventory = collect(tmp_path)

    names = [(d.name, d.source.relative_to(tmp_path).as_posix()) for d in inventory.dependencies]
    assert names == [
        ("httpx", "pyproject.toml"),
        ("flask", "requirements.txt"),
        ("pytest", "requirements-dev.txt"),
        ("fastapi", "services/api/requirements.txt"),
    ]
    assert [(i.image, i.python) for i in inventory.images] == [("python", "3.9")]
    assert tmp_path / "deploy" / "Dockerfile.prod" in inventory.sources
    assert len(inventory.sources) == len(set(inventory.sources))


def test_same_dependency_in_two_files_is_kept_per_file(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "flask==3.0.0\n")
    write(tmp_path / "requirements-prod.txt", "flask==3.0.0\n")
    inventory = collect(tmp_path)
    assert [d.source.name for d in inventory.dependencies] == [
        "requirements-prod.txt", "requirements.txt",
    ]


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        collect(tmp_path / "nope")


def test_unparseable_lockfile_in_directory(tmp_path: Path) -> None:
    write(tmp_path / "uv.lock", "version = 1\n[[package]\n")
    with pytest.raises(InputError, match=r"uv.lock line 2 is not valid TOML"):
        collect(tmp_path)


def test_installed_environment_of_this_interpreter() -> None:
    python = Path(sys.executable)
    inventory = collect_env(python)
    deps = {d.name: d for d in inventory.dependencies}
    assert "packaging" in deps
    assert deps["packaging"].version
    assert deps["packaging"].source == python
    assert inventory.sources == (python,)
    assert collect_env is collect_env_direct


def test_collect_adds_the_environment(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "flask==3.0.0\n")
    inventory = collect(tmp_path, python=sys.executable)
    assert inventory.dependencies[0].name == "flask"
    assert any(d.name == "packaging" for d in inventory.dependencies)


def test_environment_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be run"):
        collect_env(tmp_path / "no-python")
    with pytest.raises(InputError, match="did not list its packages within"):
        collect_env(Path(sys.executable), timeout=0.001)


def test_environment_interpreter_that_fails(tmp_path: Path) -> None:
    fake = write(tmp_path / "python", "#!/bin/sh\necho 'broken interpreter' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(InputError, match=r"failed to list its packages \(exit 3: broken"):
        collect_env(fake)
