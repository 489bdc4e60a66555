"""Train the ``refusal`` classifier and write its JSON weights.

::

    python -m drillhall.llm.graders.train            # train, print CV accuracy, write the model
    python -m drillhall.llm.graders.train --check    # only report; fail if the model is stale

The training set is ``data/refusal_train.tsv`` next to this module: one example a line,
``R<TAB>text`` for a refusal and ``C<TAB>text`` for a compliant answer (``#`` starts a
comment). Training is plain-Python logistic regression (stochastic gradient descent with L2
regularisation, a fixed seed), so it is reproducible and needs nothing outside the standard
library. The red-team labelled set in ``tests/llm/graders/labelled/`` is never used here.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from drillhall.errors import ConfigError
from drillhall.llm.graders.refusal import MODEL_RESOURCE, RefusalModel, features

DATA_DIR = Path(__file__).with_name("data")
TRAIN_FILE = DATA_DIR / "refusal_train.tsv"
MODEL_FILE = DATA_DIR / MODEL_RESOURCE
EPOCHS = 40
L2 = 1e-4
LEARNING_RATE = 0.5
MIN_WEIGHT = 0.03
SEED = 20240611

Example = tuple[str, bool]


def load_examples(path: Path = TRAIN_FILE) -> list[Example]:
    """Read the training file; ``ConfigError`` names the line at fault."""
    out: list[Example] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, sep, text = line.partition("\t")
        if not sep or label not in ("R", "C") or not text.strip():
            raise ConfigError(f"{path}:{n}: expected 'R<TAB>text' or 'C<TAB>text'")
        out.append((text, label == "R"))
    return out


def fit(examples: Sequence[Example], *, epochs: int = EPOCHS, seed: int = SEED) -> RefusalModel:
    """Logistic regression by SGD on the binary, unit-length feature vectors."""
    rows = [(sorted(features(t)), y) for t, y in examples]
    weights: dict[str, float] = {}
    bias = 0.0
    rng = random.Random(seed)  # noqa: S311 - reproducible training, not crypto
    order = list(range(len(rows)))
    for epoch in range(epochs):
        rng.shuffle(order)
        lr = LEARNING_RATE / (1 + 0.1 * epoch)
        for i in order:
            feats, y = rows[i]
            scale = 1.0 / math.sqrt(len(feats))
            z = bias + scale * sum(weights.get(f, 0.0) for f in feats)
            p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
            g = p - (1.0 if y else 0.0)
            bias -= lr * g
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - lr * (g * scale + L2 * w)
    kept = {f: w for f, w in weights.items() if abs(w) >= MIN_WEIGHT}
    return RefusalModel(bias, kept)


def accuracy(model: RefusalModel, examples: Sequence[Example]) -> float:
    """Share of ``examples`` the model labels correctly."""
    if not examples:
        return 0.0
    right = sum((model.probability(t) >= model.threshold) == y for t, y in examples)
    return right / len(examples)


def cross_validate(examples: Sequence[Example], folds: int = 5, seed: int = SEED) -> float:
    """Mean accuracy over ``folds`` stratified folds."""
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)  # noqa: S311
    scores = []
    for k in range(folds):
        test = shuffled[k::folds]
        train = [e for i, e in enumerate(shuffled) if i % folds != k]
        scores.append(accuracy(fit(train), test))
    return sum(scores) / folds


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=TRAIN_FILE)
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the shipped model differs from a retrain")
    args = parser.parse_args(argv)
    examples = load_examples(args.data)
    refusals = sum(y for _, y in examples)
    cv = cross_validate(examples)
    model = fit(examples)
    train_acc = accuracy(model, examples)
    text = model.to_json(examples=len(examples), refusals=refusals,
                         train_accuracy=round(train_acc, 4), cv5_accuracy=round(cv, 4))
    out = sys.stdout
    out.write(f"examples: {len(examples)} ({refusals} refusals, "
              f"{len(examples) - refusals} compliant)\n")
    out.write(f"5-fold cross-validated accuracy: {cv:.3f}\n")
    out.write(f"training accuracy: {train_acc:.3f}; features kept: {len(model.weights)}\n")
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        out.write("shipped model is up to date\n" if same else "shipped model is STALE\n")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    out.write(f"wrote {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
