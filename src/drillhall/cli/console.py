"""Consoles and progress display shared by the commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from drillhall.core.drill import ProgressCallback

out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


class DrillProgress:
    """One Rich progress line per drill on stderr; silent when stderr is not a terminal."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress

    def callback(self, drill: str) -> ProgressCallback:
        progress = self._progress
        if progress is None:
            return lambda message, fraction: None
        task = progress.add_task(drill, total=None)

        def report(message: str, fraction: float | None) -> None:
            progress.update(task, description=f"{drill}: {message}",
                            total=None if fraction is None else 1.0,
                            completed=0 if fraction is None else fraction)

        return report


@contextmanager
def drill_progress() -> Iterator[DrillProgress]:
    if not err.is_terminal:
        yield DrillProgress(None)
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        yield DrillProgress(progress)
