"""One test per false negative or false positive the benchmark found (bench/secrets)."""

from __future__ import annotations

import base64
import random
from pathlib import Path

from drillhall.core.drill import DrillContext
from drillhall.ml.secrets.drill import SecretsDrill, SecretsOptions
from drillhall.ml.secrets.engine import Engine
from drillhall.ml.secrets.placeholders import is_placeholder
from drillhall.testing.fakekeys import fake_secret


def test_long_pem_bodies_are_keys_not_placeholders() -> None:
    # a 2048-bit RSA key is ~1,600 base64 characters; a length cut-off once called every real
    # key a placeholder
    rng = random.Random(5)
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(1200))).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    label = "RSA " + "PRIVATE KEY"
    text = f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"
    hits = Engine(use_hyperscan=False).scan(text, path="id_rsa")
    assert [h.finding.rule_id for h in hits] == ["DH-SECRET-PRIVATE-KEY"]


def test_zigzag_digits_are_not_a_sequential_placeholder() -> None:
    assert not is_placeholder("x787676y4kQ")
    assert is_placeholder("abc123456789")


def test_scan_skips_drillhall_state_directory(tmp_path: Path) -> None:
    (tmp_path / ".drillhall").mkdir()
    (tmp_path / ".drillhall" / "notes.txt").write_text(
        f'TOKEN = "{fake_secret("DH-SECRET-GITHUB-PAT", 2)}"\n')
    (tmp_path / "app.py").write_text("print(1)\n")
    drill = SecretsDrill(SecretsOptions(paths=[str(tmp_path)]), tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert result.findings == ()
    assert result.metric("secrets.files_scanned") == 1
