"""Train the prompt-injection detector and write its weights into the package.

Run ``scripts/guard/prepare_data.py`` first; then, from the repository root::

    .venv/bin/python scripts/guard/train.py                 # both stages (needs llm-embed)
    .venv/bin/python scripts/guard/train.py --lexical-only  # stage 1 only, keeps the head

Training data: the ``train`` splits of ``neuralchemy`` and ``slabs`` plus about 85 % of
drillhall's own template prompts (benign: ``benign_templates``, ``conversation_templates``,
``benign_hard_templates``, ``benign_statements``, ``benign_meta``, ``benign_multilingual``;
attacks: ``attack_templates``). Every threshold is calibrated on the sets' ``validation``
splits plus the other 15 % of the templates, each set and template source kept within the
false-positive goal on its own; never on a test split nor on the held-out files in
``tests/llm/guard/data`` (hard negatives, small talk, own injections). A template prompt
that normalises to a line of one of those files is dropped before training, so no
evaluation line is ever trained on. Needs scikit-learn and numpy (the ``ml`` and ``dev``
extras).
The functions here are also what ``bench/llm/detector.py`` calls for its cross-data-set runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from attack_templates import generate as generate_attacks  # noqa: E402
from attack_templates_more import multilingual_by_language  # noqa: E402
from benign_hard_templates import generate as generate_benign_hard  # noqa: E402
from benign_meta import generate as generate_meta  # noqa: E402
from benign_multilingual import generate as generate_multilingual  # noqa: E402
from benign_statements import generate as generate_statements  # noqa: E402
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
#: Benign multilingual prompts taken per language (about as many as the attacks per language).
PER_LANGUAGE = 150
#: Share (per cent) of the own template prompts kept for validation.
OWN_VALIDATION_PCT = 15
#: drillhall's own training prompts (written for drillhall; see each module's docstring).
OWN_SOURCES = (
    "scripts/guard/benign_templates.py", "scripts/guard/conversation_templates.py",
    "scripts/guard/benign_hard_templates.py", "scripts/guard/benign_statements.py",
    "scripts/guard/benign_meta.py", "scripts/guard/benign_multilingual.py",
    "scripts/guard/attack_templates.py",
)
SPLITS = ("train", "validation")
#: Hidden units of the embedding stage's perceptron head, and the file it is written to.
HEAD_HIDDEN = 128
HEAD_FILE = "embedding_head.json.gz"
#: The top of the lexical stage's uncertain band: 1.0 sends every text it finds suspicious to
#: the embedding stage (``None``: the score above which 0.2 % of the validation benign fall).
BAND_TOP: float | None = 1.0
#: The embedding score's weight in the cascade's mean inside the band.
EMBEDDING_WEIGHT = 0.65
#: False-positive rate allowed on the validation benign when thresholds are calibrated.
FPR = 0.01
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


def _own_split(text: str) -> str:
    """``validation`` for about 15 % of the own prompts (by a hash of the normalised text, so a
    prompt keeps its split whatever else changes), ``train`` for the rest."""
    digest = hashlib.sha256(normalise(text).encode("utf-8")).digest()
    return "validation" if int.from_bytes(digest[:4], "big") % 100 < OWN_VALIDATION_PCT else "train"


def own_rows() -> Rows:
    """drillhall's own template prompts as rows (``split`` train or validation): the benign
    families of ``benign_templates`` (with the conversational ones),
    ``benign_hard_templates``, ``benign_statements``, ``benign_meta`` and
    ``benign_multilingual`` (label 0) and the attacks of ``attack_templates`` (label 1).
    A prompt that normalises to a line of a held-out evaluation file is dropped, so no
    evaluation line is ever trained on, and a prompt generated twice is kept once."""
    held_out = held_out_texts()
    sources = (
        (0, "own-benign", generate(per_chat_family=CHAT_PER_FAMILY)),
        (0, "own-benign-hard", generate_benign_hard()),
        (0, "own-benign-statements", generate_statements()),
        (0, "own-benign-meta", generate_meta()),
        (0, "own-benign-multilingual", generate_multilingual(per_family=PER_LANGUAGE)),
        (1, "own-attack", generate_attacks()),
        # every multilingual extraction prompt: the sample above takes ~50 per language
        (1, "own-attack-multilingual", [t for v in multilingual_by_language().values() for t in v]),
    )
    seen: set[str] = set()
    rows: Rows = []
    for label, category, texts in sources:
        for text in texts:
            key = normalise(text)
            if key in held_out or key in seen:
                continue
            seen.add(key)
            rows.append({"text": text, "label": label, "split": _own_split(text),
                         "category": category})
    return rows


def training_data(
    sets: Sequence[str], work: Path = WORK, *, own: bool = True
) -> tuple[list[str], np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Train texts, labels and groups, then validation texts, labels and groups: the named
    prepared sets' splits plus (with ``own``) drillhall's template prompts, split the same
    way. A row's group is its set's name or its template source (``own-benign-hard`` …)."""
    rows = [{**r, "group": name} for name in sets for r in load_set(name, work)]
    if own:
        rows += [{**r, "group": r["category"]} for r in own_rows()]
    tr_x, tr_y = split(rows, "train")
    va_x, va_y = split(rows, "validation")
    tr_g, va_g = (np.array([r["group"] for r in rows if r["split"] == s]) for s in SPLITS)
    return tr_x, tr_y, tr_g, va_x, va_y, va_g


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
    # a non-ASCII text is embedded as normalised since feature scheme 3: its own key
    keys = [hashlib.sha256((t if t.isascii() else f"v3:{t}").encode("utf-8")).hexdigest()
            for t in texts]
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


