"""Prompt-injection detector benchmark: quality across data sets, hard negatives, latency.

Runs from the repository root with the project's venv (the embedding stage needs the
``llm-embed`` extra; scikit-learn for the cross-data-set retraining)::

    .venv/bin/python scripts/guard/prepare_data.py     # once: the data sets, into bench/.work
    .venv/bin/python bench/llm/detector.py             # everything; ~5 minutes on 2 cores
    .venv/bin/python bench/llm/detector.py --quick     # no cross-data-set retraining
    .venv/bin/python bench/llm/detector.py --no-anchors

What it prints:

* **Shipped**: the weights in the package (trained on neuralchemy + S-Labs train splits and
  the benign templates) on every test set, per stage and for the cascade.
* **Cross-data-set**: the same recipe retrained on one set's train split (thresholds from its
  own validation split), tested on the other set's test split and on bastioncorpus.
* **Hard negatives**: false-positive rate on ``tests/llm/guard/data/hard_negatives.txt``
  (227 benign prompts about instructions, security, prompts and jailbreaks; never trained on),
  on ``small_talk.txt`` (179 greetings, thanks and short everyday prompts; never trained on)
  and recall on ``injections.txt`` (30 attacks written for drillhall).
* **Anchors** (npm, run by Node.js in ``bench/.work/guard/anchors``): ``llm_guardrail`` 2.1.2
  (a shipped TF-IDF + logistic-regression model, ``checkInjection``) and
  ``@andersmyrmel/vard`` 1.2.0 (pattern rules, ``moderate`` preset).
* **Latency** p50/p99 per prompt at 100, 1,000 and 4,000 characters, one thread.

Results go to ``bench/.work/guard/detector-results.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts" / "guard"))

import numpy as np  # noqa: E402
import train as T  # noqa: E402

from drillhall.llm.guard.detector import Detector  # noqa: E402
from drillhall.llm.guard.detector.embedding import EmbeddingHead  # noqa: E402
from drillhall.llm.guard.detector.lexical import LexicalModel  # noqa: E402

WORK = ROOT / "bench" / ".work" / "guard"
DATA = ROOT / "tests" / "llm" / "guard" / "data"
ANCHORS = {"llm_guardrail": "2.1.2", "@andersmyrmel/vard": "1.2.0"}
LENGTHS = (100, 1000, 4000)
_NODE = r"""
import fs from 'fs';
import { checkInjection } from 'llm_guardrail';
import vard from '@andersmyrmel/vard';
const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const guard = vard.moderate().maxLength(1000000);
async function run(name, text) {
  if (name === 'llm_guardrail') return (await checkInjection(text)).confidence;
  const r = guard.safeParse(text);
  return r.safe ? 0 : Math.max(...r.threats.map(t => t.severity));
}
const out = {};
for (const name of ['llm_guardrail', 'vard']) {
  const scores = [];
  for (const t of job.texts) scores.push(await run(name, t));
  const lat = {};
  for (const [len, texts] of Object.entries(job.latency)) {
    const ms = [];
    for (const t of texts) { const s = process.hrtime.bigint(); await run(name, t);
      ms.push(Number(process.hrtime.bigint() - s) / 1e6); }
    lat[len] = ms;
  }
  out[name] = { scores, latency: lat };
}
process.stdout.write(JSON.stringify(out));
"""


def read_lines(name: str) -> list[str]:
    """Non-comment lines of a file in tests/llm/guard/data."""
    text = (DATA / name).read_text("utf-8")
    return [x for x in text.splitlines() if x.strip() and not x.startswith("#")]


def metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1, balanced accuracy and false-positive rate (NaN when undefined)."""
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    nan = float("nan")
    rec = tp / (tp + fn) if tp + fn else nan
    fpr = fp / (fp + tn) if fp + tn else nan
    prec = tp / (tp + fp) if tp + fp else nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else nan
    bal = (rec + (1 - fpr)) / 2 if tp + fn and fp + tn else nan
    return {"precision": prec, "recall": rec, "f1": f1, "balanced_accuracy": bal, "fpr": fpr,
            "n": len(y)}


class Scored:
    """Per-text scores of the lexical stage and the embedding head, with a calibration, so the
    stages and the cascade can be judged without re-running the encoder."""

    def __init__(self, lex: np.ndarray, emb: np.ndarray, cal: dict[str, Any]) -> None:
        self.lex, self.emb, self.cal = lex, emb, cal

    def predict(self, stage: str) -> np.ndarray:
        """Labels of one stage alone, or of the cascade (the rule in detector.py)."""
        lex_t = self.cal["lexical"]["threshold"]
        emb_t = self.cal["embedding"]["threshold"]
        if stage == "lexical":
            return self.lex >= lex_t
        if stage == "embedding":
            return self.emb >= emb_t
        low, high = self.cal["lexical"]["band"]
        uncertain = (self.lex >= low) & (self.lex < high)
        cascade = self.cal.get("cascade")
        inner = (self.emb >= emb_t) if cascade is None else (
            (self.lex + self.emb) / 2 >= cascade["threshold"])
        return np.where(uncertain, inner, self.lex >= lex_t)

    def band_share(self) -> float:
        """Share of texts the cascade sends to the embedding stage."""
        low, high = self.cal["lexical"]["band"]
        return float(((self.lex >= low) & (self.lex < high)).mean())


