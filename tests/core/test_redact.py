from __future__ import annotations

import hashlib

from drillhall.core.redact import mask, scrub


def _key() -> str:
    return "AKIA" + "Q7XRM2VBN4" + "ZT5LPW"


def test_mask_keeps_ends_and_hash_never_value() -> None:
    key = _key()
    shown = mask(key)
    assert key not in shown
    assert shown.startswith(key[:4]) and f"{key[-4:]} (sha256:" in shown
    assert hashlib.sha256(key.encode()).hexdigest()[:8] in shown
    assert shown.count("*") >= 4


def test_short_values_show_nothing() -> None:
    shown = mask("hunter2")
    assert "hunter2"[0] not in shown.split(" ")[0]
    assert shown.startswith("****")


def test_mask_hides_most_of_medium_values() -> None:
    value = "p4ssw0rd-longer"
    head = mask(value).split(" ")[0]
    assert sum(c != "*" for c in head) <= len(value) // 2


def test_scrub_masks_longest_first() -> None:
    outer = _key() + "EXTRA"
    text = f"token={outer} and {_key()}"
    cleaned = scrub(text, [_key(), outer])
    assert _key() not in cleaned and outer not in cleaned
    assert cleaned.count("sha256:") == 2
