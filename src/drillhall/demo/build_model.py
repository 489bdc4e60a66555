"""Generate the demo's "downloaded third-party" ticket-router models.

Two joblib files of a small scikit-learn random forest that routes tickets by a few numeric
features::

    python -m drillhall.demo.build_model

* ``assets/models/ticket-router-v1.joblib`` — benign: the model and its label names.
* ``assets/models/ticket-router-v2.joblib`` — the same model with an unsafe payload: one more
  entry whose pickle is a REDUCE of ``os.system("echo pwned")``. joblib writes the forest's
  numpy arrays inline in the pickle stream, and the payload comes *after* them — the layout
  that picklescan, modelscan and fickling were measured to miss (issue 8). ``drillhall ml model``
  must report it as critical.

Building the payload runs nothing: the pickler only records the *name* ``os.system`` that
``__reduce__`` returns. Never load ``ticket-router-v2.joblib`` (``joblib.load`` would run the
command). This script needs scikit-learn and joblib, which drillhall itself does not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from drillhall.demo import assets_dir

SEED = 20240611
LABELS = ("billing", "access", "bug", "hardware", "other")


class _Payload:
    """Pickles as a call of ``os.system``; building the pickle does not call it."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return os.system, ("echo pwned",)


def _model() -> Any:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier  # type: ignore[import-untyped]

    rng = np.random.default_rng(SEED)
    features = rng.random((60, 4))
    labels = (features[:, 0] * len(LABELS)).astype(int) % len(LABELS)
    return RandomForestClassifier(n_estimators=4, max_depth=4, random_state=SEED).fit(
        features, labels)


def build(target: Path) -> tuple[Path, Path]:
    """Write both model files into ``target``; return their paths (benign, unsafe)."""
    import joblib  # type: ignore[import-untyped]

    target.mkdir(parents=True, exist_ok=True)
    model = _model()
    benign = target / "ticket-router-v1.joblib"
    unsafe = target / "ticket-router-v2.joblib"
    joblib.dump({"model": model, "labels": list(LABELS)}, benign)
    joblib.dump({"model": model, "labels": list(LABELS), "postprocess": _Payload()}, unsafe)
    return benign, unsafe


def main() -> None:
    """Regenerate the demo's model files."""
    build(assets_dir() / "models")


if __name__ == "__main__":
    main()
