"""The exposure probe of model-serving endpoints (``drillhall ml endpoint URL``).

::

    config = ProbeConfig("http://127.0.0.1:8080/classify", max_requests=60)
    for step in plan(config).steps: ...      # what will be sent, before anything is sent
    report = probe(config)                   # findings, requests sent, extraction result

:class:`~drillhall.ml.endpoint.drill.EndpointDrill` wraps the probe as the ``endpoint`` drill.
"""

from __future__ import annotations

from drillhall.ml.endpoint.plan import PlannedStep, ProbeConfig, ProbePlan, plan
from drillhall.ml.endpoint.probe import ProbeReport, probe

__all__ = ["PlannedStep", "ProbeConfig", "ProbePlan", "ProbeReport", "plan", "probe"]
