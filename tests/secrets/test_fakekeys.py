from __future__ import annotations

import pytest

from drillhall.ml.secrets.rules import RULES, UNSCANNABLE
from drillhall.testing.fakekeys import CONTEXT_KINDS, KINDS, fake_secret


def test_kinds_cover_every_detecting_rule() -> None:
    ids = {r.rule_id for r in RULES} - {UNSCANNABLE}
    assert set(KINDS) == ids
    assert set(KINDS) >= CONTEXT_KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_deterministic_and_seeded(kind: str) -> None:
    assert fake_secret(kind, 3) == fake_secret(kind, 3)
    assert fake_secret(kind, 3) != fake_secret(kind, 4)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown fake secret kind"):
        fake_secret("DH-SECRET-NOPE")
