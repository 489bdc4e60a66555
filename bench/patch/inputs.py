"""Inputs and advisory data of the patch-audit benchmark (set-up only: registries reached here).

- ``requirements-20.txt`` is hand-written (in ``bench/patch/data``);
- ``requirements-150.txt`` is resolved once from ``top-level-150.in`` by
  ``uv pip compile --exclude-newer 2021-06-01`` and kept in ``bench/patch/data`` so every run
  audits the same pins (``--regen`` resolves it again);
- ``project/uv.lock`` is locked during set-up from ``data/project/pyproject.toml`` with
  ``uv lock --exclude-newer 2021-06-01`` (a real lock of a small web/ML service);
- the advisory snapshot: OSV's PyPI ``all.zip`` through ``drillhall patch db update`` when OSV's
  bucket can be reached, else the PyPA advisory database (OSV records in YAML, the PYSEC data
  PyPI's JSON API serves to pip-audit) converted to one JSON file per record and zipped in the
  all.zip layout.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REPO = HERE.parent.parent
WORK = REPO / "bench" / ".work"
PATCH_WORK = WORK / "patch"
EXCLUDE_NEWER = "2021-06-01"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def pins(path: Path) -> dict[str, str]:
    """name (normalised) -> version of every ``name==version`` line."""
    out = {}
    for ln in path.read_text(encoding="utf-8").splitlines():
        m = PIN.match(ln.split("#", 1)[0].strip())
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return out


def requirements_150(uv: Path, regen: bool = False) -> Path:
    """The 150-pin file: kept in data/, resolved with uv when missing or on ``regen``."""
    target = DATA / "requirements-150.txt"
    if target.exists() and not regen:
        return target
    compiled = PATCH_WORK / "compiled-150.txt"
    subprocess.run([str(uv), "pip", "compile", "--exclude-newer", EXCLUDE_NEWER,
                    "--python-version", "3.9", "--python-platform", "x86_64-manylinux_2_17",
                    "--no-header", "--no-annotate", str(DATA / "top-level-150.in"),
                    "-o", str(compiled)], check=True, capture_output=True)
    top = [ln.strip() for ln in (DATA / "top-level-150.in").read_text().splitlines()
           if ln.strip() and not ln.startswith("#")]
    resolved = pins(compiled)
    chosen = [n for n in top if n in resolved]
    chosen += sorted(n for n in resolved if n not in chosen)
    chosen = sorted(chosen[:150])
    head = ("# 150 pins: the top-level names of top-level-150.in and their dependencies as\n"
            f"# resolved by uv pip compile --exclude-newer {EXCLUDE_NEWER} --python-version 3.9\n")
    target.write_text(head + "".join(f"{n}=={resolved[n]}\n" for n in chosen), encoding="utf-8")
    return target


def uv_lock(uv: Path) -> Path | None:
    """Lock data/project/pyproject.toml with uv in bench/.work/patch/project; None on failure."""
    project = PATCH_WORK / "project"
    lock = project / "uv.lock"
    if lock.exists():
        return lock
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "project" / "pyproject.toml", project / "pyproject.toml")
    run = subprocess.run([str(uv), "lock", "--exclude-newer", EXCLUDE_NEWER],
                         cwd=project, capture_output=True, text=True, check=False)
    return lock if run.returncode == 0 and lock.exists() else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00Z"
    raise TypeError(f"not JSON: {type(value).__name__}")


def pypa_snapshot(source: Path, target_zip: Path) -> dict[str, Any]:
    """Convert the PyPA advisory database (a git directory or a checkout) into an all.zip."""
    import yaml  # type: ignore[import-untyped]  # the project's .venv has PyYAML; set-up only

    files: dict[str, str] = {}
    commit = ""
    if (source / "HEAD").exists() and (source / "objects").is_dir():  # a bare git directory
        commit = subprocess.run(["git", "--git-dir", str(source), "rev-parse", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        listing = subprocess.run(["git", "--git-dir", str(source), "ls-tree", "-r", "--name-only",
                                  "HEAD", "vulns"], capture_output=True, text=True,
                                 check=True).stdout.split()
        for name in listing:
            if name.endswith(".yaml"):
                files[name] = subprocess.run(["git", "--git-dir", str(source), "show",
                                              f"HEAD:{name}"], capture_output=True, text=True,
                                             check=True).stdout
    else:
        for p in sorted((source / "vulns").rglob("*.yaml")):
            files[str(p.relative_to(source))] = p.read_text(encoding="utf-8")
    target_zip.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with zipfile.ZipFile(target_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for _name, text in sorted(files.items()):
            record = yaml.safe_load(text)
            if not isinstance(record, dict) or "id" not in record:
                continue
            zf.writestr(f"{record['id']}.json", json.dumps(record, default=_jsonable))
            count += 1
    info = {"source": "PyPA advisory database (github.com/pypa/advisory-database)",
            "commit": commit, "records": count, "path": str(target_zip)}
    (target_zip.parent / "snapshot.json").write_text(json.dumps(info, indent=1) + "\n")
    return info
