"""Chaos Days: the plan (:mod:`~drillhall.chaos.day.plan`), the live incident log
(:mod:`~drillhall.chaos.day.log`, kept in the history store) and the blameless review
(:mod:`~drillhall.chaos.day.review`)."""
