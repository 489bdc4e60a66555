"""Chaos experiments: the experiment model, probes, faults (:mod:`drillhall.chaos.faults`),
the fault-injection proxy (:mod:`drillhall.chaos.proxy`), the runner with guaranteed rollback
and its journal, and Chaos Days (:mod:`drillhall.chaos.day`)."""
