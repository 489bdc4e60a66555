"""Set up, run and parse the scanners compared by the secrets benchmark.

Set-up is the only step that reaches a package registry: a throwaway virtualenv with
``detect-secrets`` from PyPI and an npm project with ``secretlint`` and its recommended rule
preset, both under ``bench/.work``. Every scan afterwards runs offline — inside a fresh
network namespace (``unshare -n``) when the machine allows it — and is parsed into
:class:`Hit` records: a path relative to the scanned root (archive members as
``a.zip!/member``), a 1-based line and the tool's rule name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
DS_VENV = WORK / "ds-venv"
SL_DIR = WORK / "secretlint"
DRILLHALL = REPO / ".venv" / "bin" / "drillhall"
TIMEOUT = 3600


@dataclass(frozen=True)
class Hit:
    """One finding reduced to where it points and which rule raised it."""

    file: str
    line: int
    rule: str


@dataclass
class ToolRun:
    """The outcome of one scan."""

    tool: str
    seconds: float
    exit_code: int
    hits: list[Hit] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Tool:
    """How to invoke a scanner on a directory and read its report."""

    name: str
    version: str
    command: Callable[[Path, Path], list[str]]  # (target, report file) -> argv
    parse: Callable[[Path, Path], list[Hit]]  # (report file, target) -> hits
    ok_codes: tuple[int, ...] = (0, 1)
    stdout_is_report: bool = False
    outside_cwd: bool = False  # run from a scratch directory, not from the scanned tree


def _run(argv: list[str], cwd: Path | None = None, timeout: int = 1800) -> str:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({proc.returncode}): "
                           f"{proc.stderr.strip()[-400:]}")
    return proc.stdout.strip()


# --- set-up (network) --------------------------------------------------------------------------


def setup_detect_secrets() -> str:
    """Create the detect-secrets virtualenv if it is missing; return the version."""
    exe = DS_VENV / "bin" / "detect-secrets"
    if not exe.exists():
        _run([sys.executable, "-m", "venv", str(DS_VENV)])
        _run([str(DS_VENV / "bin" / "pip"), "install", "--quiet", "detect-secrets"])
    return _run([str(exe), "--version"])


def setup_secretlint() -> str:
    """Install secretlint and the recommended preset with npm if missing; return the version."""
    exe = SL_DIR / "node_modules" / ".bin" / "secretlint"
    if not exe.exists():
        SL_DIR.mkdir(parents=True, exist_ok=True)
        (SL_DIR / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        _run(["npm", "install", "--no-audit", "--no-fund", "secretlint",
              "@secretlint/secretlint-rule-preset-recommend"], cwd=SL_DIR, timeout=900)
    rc = {"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}
    (SL_DIR / ".secretlintrc.json").write_text(json.dumps(rc) + "\n", encoding="utf-8")
    return _run([str(exe), "--version"])


def drillhall_ready() -> tuple[bool, str]:
    """Whether ``drillhall secrets`` answers ``--help``; and the version or the reason."""
    if not DRILLHALL.exists():
        return False, f"{DRILLHALL} does not exist"
    proc = subprocess.run([str(DRILLHALL), "secrets", "--help"], capture_output=True,
                          text=True, check=False, timeout=120)
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return False, f"exit {proc.returncode}: {last[0][:300]}"
    ver = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c",
                          "import drillhall; print(drillhall.__version__)"],
                         capture_output=True, text=True, check=False)
    return True, ver.stdout.strip() or "unknown"


# --- offline runs ------------------------------------------------------------------------------


def _offline_prefix() -> list[str]:
    """``unshare -n`` when it works here (root or user namespaces), else nothing."""
    exe = shutil.which("unshare")
    probe = [exe, "-n", "true"] if exe else []
    if probe and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return probe[:2]
    return []


OFFLINE = _offline_prefix()


def run_tool(tool: Tool, target: Path, report: Path) -> ToolRun:
    """Scan ``target`` with ``tool`` offline; time it and parse its report."""
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    argv = OFFLINE + tool.command(target, report)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("npm_", "NODE_"))}
    env["NO_COLOR"] = "1"
    with tempfile.TemporaryDirectory(prefix="dh-bench-") as scratch:
        cwd = Path(scratch) if tool.outside_cwd else target
        t0 = time.perf_counter()
        with report.open("w") if tool.stdout_is_report else open(os.devnull, "w") as out:
            proc = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE, text=True,
                                  env=env, timeout=TIMEOUT, check=False)
        seconds = time.perf_counter() - t0
    run = ToolRun(tool.name, seconds, proc.returncode)
    if proc.returncode not in tool.ok_codes:
        run.error = f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
        return run
    try:
        run.hits = tool.parse(report, target)
    except (OSError, ValueError, KeyError, TypeError) as err:
        run.error = f"cannot parse the report {report}: {err}"
    return run


def _rel(path: str, target: Path) -> str:
    p = path.replace("\\", "/")
    root = str(target.resolve()).replace("\\", "/").rstrip("/") + "/"
    if p.startswith(root):
        p = p[len(root):]
    while p.startswith("./"):
        p = p[2:]
    return p


def parse_detect_secrets(report: Path, target: Path) -> list[Hit]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return [Hit(_rel(fname, target), int(r["line_number"]), str(r["type"]))
            for fname, rows in data["results"].items() for r in rows]


def parse_secretlint(report: Path, target: Path) -> list[Hit]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return [Hit(_rel(f["filePath"], target), int(m["loc"]["start"]["line"]), str(m["ruleId"]))
            for f in data for m in f.get("messages", [])]


def parse_drillhall(report: Path, target: Path) -> list[Hit]:
    data = json.loads(report.read_text(encoding="utf-8"))
    hits = []
    for result in data["results"]:
        for f in result.get("findings", []):
            loc = f.get("location") or {}
            hits.append(Hit(_rel(str(loc.get("path", "")), target), int(loc.get("line") or 0),
                            str(f["rule_id"])))
    return hits


def detect_secrets_tool(version: str) -> Tool:
    exe = str(DS_VENV / "bin" / "detect-secrets")
    return Tool("detect-secrets", version, lambda t, r: [exe, "scan", "--all-files", "-n", "."],
                parse_detect_secrets, ok_codes=(0,), stdout_is_report=True)


def secretlint_tool(version: str) -> Tool:
    exe = str(SL_DIR / "node_modules" / ".bin" / "secretlint")
    rc = str(SL_DIR / ".secretlintrc.json")

    def cmd(target: Path, report: Path) -> list[str]:
        return [exe, "**/*", "--format", "json", "--output", str(report), "--secretlintrc", rc,
                "--no-color"]

    return Tool("secretlint", version, cmd, parse_secretlint)


def drillhall_tool(version: str, *extra: str) -> Tool:
    """``drillhall secrets`` with its defaults (plus ``extra`` options).

    It runs from a scratch directory, so the history store it keeps by default
    (``.drillhall/history.db`` in the working directory) is written there and never into the
    scanned tree, and no drillhall.toml of this repository is picked up.
    """

    def cmd(target: Path, report: Path) -> list[str]:
        return [str(DRILLHALL), "secrets", str(target.resolve()), "--format", "json",
                "--output", str(report), *extra]

    name = " ".join(["drillhall", *extra])
    return Tool(name, version, cmd, parse_drillhall, outside_cwd=True)


def drillhall_metrics(report: Path) -> dict[str, Any]:
    """The metrics block of a drillhall JSON report (files scanned, skipped, ...)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        return dict(data["results"][0].get("metrics", {}))
    except (OSError, ValueError, KeyError, IndexError):
        return {}


def tree_bytes(root: Path) -> tuple[int, int]:
    """Number of files and bytes under ``root``."""
    n = size = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            n += 1
            size += (Path(dirpath) / name).stat().st_size
    return n, size


def copy_site_packages(src: Path, dest: Path, only: tuple[str, ...] = ()) -> Path:
    """A stable copy of a site-packages tree without byte-code caches (made once)."""
    if dest.exists():
        return dest
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if only:
        tmp.mkdir(parents=True)
        for name in only:
            if (src / name).is_dir():
                shutil.copytree(src / name, tmp / name, ignore=ignore, symlinks=True)
    else:
        shutil.copytree(src, tmp, ignore=ignore, symlinks=True)
    tmp.rename(dest)
    return dest