def score(lex: LexicalModel, head: EmbeddingHead, cal: dict[str, Any],
          texts: Sequence[str]) -> Scored:
    """Scores of both stages for ``texts`` (embeddings from the cache)."""
    w = np.asarray(head.weights)
    z = T.embed_cached(texts) @ w + head.bias
    return Scored(np.array([lex.probability(t) for t in texts]), 1 / (1 + np.exp(-z)), cal)


def fit(train_sets: Sequence[str]) -> tuple[LexicalModel, EmbeddingHead, dict[str, Any]]:
    """The shipped recipe on other training sets: fit, then calibrate on their validation."""
    rows = [r for name in train_sets for r in T.load_set(name)]
    x, y = T.with_templates(*T.split(rows, "train"))
    vx, vy = T.split(rows, "validation")
    lex = T.fit_lexical(x, y)
    head = T.fit_head(T.embed_cached(x), y)
    cal: dict[str, Any] = {"lexical": {"threshold": 0.5, "band": [0.5, 0.5]},
                           "embedding": {"threshold": 0.5}}
    s = score(lex, head, cal, vx)
    lex_t = T.threshold_at_fpr(s.lex[vy == 0], 0.01)
    cal["lexical"] = {"threshold": lex_t,
                      "band": list(T.band(s.lex[vy == 1], s.lex[vy == 0], lex_t))}
    cal["embedding"]["threshold"] = T.threshold_at_fpr(s.emb[vy == 0], 0.01)
    low, high = cal["lexical"]["band"]
    cal["cascade"] = {"rule": "mean", "threshold": T.cascade_threshold(
        s.lex, s.emb, vy, lex_t, low, high, 0.01)}
    return lex, head, cal


def test_sets() -> dict[str, tuple[list[str], np.ndarray]]:
    """Every evaluation set: held-out test splits, the external sets, the repo's own text."""
    out = {name: T.split(T.load_set(name), "test")
           for name in ("neuralchemy", "slabs", "bastion", "yanismiraoui", "jbmini")}
    hard = read_lines("hard_negatives.txt")
    small = read_lines("small_talk.txt")
    own = read_lines("injections.txt")
    out["hard-negatives"] = (hard, np.zeros(len(hard), dtype=np.int64))
    out["small-talk"] = (small, np.zeros(len(small), dtype=np.int64))
    out["own-injections"] = (own, np.ones(len(own), dtype=np.int64))
    return out


def latency_texts(n: int = 60) -> dict[int, list[str]]:
    """Benign and attack prompts padded with other prompts to exactly 100/1,000/4,000 chars."""
    pool = [*read_lines("hard_negatives.txt"), *read_lines("injections.txt")]
    out: dict[int, list[str]] = {}
    for length in LENGTHS:
        texts = []
        for i in range(n):
            parts, j = [], i
            while sum(len(p) + 1 for p in parts) < length:
                parts.append(pool[j % len(pool)])
                j += 7
            texts.append(" ".join(parts)[:length])
        out[length] = texts
    return out


