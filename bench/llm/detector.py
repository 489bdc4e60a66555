"""Prompt-injection detector benchmark: quality across data sets, hard negatives, latency.

Runs from the repository root with the project's venv (the embedding stage needs the
``llm-embed`` extra; scikit-learn for the cross-data-set retraining)::

    .venv/bin/python scripts/guard/prepare_data.py     # once: the data sets, into bench/.work
    .venv/bin/python bench/llm/detector.py             # everything; ~5 minutes on 2 cores
    .venv/bin/python bench/llm/detector.py --quick     # no cross-data-set retraining
    .venv/bin/python bench/llm/detector.py --no-anchors

What it prints:

* **Shipped**: the weights in the package (trained on the neuralchemy and S-Labs train splits
  and drillhall's template prompts) on every test set, per stage and for the cascade;
  bastioncorpus, yanismiraoui and jailbreak-corpus-mini were never trained on.
* **Leave one set out**: the same recipe (``train.fit_recipe``) retrained without one public
  set — on the other set's train split plus the templates, thresholds from their validation
  rows — and tested on the left-out set's test split and on bastioncorpus; once more without
  the templates, to show what they add.
* **Hard negatives**: false-positive rate on ``tests/llm/guard/data/hard_negatives.txt``
  (227 benign prompts about instructions, security, prompts and jailbreaks; never trained on;
  its even lines were read while the current recipe was chosen, its odd lines never were),
  on ``small_talk.txt`` (179 greetings, thanks and short everyday prompts; never trained on)
  and recall on ``injections.txt`` (30 attacks written for drillhall).
* **Anchors** (npm, run by Node.js in ``bench/.work/guard/anchors``): ``llm_guardrail`` 2.1.2
  (a shipped TF-IDF + logistic-regression model, ``checkInjection``) and
  ``@andersmyrmel/vard`` 1.2.0 (pattern rules, ``moderate`` preset).
* **Latency** p50/p99 per prompt at 100, 1,000 and 4,000 characters: the lexical stage on one
  thread, the embedding stage and the cascade with one and with two intra-op threads (two is
  the default where the machine has two cores).

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
            (1 - (w := cascade.get("embedding_weight", 0.5))) * self.lex + w * self.emb
            >= cascade["threshold"])
        return np.where(uncertain, inner, self.lex >= lex_t)

    def band_share(self) -> float:
        """Share of texts the cascade sends to the embedding stage."""
        low, high = self.cal["lexical"]["band"]
        return float(((self.lex >= low) & (self.lex < high)).mean())


def score(lex: LexicalModel, head: EmbeddingHead, cal: dict[str, Any],
          texts: Sequence[str]) -> Scored:
    """Scores of both stages for ``texts`` (embeddings from the cache)."""
    emb = head.probabilities(T.embed_cached(texts))
    return Scored(np.array([lex.probability(t) for t in texts]), emb, cal)


def fit(train_sets: Sequence[str], own: bool = True
        ) -> tuple[LexicalModel, EmbeddingHead, dict[str, Any]]:
    """The shipped recipe (``scripts/guard/train.py``) on other training sets."""
    lex, head, cal = T.fit_recipe(train_sets, own=own)
    assert head is not None
    return lex, head, cal


def test_sets() -> dict[str, tuple[list[str], np.ndarray]]:
    """Every evaluation set: held-out test splits, the external sets, the repo's own text."""
    out = {name: T.split(T.load_set(name), "test")
           for name in ("neuralchemy", "slabs", "bastion", "yanismiraoui", "jbmini")}
    hard = read_lines("hard_negatives.txt")
    small = read_lines("small_talk.txt")
    own = read_lines("injections.txt")
    out["hard-negatives"] = (hard, np.zeros(len(hard), dtype=np.int64))
    # the even lines were read while the v3 recipe was chosen (which of them it flagged); the
    # odd lines never were: their rate is the unbiased one
    out["hard-negatives-even"] = (hard[0::2], np.zeros(len(hard[0::2]), dtype=np.int64))
    out["hard-negatives-odd"] = (hard[1::2], np.zeros(len(hard[1::2]), dtype=np.int64))
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
    assert detector._lexical is not None and detector._embedding is not None
    rows = []
    shipped: dict[str, Scored] = {}
    for name, (x, y) in sets.items():
        s = score(detector._lexical, detector._embedding.head, cal, x)
        shipped[name] = s
        for st in stages:
            rows.append((f"drillhall {st}", name, metrics(s.predict(st), y)))
    # the real cascade, end to end, must agree with the cached-embedding replay
    for check in ("hard-negatives", "small-talk"):
        x, y = sets[check]
        live = np.array([detector.score(t).flagged for t in x])
        assert (live == shipped[check].predict("cascade")).mean() > 0.98, check
    table("Shipped weights (trained on neuralchemy + S-Labs train and drillhall's templates)",
          rows)
    print("\nshare sent to the embedding stage: "
          + ", ".join(f"{k} {v.band_share():.0%}" for k, v in shipped.items()))
    results["shipped"] = [{"detector": a, "set": b, **m} for a, b, m in rows]

    if not args.quick:
        rows = []
        for held_out, train_on in (("neuralchemy", "slabs"), ("slabs", "neuralchemy")):
            for own in (True, False):
                lex, head, c = fit([train_on], own=own)
                tag = f"train {train_on}" + (" + own" if own else " alone")
                for name in (held_out, "bastion", "hard-negatives", "hard-negatives-odd",
                         "small-talk", "yanismiraoui"):
                    x, y = sets[name]
                    s = score(lex, head, c, x)
                    for st in stages:
                        rows.append((f"{st} ({tag})", name, metrics(s.predict(st), y)))
        table("Leave one set out (trained without the set it is tested on)", rows)
        results["cross"] = [{"detector": a, "set": b, **m} for a, b, m in rows]

    lat = latency_texts()
    lexical_only = Detector.load(stages=("lexical",))
    emb_one = Detector.load(stages=("embedding",), threads=1)
    emb_two = Detector.load(stages=("embedding",), threads=2)
    cascade_one = Detector.load(threads=1)
    # the embedding stage's default is two intra-op threads where there are two cores
    timings = {"drillhall lexical": lexical_only.score,
               "drillhall embedding (1 thread)": emb_one.score,
               "drillhall embedding (2 threads, default)": emb_two.score,
               "drillhall cascade (1 thread)": cascade_one.score,
               "drillhall cascade (2 threads, default)": detector.score}
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

    print("\n### Latency per prompt, ms (p50 / p99)\n")
    print("| detector | " + " | ".join(f"{n:,} chars" for n in LENGTHS) + " |")
    print("|---|" + "---:|" * len(LENGTHS))
    for name, by_len in lat_rows.items():
        print(f"| {name} | " + " | ".join(pct(by_len[n]) for n in LENGTHS) + " |")
    print("\n### CPU time per prompt, ms (p50 / p99), the calling thread only\n")
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
