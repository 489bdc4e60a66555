"""Chaos faults: the interface in :mod:`drillhall.chaos.faults.base`, one module per family."""
