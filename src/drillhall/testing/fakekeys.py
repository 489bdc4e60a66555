"""Fake credentials in real formats, built at run time and deterministic by seed.

Tests and benchmarks plant these in files to check that the secrets drill finds them; nothing
credential-like is ever stored in the repository. Every value is random (so it is not a
documented placeholder and has realistic entropy) and is not valid with any provider.

``fake_secret(kind, seed)`` takes a rule id of :mod:`drillhall.ml.secrets.rules` as ``kind``.
For most rules the result is the bare token. Rules that need context to tell a secret from an
ordinary string (an AWS secret key, a service-account JSON, a Datadog key, the generic rule)
get the smallest self-contained text the rule detects, such as ``DD_API_KEY="…"``; those kinds
are listed in :data:`CONTEXT_KINDS`.

    >>> fake_secret("DH-SECRET-GITHUB-PAT", seed=1)[:4]
    'ghp_'
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

__all__ = ["CONTEXT_KINDS", "KINDS", "fake_secret"]

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"
_B64 = _ALNUM + "+/"
_B64URL = _ALNUM + "-_"
_BASE32 = string.ascii_uppercase + "234567"
_BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
# Spelled by chance, these would make a value look like a placeholder.
_AVOID = ("xxx", "example", "your", "fake", "todo", "here", "dummy", "sample", "redact",
          "fixme", "lorem", "ipsum", "placeholder", "changeme")


def _mixed(rng: random.Random, alphabet: str, n: int) -> str:
    """``n`` random characters from ``alphabet`` that look like a real random token: every
    character class of the alphabet present, no run of a repeated character, no 'x' runs and
    no word 'example'."""
    classes = [c for c in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
               if any(ch in alphabet for ch in c)]
    while True:
        out = "".join(rng.choice(alphabet) for _ in range(n))
        low = out.lower()
        if n >= 8 and not all(any(ch in out for ch in c) for c in classes):
            continue
        if any(w in low for w in _AVOID) or any(out[i] * 3 in out for i in range(n)):
            continue
        return out


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + _mixed(rng, string.digits, n - 1)


def _b64url_json(obj: object) -> str:
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _pem_body(rng: random.Random, lines: int = 8, sep: str = "\n") -> str:
    return sep.join(_mixed(rng, _B64, 64) for _ in range(lines))


def _pem(rng: random.Random, label: str, sep: str = "\n") -> str:
    dashes = "-" * 5
    head = f"{dashes}BEGIN {label}{dashes}"
    tail = f"{dashes}END {label}{dashes}"
    return head + sep + _pem_body(rng, sep=sep) + sep + tail


def _aws_secret(rng: random.Random) -> str:
    return _mixed(rng, _B64, 40)


def _aws_key_id(rng: random.Random) -> str:
    return "AK" + "IA" + _mixed(rng, _BASE32, 16)


def _jwt(rng: random.Random) -> str:
    header = _b64url_json({"alg": "HS256", "typ": "JWT"})
    payload = _b64url_json({"sub": _mixed(rng, _LOWER_ALNUM, 12),
                            "iat": rng.randint(1_600_000_000, 1_800_000_000), "role": "service"})
    return f"{header}.{payload}.{_mixed(rng, _B64URL, 43)}"


def _gcp_sa(rng: random.Random) -> str:
    project = "proj-" + _mixed(rng, string.ascii_lowercase, 8)
    doc = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": _mixed(rng, _HEX, 40),
        "private_key": _pem(rng, "PRIVATE KEY") + "\n",
        "client_email": f"svc@{project}.iam.gserviceaccount.com",
        "client_id": _digits(rng, 21),
    }
    return json.dumps(doc, indent=2)


def _azure_sas(rng: random.Random) -> str:
    sig = _mixed(rng, _ALNUM, 43) + "%3D"
    return (f"https://acct{rng.randint(10, 99)}.blob.core.windows.net/models/weights.bin?"
            f"sv=2022-11-02&ss=b&srt=o&sp=r&se=2031-01-01T00:00:00Z&spr=https&sig={sig}")


def _sentry(rng: random.Random) -> str:
    payload = _b64url_json({"iat": rng.randint(1_600_000_000, 1_800_000_000), "url": "https://sentry.io",
                            "region_url": "https://us.sentry.io", "org": "acme"})
    return f"sntrys_{payload}_{_mixed(rng, _ALNUM, 43)}"


_G = Callable[[random.Random], str]

_GENERATORS: dict[str, _G] = {
    "DH-SECRET-AWS-ACCESS-KEY": _aws_key_id,
    "DH-SECRET-AWS-SECRET-KEY": lambda r: f'aws_secret_access_key = "{_aws_secret(r)}"',
    "DH-SECRET-AWS-KEY-PAIR": lambda r: (f'key_id = "{_aws_key_id(r)}"\n'
                                         f'key_secret = "{_aws_secret(r)}"'),
    "DH-SECRET-AWS-SESSION-TOKEN": lambda r: ('aws_session_token = "IQoJb3JpZ2luX2Vj'
                                              + _mixed(r, _B64, 300) + '"'),
    "DH-SECRET-GCP-SERVICE-ACCOUNT": _gcp_sa,
    "DH-SECRET-GOOGLE-API-KEY": lambda r: "AI" + "za" + _mixed(r, _B64URL, 35),
    "DH-SECRET-GCP-OAUTH-CLIENT-SECRET": lambda r: "GOCSPX-" + _mixed(r, _B64URL, 28),
    "DH-SECRET-AZURE-STORAGE-KEY": lambda r: (
        f"DefaultEndpointsProtocol=https;AccountName=acct{r.randint(10, 99)};"
        f"AccountKey={_mixed(r, _B64, 86)}==;EndpointSuffix=core.windows.net"),
    "DH-SECRET-AZURE-SAS-TOKEN": _azure_sas,
    "DH-SECRET-AZURE-AD-CLIENT-SECRET": lambda r: (_mixed(r, _ALNUM, 3) + str(r.randint(0, 9))
                                                   + "Q~" + _mixed(r, _ALNUM + "_~.-", 34)),
    "DH-SECRET-GITHUB-PAT": lambda r: "gh" + "p_" + _mixed(r, _ALNUM, 36),
    "DH-SECRET-GITHUB-FINE-GRAINED-PAT": lambda r: ("github" + "_pat_" + _mixed(r, _ALNUM, 22)
                                                    + "_" + _mixed(r, _ALNUM, 59)),
    "DH-SECRET-GITHUB-OAUTH-TOKEN": lambda r: "gh" + "o_" + _mixed(r, _ALNUM, 36),
    "DH-SECRET-GITHUB-APP-TOKEN": lambda r: "gh" + r.choice("us") + "_" + _mixed(r, _ALNUM, 36),
    "DH-SECRET-GITHUB-REFRESH-TOKEN": lambda r: "gh" + "r_" + _mixed(r, _ALNUM, 76),
    "DH-SECRET-GITLAB-TOKEN": lambda r: "gl" + "pat-" + _mixed(r, _B64URL, 20),
    "DH-SECRET-BITBUCKET-APP-PASSWORD": lambda r: "AT" + "BB" + _mixed(r, _ALNUM, 32),
    "DH-SECRET-ATLASSIAN-API-TOKEN": lambda r: ("AT" + "ATT3xFfGF0" + _mixed(r, _B64URL, 170)
                                                + "=" + _mixed(r, _HEX.upper(), 8)),
    "DH-SECRET-OPENAI-API-KEY": lambda r: ("sk-" + "proj-" + _mixed(r, _B64URL, 74)
                                           + "T3Blbk" + "FJ" + _mixed(r, _B64URL, 74)),
    "DH-SECRET-ANTHROPIC-API-KEY": lambda r: ("sk-" + "ant-api03-" + _mixed(r, _B64URL, 93)
                                              + "AA"),
    "DH-SECRET-HUGGINGFACE-TOKEN": lambda r: "hf" + "_" + _mixed(r, string.ascii_letters, 34),
    "DH-SECRET-DRILLHALL-GUARD-KEY": lambda r: ("dhg" + "-" + _mixed(r, _HEX, 12) + "-"
                                                + _mixed(r, _B64URL, 43)),
    "DH-SECRET-COHERE-API-KEY": lambda r: f'COHERE_API_KEY="{_mixed(r, _ALNUM, 40)}"',
    "DH-SECRET-REPLICATE-API-TOKEN": lambda r: "r8" + "_" + _mixed(r, _ALNUM, 37),
    "DH-SECRET-GROQ-API-KEY": lambda r: "gs" + "k_" + _mixed(r, _ALNUM, 52),
    "DH-SECRET-MISTRAL-API-KEY": lambda r: f'MISTRAL_API_KEY="{_mixed(r, _ALNUM, 32)}"',
    "DH-SECRET-PERPLEXITY-API-KEY": lambda r: "pplx" + "-" + _mixed(r, _ALNUM, 48),
    "DH-SECRET-XAI-API-KEY": lambda r: "xai" + "-" + _mixed(r, _ALNUM, 80),
    "DH-SECRET-LANGSMITH-API-KEY": lambda r: ("lsv2" + "_pt_" + _mixed(r, _HEX, 32) + "_"
                                              + _mixed(r, _HEX, 10)),
    "DH-SECRET-WANDB-API-KEY": lambda r: f"WANDB_API_KEY={_mixed(r, _HEX, 40)}",
    "DH-SECRET-PINECONE-API-KEY": lambda r: ("pc" + "sk_" + _mixed(r, _ALNUM, 6) + "_"
                                             + _mixed(r, _ALNUM, 64)),
    "DH-SECRET-STRIPE-SECRET-KEY": lambda r: "sk" + "_live_" + _mixed(r, _ALNUM, 99),
    "DH-SECRET-STRIPE-TEST-KEY": lambda r: "sk" + "_test_" + _mixed(r, _ALNUM, 24),
    "DH-SECRET-STRIPE-WEBHOOK-SECRET": lambda r: "wh" + "sec_" + _mixed(r, _ALNUM, 32),
    "DH-SECRET-SQUARE-TOKEN": lambda r: "EA" + "AA" + _mixed(r, _B64URL, 60),
    "DH-SECRET-BRAINTREE-TOKEN": lambda r: ("access_token$" + "production$"
                                            + _mixed(r, _LOWER_ALNUM, 16) + "$"
                                            + _mixed(r, _HEX, 32)),
    "DH-SECRET-SLACK-TOKEN": lambda r: ("xo" + "xb-" + _digits(r, 12) + "-" + _digits(r, 13)
                                        + "-" + _mixed(r, _ALNUM, 24)),
    "DH-SECRET-SLACK-WEBHOOK": lambda r: ("https://hooks." + "slack.com/services/T"
                                          + _mixed(r, _UPPER_ALNUM, 10) + "/B"
                                          + _mixed(r, _UPPER_ALNUM, 10) + "/"
                                          + _mixed(r, _ALNUM, 24)),
    "DH-SECRET-DISCORD-WEBHOOK": lambda r: ("https://discord.com/api/" + "webhooks/"
                                            + _digits(r, 18) + "/" + _mixed(r, _B64URL, 68)),
    "DH-SECRET-TELEGRAM-BOT-TOKEN": lambda r: (_digits(r, 10) + ":" + "AA"
                                               + _mixed(r, _B64URL, 33)),
    "DH-SECRET-TWILIO-API-KEY": lambda r: "S" + "K" + _mixed(r, _HEX, 32),
    "DH-SECRET-TWILIO-AUTH-TOKEN": lambda r: f'TWILIO_AUTH_TOKEN="{_mixed(r, _HEX, 32)}"',
    "DH-SECRET-SENDGRID-API-KEY": lambda r: ("S" + "G." + _mixed(r, _B64URL, 22) + "."
                                             + _mixed(r, _B64URL, 43)),
    "DH-SECRET-MAILGUN-API-KEY": lambda r: "key" + "-" + _mixed(r, _HEX, 32),
    "DH-SECRET-MAILCHIMP-API-KEY": lambda r: (_mixed(r, _HEX, 32) + "-" + "us"
                                              + str(r.randint(1, 21))),
    "DH-SECRET-PRIVATE-KEY": lambda r: _pem(r, r.choice(["RSA PRIVATE KEY", "EC PRIVATE KEY",
                                                         "OPENSSH PRIVATE KEY", "PRIVATE KEY"])),
    "DH-SECRET-JWT": _jwt,
    "DH-SECRET-DATABASE-URL": lambda r: (r.choice(["postgresql", "mysql", "mongodb+srv", "redis",
                                                   "amqp"]) + "://svc_app:"
                                         + _mixed(r, _ALNUM, 20) + "@db-" + str(r.randint(1, 99))
                                         + ".internal:5432/app"),
    "DH-SECRET-NPM-TOKEN": lambda r: "np" + "m_" + _mixed(r, _ALNUM, 36),
    "DH-SECRET-PYPI-TOKEN": lambda r: "pypi-" + "AgEIcHlwaS5vcmc" + _mixed(r, _B64URL, 150),
    "DH-SECRET-DOCKERHUB-PAT": lambda r: "dckr" + "_pat_" + _mixed(r, _B64URL, 27),
    "DH-SECRET-SHOPIFY-TOKEN": lambda r: "shp" + "at_" + _mixed(r, _HEX, 32),
    "DH-SECRET-DATADOG-API-KEY": lambda r: f'DD_API_KEY="{_mixed(r, _HEX, 32)}"',
    "DH-SECRET-NEWRELIC-KEY": lambda r: "NR" + "AK-" + _mixed(r, _UPPER_ALNUM, 27),
    "DH-SECRET-DOPPLER-TOKEN": lambda r: "dp." + "pt." + _mixed(r, _ALNUM, 43),
    "DH-SECRET-VAULT-TOKEN": lambda r: "hv" + "s." + _mixed(r, _B64URL, 92),
    "DH-SECRET-TERRAFORM-CLOUD-TOKEN": lambda r: (_mixed(r, _ALNUM, 14) + ".atlas" + "v1."
                                                  + _mixed(r, _ALNUM, 67)),
    "DH-SECRET-DATABRICKS-TOKEN": lambda r: "da" + "pi" + _mixed(r, _HEX, 32),
    "DH-SECRET-DIGITALOCEAN-TOKEN": lambda r: "do" + "p_v1_" + _mixed(r, _HEX, 64),
    "DH-SECRET-LINEAR-API-KEY": lambda r: "lin" + "_api_" + _mixed(r, _ALNUM, 40),
    "DH-SECRET-NOTION-TOKEN": lambda r: "nt" + "n_" + _digits(r, 11) + _mixed(r, _ALNUM, 35),
    "DH-SECRET-HEROKU-API-KEY": lambda r: "HR" + "KU-" + _mixed(r, _B64URL, 60),
    "DH-SECRET-SENTRY-AUTH-TOKEN": _sentry,
    "DH-SECRET-ALGOLIA-ADMIN-KEY": lambda r: f'ALGOLIA_ADMIN_KEY="{_mixed(r, _HEX, 32)}"',
    "DH-SECRET-GRAFANA-TOKEN": lambda r: ("gl" + "sa_" + _mixed(r, _ALNUM, 32) + "_"
                                          + _mixed(r, _HEX, 8)),
    "DH-SECRET-PULUMI-TOKEN": lambda r: "pu" + "l-" + _mixed(r, _HEX, 40),
    "DH-SECRET-POSTMAN-API-KEY": lambda r: ("PM" + "AK-" + _mixed(r, _HEX, 24) + "-"
                                            + _mixed(r, _HEX, 34)),
    "DH-SECRET-AGE-SECRET-KEY": lambda r: ("AGE-SECRET-" + "KEY-1"
                                           + "".join(r.choice(_BECH32) for _ in range(58))),
    "DH-SECRET-CLOUDFLARE-ORIGIN-CA-KEY": lambda r: ("v1" + ".0-" + _mixed(r, _HEX, 24) + "-"
                                                     + _mixed(r, _HEX, 146)),
    "DH-SECRET-FIGMA-TOKEN": lambda r: "fi" + "gd_" + _mixed(r, _B64URL, 40),
    "DH-SECRET-PLANETSCALE-TOKEN": lambda r: "pscale" + "_tkn_" + _mixed(r, _B64URL, 43),
    "DH-SECRET-TAILSCALE-KEY": lambda r: ("tskey" + "-auth-" + _mixed(r, _ALNUM, 12) + "-"
                                          + _mixed(r, _ALNUM, 32)),
    "DH-SECRET-GENERIC": lambda r: f'client_secret = "{_mixed(r, _ALNUM + "-_", 32)}"',
}

KINDS: tuple[str, ...] = tuple(_GENERATORS)
"""Every kind :func:`fake_secret` accepts: the detecting rule ids of the secrets drill."""

CONTEXT_KINDS: frozenset[str] = frozenset({
    "DH-SECRET-AWS-SECRET-KEY", "DH-SECRET-AWS-KEY-PAIR", "DH-SECRET-AWS-SESSION-TOKEN",
    "DH-SECRET-GCP-SERVICE-ACCOUNT", "DH-SECRET-AZURE-STORAGE-KEY", "DH-SECRET-AZURE-SAS-TOKEN",
    "DH-SECRET-COHERE-API-KEY", "DH-SECRET-MISTRAL-API-KEY", "DH-SECRET-WANDB-API-KEY",
    "DH-SECRET-TWILIO-AUTH-TOKEN", "DH-SECRET-DATABASE-URL", "DH-SECRET-DATADOG-API-KEY",
    "DH-SECRET-ALGOLIA-ADMIN-KEY", "DH-SECRET-GENERIC",
})
"""Kinds whose fake is a snippet of text (an assignment, a URL, a JSON document) rather than a
bare token, because the rule needs that context."""


def fake_secret(kind: str, seed: int = 0) -> str:
    """A fake credential of ``kind`` (a rule id), the same for the same seed."""
    try:
        gen = _GENERATORS[kind]
    except KeyError:
        raise ValueError(f"unknown fake secret kind {kind!r}") from None
    return gen(random.Random(f"{kind}:{seed}"))  # noqa: S311 - reproducible on purpose
