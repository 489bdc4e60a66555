"""Answer accuracy on a golden set, and drift of an LLM application's live signals.

::

    golden = load_golden(Path("golden.jsonl"))          # validated JSONL, one item a line
    results = await evaluate(target, golden, settings=EvalSettings(), redact=str)
    summary = summarise(results)                         # score, pass rate, forbidden, errors
    test = compare(current, previous)                    # a significant drop against earlier runs
    signals = check_drift(baseline, recent, DriftSettings())

The drill (:mod:`drillhall.llm.evals.drill`, ``[drills.eval]``, ``drillhall llm eval``) ties
these to a target, the history store and the guard's stored summaries. See ``docs/llm-eval.md``.
"""

from drillhall.llm.evals.drift import DriftSettings, SignalDrift, check_drift, split_windows
from drillhall.llm.evals.golden import GoldenItem, GoldenSet, load_golden, parse_golden
from drillhall.llm.evals.regression import DropTest, PastRun, compare
from drillhall.llm.evals.runner import EvalSettings, ItemResult, Summary, evaluate, summarise
from drillhall.llm.evals.scoring import Score

__all__ = [
    "DriftSettings", "DropTest", "EvalSettings", "GoldenItem", "GoldenSet", "ItemResult",
    "PastRun", "Score", "SignalDrift", "Summary", "check_drift", "compare", "evaluate",
    "load_golden", "parse_golden", "split_windows", "summarise",
]
