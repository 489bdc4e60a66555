"""Probes and plain providers an experiment's activities use (interface in
:mod:`drillhall.chaos.probes.base`; one module per kind)."""
