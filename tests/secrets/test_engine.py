from __future__ import annotations

import random
import string
import time

import pytest

from drillhall.ml.secrets import engine as engine_mod
from drillhall.ml.secrets.engine import Engine
from drillhall.testing.fakekeys import KINDS, fake_secret
from tests.secrets.helpers import ENGINES, HAVE_HYPERSCAN, planted, scan, secret_parts


def _minified(size: int, secret: str, at: int) -> str:
    rng = random.Random(5)
    words = ["function", "return", "var", "a", "b", "=>", "{", "}", ";", "token", "key",
             "this.secret", "0x1f", "'abc'", "null"]
    parts: list[str] = []
    n = 0
    while n < size:
        w = rng.choice(words) + rng.choice("(),.;= ")
        parts.append(w)
        n += len(w)
    blob = "".join(parts)
    return blob[:at] + f'"{secret}"' + blob[at:]


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_minified_five_megabyte_line(engine: str) -> None:
    key = fake_secret("DH-SECRET-GITHUB-PAT", 4)
    text = _minified(5 << 20, key, 3_000_001)
    started = time.perf_counter()
    hits = scan(text, engine, path="static/app.min.js")
    elapsed = time.perf_counter() - started
    assert [h.finding.rule_id for h in hits] == ["DH-SECRET-GITHUB-PAT"]
    loc = hits[0].finding.location
    assert (loc.line, loc.column) == (1, 3_000_003)
    assert elapsed < 5.0


def _corpus(seed: int) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(400):
        if i % 7 == 0:
            lines.append(planted(rng.choice(KINDS), rng.randint(0, 50)))
        else:
            lines.append("".join(rng.choice(string.printable[:94]) for _ in range(80)))
    lines.append("caf\u00e9 \U0001f511 " + fake_secret("DH-SECRET-SLACK-TOKEN", 3))
    return "\n".join(lines)


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="hyperscan is not installed")
@pytest.mark.parametrize("seed", range(4))
def test_hyperscan_and_python_agree(seed: int) -> None:
    text = _corpus(seed)
    fast = [h.finding for h in ENGINES["hyperscan"].scan(text, path="c.txt")]
    slow = [h.finding for h in ENGINES["python"].scan(text, path="c.txt")]
    assert fast == slow
    assert len(fast) >= 50


def test_env_var_forces_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRILLHALL_NO_HYPERSCAN", "1")
    assert not engine_mod.hyperscan_enabled()
    assert Engine().name == "python"


def test_non_ascii_columns() -> None:
    key = fake_secret("DH-SECRET-GROQ-API-KEY", 1)
    for name in sorted(ENGINES):
        hits = scan(f"a\n\u00e9\u00e9 \U0001f600 k={key}\n", name)
        assert (hits[0].finding.location.line, hits[0].finding.location.column) == (2, 8)


def test_inline_allow_comment() -> None:
    key = fake_secret("DH-SECRET-GITHUB-PAT", 1)
    text = f"a = '{key}'  # drillhall:allow test fixture\nb = '{key}'\n"
    hits = scan(text)
    assert [h.finding.location.line for h in hits] == [2]


def test_findings_never_hold_the_value() -> None:
    for kind in KINDS:
        value = fake_secret(kind, 8)
        for hit in scan(planted(kind, 8)):
            dumped = repr(hit)
            for part in secret_parts(value):
                assert part not in dumped
            assert len(hit.value_sha256) == 64


def test_lines_absent_for_extracted_strings_and_history_symbol() -> None:
    key = fake_secret("DH-SECRET-NPM-TOKEN", 1)
    engine = ENGINES["python"]
    hit = engine.scan(f"x\n{key}", path="app.apk!/classes.dex", has_lines=False)[0]
    assert hit.finding.location.line is None and hit.finding.location.column is None
    hit = engine.scan(f"x\n{key}", path="a.txt", first_line=100, commit="ab" * 20)[0]
    assert hit.finding.location.line == 101
    assert hit.finding.location.symbol == "commit " + "ab" * 6
