"""Train the prompt-injection detector and write its weights into the package.

Run ``scripts/guard/prepare_data.py`` first; then, from the repository root::

    .venv/bin/python scripts/guard/train.py                 # both stages (needs llm-embed)
    .venv/bin/python scripts/guard/train.py --lexical-only  # stage 1 only, keeps the head

Training data: the ``train`` splits of ``neuralchemy`` and ``slabs``; thresholds are chosen on
their ``validation`` splits (never on a test split nor on the held-out files in
``tests/llm/guard/data``: hard negatives, small talk, own injections). A template prompt that
normalises to a line of one of those files is dropped before training, so no evaluation line
is ever trained on. Needs scikit-learn and numpy (the ``ml`` and ``dev`` extras).
The functions here are also what ``bench/llm/detector.py`` calls for its cross-data-set runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from benign_templates import generate  # noqa: E402

from drillhall.llm.guard.detector.embedding import EmbeddingHead  # noqa: E402
from drillhall.llm.guard.detector.features import features, normalise  # noqa: E402
from drillhall.llm.guard.detector.lexical import LexicalModel  # noqa: E402

WORK = ROOT / "bench" / ".work" / "guard"
WEIGHTS = ROOT / "src" / "drillhall" / "llm" / "guard" / "detector" / "weights"
HELD_OUT = ROOT / "tests" / "llm" / "guard" / "data"
TRAIN_SETS = ("neuralchemy", "slabs")
#: Conversational template prompts taken from each family (see conversation_templates.py).
CHAT_PER_FAMILY = 300
Rows = list[dict[str, Any]]


def load_set(name: str, work: Path = WORK) -> Rows:
    """The rows of one prepared set (``bench/.work/guard/data/<name>.jsonl``)."""
    path = work / "data" / f"{name}.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run scripts/guard/prepare_data.py first")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def split(rows: Rows, name: str) -> tuple[list[str], np.ndarray]:
    """Texts and labels of one split."""
    chosen = [r for r in rows if r["split"] == name]
    return [r["text"] for r in chosen], np.array([r["label"] for r in chosen], dtype=np.int64)


def held_out_texts(root: Path = HELD_OUT) -> set[str]:
    """The normalised lines of every evaluation file in ``tests/llm/guard/data``."""
    out: set[str] = set()
    for path in sorted(root.glob("*.txt")):
        lines = path.read_text("utf-8").splitlines()
        out.update(normalise(x) for x in lines if x.strip() and not x.startswith("#"))
    return out


def templates() -> list[str]:
    """The benign template prompts, less any that repeat a held-out evaluation line."""
    held_out = held_out_texts()
    return [t for t in generate(per_chat_family=CHAT_PER_FAMILY) if normalise(t) not in held_out]


def with_templates(texts: Sequence[str], labels: np.ndarray) -> tuple[list[str], np.ndarray]:
    """``texts`` and ``labels`` plus the benign template prompts (label 0)."""
    extra = templates()
    return [*texts, *extra], np.concatenate([labels, np.zeros(len(extra), dtype=np.int64)])


def fit_lexical(
    texts: Sequence[str], labels: np.ndarray, *, max_features: int = 60_000, c: float = 16.0,
    sample_weight: np.ndarray | None = None,
) -> LexicalModel:
    """Fit the lexical stage: binary, L2-normalised n-grams and a balanced logistic
    regression; coefficients rounded to 4 decimals as they are shipped."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    vec = CountVectorizer(analyzer=features, min_df=2, max_features=max_features, binary=True)
    x = normalize(vec.fit_transform(texts).astype(np.float64))
    clf = LogisticRegression(
        C=c, class_weight="balanced", max_iter=5000, solver="liblinear", random_state=0
    )
    clf.fit(x, labels, sample_weight=sample_weight)
    coef = clf.coef_[0]
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(w), 4) for n, w in zip(names, coef, strict=True)}
    return LexicalModel(weights, round(float(clf.intercept_[0]), 4))


def embed_cached(texts: Sequence[str], work: Path = WORK) -> np.ndarray:
    """Embeddings of ``texts`` (head window, int8 encoder), cached by text under
    ``bench/.work/guard/emb``."""
    cache_dir = work / "emb"
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    store_path = cache_dir / "cache.npz"
    store: dict[str, np.ndarray] = {}
    if store_path.is_file():
        with np.load(store_path) as data:
            store = {k: data[k] for k in data.files}
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items(),
                     key=lambda kv: len(kv[1]))
    if missing:
        from drillhall.llm.guard.detector.embedding import Encoder

        enc = Encoder(threads=2)
        for start in range(0, len(missing), 32):
            chunk = missing[start : start + 32]
            vecs = enc.embed([t for _, t in chunk])
            for (key, _), vec in zip(chunk, vecs, strict=True):
                store[key] = vec
        np.savez(store_path, **store)
    return np.stack([store[k] for k in keys])


