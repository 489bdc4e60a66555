"""The LLM red team: attack an LLM endpoint with drillhall's catalogue, grade the replies,
and report each successful attack as a finding tagged with its OWASP LLM Top 10 id.

:mod:`~drillhall.llm.redteam.drill` is the drill (``[drills.redteam]``, ``drillhall llm
redteam``); :mod:`~drillhall.llm.redteam.runner` sends attacks concurrently within a request
budget; :mod:`~drillhall.llm.redteam.checkpoint` makes a run resumable;
:mod:`~drillhall.llm.redteam.results` computes attack success rates (Wilson 95% intervals),
findings and regressions; :mod:`~drillhall.llm.redteam.rules` documents the rules. See
``docs/llm-redteam.md``.
"""
