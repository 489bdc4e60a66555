"""Training-data benchmark: drillhall against cleanlab (labels) and Presidio / scrubadub
(personal data), side by side.

    python bench/data/run.py            # 3 seeds per case, 10,000-row personal-data corpus
    python bench/data/run.py --quick    # 1 seed, 2,000 rows
    python bench/data/run.py --only labels|pii

1. set-up (the only network step): a virtualenv bench/.work/data-venv with this checkout
   installed editable with its ``ml`` extra, plus cleanlab, presidio-analyzer and scrubadub
   from PyPI;
2. labels (``labels.py``): bundled scikit-learn data sets and a template text set with random
   flips and a planted trigger; one set of 5-fold logistic-regression probabilities per case,
   given to cleanlab's ``find_label_issues`` (every ``filter_by``) and to drillhall;
3. personal data (``pii_corpus.py`` then ``pii_tools.py``): a planted CSV + log corpus with
   decoys, every tool on the same cells in one warm process;
4. prints the tables and writes bench/.work/data-results.json.

Steps 2 and 3 run offline (``unshare -n``) where the machine allows it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORK = REPO / "bench" / ".work"
VENV = WORK / "data-venv"
PY = VENV / "bin" / "python"
RESULTS = WORK / "data-results.json"
ANCHORS = ("cleanlab", "presidio-analyzer", "scrubadub")


def setup() -> None:
    """Make the throwaway virtualenv once."""
    if PY.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "-e", f"{REPO}[ml]", *ANCHORS],
                   check=True)


def offline(cmd: list[str]) -> list[str]:
    """``cmd`` inside a network namespace of its own, if unshare allows it here."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"],
                                                  check=False,
                                                  capture_output=True).returncode == 0:
        return ["unshare", "-n", *cmd]
    return cmd


def versions() -> dict[str, str]:
    code = ("import importlib.metadata as m, json; print(json.dumps({n: m.version(n) for n in "
            "['drillhall', 'cleanlab', 'presidio-analyzer', 'scrubadub', 'spacy', "
            "'scikit-learn', 'numpy', 'pandas', 'scipy']}))")
    return json.loads(subprocess.run([str(PY), "-c", code], capture_output=True, text=True,
                                     check=True).stdout)


def machine() -> dict[str, Any]:
    cpu, ram = "unknown", 0.0
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
        for ln in Path("/proc/meminfo").read_text().splitlines():
            if ln.startswith("MemTotal"):
                ram = int(ln.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1),
            "os": platform.platform(), "python": platform.python_version()}


def summarise_labels(res: dict[str, Any]) -> dict[str, Any]:
    """Mean precision / recall / F1 / seconds per (data set, condition, tool), and cleanlab's
    best filter chosen once over every random-flip case (mean F1)."""
    cases = res["cases"]
    tools = sorted({t for c in cases for t in c["tools"]})
    flips = [c for c in cases if c["condition"].startswith("flip")]
    best = max((t for t in tools if t.startswith("cleanlab:")),
               key=lambda t: mean(c["tools"][t].get("f1", 0.0) for c in flips))
    rows = []
    for ds in dict.fromkeys(c["dataset"] for c in cases):
        for cond in dict.fromkeys(c["condition"] for c in cases):
            group = [c for c in cases if c["dataset"] == ds and c["condition"] == cond]
            row: dict[str, Any] = {"dataset": ds, "condition": cond, "rows": group[0]["rows"],
                                   "seeds": len(group)}
            for label, tool in (("cleanlab_default", "cleanlab:prune_by_noise_rate"),
                                ("cleanlab_best", best), ("drillhall", "drillhall")):
                got = [c["tools"].get(tool, {}) for c in group]
                if all("f1" in g for g in got):
                    row[label] = {k: mean(g[k] for g in got)
                                  for k in ("precision", "recall", "f1", "seconds")}
                else:
                    row[label] = {"error": next((g.get("error", "not run") for g in got
                                                 if "f1" not in g), "")}
            rows.append(row)
    return {"best_filter": best, "rows": rows}


def fmt(cell: dict[str, Any]) -> str:
    if "f1" not in cell:
        return "—"
    return f"{cell['precision']:.2f}/{cell['recall']:.2f}/{cell['f1']:.2f}"


def print_labels(summary: dict[str, Any]) -> None:
    print(f"\nLabels — precision/recall/F1 (cleanlab best filter: {summary['best_filter']})")
    print(f"{'data set':14} {'case':8} {'cleanlab default':>17} {'cleanlab best':>15} "
          f"{'drillhall':>15} {'F1 ratio':>8}")
    for r in summary["rows"]:
        ratio = "—"
        if "f1" in r["drillhall"] and r["cleanlab_best"].get("f1"):
            ratio = f"{r['drillhall']['f1'] / r['cleanlab_best']['f1']:.2f}"
        print(f"{r['dataset']:14} {r['condition']:8} {fmt(r['cleanlab_default']):>17} "
              f"{fmt(r['cleanlab_best']):>15} {fmt(r['drillhall']):>15} {ratio:>8}")


def print_pii(res: dict[str, Any]) -> None:
    print(f"\nPersonal data — {res['rows']} rows, {res['cells']} cells")
    print(f"{'tool':10} {'recall':>7} {'precision':>9} {'rows/s':>9}  recall by kind")
    for tool, r in res["tools"].items():
        if "error" in r:
            print(f"{tool:10} not measured: {r['error']}")
            continue
        kinds = " ".join(f"{k}={v:.2f}" for k, v in sorted(r["recall_by_kind"].items()))
        print(f"{tool:10} {r['recall_structured']:7.3f} {r['precision_structured']:9.3f} "
              f"{r['rows_per_s']:9.0f}  {kinds}")
    dh, pr = res["tools"].get("drillhall", {}), res["tools"].get("presidio", {})
    if "rows_per_s" in dh and "rows_per_s" in pr:
        print(f"throughput drillhall / Presidio: {dh['rows_per_s'] / pr['rows_per_s']:.1f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["labels", "pii"])
    ap.add_argument("--rows", type=int, help="personal-data corpus rows (per file)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    setup()
    out: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                           "command": " ".join(["python", "bench/data/run.py", *sys.argv[1:]]),
                           "machine": machine(), "versions": versions(), "quick": args.quick}
    if args.only in (None, "labels"):
        raw = WORK / "data-labels.json"
        cmd = [str(PY), str(HERE / "labels.py"), str(raw)] + (["--quick"] if args.quick else [])
        subprocess.run(offline(cmd), check=True)
        labels = json.loads(raw.read_text(encoding="utf-8"))
        out["labels"] = {"drillhall": labels["drillhall"], **summarise_labels(labels)}
        print_labels(out["labels"])
    if args.only in (None, "pii"):
        rows = args.rows or (2000 if args.quick else 10000)
        corpus = WORK / "data-pii"
        subprocess.run([str(PY), str(HERE / "pii_corpus.py"), str(corpus), "--rows", str(rows)],
                       check=True, stdout=subprocess.DEVNULL)
        raw = WORK / "data-pii.json"
        subprocess.run(offline([str(PY), str(HERE / "pii_tools.py"), str(corpus), str(raw)]),
                       check=True)
        out["pii"] = json.loads(raw.read_text(encoding="utf-8"))
        print_pii(out["pii"])
    RESULTS.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
