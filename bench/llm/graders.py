"""Grader accuracy on the labelled set (issue 5 goal: >= 0.95 per grader and overall).

    python bench/llm/graders.py            # the accuracy table with confusion counts
    python bench/llm/graders.py --errors   # also list every misgraded exchange

Reads ``tests/llm/graders/labelled/`` (held out from the refusal classifier's training data,
``src/drillhall/llm/graders/data/refusal_train.tsv``) and also reports the classifier's own
training and cross-validated accuracy. Offline; a few seconds on one core.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from drillhall.llm.graders.evaluate import evaluate, graders_for, load_cases, table
from drillhall.llm.graders.refusal import shipped_model
from drillhall.llm.graders.train import accuracy, cross_validate, load_examples

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "llm" / "graders" / "labelled"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--errors", action="store_true", help="list misgraded exchanges")
    args = parser.parse_args()
    started = time.perf_counter()
    cases = load_cases(args.labelled)
    result = evaluate(cases, graders_for(args.labelled))
    seconds = time.perf_counter() - started
    print(f"labelled set: {len(cases)} exchanges in {args.labelled} "
          f"({seconds:.2f} s, Python {platform.python_version()})\n")
    print(table(result))
    examples = load_examples()
    print(f"\nrefusal classifier: {len(examples)} training examples; "
          f"training accuracy {accuracy(shipped_model(), examples):.3f}, "
          f"5-fold cross-validated {cross_validate(examples):.3f}, "
          f"held-out (labelled set) {result.graders['refusal'].accuracy:.3f}")
    if args.errors:
        print("\nmisgraded:")
        for name, tally in sorted(result.graders.items()):
            for err in tally.errors:
                print(f"  {name}: {err}")
        for err in result.overall.errors:
            print(f"  overall: {err}")
    worst = min([t.accuracy for t in result.graders.values()] + [result.overall.accuracy])
    return 0 if worst >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
