"""Latency of the guard's input-scanner chain per prompt, at 100, 1,000 and 4,000 characters.

Runs from the repository root with the project's venv::

    .venv/bin/python bench/llm/guard_scan.py            # default chain (lexical detector)
    .venv/bin/python bench/llm/guard_scan.py --n 400 --embedding   # + the embedding stage

The prompts are the repository's hard negatives and injections padded with one another to
exactly the length (as in ``bench/llm/detector.py``); every fifth carries an e-mail address
and every seventh a fake credential (built at run time), so the masking paths run too. The
chain is :class:`drillhall.llm.guard.api.Guard` with default settings: invisible-text,
token-limit, prompt-injection (lexical stage), secrets, pii. Prints p50/p99 wall-clock and
CPU time (this thread) per prompt for the whole chain and p50 per scanner.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from drillhall.llm.guard.api import Guard  # noqa: E402
from drillhall.llm.guard.config import GuardConfig, parse_guard_config  # noqa: E402
from drillhall.testing.fakekeys import fake_secret  # noqa: E402

DATA = ROOT / "tests" / "llm" / "guard" / "data"
LENGTHS = (100, 1000, 4000)


def read_lines(name: str) -> list[str]:
    text = (DATA / name).read_text("utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def texts_of(length: int, n: int) -> list[str]:
    pool = [*read_lines("hard_negatives.txt"), *read_lines("injections.txt")]
    out = []
    for i in range(n):
        parts: list[str] = []
        if i % 5 == 0:
            parts.append(f"Contact jane.doe{i}@corp.io about it.")
        if i % 7 == 0:
            parts.append(f"token={fake_secret('DH-SECRET-GITHUB-PAT', seed=i)}")
        j = i
        while sum(len(p) + 1 for p in parts) < length:
            parts.append(pool[j % len(pool)])
            j += 7
        # keep the planted values whole: put them first, then cut the padding
        out.append(" ".join(parts)[:length])
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="prompts per length")
    parser.add_argument("--embedding", action="store_true", help="also the embedding stage")
    args = parser.parse_args()
    config = GuardConfig()
    if args.embedding:
        config = parse_guard_config(
            {"input": {"prompt-injection": {"stages": ["lexical", "embedding"]}}}, source="bench")
    t0 = time.perf_counter()
    guard = Guard(config)
    build_ms = (time.perf_counter() - t0) * 1000
    results: dict[str, object] = {"build_ms": round(build_ms, 1),
                                  "scanners": [s.name for s in guard.input_scanners]}
    print(f"chain: {', '.join(s.name for s in guard.input_scanners)} "
          f"(built in {build_ms:.0f} ms)")
    print(f"{'chars':>6} {'wall p50':>9} {'wall p99':>9} {'cpu p50':>8} {'cpu p99':>8}  "
          "per-scanner p50 (ms)")
    for length in LENGTHS:
        texts = texts_of(length, args.n)
        for t in texts[:3]:
            guard.scan_input(t)
        wall: list[float] = []
        cpu: list[float] = []
        per: dict[str, list[float]] = {}
        flagged = 0
        for t in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            result = guard.scan_input(t)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
            flagged += bool(result.flagged)
            for v in result.verdicts:
                per.setdefault(v.scanner, []).append(v.latency_ms)
        row = {"wall_p50": pct(wall, 50), "wall_p99": pct(wall, 99), "cpu_p50": pct(cpu, 50),
               "cpu_p99": pct(cpu, 99), "mean": statistics.fmean(wall), "flagged": flagged,
               "per_scanner_p50": {k: round(pct(v, 50), 3) for k, v in per.items()}}
        results[str(length)] = row
        scanners = " ".join(f"{k}={pct(v, 50):.2f}" for k, v in per.items())
        print(f"{length:>6} {row['wall_p50']:>9.2f} {row['wall_p99']:>9.2f} "
              f"{row['cpu_p50']:>8.2f} {row['cpu_p99']:>8.2f}  {scanners}")
    out = ROOT / "bench" / ".work" / "guard"
    out.mkdir(parents=True, exist_ok=True)
    (out / "guard-scan-results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
