"""Test doubles shipped with drillhall.

Helpers here let tests, benchmarks and plugin authors exercise drillhall without real
credentials or services: :mod:`drillhall.testing.fakekeys` builds fake credentials in real
formats at run time, so nothing credential-like needs to be stored in a repository.
"""
