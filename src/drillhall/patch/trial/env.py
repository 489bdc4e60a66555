"""The throwaway copy of a project and its fresh virtual environment.

:class:`ThrowawayEnv` copies the project into a temporary directory (leaving out ``.git``,
virtual environments, caches, ``node_modules`` and ``.drillhall``), creates a virtual
environment inside it and installs the project's requirements with candidate pins
substituted in the *copy*; the user's tree is only ever read. With ``uv`` on PATH it uses
``uv venv`` and ``uv pip install``; otherwise ``python -m venv`` and pip (pip driving the new
environment through ``--python`` when the running interpreter has pip, else the new
environment's own pip). With an ``index_url`` the install uses only that index and ignores
the user's pip configuration (``--isolated``). Every command is bounded by a timeout and can
be cancelled; its output is captured.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from drillhall.errors import DrillError
from drillhall.patch.model import Dependency
from drillhall.patch.trial.pins import rewritten_files

IGNORED = (".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules", ".drillhall",
           ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache")
OUTPUT_LIMIT = 64 * 1024
"""Characters of a command's output kept (the end of it)."""


class TrialEnvError(DrillError):
    """The throwaway copy or its virtual environment cannot be made."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One finished (or stopped) command: ``returncode`` is ``None`` when it was stopped by
    the timeout or by cancellation."""

    argv: tuple[str, ...]
    returncode: int | None
    output: str
    duration: float
    timed_out: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_command(argv: Sequence[str], *, cwd: Path, timeout: float,
                env: Mapping[str, str] | None = None,
                cancel: threading.Event | None = None) -> CommandResult:
    """Run ``argv`` in its own process group, output (stdout and stderr) captured into a
    temporary file, killing the group on timeout or when ``cancel`` is set."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+b") as sink:
        try:
            proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env else None,
                                    stdout=sink, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise TrialEnvError(f"{argv[0]} cannot be started: {exc.strerror or exc}") from None
        timed_out = cancelled = False
        _LIVE.add(proc)
        try:
            while True:
                try:
                    proc.wait(timeout=0.05)
                    break
                except subprocess.TimeoutExpired:
                    if cancel is not None and cancel.is_set():
                        cancelled = True
                    elif time.monotonic() - started > timeout:
                        timed_out = True
                    else:
                        continue
                    _kill(proc)
                    break
        except BaseException:
            _kill(proc)
            raise
        finally:
            _LIVE.discard(proc)
        sink.seek(0)
        data = sink.read()
    text = data.decode("utf-8", "replace")[-OUTPUT_LIMIT:]
    code = None if (timed_out or cancelled) else proc.returncode
    return CommandResult(tuple(argv), code, text, time.monotonic() - started, timed_out,
                         cancelled)


_LIVE: set[subprocess.Popen[bytes]] = set()
"""Trial commands still running. Each runs in its own process group (so a timeout can kill
its children too), which also means a Ctrl-C at the terminal does not reach it: whatever is
left when drillhall exits is killed here."""


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_LIVE):
        _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def copy_project(root: Path, dest: Path) -> Path:
    """Copy project ``root`` to ``dest`` (which must not exist), leaving out :data:`IGNORED`
    directories and any directory holding a virtual environment."""

    def skip(directory: str, names: list[str]) -> set[str]:
        out = {n for n in names if n in IGNORED}
        out |= {n for n in names if (Path(directory) / n / "pyvenv.cfg").is_file()}
        return out

    try:
        shutil.copytree(root, dest, ignore=skip, symlinks=True)
    except (OSError, shutil.Error) as exc:
        raise TrialEnvError(f"{root} cannot be copied to a throwaway directory: {exc}") from None
    return dest


def _bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


class ThrowawayEnv:
    """A temporary copy of ``root`` with a fresh virtual environment (a context manager that
    deletes both on exit). ``requirements`` are the requirements files to install (paths in
    ``root``); without any, a ``pyproject.toml`` is installed (``-e .`` when it names a build
    backend, else its ``[project] dependencies``)."""

    def __init__(self, root: Path, *, requirements: Iterable[Path] = (),
                 index_url: str | None = None, timeout: float = 600.0,
                 cancel: threading.Event | None = None, uv: str | None = None) -> None:
        self.root = root.resolve()
        self.requirements = [p.resolve() for p in requirements]
        self.index_url = index_url
        self.timeout = timeout
        self.cancel = cancel
        self.uv = uv
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.project = Path()
        self.venv = Path()

    def __enter__(self) -> ThrowawayEnv:
        self._tmp = tempfile.TemporaryDirectory(prefix="drillhall-trial-")
        self.project = copy_project(self.root, Path(self._tmp.name) / "project")
        self.venv = Path(self._tmp.name) / "venv"
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def python(self) -> Path:
        return _bin(self.venv) / ("python.exe" if os.name == "nt" else "python")

    def environ(self) -> dict[str, str]:
        """The environment for commands in the copy: the venv's scripts first on PATH."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")}
        env["PATH"] = str(_bin(self.venv)) + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def pin(self, changes: Iterable[tuple[Dependency, str]]) -> list[Path]:
        """Rewrite the candidate pins in the copy; returns the files changed."""
        texts = rewritten_files(changes, root=self.root, into=self.project)
        for path, text in texts.items():
            path.write_bytes(text.encode("utf-8"))
        return sorted(texts)

    def _run(self, argv: Sequence[str]) -> CommandResult:
        return run_command(argv, cwd=self.project, timeout=self.timeout, env=self.environ(),
                           cancel=self.cancel)

    def create(self) -> CommandResult:
        """Create the virtual environment."""
        if self.uv:
            return self._run([self.uv, "venv", "--quiet", "--python", sys.executable,
                              str(self.venv)])
        if importlib.util.find_spec("pip") is not None:
            return self._run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)])
        return self._run([sys.executable, "-m", "venv", str(self.venv)])

    def _installer(self) -> list[str]:
        if self.uv:
            argv = [self.uv, "pip", "install", "--python", str(self.python)]
            return argv + (["--index-url", self.index_url] if self.index_url else [])
        if (_bin(self.venv) / "pip").exists() or (_bin(self.venv) / "pip.exe").exists():
            argv = [str(self.python), "-m", "pip"]
        else:
            argv = [sys.executable, "-m", "pip", "--python", str(self.python)]
        if self.index_url:
            argv.append("--isolated")
        argv += ["install", "--no-cache-dir", "--disable-pip-version-check", "--no-input",
                 "--quiet"]
        return argv + (["--index-url", self.index_url] if self.index_url else [])

    def install_args(self) -> list[str]:
        """What to install, relative to the copy."""
        if self.requirements:
            args: list[str] = []
            for path in self.requirements:
                try:
                    rel = path.relative_to(self.root)
                except ValueError:
                    raise TrialEnvError(f"{path} is outside the project {self.root}") from None
                args += ["-r", str(rel)]
            return args
        pyproject = self.project / "pyproject.toml"
        if not pyproject.is_file():
            raise TrialEnvError(f"{self.root} has neither a requirements file nor a "
                                "pyproject.toml to install")
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TrialEnvError(f"{pyproject.name} cannot be read: {exc}") from None
        if "build-system" in data:
            return ["-e", "."]
        deps = data.get("project", {}).get("dependencies", [])
        return [str(d) for d in deps if isinstance(d, str)]

    def install(self, constraints: Mapping[str, str] | None = None) -> CommandResult:
        """Install the (pinned) requirements into the virtual environment, holding each
        package of ``constraints`` at its version (``name → version``)."""
        args = self.install_args()
        if not args:
            return CommandResult((), 0, "nothing to install", 0.0)
        if constraints:
            assert self._tmp is not None
            path = Path(self._tmp.name) / "constraints.txt"
            path.write_text("".join(f"{n}=={v}\n" for n, v in sorted(constraints.items())),
                            encoding="utf-8")
            args += ["-c", str(path)]
        return self._run(self._installer() + args)
