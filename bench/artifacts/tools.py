"""Set up, run and read the model-file scanners compared by the model-artifact benchmark.

Set-up is the only step that reaches a package registry: one throwaway virtualenv per
anchor under ``bench/.work/artifacts-tools/``, each made with a plain ``pip install NAME``
(modelscan with its ``h5py`` extra, and its ``tensorflow`` extra when asked for, since it
needs them to open Keras files). Nothing is repaired afterwards: a tool that crashes in
the environment its own package declares is recorded as crashing.

Every scan runs offline (inside ``unshare -n`` where the machine allows it) and ends in a
:class:`Verdict` per corpus file: ``flagged`` (the tool calls it unsafe), ``clean``,
``error`` (the tool failed on it: a crash, a parse error, a missing dependency) or
``skipped`` (the tool did not look at it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
TOOLS = WORK / "artifacts-tools"
DRILLHALL = REPO / ".venv" / "bin" / "drillhall"
VENV_PY = REPO / ".venv" / "bin" / "python"

# Formats each tool says it reads (its README / --help), by the corpus's format names.
# fickling's command line reads one pickle stream; it has no archive or directory mode.
CLAIMED = {
    "picklescan": {"pickle", "joblib", "pytorch-zip", "npy", "npz", "zip"},
    "modelscan": {"pickle", "joblib", "pytorch-zip", "npy", "npz", "zip", "keras-h5",
                  "keras-v3"},
    "fickling": {"pickle", "joblib"},
    "drillhall": {"pickle", "joblib", "pytorch-zip", "npy", "npz", "zip", "tar.gz",
                  "keras-h5", "keras-v3", "onnx", "safetensors", "gguf"},
}


@dataclass
class Verdict:
    """What one tool said about one corpus file."""

    outcome: str  # flagged | clean | error | skipped
    detail: str = ""


@dataclass
class Proc:
    """A finished (or killed) process: exit code, output, wall time, peak memory."""

    code: int
    out: str
    err: str
    seconds: float
    max_rss_mb: float
    timed_out: bool = False
    all_seconds: list[float] = field(default_factory=list)


@dataclass
class Tool:
    """How to run one scanner on a file or a directory and read what it said."""

    name: str
    version: str
    file_argv: Callable[[Path, Path], list[str]]  # (target, report) -> argv
    read_file: Callable[[Proc, Path, Path], Verdict]  # (proc, report, target) -> verdict
    dir_argv: Callable[[Path, Path], list[str]] | None = None
    read_dir: Callable[[Proc, Path, Path, list[str]], dict[str, Verdict]] | None = None
    notes: list[str] = field(default_factory=list)


def offline_prefix() -> list[str]:
    """``unshare -n`` when it works here, else nothing (then offline is not enforced)."""
    exe = shutil.which("unshare")
    if exe and subprocess.run([exe, "-n", "true"], capture_output=True,
                              check=False).returncode == 0:
        return [exe, "-n"]
    return []


OFFLINE = offline_prefix()


def run(argv: list[str], cwd: Path, timeout: float = 1800.0) -> Proc:
    """Run offline from ``cwd``; measure wall time and the child's peak resident memory."""
    env = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="200")
    t0 = time.perf_counter()
    child = subprocess.Popen(OFFLINE + argv, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    timer = threading.Timer(timeout, child.kill)
    timer.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(pipe, buf))
               for pipe, buf in ((child.stdout, out_chunks), (child.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    timer.cancel()
    for r in readers:
        r.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Proc(child.returncode, "".join(out_chunks), "".join(err_chunks), seconds,
                usage.ru_maxrss / 1024, timed_out=child.returncode < 0)


def _pip(venv: Path, *specs: str) -> None:
    proc = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *specs],
                          capture_output=True, text=True, check=False, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(specs)} failed: {proc.stderr[-400:]}")


