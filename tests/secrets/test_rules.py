from __future__ import annotations

import base64
import hashlib
import uuid

import pytest

from drillhall.core.model import Severity
from drillhall.ml.secrets.placeholders import (
    AWS_EXAMPLE_ACCESS_KEY_ID,
    AWS_EXAMPLE_SECRET_ACCESS_KEY,
    is_placeholder,
)
from drillhall.ml.secrets.rules import DETECTORS, RULES, SPEC_BY_ID
from drillhall.testing.fakekeys import KINDS, fake_secret
from tests.secrets.helpers import ENGINES, placeholderize, planted, rule_ids, scan, secret_parts


def test_rule_catalogue() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids)) >= 40
    assert all(i.startswith("DH-SECRET-") for i in ids)
    assert all(r.title and r.description and r.remediation and "CWE-798" in r.tags
               for r in RULES if r.rule_id != "DH-SECRET-UNSCANNABLE")
    assert {d.rule_id for d in DETECTORS} <= set(SPEC_BY_ID)


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("kind", KINDS)
def test_every_rule_finds_its_fake_key(kind: str, engine: str) -> None:
    for seed in range(3):
        text = planted(kind, seed)
        hits = scan(text, engine)
        expected = ["DH-SECRET-AWS-ACCESS-KEY", kind] if kind.endswith("PAIR") else [kind]
        assert [h.finding.rule_id for h in hits] == expected, (seed, text[:80])
        evidence = hits[-1].finding.evidence
        for part in secret_parts(fake_secret(kind, seed)):
            assert part not in evidence
        assert "sha256:" in evidence


@pytest.mark.parametrize("kind", KINDS)
def test_placeholder_versions_are_ignored(kind: str) -> None:
    assert rule_ids(placeholderize(planted(kind, 1))) == []


@pytest.mark.parametrize("kind", KINDS)
def test_truncated_and_unbounded_variants_do_not_match_as_that_rule(kind: str) -> None:
    value = fake_secret(kind, 2)
    # glued to more token characters on both sides, a token is part of something else
    glued = f"x = 'Q{value}Q9'\n" if "\n" not in value and kind not in {
        "DH-SECRET-GENERIC", "DH-SECRET-DATABASE-URL", "DH-SECRET-AZURE-SAS-TOKEN",
        "DH-SECRET-SLACK-WEBHOOK", "DH-SECRET-DISCORD-WEBHOOK", "DH-SECRET-TERRAFORM-CLOUD-TOKEN",
        "DH-SECRET-BRAINTREE-TOKEN", "DH-SECRET-AZURE-STORAGE-KEY"} and "=" not in value else ""
    if glued:
        assert kind not in rule_ids(glued)


DECOYS = "\n".join([
    f'sha256 = "{hashlib.sha256(b"model").hexdigest()}"',
    f'checksum: {hashlib.sha1(b"x").hexdigest()}',
    f'"integrity": "sha512-{base64.b64encode(hashlib.sha512(b"pkg").digest()).decode()}"',
    f'request_id = "{uuid.UUID(int=123456789123456789)}"',
    f'token_id = "{uuid.UUID(int=987654321987654321)}"',
    f'icon = "data:image/png;base64,iVBORw0KGgo{"AAAANSUhEUgAAABAAAAAQCAYAAAAf8/9h" * 3}"',
    'api_key = os.environ["OPENAI_API_KEY"]',
    'api_key = "${OPENAI_API_KEY}"',
    'secret = "{{ secrets.deploy_key }}"',
    'password = "<password>"',
    'token = "your_api_key_here"',
    'AWS_ACCESS_KEY_ID = "' + AWS_EXAMPLE_ACCESS_KEY_ID + '"',
    'AWS_SECRET_ACCESS_KEY = "' + AWS_EXAMPLE_SECRET_ACCESS_KEY + '"',
    'version = "2.31.0-rc1"',
    'token_url = "https://auth.internal/oauth/token"',
    'secret_path = "/etc/app/secret.json"',
    'commit = "' + hashlib.sha1(b"c").hexdigest() + '"',
    'DATABASE_URL = "postgres://app:changeme@db:5432/app"',
    'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db:5432/app"',
    'DATABASE_URL = "mysql://root:password@localhost/test"',
    'DATABASE_URL = "postgresql://scott:tiger@localhost/test"',
    'url = "https://example.com/path?token=abc"',
    'api_key = "0123456789abcdef0123456789abcdef"',
    'client_secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
    'password = PASSWORD_FROM_ENV',
    'auth_token = get_token(request)',
    'pad_token = "<|endoftext|>"',
    'private_key_path = "keys/id_rsa"',
    'self.secret_key = settings.SECRET_KEY',
])


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_decoys_are_not_reported(engine: str) -> None:
    assert rule_ids(DECOYS, engine) == []
    assert rule_ids(DECOYS, engine, path="config/.env") == []


def test_lone_forty_char_base64_is_not_an_aws_secret() -> None:
    lone = fake_secret("DH-SECRET-AWS-SECRET-KEY", 5).split('"')[1]
    assert rule_ids(f"blob = '{lone}'\n") == []