def fit_head(emb: np.ndarray, labels: np.ndarray, *, hidden: int = HEAD_HIDDEN,
             c: float = 4.0) -> EmbeddingHead:
    """Fit the embedding stage's head: a perceptron with one ReLU layer of ``hidden`` units
    (early stopping on a fixed 10 % of the rows), or with ``hidden=0`` a balanced logistic
    regression. Weights are rounded to 6 decimals as they are shipped."""
    if not hidden:
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=0)
        clf.fit(emb, labels)
        return EmbeddingHead(
            tuple(round(float(w), 6) for w in clf.coef_[0]), round(float(clf.intercept_[0]), 6)
        )
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier((hidden,), alpha=1e-4, max_iter=200, early_stopping=True,
                        random_state=0)
    mlp.fit(emb, labels)
    (w1, w2), (b1, b2) = mlp.coefs_, mlp.intercepts_
    return EmbeddingHead(
        tuple(round(float(w), 6) for w in w2[:, 0]), round(float(b2[0]), 6),
        tuple(tuple(round(float(w), 6) for w in row) for row in w1),
        tuple(round(float(b), 6) for b in b1),
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


def worst_group(groups: np.ndarray, labels: np.ndarray,
                one: Callable[[np.ndarray], float]) -> float:
    """The highest of ``one(mask)`` over the groups that have benign rows: a threshold that
    keeps every group's false-positive rate within the goal, not just the pooled rate (the
    large sets of easy benign prompts would otherwise let the hard ones through)."""
    names = sorted({str(g) for g in groups[labels == 0]})
    return max(one(groups == name) for name in names)


def cascade_threshold(lex: np.ndarray, emb: np.ndarray, labels: np.ndarray,
                      lexical_threshold: float, low: float, high: float, fpr: float,
                      weight: float = 0.5) -> float:
    """The threshold on ``(lexical + embedding) / 2`` inside the band ``[low, high)`` that keeps
    the whole cascade's false-positive rate on the benign rows of ``labels`` at most ``fpr``
    (the benign rows the lexical stage flags on its own above the band count against it)."""
    neg = labels == 0
    inside = (lex >= low) & (lex < high)
    fixed = int(((lex >= high) & neg).sum())
    allowed = int(np.floor(fpr * int(neg.sum()))) - fixed
    mean = np.sort(((1 - weight) * lex + weight * emb)[inside & neg])[::-1]
    if allowed < 0:
        return 1.0
    if allowed >= len(mean):
        return min(lexical_threshold, 0.5)
    return float(np.nextafter(mean[allowed], np.inf))


def fit_recipe(
    sets: Sequence[str], *, work: Path = WORK, fpr: float = FPR, own: bool = True,
    lexical_only: bool = False,
    band_top: float | None = BAND_TOP, embedding_weight: float = EMBEDDING_WEIGHT,
) -> tuple[LexicalModel, EmbeddingHead | None, dict[str, Any]]:
    """The whole recipe on the named prepared sets (plus, with ``own``, drillhall's template
    prompts): fit the lexical stage and the embedding head on the train rows, then calibrate
    every threshold on the validation rows so that each group's false-positive rate (each
    set's, each template source's) is at most ``fpr``. Returns the
    models and the calibration as ``detector.json`` holds it (without the head's weights).
    ``bench/llm/detector.py`` calls this for its leave-one-set-out runs."""
    tr_x, tr_y, _, va_x, va_y, groups = training_data(sets, work, own=own)
    lex = fit_lexical(tr_x, tr_y)
    va_lex = np.array([lex.probability(t) for t in va_x])
    neg = va_y == 0
    lex_t = worst_group(groups, va_y, lambda g: threshold_at_fpr(va_lex[g & neg], fpr))
    low, high = band(va_lex[va_y == 1], va_lex[neg], lex_t)
    if band_top is not None:
        high = band_top
    config: dict[str, Any] = {
        "format": "drillhall/guard-detector/v1",
        "trained_on": [f"{n}:train" for n in sets] + (list(OWN_SOURCES) if own else []),
        "calibrated_on": [f"{n}:validation" for n in sets]
        + ([f"{OWN_VALIDATION_PCT}% of the own templates"] if own else []),
        "validation_fpr_goal": fpr,
        "lexical": {"threshold": round(lex_t, 6), "band": [low, high]},
    }
    if lexical_only:
        return lex, None, config
    head = fit_head(embed_cached(tr_x, work), tr_y)
    va_emb = head.probabilities(embed_cached(va_x, work))
    emb_t = worst_group(groups, va_y, lambda g: threshold_at_fpr(va_emb[g & neg], fpr))
    config["embedding"] = {"threshold": round(emb_t, 6)}
    cas_t = worst_group(groups, va_y, lambda g: cascade_threshold(
        va_lex[g], va_emb[g], va_y[g], lex_t, low, high, fpr, embedding_weight))
    config["cascade"] = {"rule": "mean", "threshold": round(cas_t, 6),
                         "embedding_weight": embedding_weight}
    return lex, head, config


def main(argv: list[str] | None = None) -> int:
    """Train on the prepared sets and write ``weights/lexical.json.gz`` and
    ``weights/detector.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--fpr", type=float, default=FPR,
                        help=f"false-positive rate allowed on the validation benign ({FPR})")
    parser.add_argument("--lexical-only", action="store_true",
                        help="refit the lexical stage only and keep the embedding head")
    parser.add_argument("--no-own", action="store_true",
                        help="train on the public sets alone, without drillhall's templates")
    args = parser.parse_args(argv)

    lex, head, fitted = fit_recipe(TRAIN_SETS, work=args.work, fpr=args.fpr, own=not args.no_own,
                                   lexical_only=args.lexical_only)
    args.out.mkdir(parents=True, exist_ok=True)
    lex.write(args.out / "lexical.json.gz")
    config_path = args.out / "detector.json"
    config: dict[str, Any] = (
        json.loads(config_path.read_text("utf-8")) if config_path.is_file() else {}
    )
    config.update(fitted)
    if head is None:
        # the mean rule's threshold depends on the lexical scores: without a new embedding
        # calibration the band falls back to the embedding stage alone
        config.pop("cascade", None)
    else:
        head.write(args.out / HEAD_FILE)
        config["embedding"]["head"] = HEAD_FILE
    config_path.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    size = (args.out / "lexical.json.gz").stat().st_size
    low, high = config["lexical"]["band"]
    print(f"lexical: {len(lex.weights)} features, {size / 1e6:.2f} MB, threshold "
          f"{config['lexical']['threshold']:.4f}, band [{low:.4f}, {high:.4f})")
    if "embedding" in config:
        print(f"embedding: threshold {config['embedding']['threshold']:.4f}")
    if "cascade" in config:
        print(f"cascade: mean of both inside the band, threshold "
              f"{config['cascade']['threshold']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