def setup(name: str, specs: tuple[str, ...]) -> Path:
    """A virtualenv ``TOOLS/<name>-venv`` with ``pip install <spec>`` for each spec."""
    venv = TOOLS / f"{name}-venv"
    marker = venv / f".installed-{'-'.join(s.replace('[', '_').strip(']') for s in specs)}"
    if not marker.exists():
        if not (venv / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for spec in specs:
            _pip(venv, spec)
        marker.touch()
    return venv


def version(venv: Path, dist: str) -> str:
    proc = subprocess.run([str(venv / "bin" / "python"), "-c",
                           f"import importlib.metadata as m; print(m.version({dist!r}))"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if re.search(r"Error|ERROR|Exception|Traceback|WARNING", line) and "Traceback" not in line:
            return line.strip()[:200]
    return text.strip().splitlines()[-1][:200] if text.strip() else ""


def _crash(proc: Proc) -> str:
    """The last line of a Python traceback in stderr, or ''."""
    text = proc.err if "Traceback (most recent call last)" in proc.err else proc.out
    if "Traceback (most recent call last)" not in text:
        return ""
    lines = [ln for ln in text.strip().splitlines()
             if ln.strip() and not ln.startswith(("Scanned files", "Infected", "Suspicious",
                                                   "Dangerous", "-----"))]
    return lines[-1].strip()[:200] if lines else "traceback"


def owner(source: str, files: list[str], root: Path) -> str | None:
    """The corpus file a reported path (absolute or relative, maybe ``file:member``) is in."""
    src = source.replace("\\", "/")
    base = str(root).rstrip("/") + "/"
    if src.startswith(base):
        src = src[len(base):]
    best = None
    for rel in files:
        inside = src == rel or src.startswith((rel + ":", rel + "!/"))
        if inside and (best is None or len(rel) > len(best)):
            best = rel
    return best


# -- picklescan -----------------------------------------------------------------------------

_PS_FOUND = re.compile(r"^(?P<src>.+?): (?P<level>dangerous|suspicious) import '(?P<g>[^']+)' "
                       r"FOUND", re.M)


def picklescan(venv: Path) -> Tool:
    exe = str(venv / "bin" / "picklescan")

    def read_file(proc: Proc, report: Path, target: Path) -> Verdict:
        text = proc.out + proc.err
        found = sorted({m["g"] for m in _PS_FOUND.finditer(text) if m["level"] == "dangerous"})
        if proc.code == 1:
            return Verdict("flagged", ", ".join(found))
        if crash := _crash(proc):
            return Verdict("error", crash)
        if proc.code == 2:
            return Verdict("error", _first_error(text))
        if "Scanned files: 0" in text:
            return Verdict("skipped", "not scanned")
        if f"could not parse {target} as pickle" in text:  # the file itself, not a member
            return Verdict("skipped", "not parsed as a pickle")
        return Verdict("clean")

    def read_dir(proc: Proc, report: Path, root: Path, files: list[str]) -> dict[str, Verdict]:
        text = proc.out + proc.err
        out: dict[str, Verdict] = {}
        for m in _PS_FOUND.finditer(text):
            rel = owner(m["src"], files, root)
            if rel and m["level"] == "dangerous":
                prev = out.get(rel)
                out[rel] = Verdict("flagged", (prev.detail + ", " if prev else "") + m["g"])
        return out

    return Tool("picklescan", version(venv, "picklescan"),
                lambda t, r: [exe, "-p", str(t)], read_file,
                lambda t, r: [exe, "-p", str(t)], read_dir)


# -- modelscan ------------------------------------------------------------------------------


def _modelscan_verdicts(report: Path, files: list[str], root: Path,
                        single: str | None) -> dict[str, Verdict]:
    data = json.loads(report.read_text(encoding="utf-8"))
    out: dict[str, Verdict] = {}

    def rel_of(source: str) -> str | None:
        if single is not None:
            return single
        return owner(source, files, root)

    summary = data.get("summary", {})
    scanned = {rel_of(s) for s in summary.get("scanned", {}).get("scanned_files", [])}
    for item in summary.get("skipped", {}).get("skipped_files", []):
        rel = rel_of(item["source"])
        if rel and rel not in scanned and rel not in out:
            out[rel] = Verdict("skipped", item["category"])
    for rel in scanned:
        if rel:
            out[rel] = Verdict("clean")
    for err in data.get("errors") or []:
        rel = rel_of(err.get("source", ""))
        if rel and rel not in scanned:
            out[rel] = Verdict("error", f"{err.get('category')}: {err.get('description')}"[:200])
    for issue in data.get("issues") or []:
        rel = rel_of(issue["source"])
        if rel:
            prev = out.get(rel)
            what = f"{issue['module']}.{issue['operator']} ({issue['severity']})"
            detail = (prev.detail + ", " + what) if prev and prev.outcome == "flagged" else what
            out[rel] = Verdict("flagged", detail)
    return out


def modelscan(venv: Path) -> Tool:
    exe = str(venv / "bin" / "modelscan")

    def argv(target: Path, report: Path) -> list[str]:
        return [exe, "scan", "-p", str(target), "-r", "json", "-o", str(report),
                "--show-skipped"]

    def read_file(proc: Proc, report: Path, target: Path) -> Verdict:
        if crash := _crash(proc):
            return Verdict("error", crash)
        if not report.exists():
            return Verdict("error", f"exit {proc.code}, no report: "
                           f"{_first_error(proc.out + proc.err)}")
        got = _modelscan_verdicts(report, [target.name], target.parent, target.name)
        return got.get(target.name, Verdict("skipped", f"exit {proc.code}"))

    def read_dir(proc: Proc, report: Path, root: Path, files: list[str]) -> dict[str, Verdict]:
        if not report.exists():
            return {}
        return _modelscan_verdicts(report, files, root, None)

    return Tool("modelscan", version(venv, "modelscan"), argv, read_file, argv, read_dir)


# -- fickling -------------------------------------------------------------------------------


def fickling(venv: Path) -> Tool:
    exe = str(venv / "bin" / "fickling")

    def read_file(proc: Proc, report: Path, target: Path) -> Verdict:
        if crash := _crash(proc):
            return Verdict("error", "crashed: " + crash)
        if proc.code == 1:
            return Verdict("flagged", _first_error(proc.out)[:120])
        if proc.code == 0:
            return Verdict("clean")
        return Verdict("error", _first_error(proc.err))

    return Tool("fickling", version(venv, "fickling"),
                lambda t, r: [exe, "--check-safety", "--json-output", str(r), str(t)], read_file,
                notes=["the command line reads one pickle stream; no directory or archive mode"])


# -- drillhall ------------------------------------------------------------------------------


def _drillhall_verdicts(report: Path, files: list[str], single: str | None
                        ) -> tuple[dict[str, Verdict], dict[str, list[str]]]:
    """(verdict per file: flagged on high/critical, else clean; findings below high)."""
    data = json.loads(report.read_text(encoding="utf-8"))
    out: dict[str, Verdict] = {}
    lower: dict[str, list[str]] = {}
    for result in data.get("results", []):
        for f in result.get("findings", []):
            path = (f.get("location") or {}).get("path") or ""
            rel = single if single is not None else owner(path, files, Path("/"))
            if rel is None:
                continue
            tag = f"{f['rule_id']} ({f['severity']})"
            if f["severity"] in ("high", "critical"):
                prev = out.get(rel)
                if prev is None or tag not in prev.detail:
                    out[rel] = Verdict("flagged", (prev.detail + ", " if prev else "") + tag)
            else:
                lower.setdefault(rel, []).append(tag)
    return out, lower


def drillhall(ver: str) -> Tool:
    exe = str(DRILLHALL)

    def argv(target: Path, report: Path) -> list[str]:
        return [exe, "ml", "model", str(target), "--format", "json", "--output", str(report),
                "--no-store"]

    def read_file(proc: Proc, report: Path, target: Path) -> Verdict:
        if proc.code == 2 or not report.exists():
            return Verdict("error", _first_error(proc.err + proc.out))
        got, lower = _drillhall_verdicts(report, [target.name], target.name)
        if target.name in got:
            return got[target.name]
        below = lower.get(target.name)
        return Verdict("clean", ("below high: " + ", ".join(below)) if below else "")

    def read_dir(proc: Proc, report: Path, root: Path, files: list[str]) -> dict[str, Verdict]:
        if not report.exists():
            return {}
        got, lower = _drillhall_verdicts(report, files, None)
        for rel, tags in lower.items():
            got.setdefault(rel, Verdict("clean", "below high: " + ", ".join(tags)))
        return got

    return Tool("drillhall", ver, argv, read_file, argv, read_dir)


def drillhall_version() -> str:
    proc = subprocess.run([str(VENV_PY), "-c", "import drillhall; print(drillhall.__version__)"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def git_commit() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "unknown"


def library_times(files: list[Path]) -> dict[str, Any]:
    """Per-file time of ``drillhall.ml.artifacts.scan.Scanner`` in one warm process."""
    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from drillhall.ml.artifacts.scan import Scanner\n"
        "out = {}\n"
        "for p in sys.argv[1:]:\n"
        "    path = Path(p)\n"
        "    best = None\n"
        "    for _ in range(3):\n"
        "        t0 = time.perf_counter()\n"
        "        rep = Scanner().scan_path(path)\n"
        "        dt = time.perf_counter() - t0\n"
        "        best = dt if best is None else min(best, dt)\n"
        "    out[p] = {'seconds': best, 'unsafe': bool(rep.unsafe_files())}\n"
        "print(json.dumps(out))\n")
    proc = run([str(VENV_PY), "-c", code, *map(str, files)], cwd=REPO)
    if proc.code != 0:
        raise RuntimeError(f"library timing failed: {proc.err[-400:]}")
    return dict(json.loads(proc.out))
