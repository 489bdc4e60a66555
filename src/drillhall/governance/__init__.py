"""Governance as code: the team's decisions in ``[governance]`` of drillhall.toml
(:mod:`~drillhall.governance.decisions`), checked against the evidence drills produce
(:mod:`~drillhall.governance.checks`), reported as part of every run
(:mod:`~drillhall.governance.result`)."""
