"""Patch-audit benchmark: ``drillhall patch audit`` against pip-audit (and uv), side by side.

    python bench/patch/run.py            # 20 and 150 pins + a uv.lock, 5 timed runs each
    python bench/patch/run.py --quick    # the same inputs, 2 timed runs each

1. set-up (the only network step): a virtualenv with pip-audit and uv (PyPI) in
   bench/.work/patch/venv; the 150-pin file (kept in bench/patch/data, resolved by uv when
   missing); a uv.lock of bench/patch/data/project; the advisory snapshot (OSV's PyPI all.zip by
   ``drillhall patch db update``, else the PyPA advisory database converted to an all.zip:
   ``--pypa-db PATH``);
2. drillhall, offline (``unshare -n``), ``--advisories all.zip --offline``, timed cold (a fresh
   cache directory) and warm; the same snapshot is served to pip-audit on 127.0.0.1 through its
   ``--osv-url`` (bench/patch/osv_server.py), matching by OSV's explicit version lists;
3. agreement: (package, version, advisory) sets, aliases folded onto the PYSEC id;
4. freshness (network, labelled apart): drillhall with ``--index-url https://pypi.org/simple/``,
   cold and warm index cache, and ``uv pip list --outdated`` where an environment can be built;
5. prints a table and writes bench/.work/patch-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inputs
import osv_server

WORK = inputs.PATCH_WORK
VENV = WORK / "venv"
DRILLHALL = inputs.REPO / ".venv" / "bin" / "drillhall"
RESULTS = inputs.WORK / "patch-results.json"
OFFLINE = ["unshare", "-n"] if subprocess.run(["unshare", "-n", "true"], capture_output=True,
                                              check=False).returncode == 0 else []


def setup(pypa_db: Path | None) -> dict[str, Any]:
    """Install the anchors and make the advisory snapshot; the only step that uses the network."""
    if not (VENV / "bin" / "pip-audit").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "pip-audit", "uv"],
                       check=True)
    osv_zip = inputs.WORK / "osv" / "all.zip"
    if not osv_zip.exists():
        subprocess.run([str(DRILLHALL), "patch", "db", "update", str(osv_zip.parent)],
                       capture_output=True, check=False)
    if osv_zip.exists():
        snap = {"source": "OSV PyPI all.zip (drillhall patch db update)", "path": str(osv_zip)}
    else:
        target = WORK / "pypa-osv" / "all.zip"
        meta = target.parent / "snapshot.json"
        if target.exists() and meta.exists():
            snap = json.loads(meta.read_text())
        elif pypa_db is not None:
            snap = inputs.pypa_snapshot(pypa_db, target)
        else:
            raise SystemExit("no advisory snapshot: OSV's bucket cannot be reached; pass "
                             "--pypa-db PATH (a clone of github.com/pypa/advisory-database)")
    return snap


def version_of(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - t0, run.returncode, run.stderr[-2000:]


def drillhall_cmd(target: Path, snap: Path, report: Path, config: Path,
                  online_index: bool = False) -> list[str]:
    cmd = [str(DRILLHALL), "patch", "audit", str(target), "-c", str(config), "-f", "json",
           "-o", str(report), "--no-store", "--fail-on", "none"]
    if online_index:
        return [*cmd, "--advisories", str(snap), "--index-url", "https://pypi.org/simple/"]
    return [*OFFLINE, *cmd, "--advisories", str(snap), "--offline"]


def fresh_config(name: str) -> Path:
    """A drillhall.toml whose cache directory is new and empty (a cold run)."""
    cache = WORK / "cache" / name
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    config = WORK / f"drillhall-{name}.toml"
    config.write_text(f'[drills.patch]\ncache_dir = "{cache}"\n', encoding="utf-8")
    return config


def drillhall_keys(report: Path) -> tuple[set[tuple[str, str, str]], dict[str, Any]]:
    data = json.loads(report.read_text())
    result = data["results"][0]
    keys = set()
    for f in result["findings"]:
        if f["rule_id"] != "DH-PATCH-VULNERABLE":
            continue
        name, _, version = f["location"]["symbol"].partition("==")
        for tag in f["tags"]:
            if tag.startswith("PYSEC-"):
                keys.add((osv_server._norm_name(name), osv_server._norm_version(version), tag))
    return keys, {"metrics": result["metrics"], "duration_seconds": result["duration_seconds"],
                  "findings": len(result["findings"])}


def pip_audit_keys(report: Path) -> set[tuple[str, str, str]]:
    keys = set()
    for dep in json.loads(report.read_text()).get("dependencies", []):
        for vuln in dep.get("vulns", []):
            for vid in [vuln["id"], *vuln.get("aliases", [])]:
                if vid.startswith("PYSEC-"):
                    keys.add((osv_server._norm_name(dep["name"]),
                              osv_server._norm_version(dep["version"]), vid))
    return keys


def bench_input(label: str, target: Path, snap: Path, url: str, repeat: int,
                freshness: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"path": str(target.relative_to(inputs.REPO))}
    report = WORK / f"dh-{label}.json"
    config = fresh_config(label)
    runs = [timed(drillhall_cmd(target, snap, report, config)) for _ in range(repeat + 1)]
    if runs[0][1] not in (0, 1):
        return {**out, "error": f"drillhall exit {runs[0][1]}: {runs[0][2]}"}
    dh_keys, info = drillhall_keys(report)
    warm = [round(r[0], 3) for r in runs[1:]]
    out["drillhall"] = {"cold_s": round(runs[0][0], 3), "warm_s": min(warm), "warm_all_s": warm,
                        **info}
    if target.name.endswith(".txt"):
        pa_report = WORK / f"pa-{label}.json"
        pa_cmd = [str(VENV / "bin" / "pip-audit"), "-r", str(target), "--no-deps",
                  "--disable-pip", "-s", "osv", "--osv-url", url, "-f", "json", "-o",
                  str(pa_report), "--progress-spinner", "off",
                  "--cache-dir", str(WORK / "cache" / "pip-audit")]
        pa_runs = [timed(pa_cmd) for _ in range(repeat)]
        pa_s = min(r[0] for r in pa_runs)
        pa_keys = pip_audit_keys(pa_report)
        out["pip_audit"] = {"s": round(pa_s, 3), "all_s": [round(r[0], 3) for r in pa_runs],
                            "exit_code": pa_runs[0][1], "findings": len(pa_keys)}
        out["agreement"] = {"both": len(dh_keys & pa_keys),
                            "drillhall_only": sorted(map(list, dh_keys - pa_keys)),
                            "pip_audit_only": sorted(map(list, pa_keys - dh_keys))}
        out["speedup_warm"] = round(pa_s / out["drillhall"]["warm_s"], 1)
    if freshness:
        fconfig = fresh_config(f"{label}-index")
        fruns = [timed(drillhall_cmd(target, snap, WORK / f"dh-{label}-fresh.json", fconfig,
                                     online_index=True)) for _ in range(2)]
        _, finfo = drillhall_keys(WORK / f"dh-{label}-fresh.json")
        out["freshness_online"] = {"cold_s": round(fruns[0][0], 3),
                                   "warm_s": round(fruns[1][0], 3),
                                   "metrics": finfo["metrics"]}
    return out


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for ln in Path("/proc/cpuinfo").read_text().splitlines():
        if ln.startswith("model name"):
            cpu = ln.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "python": version_of([str(inputs.REPO / ".venv" / "bin" / "python"), "--version"]),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 timed runs instead of 5")
    ap.add_argument("--pypa-db", type=Path, help="PyPA advisory database (checkout or git dir)")
    ap.add_argument("--no-freshness", action="store_true", help="skip the online index runs")
    args = ap.parse_args(argv)
    repeat = 2 if args.quick else 5
    print("set-up (package registries) ...", flush=True)
    snap_info = setup(args.pypa_db)
    snap = Path(snap_info["path"])
    uv = VENV / "bin" / "uv"
    targets = {"20 pins": inputs.DATA / "requirements-20.txt",
               "150 pins": inputs.requirements_150(uv)}
    lock = inputs.uv_lock(uv)
    if lock:
        targets["uv.lock"] = lock
    snapshot = osv_server.Snapshot(snap)
    server, url = osv_server.serve(snapshot)
    results: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(["python bench/patch/run.py", *(sys.argv[1:] if argv is None
                                                            else argv)]),
        "offline_enforced": bool(OFFLINE), "snapshot": snap_info,
        "snapshot_records_without_versions_list": snapshot.without_versions,
        "versions": {"drillhall": version_of([str(DRILLHALL), "--version"]),
                     "pip-audit": version_of([str(VENV / "bin" / "pip-audit"), "--version"]),
                     "uv": version_of([str(uv), "--version"])},
        "inputs": {}}
    try:
        for label, target in targets.items():
            print(f"{label} ...", flush=True)
            results["inputs"][label] = bench_input(label.replace(" ", "-"), target, snap, url,
                                                   repeat, not args.no_freshness)
    finally:
        server.shutdown()
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    return 0


def table(results: dict[str, Any]) -> str:
    rows = [("input", "deps", "drillhall cold s", "warm s", "pip-audit s", "speed-up",
             "both", "dh only", "pa only", "fresh cold s", "fresh warm s")]
    for label, r in results["inputs"].items():
        dh, pa, ag = r.get("drillhall", {}), r.get("pip_audit", {}), r.get("agreement", {})
        fr = r.get("freshness_online", {})
        rows.append((label, str(dh.get("metrics", {}).get("patch.dependencies", "-")),
                     str(dh.get("cold_s", "-")), str(dh.get("warm_s", "-")),
                     str(pa.get("s", "-")), f"{r['speedup_warm']}x" if "speedup_warm" in r
                     else "-", str(ag.get("both", "-")),
                     str(len(ag["drillhall_only"])) if ag else "-",
                     str(len(ag["pip_audit_only"])) if ag else "-",
                     str(fr.get("cold_s", "-")), str(fr.get("warm_s", "-"))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     for row in rows)


if __name__ == "__main__":
    sys.exit(main())
