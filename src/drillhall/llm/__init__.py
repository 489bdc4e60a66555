"""LLM security drills: the red team (:mod:`drillhall.llm.redteam`), the run-time guard
(:mod:`drillhall.llm.guard`) and the shared target, attack and grader types
(:mod:`drillhall.llm.types`)."""
