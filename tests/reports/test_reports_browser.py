"""Headless Chromium opens the HTML report from disk and draws a non-blank page.

Set ``DRILLHALL_SAVE_SCREENSHOT=PATH`` to keep the screenshot (docs/img/report.png is made so).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from drillhall.core.model import Run, RunSummary, Severity
from drillhall.core.rules import RuleInfo
from drillhall.reports import Format, ReportContext, render, write_report

WIDTH, HEIGHT = 1280, 1800
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes, max_rows: int) -> tuple[int, int, list[list[bytes]]]:
    """``(width, height, pixels)`` of an 8-bit RGB(A) PNG: the first ``max_rows`` rows, each a
    list of RGB triples (alpha dropped)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    height = depth = colour = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * max_rows)
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(max_rows, height)):
        method = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            if method == 1:
                line[i] = (line[i] + left) & 0xFF
            elif method == 2:
                line[i] = (line[i] + up) & 0xFF
            elif method == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif method == 4:
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, up, upleft)) & 0xFF
        rows.append(bytes(line))
        prev = line
    pixels = [[r[i:i + 3] for i in range(0, stride, bpp)] for r in rows]
    return width, height, pixels


@pytest.mark.browser
def test_chromium_screenshot_of_a_realistic_report(
    tmp_path: Path, run: Run, rules: dict[str, RuleInfo], history: list[RunSummary]
) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium found (looked for " + ", ".join(BROWSERS) + ")")
    report = tmp_path / "report.html"
    ctx = ReportContext(rules=rules, history=history, fail_on=Severity.HIGH)
    write_report(render(run, Format.HTML, ctx), report)
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
         "--hide-scrollbars", f"--screenshot={shot}", report.as_uri()],
        check=False, capture_output=True, timeout=120,
    )
    assert shot.exists(), "Chromium wrote no screenshot"
    data = shot.read_bytes()
    width, height, rows = decode_png(data, max_rows=700)
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {pixel for row in rows[::3] for pixel in row[::2]}
    assert len(colours) > 200, f"the page looks blank ({len(colours)} colours)"
    assert bytes((20, 26, 46)) in set(rows[20])  # the dark header band was drawn
    save = os.environ.get("DRILLHALL_SAVE_SCREENSHOT")
    if save:
        Path(save).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, save)


@pytest.mark.browser
def test_search_from_the_link_hides_other_findings(tmp_path: Path, run: Run) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium found (looked for " + ", ".join(BROWSERS) + ")")
    report = tmp_path / "report.html"
    write_report(render(run, Format.HTML), report)
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri() + "#q=aws+access"],
        check=False, capture_output=True, timeout=120, text=True,
    )
    dom = done.stdout
    rows = re.findall(r'<tr class="finding"[^>]*>', dom)
    assert len(rows) == 6, done.stderr[-500:]
    visible = [r for r in rows if " hidden" not in r]
    assert len(visible) == 1 and "dh-secret-aws-key" in visible[0]
    assert '<span class="shown">1</span>' in dom
