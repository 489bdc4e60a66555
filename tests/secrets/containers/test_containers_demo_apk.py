"""The demo's mobile app: one planted (fake) OpenAI project key, inside classes.dex only."""

from __future__ import annotations

import re
from pathlib import Path

from drillhall.demo import build_apk
from drillhall.ml.secrets.containers import expand

from .helpers import collect

_KEY = re.compile(r"sk-proj-[A-Za-z0-9_-]{48,156}")


def test_committed_apk_matches_its_builder(tmp_path: Path) -> None:
    assert build_apk.OUTPUT.is_file(), "run python -m drillhall.demo.build_apk"
    rebuilt = build_apk.build(tmp_path / "docs-assistant.apk")
    assert rebuilt.read_bytes() == build_apk.OUTPUT.read_bytes()


def test_planted_key_format() -> None:
    key = build_apk.planted_key()
    assert _KEY.fullmatch(key) and "T3BlbkFJ" in key
    assert "example" not in key.lower() and "xx" not in key.lower()
    assert key == build_apk.planted_key()  # deterministic


def test_expand_finds_exactly_one_key_in_the_dex() -> None:
    blobs, skips = collect(expand(build_apk.OUTPUT, "docs-assistant.apk"))
    assert not skips
    hits = [(b.path, m) for b in blobs for m in _KEY.findall(b.text)]
    assert hits == [("docs-assistant.apk!/classes.dex", build_apk.planted_key())]
    by_path = {b.path: b.text for b in blobs}
    manifest = by_path["docs-assistant.apk!/AndroidManifest.xml"]
    assert 'package="com.example.docsassistant"' in manifest
    assert "android.permission.INTERNET" in manifest
    assert "app_name" in by_path["docs-assistant.apk!/res/values/strings.xml"]
    dex = by_path["docs-assistant.apk!/classes.dex"].splitlines()
    assert "https://api.openai.com/v1/chat/completions" in dex and "Bearer " in dex
    assert "Lcom/example/docsassistant/ApiClient;" in dex


def test_key_is_not_visible_in_the_raw_apk() -> None:
    assert b"T3BlbkFJ" not in build_apk.OUTPUT.read_bytes()  # deflated inside classes.dex