def fit_head(emb: np.ndarray, labels: np.ndarray, *, c: float = 4.0) -> EmbeddingHead:
    """Fit the embedding stage's logistic head (balanced classes)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=0)
    clf.fit(emb, labels)
    return EmbeddingHead(
        tuple(round(float(w), 6) for w in clf.coef_[0]), round(float(clf.intercept_[0]), 6)
    )


def threshold_at_fpr(neg_scores: np.ndarray, fpr: float) -> float:
    """The smallest threshold (score >= threshold flags) whose false-positive rate on
    ``neg_scores`` is at most ``fpr``."""
    ordered = np.sort(neg_scores)[::-1]
    allowed = int(np.floor(fpr * len(ordered)))
    if allowed >= len(ordered):
        return 0.0
    return float(np.nextafter(ordered[allowed], np.inf))


def band(pos_scores: np.ndarray, neg_scores: np.ndarray, threshold: float,
         miss: float = 0.02, fpr: float = 0.002) -> tuple[float, float]:
    """The uncertain band ``[low, high)`` of the lexical stage: below ``low`` at most ``miss``
    of the validation attacks fall; at or above ``high`` at most ``fpr`` of the benign."""
    low = min(float(np.quantile(pos_scores, miss)), threshold)
    high = max(threshold_at_fpr(neg_scores, fpr), threshold)
    return round(low, 6), round(high, 6)


def cascade_threshold(lex: np.ndarray, emb: np.ndarray, labels: np.ndarray,
                      lexical_threshold: float, low: float, high: float, fpr: float) -> float:
    """The threshold on ``(lexical + embedding) / 2`` inside the band ``[low, high)`` that keeps
    the whole cascade's false-positive rate on the benign rows of ``labels`` at most ``fpr``
    (the benign rows the lexical stage flags on its own above the band count against it)."""
    neg = labels == 0
    inside = (lex >= low) & (lex < high)
    fixed = int(((lex >= high) & neg).sum())
    allowed = int(np.floor(fpr * int(neg.sum()))) - fixed
    mean = np.sort(((lex + emb) / 2)[inside & neg])[::-1]
    if allowed < 0:
        return 1.0
    if allowed >= len(mean):
        return min(lexical_threshold, 0.5)
    return float(np.nextafter(mean[allowed], np.inf))


def main(argv: list[str] | None = None) -> int:
    """Train on the prepared sets and write ``weights/lexical.json.gz`` and
    ``weights/detector.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--fpr", type=float, default=0.01,
                        help="false-positive rate allowed on the validation benign (0.01)")
    parser.add_argument("--lexical-only", action="store_true")
    parser.add_argument("--no-templates", action="store_true",
                        help="train without the benign template prompts")
    args = parser.parse_args(argv)

    rows = [r for name in TRAIN_SETS for r in load_set(name, args.work)]
    tr_x, tr_y = split(rows, "train")
    if not args.no_templates:
        tr_x, tr_y = with_templates(tr_x, tr_y)
    va_x, va_y = split(rows, "validation")
    lex = fit_lexical(tr_x, tr_y)
    args.out.mkdir(parents=True, exist_ok=True)
    lex.write(args.out / "lexical.json.gz")
    va_lex = np.array([lex.probability(t) for t in va_x])
    lex_t = threshold_at_fpr(va_lex[va_y == 0], args.fpr)
    low, high = band(va_lex[va_y == 1], va_lex[va_y == 0], lex_t)
    config_path = args.out / "detector.json"
    config: dict[str, Any] = (
        json.loads(config_path.read_text("utf-8")) if config_path.is_file() else {}
    )
    config.update({
        "format": "drillhall/guard-detector/v1",
        "trained_on": [f"{n}:train" for n in TRAIN_SETS]
        + ([] if args.no_templates else ["scripts/guard/benign_templates.py"]),
        "calibrated_on": [f"{n}:validation" for n in TRAIN_SETS],
        "validation_fpr_goal": args.fpr,
        "lexical": {"threshold": round(lex_t, 6), "band": [low, high]},
    })
    if args.lexical_only:
        # the mean rule's threshold depends on the lexical scores: without a new embedding
        # calibration the band falls back to the embedding stage alone
        config.pop("cascade", None)
    else:
        emb = embed_cached(tr_x, args.work)
        head = fit_head(emb, tr_y)
        va_emb = np.array([head.probability(e) for e in embed_cached(va_x, args.work)])
        emb_t = threshold_at_fpr(va_emb[va_y == 0], args.fpr)
        config["embedding"] = {
            "threshold": round(emb_t, 6), "weights": list(head.weights), "bias": head.bias,
        }
        cas_t = cascade_threshold(va_lex, va_emb, va_y, lex_t, low, high, args.fpr)
        config["cascade"] = {"rule": "mean", "threshold": round(cas_t, 6)}
    config_path.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    size = (args.out / "lexical.json.gz").stat().st_size
    print(f"lexical: {len(lex.weights)} features, {size / 1e6:.2f} MB, threshold {lex_t:.4f}, "
          f"band [{low:.4f}, {high:.4f})")
    if "embedding" in config:
        print(f"embedding: threshold {config['embedding']['threshold']:.4f}")
    if "cascade" in config:
        print(f"cascade: mean of both inside the band, threshold "
              f"{config['cascade']['threshold']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
