"""Secrets drill benchmark: drillhall against detect-secrets and secretlint, side by side.

    python bench/secrets/run.py            # full: ~2,000 files / ~48 MB, ~400 planted secrets
    python bench/secrets/run.py --quick    # small corpus and a few packages of site-packages

1. set-up (the only network step): a virtualenv with detect-secrets (PyPI) and an npm project
   with secretlint + @secretlint/secretlint-rule-preset-recommend, under bench/.work;
2. generates the planted corpus and its ground truth (bench/secrets/corpus.py, seeded);
3. scans it with each tool, offline, and scores recall / precision / F1 and throughput;
4. scans a copy of this repository's .venv site-packages (a large real tree with no planted
   secrets) and counts what each tool reports there;
5. prints a table and writes bench/.work/secrets-results.json (and .md, the tables for
   docs/benchmarks.md).

drillhall is run through its command line (``drillhall secrets PATH --format json``); if that
command is not available yet the anchors are still measured and drillhall is reported as
skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
import report
import score
import tools

SECRETS_WORK = tools.WORK / "secrets"
RESULTS = tools.WORK / "secrets-results.json"
SITE_SRC = tools.REPO / ".venv" / "lib" / "python3.11" / "site-packages"
QUICK_PACKAGES = ("rich", "httpx", "jinja2", "click", "typer", "pydantic")


def machine() -> dict[str, Any]:
    """The facts docs/benchmarks.md records next to the figures."""
    cpu = "unknown"
    ram_gib = 0.0
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
        for ln in Path("/proc/meminfo").read_text().splitlines():
            if ln.startswith("MemTotal"):
                ram_gib = int(ln.split()[1]) / 1024 / 1024
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for ln in Path("/etc/os-release").read_text().splitlines():
            if ln.startswith("PRETTY_NAME="):
                os_name = ln.split("=", 1)[1].strip('"')
    except OSError:
        pass
    venv_py = tools.REPO / ".venv" / "bin" / "python"
    pyver = subprocess.run([str(venv_py), "--version"], capture_output=True, text=True,
                           check=False).stdout.strip() if venv_py.exists() else sys.version
    node = subprocess.run(["node", "--version"], capture_output=True, text=True,
                          check=False).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram_gib, 1), "os": os_name,
            "kernel": platform.release(), "python": pyver, "node": node,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def _slug(name: str) -> str:
    return name.replace(" --", "-").replace(" ", "-")


def timed(tool: tools.Tool, target: Path, report_file: Path, repeat: int) -> tuple[tools.ToolRun,
                                                                              dict[str, Any]]:
    """Run ``repeat`` times; keep the fastest run; note every time and the load average."""
    runs = []
    for _ in range(max(1, repeat)):
        load = os.getloadavg()[0]
        runs.append((tools.run_tool(tool, target, report_file), load))
    run = min(runs, key=lambda r: r[0].seconds)[0]
    info = {"seconds": round(run.seconds, 2), "all_seconds": [round(r.seconds, 2) for r, _ in runs],
            "load_before": [round(ld, 2) for _, ld in runs], "exit_code": run.exit_code}
    return run, info


def scan_corpus(tool: tools.Tool, target: Path, truth: score.Truth, size: int,
                repeat: int) -> dict[str, Any]:
    report_file = SECRETS_WORK / "reports" / f"{_slug(tool.name)}-corpus.json"
    run, info = timed(tool, target, report_file, repeat)
    out: dict[str, Any] = {"version": tool.version, **info,
                           "mb_per_s": round(size / 1e6 / run.seconds, 2)}
    if tool.name.startswith("drillhall"):
        out["drillhall_metrics"] = tools.drillhall_metrics(report_file)
    if run.error:
        out["error"] = run.error
        return out
    out.update(score.figures(truth, score.score(truth, run.hits)))
    return out


def scan_site(tool: tools.Tool, target: Path, size: int, repeat: int) -> dict[str, Any]:
    report_file = SECRETS_WORK / "reports" / f"{_slug(tool.name)}-site.json"
    run, info = timed(tool, target, report_file, repeat)
    out: dict[str, Any] = {**info, "mb_per_s": round(size / 1e6 / run.seconds, 2)}
    if tool.name.startswith("drillhall"):
        out["drillhall_metrics"] = tools.drillhall_metrics(report_file)
    if run.error:
        out["error"] = run.error
        return out
    lines = {(h.file, h.line) for h in run.hits}
    out.update({"findings": len(run.hits), "finding_lines": len(lines),
                "files_with_findings": len({h.file for h in run.hits}),
                "by_rule": dict(Counter(h.rule for h in run.hits).most_common())})
    if tool.name.startswith("drillhall"):
        out["list"] = [{"file": h.file, "line": h.line, "rule": h.rule}
                       for h in sorted(run.hits, key=lambda h: (h.rule, h.file, h.line))]
    return out


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else str(v)


def table(results: dict[str, Any]) -> str:
    head = ("tool", "recall", "recall plain", "hold-out", "precision", "F1", "FP lines",
            "time s", "MB/s", "site s", "site MB/s", "site findings")
    rows = [head]
    for name, r in results["tools"].items():
        c, s = r.get("corpus", {}), r.get("site_packages", {})
        if "skipped" in r:
            rows.append((name, "skipped", *[""] * (len(head) - 2)))
            continue
        rows.append((name, _fmt(c.get("recall"), True), _fmt(c.get("recall_plain_files"), True),
                     _fmt(c.get("recall_holdout"), True), _fmt(c.get("precision"), True),
                     _fmt(c.get("f1"), True),
                     _fmt(c.get("false_positive_lines")), _fmt(c.get("seconds")),
                     _fmt(c.get("mb_per_s")), _fmt(s.get("seconds")), _fmt(s.get("mb_per_s")),
                     _fmt(s.get("finding_lines"))))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    text = "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True))
                     for r in rows)
    for key, val in results.get("ratios", {}).items():
        text += f"\n{key}: {val}"
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small corpus, few packages")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--files", type=int)
    ap.add_argument("--secrets", type=int)
    ap.add_argument("--tools", default="detect-secrets,secretlint,drillhall")
    ap.add_argument("--skip-site-packages", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="time each scan N times, keep the best")
    args = ap.parse_args(argv)
    n_files = args.files or (300 if args.quick else 2000)
    n_secrets = args.secrets or (120 if args.quick else 400)
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]

    print("set-up (package registries) ...", flush=True)
    chosen: dict[str, tools.Tool] = {}
    skipped: dict[str, str] = {}
    if "detect-secrets" in wanted:
        chosen["detect-secrets"] = tools.detect_secrets_tool(tools.setup_detect_secrets())
    if "secretlint" in wanted:
        chosen["secretlint"] = tools.secretlint_tool(tools.setup_secretlint())
    if "drillhall" in wanted:
        ready, info = tools.drillhall_ready()
        if ready:
            chosen["drillhall"] = tools.drillhall_tool(info)
            # its default skips test-fixture directories; the anchors have no such default
            variant = tools.drillhall_tool(info, "--include-fixtures")
            chosen[variant.name] = variant
        else:
            skipped["drillhall"] = f"drillhall secrets is not available: {info}"
    print(f"offline runs: {'unshare -n' if tools.OFFLINE else 'not enforced'}", flush=True)

    target = SECRETS_WORK / ("corpus-quick" if args.quick else "corpus")
    t0 = time.perf_counter()
    truth = corpus.generate(target, args.seed, n_files, n_secrets)
    truth_file = SECRETS_WORK / ("truth-quick.json" if args.quick else "truth.json")
    truth_file.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    gen_s = time.perf_counter() - t0
    n, size = tools.tree_bytes(target)
    print(f"corpus: {n} files, {size / 1e6:.1f} MB, {len(truth['secrets'])} secrets "
          f"({sum(r['archive'] for r in truth['secrets'])} in archives), "
          f"generated in {gen_s:.1f} s", flush=True)

    site = None
    site_n = site_size = 0
    if not args.skip_site_packages and SITE_SRC.is_dir():
        dest = SECRETS_WORK / ("site-packages-quick" if args.quick else "site-packages")
        site = tools.copy_site_packages(SITE_SRC, dest, QUICK_PACKAGES if args.quick else ())
        site_n, site_size = tools.tree_bytes(site)
        print(f"site-packages copy: {site_n} files, {site_size / 1e6:.1f} MB", flush=True)

    results: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(["python bench/secrets/run.py", *(sys.argv[1:] if argv is None
                                                              else argv)]).strip(),
        "offline_enforced": bool(tools.OFFLINE),
        "corpus": {"path": str(target.relative_to(tools.REPO)), "seed": args.seed, "files": n,
                   "bytes": size, "secrets": len(truth["secrets"]),
                   "secrets_in_archives": sum(bool(r["archive"]) for r in truth["secrets"]),
                   "holdout_secrets": sum(bool(r["holdout"]) for r in truth["secrets"]),
                   "kinds": len({r["kind"] for r in truth["secrets"]}),
                   "decoys": Counter(d["kind"] for d in truth["decoys"])},
        "site_packages": {"files": site_n, "bytes": site_size} if site else None,
        "tools": {name: {"skipped": why} for name, why in skipped.items()},
    }
    for name, tool in chosen.items():
        print(f"{name} {tool.version}: corpus ...", flush=True)
        entry: dict[str, Any] = {"version": tool.version,
                                 "corpus": scan_corpus(tool, target, truth, size,
                                                       args.repeat)}
        if site:
            print(f"{name}: site-packages ...", flush=True)
            entry["site_packages"] = scan_site(tool, site, site_size, args.repeat)
        results["tools"][name] = entry

    def mbps(tool: str, part: str) -> float | None:
        val = results["tools"].get(tool, {}).get(part, {}).get("mb_per_s")
        return float(val) if val else None

    ratios = {}
    for part in ("corpus", "site_packages"):
        dh, ds = mbps("drillhall", part), mbps("detect-secrets", part)
        if dh and ds:
            ratios[f"drillhall/detect-secrets throughput ({part})"] = round(dh / ds, 2)
    results["ratios"] = ratios
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    RESULTS.with_suffix(".md").write_text(report.markdown(results), encoding="utf-8")
    print()
    print(table(results))
    for name, r in results["tools"].items():
        c = r.get("corpus", {})
        if c.get("error"):
            print(f"{name}: ERROR {c['error']}")
        elif "kinds_missed_entirely" in c:
            print(f"{name} missed entirely: {', '.join(c['kinds_missed_entirely']) or 'none'}")
        if "skipped" in r:
            print(f"{name}: {r['skipped']}")
    print(f"\nresults: {RESULTS.relative_to(tools.REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
