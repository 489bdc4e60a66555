"""Reporters: one module per output format, all reached through :func:`render`.

Every report shows the run's results, its findings (evidence already masked), the policy
verdict and each violation. Formats are a closed set (:class:`Format`); :func:`render` matches
on it exhaustively, so adding a member without a renderer fails type checking.

::

    text = render(run, Format.SARIF, ReportContext(rules=rules, root="/srv/app"))
    write_report(text, Path("drillhall.sarif"))
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import assert_never

from rich.console import Console

from drillhall.core.files import KEEP, write_text_atomic
from drillhall.core.model import Run
from drillhall.errors import ReportError
from drillhall.reports._context import Format, ReportContext
from drillhall.reports.json_report import load_json_report

TABLE_WIDTH = 100
"""Width of the table report when it is rendered to a string (files, pipes)."""


def render(run: Run, fmt: Format, ctx: ReportContext | None = None) -> str:
    """The report of ``run`` in format ``fmt``, as text (UTF-8 when written)."""
    ctx = ctx if ctx is not None else ReportContext()
    match fmt:
        case Format.TABLE:
            return render_table_text(run, ctx)
        case Format.JSON:
            from drillhall.reports.json_report import render_json

            return render_json(run, ctx)
        case Format.SARIF:
            from drillhall.reports.sarif import render_sarif

            return render_sarif(run, ctx)
        case Format.JUNIT:
            from drillhall.reports.junit import render_junit

            return render_junit(run, ctx)
        case Format.MARKDOWN:
            from drillhall.reports.markdown import render_markdown

            return render_markdown(run, ctx)
        case Format.HTML:
            from drillhall.reports.html import render_html

            return render_html(run, ctx)
        case _:
            assert_never(fmt)


def render_table(run: Run, console: Console, ctx: ReportContext | None = None) -> None:
    """Draw the terminal scorecard of ``run`` on ``console`` (colour only if it has any)."""
    from drillhall.reports.table import draw_table

    draw_table(run, console, ctx if ctx is not None else ReportContext())


def render_table_text(run: Run, ctx: ReportContext | None = None, width: int = TABLE_WIDTH) -> str:
    """The scorecard as plain text, ``width`` columns wide, without colour."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        force_interactive=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
        record=False,
        _environ={},
    )
    render_table(run, console, ctx)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def write_report(text: str, output: Path) -> None:
    """Write ``text`` to ``output`` atomically: a temporary file beside it, then a rename.

    A reader never sees half a report, and a failed write leaves any earlier file intact.
    A symlink is followed (its target is replaced, the link stays), and a target that is not
    a regular file (``/dev/stdout``, a FIFO, a device) is written directly.
    """
    output = output.resolve() if output.is_symlink() else output
    if output.exists() and not output.is_file():
        try:
            with output.open("w", encoding="utf-8", errors="replace", newline="") as handle:
                handle.write(text)
        except OSError as exc:
            raise ReportError(
                f"cannot write the report to {output}: {exc.strerror or exc}") from exc
        return
    try:
        write_text_atomic(output, text, errors="replace", mode=KEEP, new_mode=0o644)
    except OSError as exc:
        raise ReportError(
            f"cannot write the report to {output}: {exc.strerror or exc}"
        ) from exc



__all__ = [
    "TABLE_WIDTH",
    "Format",
    "ReportContext",
    "load_json_report",
    "render",
    "render_table",
    "render_table_text",
    "write_report",
]
