"""Patch drills (``drillhall patch drill``): try each planned upgrade in a throwaway copy of the
project with a fresh virtual environment, run the project's tests, and keep what passes.

:mod:`.plan` chooses the upgrades, :mod:`.pins` rewrites requirement pins, :mod:`.env` builds
the throwaway copy and environment, :mod:`.runner` runs the tests, :mod:`.session` runs the
trials (bisecting failing groups), :mod:`.apply` writes passing upgrades back and
:mod:`.drill` is the drill itself.
"""
