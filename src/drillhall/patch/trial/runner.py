"""The project's test command: detected or given, run in the throwaway copy.

Detection, first match wins: a ``tests``/``test`` directory or pytest configuration
(``pytest.ini``, ``[tool.pytest.ini_options]``, ``[tool:pytest]`` in setup.cfg, ``conftest.py``)
→ ``python -m pytest -q -x``; ``tox.ini`` → ``tox``; ``noxfile.py`` → ``nox``; a Makefile with
a ``test:`` target → ``make test``. Failing test names are read from pytest's ``FAILED
path::name`` and ``ERROR path::name`` summary lines and from unittest's ``FAIL: name (id)`` /
``ERROR: name (id)`` headers.
"""

from __future__ import annotations

import re
import shlex
import threading
from dataclasses import dataclass
from pathlib import Path

from drillhall.errors import ConfigError
from drillhall.patch.trial.env import ThrowawayEnv, run_command

PYTEST = ("python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider")
_PYTEST_LINE = re.compile(r"^(?:FAILED|ERROR) (\S+::\S+|\S+\.py)(?: - .*)?$", re.MULTILINE)
_UNITTEST_LINE = re.compile(r"^(?:FAIL|ERROR): (\S+) \(([^)]+)\)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class TestRun:
    """One run of the test command. ``passed`` is True only for exit status 0."""

    __test__ = False  # not a pytest test class

    command: tuple[str, ...]
    passed: bool
    returncode: int | None
    duration: float
    failed_tests: tuple[str, ...] = ()
    output: str = ""
    timed_out: bool = False
    cancelled: bool = False


def parse_command(text: str) -> tuple[str, ...]:
    """Split a configured test command like a POSIX shell would."""
    try:
        argv = tuple(shlex.split(text))
    except ValueError as exc:
        raise ConfigError(f"the test command {text!r} cannot be parsed: {exc}") from None
    if not argv:
        raise ConfigError("the test command is empty")
    return argv


def _pytest_configured(root: Path) -> bool:
    if (root / "pytest.ini").is_file() or (root / "conftest.py").is_file():
        return True
    for name, marker in (("pyproject.toml", "[tool.pytest.ini_options]"),
                         ("setup.cfg", "[tool:pytest]"), ("tox.ini", "[pytest]")):
        path = root / name
        try:
            if path.is_file() and marker in path.read_text(encoding="utf-8"):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def detect_command(root: Path) -> tuple[str, ...] | None:
    """The test command of project ``root`` (see the module docstring), or ``None``."""
    if (root / "tests").is_dir() or (root / "test").is_dir() or _pytest_configured(root):
        return PYTEST
    if (root / "tox.ini").is_file():
        return ("tox",)
    if (root / "noxfile.py").is_file():
        return ("nox",)
    makefile = root / "Makefile"
    try:
        if makefile.is_file() and re.search(r"^test\s*:", makefile.read_text(encoding="utf-8"),
                                            re.MULTILINE):
            return ("make", "test")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def failing_tests(output: str) -> tuple[str, ...]:
    """The failing test names in a pytest or unittest output, in order, without repeats."""
    names = [m.group(1) for m in _PYTEST_LINE.finditer(output)]
    names += [f"{m.group(2)}" if m.group(1) in m.group(2) else f"{m.group(2)}.{m.group(1)}"
              for m in _UNITTEST_LINE.finditer(output)]
    return tuple(dict.fromkeys(names))


def run_tests(env: ThrowawayEnv, command: tuple[str, ...], *, timeout: float,
              cancel: threading.Event | None = None) -> TestRun:
    """Run ``command`` in the copy of ``env`` with its virtual environment first on PATH."""
    argv = list(command)
    if argv[0] == "python":
        argv[0] = str(env.python)
    result = run_command(argv, cwd=env.project, timeout=timeout, env=env.environ(),
                         cancel=cancel)
    return TestRun(command, result.ok, result.returncode, result.duration,
                   failing_tests(result.output), result.output, result.timed_out,
                   result.cancelled)
