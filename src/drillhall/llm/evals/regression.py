"""Is this run's accuracy significantly worse than before? Tests on pass counts.

The comparison uses only items that are in this run and in the newest earlier run of the same
target and golden set, and that ended without a target error in both, so editing a golden set
or a flaky connection does not look like a regression. Two tests are offered:

``two-proportion`` (the default)
    A one-sided two-proportion z-test. The baseline is the pooled pass count of the last
    ``compare_runs`` earlier runs (each counted on the common items), the sample is this run's
    pass count on the same items. With pooled proportion ``p = (x0 + x1) / (n0 + n1)``:
    ``z = (x0/n0 - x1/n1) / sqrt(p (1 - p) (1/n0 + 1/n1))`` and the p-value is
    ``P(Z >= z)``. Treating the runs as independent samples ignores that they ask the same
    questions; that makes the test conservative (it flags fewer drops than a paired test).

``exact``
    An exact one-sided binomial (McNemar) test against the newest earlier run: of the items
    whose outcome changed, ``b`` went from passed to failed and ``c`` from failed to passed;
    under "no change in accuracy" ``b ~ Binomial(b + c, 1/2)`` and the p-value is
    ``P(X >= b)``. Paired, so it has more power on small golden sets.

A drop is **significant** when the p-value is below ``alpha`` (default 0.05) *and* the pass
rate fell by at least ``min_drop`` (default 0.05, five percentage points), so a statistically
detectable but negligible dip on a huge golden set is not a finding either. Items that passed
in the newest earlier run and fail now are listed as per-item regressions either way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["DropTest", "DropTestKind", "PastRun", "compare", "exact_binomial_p",
           "two_proportion_p"]

DropTestKind = Literal["two-proportion", "exact"]


@dataclass(frozen=True, slots=True)
class PastRun:
    """An earlier run of the same target and golden set: item id → passed (items that ended
    in a target error are absent)."""

    run_id: str
    started: datetime
    outcomes: Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class DropTest:
    """The outcome of comparing this run with earlier ones."""

    test: DropTestKind
    baseline_runs: tuple[str, ...]
    """Run ids the baseline was taken from, newest first."""
    common_items: int
    baseline_passed: int
    baseline_total: int
    current_passed: int
    current_total: int
    drop: float
    """Baseline pass rate minus this run's, on the common items (negative: improved)."""
    p_value: float
    significant: bool
    regressions: tuple[str, ...]
    """Item ids that passed in the newest earlier run and fail now."""
    fixed: tuple[str, ...]
    """Item ids that failed in the newest earlier run and pass now."""

    def describe(self) -> str:
        """One sentence with the figures."""
        base = (f"{self.baseline_passed}/{self.baseline_total}" if self.test == "exact"
                else f"{self.baseline_passed}/{self.baseline_total} pooled over "
                f"{len(self.baseline_runs)} run(s)")
        return (f"pass rate {self.current_passed}/{self.current_total} against {base} on "
                f"{self.common_items} common item(s): drop of {self.drop * 100:.1f} points, "
                f"one-sided {self.test} p = {self.p_value:.4f}; {len(self.regressions)} item "
                f"regression(s), {len(self.fixed)} fixed")


def two_proportion_p(x0: int, n0: int, x1: int, n1: int) -> float:
    """One-sided p-value that proportion 1 is lower than proportion 0 (pooled z-test)."""
    if n0 <= 0 or n1 <= 0:
        return 1.0
    p0, p1 = x0 / n0, x1 / n1
    pooled = (x0 + x1) / (n0 + n1)
    variance = pooled * (1 - pooled) * (1 / n0 + 1 / n1)
    if variance <= 0:
        return 1.0 if p1 >= p0 else 0.0
    z = (p0 - p1) / math.sqrt(variance)
    return float(0.5 * math.erfc(z / math.sqrt(2)))


def exact_binomial_p(b: int, c: int) -> float:
    """One-sided exact McNemar p-value: ``P(X >= b)`` for ``X ~ Binomial(b + c, 1/2)``."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(b, n + 1))
    return min(1.0, tail / (1 << n))


def compare(current: Mapping[str, bool], previous: Sequence[PastRun], *,
            test: DropTestKind = "two-proportion", alpha: float = 0.05,
            min_drop: float = 0.05) -> DropTest | None:
    """Compare this run's outcomes (item id → passed, errors left out) with ``previous``
    (newest first); ``None`` when there is nothing to compare with."""
    if not previous:
        return None
    newest = previous[0]
    common = [i for i in current if i in newest.outcomes]
    if not common:
        return None
    regressions = tuple(i for i in common if newest.outcomes[i] and not current[i])
    fixed = tuple(i for i in common if not newest.outcomes[i] and current[i])
    x1, n1 = sum(current[i] for i in common), len(common)
    if test == "exact":
        runs: Sequence[PastRun] = (newest,)
        x0, n0 = sum(newest.outcomes[i] for i in common), n1
        p_value = exact_binomial_p(len(regressions), len(fixed))
    else:
        runs = previous
        pairs = [(run.outcomes[i]) for run in runs for i in common if i in run.outcomes]
        x0, n0 = sum(pairs), len(pairs)
        p_value = two_proportion_p(x0, n0, x1, n1)
    drop = x0 / n0 - x1 / n1 if n0 else 0.0
    significant = p_value < alpha and drop >= min_drop - 1e-12
    return DropTest(test=test, baseline_runs=tuple(r.run_id for r in runs),
                    common_items=len(common), baseline_passed=x0, baseline_total=n0,
                    current_passed=x1, current_total=n1, drop=round(drop, 6),
                    p_value=round(p_value, 6), significant=significant,
                    regressions=regressions, fixed=fixed)
