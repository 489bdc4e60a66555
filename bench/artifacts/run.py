"""Model-artifact benchmark: drillhall against picklescan, modelscan and fickling, side by side.

    python bench/artifacts/run.py            # corpus + 1 GiB checkpoints (joblib, pickle)
    python bench/artifacts/run.py --quick    # corpus + 128 MiB checkpoints
    python bench/artifacts/run.py --clean    # delete the generated corpus and checkpoints

1. set-up (the only network step): one virtualenv per anchor under
   bench/.work/artifacts-tools/, each a plain ``pip install NAME`` (modelscan twice: with its
   h5py extra, and with h5py + tensorflow, which it needs for Keras v3 files);
2. generates the corpus and its truth into bench/.work/artifacts-corpus/ (corpus.py, with the
   project's .venv, which has numpy, scikit-learn, joblib, onnx, h5py and gguf), and once,
   a joblib dump of a large float32 array with an os.system payload after it (joblib writes
   the array's bytes between pickle opcodes) and the same object as one plain pickle;
3. runs every tool on every file (one process per file, as a CI step or pre-load hook would)
   and once on the whole corpus directory, offline, and on the two large checkpoints;
4. prints a table and writes bench/.work/artifacts-results.json.

A malicious file counts as detected when the tool calls it unsafe: picklescan and fickling
exit 1, modelscan reports an issue, drillhall reports a finding of severity high or critical
(its documented contract). An error exit, a crash or a skip is not a detection; they are
counted apart. drillhall is run through its command line; its library
(``drillhall.ml.artifacts.scan.Scanner``) is timed too, in one warm process, and shown apart.
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

import tools

CORPUS = tools.WORK / "artifacts-corpus"
TRUTH = tools.WORK / "artifacts-corpus.json"
REPORTS = tools.WORK / "artifacts-reports"
RESULTS = tools.WORK / "artifacts-results.json"
BIG = {False: tools.WORK / "artifacts-checkpoint-1g.joblib",
       True: tools.WORK / "artifacts-checkpoint-128m.joblib"}
BIG_PICKLE = {q: p.with_suffix(".pkl") for q, p in BIG.items()}
BIG_BYTES = {False: 1024 ** 3, True: 128 * 1024 ** 2}


def machine() -> dict[str, Any]:
    """nproc, CPU, RAM, OS, Python and the date, for docs/benchmarks.md."""
    cpu, ram = "unknown", 0.0
    for ln in Path("/proc/cpuinfo").read_text().splitlines():
        if ln.startswith("model name"):
            cpu = ln.split(":", 1)[1].strip()
            break
    for ln in Path("/proc/meminfo").read_text().splitlines():
        if ln.startswith("MemTotal"):
            ram = int(ln.split()[1]) / 1024 / 1024
    os_name = platform.platform()
    for ln in Path("/etc/os-release").read_text().splitlines():
        if ln.startswith("PRETTY_NAME="):
            os_name = ln.split("=", 1)[1].strip('"')
    py = subprocess.run([str(tools.VENV_PY), "--version"], capture_output=True, text=True,
                        check=False).stdout.strip()
    date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1), "os": os_name,
            "kernel": platform.release(), "python": py, "date": date.stdout.strip(),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def ensure_corpus(quick: bool) -> tuple[dict[str, Any], dict[str, Path]]:
    """Generate the corpus (every run) and the big checkpoints (once)."""
    shutil.rmtree(CORPUS, ignore_errors=True)
    gen = Path(__file__).resolve().parent / "corpus.py"
    subprocess.run([str(tools.VENV_PY), str(gen), str(CORPUS)], check=True,
                   stdout=subprocess.DEVNULL)
    bigs = {"joblib": BIG[quick], "pickle": BIG_PICKLE[quick]}
    for kind, big in bigs.items():
        if not big.exists():
            print(f"writing {big.name} (once) ...", flush=True)
            part = big.with_name(big.name + ".part")
            flag = "--big" if kind == "joblib" else "--big-pickle"
            subprocess.run([str(tools.VENV_PY), str(gen), flag, str(part),
                            str(BIG_BYTES[quick])], check=True)
            part.rename(big)
    return json.loads(TRUTH.read_text(encoding="utf-8")), bigs


def build_tools(want: list[str]) -> list[tools.Tool]:
    print("set-up (package registries) ...", flush=True)
    out: list[tools.Tool] = []
    if "picklescan" in want:
        out.append(tools.picklescan(tools.setup("picklescan", ("picklescan",))))
    if "modelscan" in want:
        out.append(tools.modelscan(tools.setup("modelscan", ("modelscan[h5py]",))))
    if "modelscan-tf" in want:
        tf = tools.modelscan(tools.setup("modelscan-tf", ("modelscan[h5py]",
                                                          "modelscan[tensorflow]")))
        tf.name = "modelscan+tf"
        out.append(tf)
    if "fickling" in want:
        out.append(tools.fickling(tools.setup("fickling", ("fickling",))))
    if "drillhall" in want:
        out.append(tools.drillhall(tools.drillhall_version()))
    return out


def score(verdicts: dict[str, tools.Verdict], truth: list[dict[str, Any]],
          claimed: set[str]) -> dict[str, Any]:
    """Detection on malicious files, false alarms on benign ones, and what failed."""
    mal = [t for t in truth if t["malicious"]]
    ben = [t for t in truth if not t["malicious"]]

    def outcome(t: dict[str, Any]) -> str:
        v = verdicts.get(t["file"])
        return v.outcome if v else "skipped"

    detected = [t["file"] for t in mal if outcome(t) == "flagged"]
    missed = [t["file"] for t in mal if outcome(t) != "flagged"]
    return {
        "detected": len(detected), "malicious": len(mal),
        "detection_rate": round(len(detected) / len(mal), 3),
        "missed": missed,
        "missed_unsupported": [f for f in missed
                               if next(t for t in mal if t["file"] == f)["format"]
                               not in claimed],
        "malicious_errors": [t["file"] for t in mal if outcome(t) == "error"],
        "false_alarms": [t["file"] for t in ben if outcome(t) == "flagged"], "benign": len(ben),
        "benign_errors": [t["file"] for t in ben if outcome(t) == "error"],
        "skipped": [t["file"] for t in truth if outcome(t) == "skipped"],
    }


def per_file(tool: tools.Tool, truth: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts: dict[str, tools.Verdict] = {}
    seconds: dict[str, float] = {}
    for t in truth:
        target = CORPUS / t["file"]
        report = REPORTS / tool.name / (t["file"].replace("/", "__") + ".json")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.unlink(missing_ok=True)
        proc = tools.run(tool.file_argv(target, report), cwd=report.parent)
        seconds[t["file"]] = round(proc.seconds, 3)
        verdicts[t["file"]] = tool.read_file(proc, report, target)
    out = score(verdicts, truth, tools.CLAIMED.get(tool.name.split("+")[0], set()))
    out["mean_seconds_per_file"] = round(sum(seconds.values()) / len(seconds), 3)
    out["total_seconds"] = round(sum(seconds.values()), 2)
    out["files"] = {f: {"outcome": v.outcome, "detail": v.detail, "seconds": seconds[f]}
                    for f, v in verdicts.items()}
    return out


def best_of(repeat: int, once: Any) -> Any:
    """Run ``once()`` ``repeat`` times; keep the fastest (a shared machine adds noise)."""
    runs = [once() for _ in range(max(1, repeat))]
    best = min(runs, key=lambda r: r.seconds)
    best.all_seconds = [round(r.seconds, 2) for r in runs]
    return best


def directory(tool: tools.Tool, truth: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    if tool.dir_argv is None or tool.read_dir is None:
        return {"unsupported": "no directory mode"}
    report = REPORTS / tool.name / "_directory.json"
    dir_argv = tool.dir_argv

    def once() -> tools.Proc:
        report.unlink(missing_ok=True)
        return tools.run(dir_argv(CORPUS, report), cwd=report.parent)

    proc = best_of(repeat, once)
    files = [t["file"] for t in truth]
    verdicts = tool.read_dir(proc, report, CORPUS, files)
    crash = tools._crash(proc)
    for rel in files:  # a file a finished scan does not mention is a file it found clean
        verdicts.setdefault(rel, tools.Verdict("skipped" if crash or proc.timed_out
                                               else "clean"))
    out = score(verdicts, truth, tools.CLAIMED.get(tool.name.split("+")[0], set()))
    out.update({"seconds": round(proc.seconds, 2), "all_seconds": proc.all_seconds,
                "exit_code": proc.code, "crash": crash})
    out["files"] = {f: {"outcome": v.outcome, "detail": v.detail} for f, v in verdicts.items()}
    return out


def checkpoint(tool: tools.Tool, big: Path, timeout: float, repeat: int) -> dict[str, Any]:
    report = REPORTS / tool.name / f"_checkpoint{big.suffix}.json"

    def once() -> tools.Proc:
        report.unlink(missing_ok=True)
        return tools.run(tool.file_argv(big, report), cwd=report.parent, timeout=timeout)

    proc = best_of(repeat, once)
    if proc.timed_out:
        return {"seconds": round(proc.seconds, 1), "outcome": "timeout",
                "max_rss_mb": round(proc.max_rss_mb)}
    v = tool.read_file(proc, report, big)
    return {"seconds": round(proc.seconds, 2), "all_seconds": proc.all_seconds,
            "outcome": v.outcome, "detail": v.detail, "max_rss_mb": round(proc.max_rss_mb),
            "exit_code": proc.code}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def table(results: dict[str, Any]) -> str:
    head = ("tool", "detected", "unsupp.", "errors(m)", "false alarms", "errors(b)",
            "dir detected", "dir FA", "dir s", "s/file", "joblib s", "verdict", "MB",
            "pickle s", "verdict", "MB")
    rows: list[tuple[str, ...]] = [head]
    for name, r in results["tools"].items():
        pf, d = r["per_file"], r["directory"]
        c, p = r["checkpoint"]["joblib"], r["checkpoint"]["pickle"]
        dd = ("n/a" if "unsupported" in d else
              f"{d['detected']}/{d['malicious']}" + (" crash" if d.get("crash") else ""))
        rows.append((name, f"{pf['detected']}/{pf['malicious']} ({_pct(pf['detection_rate'])})",
                     str(len(pf["missed_unsupported"])), str(len(pf["malicious_errors"])),
                     f"{len(pf['false_alarms'])}/{pf['benign']}", str(len(pf["benign_errors"])),
                     dd, "n/a" if "unsupported" in d else str(len(d["false_alarms"])),
                     "n/a" if "unsupported" in d else str(d["seconds"]),
                     str(pf["mean_seconds_per_file"]), str(c["seconds"]), c["outcome"],
                     str(c["max_rss_mb"]), str(p["seconds"]), p["outcome"],
                     str(p["max_rss_mb"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)
    lib = results.get("drillhall_library")
    if lib:
        text += (f"\ndrillhall library (Scanner, warm process): mean {lib['mean_ms']} ms/file, "
                 f"max {lib['max_ms']} ms")
    for key, val in results.get("ratios", {}).items():
        text += f"\n{key}: {val}"
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="128 MiB checkpoints instead of 1 GiB")
    ap.add_argument("--clean", action="store_true", help="delete generated inputs and exit")
    ap.add_argument("--tools", default="picklescan,modelscan,modelscan-tf,fickling,drillhall")
    ap.add_argument("--timeout", type=float, default=900.0, help="per-tool limit on the big file")
    ap.add_argument("--repeat", type=int, default=3,
                    help="run directory and checkpoint scans N times, keep the fastest")
    args = ap.parse_args(argv)
    if args.clean:
        for path in (*BIG.values(), *BIG_PICKLE.values(), CORPUS, TRUTH, REPORTS):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        print("removed the corpus, the checkpoints and the reports")
        return 0
    chosen = build_tools([t.strip() for t in args.tools.split(",") if t.strip()])
    truth_doc, bigs = ensure_corpus(args.quick)
    truth = truth_doc["files"]
    print(f"corpus: {len(truth)} files ({sum(t['malicious'] for t in truth)} malicious); "
          + "; ".join(f"{b.name} {b.stat().st_size / 1e9:.2f} GB" for b in bigs.values())
          + "; "
          f"offline: {'unshare -n' if tools.OFFLINE else 'not enforced'}", flush=True)
    results: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(["python bench/artifacts/run.py",
                             *(sys.argv[1:] if argv is None else argv)]).strip(),
        "drillhall_commit": tools.git_commit(),
        "offline_enforced": bool(tools.OFFLINE),
        "corpus": {"path": str(CORPUS.relative_to(tools.REPO)), "files": truth,
                   "checkpoints": {k: {"file": b.name, "bytes": b.stat().st_size}
                                   for k, b in bigs.items()}},
        "tools": {},
    }
    for tool in chosen:
        print(f"{tool.name} {tool.version}: per file ...", flush=True)
        entry: dict[str, Any] = {"version": tool.version, "notes": tool.notes,
                                 "per_file": per_file(tool, truth)}
        print(f"{tool.name}: directory ...", flush=True)
        entry["directory"] = directory(tool, truth, args.repeat)
        print(f"{tool.name}: checkpoint ...", flush=True)
        entry["checkpoint"] = {k: checkpoint(tool, b, args.timeout, args.repeat)
                               for k, b in bigs.items()}
        entry["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
        results["tools"][tool.name] = entry
    if any(t.name == "drillhall" for t in chosen):
        lib = tools.library_times([CORPUS / t["file"] for t in truth])
        ms = [v["seconds"] * 1000 for v in lib.values()]
        results["drillhall_library"] = {
            "mean_ms": round(sum(ms) / len(ms), 2), "max_ms": round(max(ms), 2),
            "unsafe_files": sum(v["unsafe"] for v in lib.values()),
            "files": {str(Path(k).relative_to(CORPUS)): round(v["seconds"] * 1000, 2)
                      for k, v in lib.items()}}
    res = results["tools"]
    ratios: dict[str, float | str] = {}
    if "drillhall" in res and "picklescan" in res:
        dh, ps = res["drillhall"], res["picklescan"]
        ratios["picklescan/drillhall time per file (CLI; >1 means drillhall is faster)"] = round(
            ps["per_file"]["mean_seconds_per_file"] / dh["per_file"]["mean_seconds_per_file"], 2)
        ratios["picklescan/drillhall directory scan time"] = round(
            ps["directory"]["seconds"] / dh["directory"]["seconds"], 2)
        for kind in ("joblib", "pickle"):
            pc, dc = ps["checkpoint"][kind], dh["checkpoint"][kind]
            key = f"picklescan/drillhall time on the {kind} checkpoint"
            if pc["outcome"] in ("flagged", "clean") and dc["outcome"] in ("flagged", "clean"):
                ratios[key] = round(pc["seconds"] / dc["seconds"], 2)
            else:  # a tool that gave up early has no speed to compare
                ratios[key] = (f"n/a (picklescan: {pc['outcome']} after {pc['seconds']} s; "
                               f"drillhall: {dc['outcome']} after {dc['seconds']} s)")
    results["ratios"] = ratios
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(results))
    for name, r in res.items():
        pf = r["per_file"]
        print(f"\n{name}: missed {', '.join(pf['missed']) or 'none'}")
        if pf["false_alarms"]:
            print(f"{name}: false alarms {', '.join(pf['false_alarms'])}")
    print(f"\nresults: {RESULTS.relative_to(tools.REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
