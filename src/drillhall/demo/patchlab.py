"""The demo's patch-drill laboratory: a small project with a test suite and a local package
index, so that ``drillhall demo`` runs real upgrade trials with no network.

The docs assistant renders answers with two small libraries of its own, published on a
package index the demo serves on 127.0.0.1:

- ``docsbot-render`` 1.0.0 → 1.0.1: a bug-fix release; the upgrade passes the tests;
- ``docsbot-tokens`` 1.0.0 → 2.0.0: a major release that changes ``count()`` to return a
  dict; the upgrade breaks a test.

The wheels are built when the demo starts (never committed as binaries).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from drillhall.testing.pypi import (
    FakeIndex,
    FakeIndexServer,
    FakePackage,
    FakeRelease,
    build_module_wheel,
)

TEST_COMMAND = "python -m unittest discover -s tests"
RELEASED = datetime(2025, 3, 1, tzinfo=UTC)

_LIBRARIES = (
    ("docsbot_render", "docsbot-render", "1.0.0",
     "def render(text):\n    return '<p>' + text + '</p>'\n"),
    ("docsbot_render", "docsbot-render", "1.0.1",
     "import html\n\n\ndef render(text):\n    return '<p>' + html.escape(text) + '</p>'\n"),
    ("docsbot_tokens", "docsbot-tokens", "1.0.0",
     "def count(text):\n    return len(text.split())\n"),
    ("docsbot_tokens", "docsbot-tokens", "2.0.0",
     "def count(text):\n    words = text.split()\n    return {'words': len(words)}\n"),
)

_TESTS = '''import unittest

import docsbot_render
import docsbot_tokens


class AnswerTest(unittest.TestCase):
    def test_render_wraps_a_paragraph(self):
        self.assertTrue(docsbot_render.render("VPN setup").startswith("<p>"))

    def test_token_budget(self):
        self.assertLessEqual(docsbot_tokens.count("how do I set up the VPN"), 512)


if __name__ == "__main__":
    unittest.main()
'''


@dataclass(frozen=True)
class PatchLab:
    project: Path
    index_url: str


def write_project(root: Path) -> Path:
    """The docs assistant's answer-rendering component, pinned at the old versions."""
    project = root / "answer-renderer"
    (project / "tests").mkdir(parents=True, exist_ok=True)
    (project / "requirements.txt").write_text(
        "# the answer renderer's libraries, pinned when it was written\n"
        "docsbot-render==1.0.0\ndocsbot-tokens==1.0.0\n")
    (project / "tests" / "test_answers.py").write_text(_TESTS)
    return project


@contextmanager
def patch_lab(root: Path) -> Iterator[PatchLab]:
    """Build the wheels, serve them on a local index and write the project under ``root``."""
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    index = FakeIndex()
    releases: dict[str, list[FakeRelease]] = {}
    for module, dist, version, source in _LIBRARIES:
        index.add_file(build_module_wheel(wheels, module, version, source))
        releases.setdefault(dist, []).append(FakeRelease(version, uploaded=RELEASED))
    for dist, found in releases.items():
        index.add(FakePackage(dist, found))
    with FakeIndexServer(index) as server:
        yield PatchLab(write_project(root), server.simple_url)