def timed(fn: Callable[[str], object], texts: Sequence[str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread) milliseconds per call, after two warm-up calls. On a
    shared machine the CPU time is the steadier figure: it leaves out time spent waiting for a
    core."""
    for t in texts[:2]:
        fn(t)
    wall, cpu = [], []
    for t in texts:
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(t)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def pct(ms: Sequence[float]) -> str:
    """``p50 / p99`` in milliseconds."""
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"{statistics.median(ms):7.2f} / {q[98]:7.2f}"


def run_anchors(texts: list[str], lat: dict[int, list[str]]) -> dict[str, Any]:
    """Install the npm anchors into bench/.work and run them on the same texts."""
    home = WORK / "anchors"
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "node_modules" / "llm_guardrail").is_dir():
        (home / "package.json").write_text('{"private": true, "type": "module"}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                        *[f"{k}@{v}" for k, v in ANCHORS.items()]], cwd=home, check=True)
    (home / "run.mjs").write_text(_NODE)
    job = home / "job.json"
    job.write_text(json.dumps({"texts": texts, "latency": {str(k): v for k, v in lat.items()}}))
    out = subprocess.run(["node", "run.mjs", str(job)], cwd=home, check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def table(title: str, rows: list[tuple[str, str, dict[str, float]]]) -> None:
    """Print one Markdown table of metrics."""
    print(f"\n### {title}\n")
    print("| detector | test set | n | precision | recall | F1 | bal. acc. | FPR |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, test, m in rows:
        cells = " | ".join("–" if np.isnan(m[k]) else f"{m[k]:.3f}"
                           for k in ("precision", "recall", "f1", "balanced_accuracy", "fpr"))
        print(f"| {name} | {test} | {m['n']} | {cells} |")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip cross-data-set retraining")
    parser.add_argument("--no-anchors", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    sets = test_sets()
    stages = ("lexical", "embedding", "cascade")

    detector = Detector.load()
    cal = json.loads((ROOT / "src/drillhall/llm/guard/detector/weights/detector.json").read_text())
    assert detector._lexical is not None and detector.calibration.embedding_head is not None
    rows = []
    shipped: dict[str, Scored] = {}
    for name, (x, y) in sets.items():
        s = score(detector._lexical, detector.calibration.embedding_head, cal, x)
        shipped[name] = s
        for st in stages:
            rows.append((f"drillhall {st}", name, metrics(s.predict(st), y)))
    # the real cascade, end to end, must agree with the cached-embedding replay
    for check in ("hard-negatives", "small-talk"):
        x, y = sets[check]
        live = np.array([detector.score(t).flagged for t in x])
        assert (live == shipped[check].predict("cascade")).mean() > 0.98, check
    table("Shipped weights (trained on neuralchemy + S-Labs train)", rows)
    print("\nshare sent to the embedding stage: "
          + ", ".join(f"{k} {v.band_share():.0%}" for k, v in shipped.items()))
    results["shipped"] = [{"detector": a, "set": b, **m} for a, b, m in rows]

    if not args.quick:
        rows = []
        for train_on, test_on in (("neuralchemy", "slabs"), ("slabs", "neuralchemy")):
            lex, head, c = fit([train_on])
            for name in (test_on, "bastion", "hard-negatives", "small-talk", "yanismiraoui"):
                x, y = sets[name]
                s = score(lex, head, c, x)
                for st in stages:
                    rows.append((f"{st} (train {train_on})", name, metrics(s.predict(st), y)))
        table("Cross-data-set (train on one set, test on another)", rows)
        results["cross"] = [{"detector": a, "set": b, **m} for a, b, m in rows]

    lat = latency_texts()
    lexical_only = Detector.load(stages=("lexical",))
    emb_only = Detector.load(stages=("embedding",))
    timings = {"drillhall lexical": lexical_only.score, "drillhall embedding": emb_only.score,
               "drillhall cascade": detector.score}
    both = {name: {n: timed(fn, lat[n]) for n in LENGTHS} for name, fn in timings.items()}
    lat_rows = {name: {n: v[0] for n, v in by_len.items()} for name, by_len in both.items()}
    cpu_rows = {name: {n: v[1] for n, v in by_len.items()} for name, by_len in both.items()}

    if not args.no_anchors:
        names = list(sets)
        flat = [t for n in names for t in sets[n][0]]
        out = run_anchors(flat, lat)
        rows = []
        for anchor, threshold in (("llm_guardrail", 0.5), ("vard", 0.7)):
            scores = np.array(out[anchor]["scores"])
            start = 0
            for n in names:
                x, y = sets[n]
                part = scores[start : start + len(x)]
                start += len(x)
                rows.append((anchor, n, metrics(part >= threshold, y)))
            lat_rows[anchor] = {int(k): v for k, v in out[anchor]["latency"].items()}
        table("Anchors on the same test sets", rows)
        results["anchors"] = [{"detector": a, "set": b, **m} for a, b, m in rows]

    print("\n### Latency per prompt, ms (p50 / p99), one thread\n")
    print("| detector | " + " | ".join(f"{n:,} chars" for n in LENGTHS) + " |")
    print("|---|" + "---:|" * len(LENGTHS))
    for name, by_len in lat_rows.items():
        print(f"| {name} | " + " | ".join(pct(by_len[n]) for n in LENGTHS) + " |")
    print("\n### CPU time per prompt, ms (p50 / p99), one thread\n")
    print("| detector | " + " | ".join(f"{n:,} chars" for n in LENGTHS) + " |")
    print("|---|" + "---:|" * len(LENGTHS))
    for name, by_len in cpu_rows.items():
        print(f"| {name} | " + " | ".join(pct(by_len[n]) for n in LENGTHS) + " |")
    results["cpu_ms"] = {
        name: {str(n): {"p50": statistics.median(v[n]),
                        "p99": statistics.quantiles(v[n], n=100, method="inclusive")[98]}
               for n in LENGTHS}
        for name, v in cpu_rows.items()
    }
    results["latency_ms"] = {
        name: {str(n): {"p50": statistics.median(v[n]),
                        "p99": statistics.quantiles(v[n], n=100, method="inclusive")[98]}
               for n in LENGTHS}
        for name, v in lat_rows.items()
    }
    out_path = WORK / "detector-results.json"
    out_path.write_text(json.dumps(results, indent=1, default=float))
    print(f"\nresults: {out_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