def test_aws_secret_next_to_key_id_is_paired() -> None:
    text = planted("DH-SECRET-AWS-KEY-PAIR", 7)
    hits = scan(text)
    assert [h.finding.rule_id for h in hits] == ["DH-SECRET-AWS-ACCESS-KEY",
                                                 "DH-SECRET-AWS-KEY-PAIR"]
    pair = hits[1].finding
    assert pair.severity is Severity.CRITICAL
    assert "paired with key id AKIA" in pair.evidence and pair.evidence.count("sha256:") == 2
    assert pair.location.line == 3
    key_id = fake_secret("DH-SECRET-AWS-ACCESS-KEY")
    named = planted("DH-SECRET-AWS-SECRET-KEY", 7) + f"id = '{key_id}'\n"
    assert rule_ids(named) == ["DH-SECRET-AWS-KEY-PAIR", "DH-SECRET-AWS-ACCESS-KEY"]


def test_aws_key_id_alone_and_far_from_secret() -> None:
    key = fake_secret("DH-SECRET-AWS-ACCESS-KEY", 1)
    secret = fake_secret("DH-SECRET-AWS-SECRET-KEY", 1).split('"')[1]
    assert rule_ids(f"id = '{key}'\n") == ["DH-SECRET-AWS-ACCESS-KEY"]
    far = f"id = '{key}'\n" + "# filler line of text\n" * 60 + f"other = '{secret}'\n"
    assert rule_ids(far) == ["DH-SECRET-AWS-ACCESS-KEY"]


def test_generic_rule_names_and_values() -> None:
    value = fake_secret("DH-SECRET-GENERIC", 9).split('"')[1]
    for line in (f'API_KEY = "{value}"', f'"client_secret": "{value}"',
                 f"  auth_token: '{value}'", f'db_password="Zx9{value[:9]}"'):
        assert rule_ids(line + "\n") == ["DH-SECRET-GENERIC"], line
    assert rule_ids(f"SECRET_KEY={value}\n", path=".env") == ["DH-SECRET-GENERIC"]
    assert rule_ids(f"SECRET_KEY={value}\n", path="app.py") == []
    for line in (f'api_key_sha256 = "{value}"', f'token_type = "{value}"',
                 f'secret_url = "{value}"', f'name = "{value}"'):
        assert rule_ids(line + "\n") == [], line


def test_generic_rule_skips_third_party_trees() -> None:
    value = fake_secret("DH-SECRET-GENERIC", 9)
    engine = ENGINES["python"]
    assert engine.scan(value, path="lib/x.py", third_party=True) == []
    assert len(engine.scan(value, path="lib/x.py")) == 1


def test_jwt_needs_a_json_header_with_alg() -> None:
    jwt = fake_secret("DH-SECRET-JWT", 1)
    assert rule_ids(f"t = '{jwt}'\n") == ["DH-SECRET-JWT"]
    header = base64.urlsafe_b64encode(b'{"typ":"JWT","x":1}').decode().rstrip("=")
    assert rule_ids(f"t = '{header}.{jwt.split('.', 1)[1]}'\n") == []


def test_gcp_service_account_wins_over_private_key() -> None:
    assert rule_ids(planted("DH-SECRET-GCP-SERVICE-ACCOUNT")) == ["DH-SECRET-GCP-SERVICE-ACCOUNT"]
    doc = fake_secret("DH-SECRET-GCP-SERVICE-ACCOUNT").replace('"client_email"', '"owner"')
    assert rule_ids(doc) == ["DH-SECRET-PRIVATE-KEY"]  # no client e-mail: a bare private key


def test_stripe_test_key_is_low() -> None:
    hits = scan(planted("DH-SECRET-STRIPE-TEST-KEY"))
    assert hits[0].finding.severity is Severity.LOW


@pytest.mark.parametrize("value", ["AKIAIOSFODNN7EXAMPLE", "sk-xxxxxxxxxxxxxxxxxxxx",
                                   "your_api_key_here", "1234567890abcdef", "<token>",
                                   "${TOKEN}", "aaaaaaaaaaaaaaaa"])
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


def test_random_values_are_not_placeholders() -> None:
    for kind in KINDS:
        assert not is_placeholder(fake_secret(kind, 11).split('"')[-2] if '"' in
                                  fake_secret(kind, 11) else fake_secret(kind, 11)[:90])


@pytest.mark.parametrize("template", [
    'export const ADMIN_PASSWORD: string = "Zx9{v}";',
    '"source": ["client_secret = \\"{v}\\""]',
    "    <password>Zx9{v}</password>",
    '  <add key="ClientSecret" value="{v}" />',
    'curl -H "Authorization: Bearer {v}" https://api.internal/v1',
    "app.api.key={v}",
])
def test_generic_rule_forms(template: str) -> None:
    value = fake_secret("DH-SECRET-GENERIC", 4).split('"')[1]
    path = "app.properties" if template.startswith("app.") else "app/file.txt"
    assert rule_ids(template.replace("{v}", value) + "\n", path=path) == ["DH-SECRET-GENERIC"]


def test_generic_rule_decoys_in_headers_and_ids() -> None:
    digest = base64.b64encode(hashlib.sha384(b"x").digest()).decode()
    assert rule_ids(f'curl -H "Authorization: Bearer sha384-{digest}"\n') == []
    hexid = hashlib.sha256(b"dedupe").hexdigest()
    assert rule_ids(f'dedupe_token = "{hexid}"\n') == []
    assert rule_ids(f'client_secret = "{hexid}"\n') == ["DH-SECRET-GENERIC"]
