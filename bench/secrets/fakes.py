"""Fake credentials in real published formats, and decoys that only look like them.

This module is the benchmark's own generator, independent of drillhall's rules, so the ground
truth does not inherit drillhall's idea of what a key looks like. Every value is assembled at
run time from a seeded :class:`random.Random`; no literal key appears in this file (prefixes are
split, fixed binary headers are encoded at run time), so scanning this repository finds nothing.

A *kind* is one credential format. :data:`SECRET_KINDS` maps its name to a :class:`Kind`
giving the generator, the variable names it is usually stored under, and whether it is a block
(PEM keys, service-account JSON) rather than one line. :data:`DECOY_KINDS` is the same for
strings that must not be reported.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
WORDS = [
    "orders", "billing", "ledger", "search", "catalog", "inventory", "ranker", "scoring",
    "triage", "gateway", "ingest", "feature", "embed", "vector", "notify", "payments", "profile",
    "session", "audit", "export", "reports", "labels",
]

Gen = Callable[[random.Random], str]


@dataclass(frozen=True)
class Kind:
    """One credential (or decoy) format."""

    name: str
    gen: Gen
    names: tuple[str, ...]
    block: bool = False  # spans several lines when rendered natively (PEM)


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    """``n`` characters drawn from ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def _p(*parts: str) -> str:
    """Join prefix parts (kept apart in the source so it holds no full key prefix)."""
    return "".join(parts)


def _b62_checksum(body: str) -> str:
    """Six base-62 digits of CRC-32, as GitHub- and npm-style tokens append."""
    n = zlib.crc32(body.encode())
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(6, "0")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _pem(label: str, der: bytes, width: int = 64) -> str:
    body = _b64(der)
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    dashes = "-" * 5
    return "\n".join(
        [f"{dashes}BEGIN {label}{dashes}", *lines, f"{dashes}END {label}{dashes}"]
    )


def _label(kind: str) -> str:
    return " ".join(x for x in (kind, "PRIVATE", "KEY") if x)


# --- secrets --------------------------------------------------------------------------------


def aws_key_id(rng: random.Random) -> str:
    return _p("AK", "IA") + pick(rng, B32, 16)


def aws_secret(rng: random.Random) -> str:
    return pick(rng, B64, 40)


def google_api_key(rng: random.Random) -> str:
    return _p("AI", "za") + pick(rng, B64URL, 35)


def gcp_oauth_secret(rng: random.Random) -> str:
    return _p("GOC", "SPX-") + pick(rng, B64URL, 28)


def azure_conn(rng: random.Random) -> str:
    account = rng.choice(WORDS) + pick(rng, string.digits, 3)
    key = _b64(rng.randbytes(64))
    return (
        f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};"
        "EndpointSuffix=core.windows.net"
    )


def azure_client_secret(rng: random.Random) -> str:
    return pick(rng, ALNUM, 3) + _p("8", "Q~") + pick(rng, ALNUM + "_~.-", 34)


def github_classic(rng: random.Random) -> str:
    body = pick(rng, ALNUM, 30)
    return _p("gh", "p_") + body + _b62_checksum(body)


def github_app(rng: random.Random) -> str:
    body = pick(rng, ALNUM, 30)
    return _p("gh", "s_") + body + _b62_checksum(body)


def github_fine(rng: random.Random) -> str:
    return _p("github", "_pat_") + pick(rng, ALNUM, 22) + "_" + pick(rng, ALNUM, 59)


def gitlab_pat(rng: random.Random) -> str:
    return _p("gl", "pat-") + pick(rng, ALNUM + "-_", 20)


def openai_project(rng: random.Random) -> str:
    return _p("sk-", "proj-") + pick(rng, B64URL, 74) + _p("T3Blbk", "FJ") + pick(rng, B64URL, 74)


def openai_legacy(rng: random.Random) -> str:
    return _p("s", "k-") + pick(rng, ALNUM, 20) + _p("T3Blbk", "FJ") + pick(rng, ALNUM, 20)


def anthropic(rng: random.Random) -> str:
    return _p("sk-", "ant-", "api03-") + pick(rng, B64URL, 93) + "AA"


def huggingface(rng: random.Random) -> str:
    return _p("h", "f_") + pick(rng, string.ascii_letters, 34)


def stripe_live(rng: random.Random) -> str:
    return _p("sk", "_live_") + pick(rng, ALNUM, rng.choice((24, 99)))


def stripe_restricted(rng: random.Random) -> str:
    return _p("rk", "_live_") + pick(rng, ALNUM, 24)


def slack_bot(rng: random.Random) -> str:
    return (
        _p("xo", "xb-") + pick(rng, string.digits, 12) + "-" + pick(rng, string.digits, 13)
        + "-" + pick(rng, ALNUM, 24)
    )


def slack_webhook(rng: random.Random) -> str:
    return (
        _p("https://hooks.", "slack.com/services/") + "T" + pick(rng, B32[:26] + "0123456789", 8)
        + "/B" + pick(rng, B32[:26] + "0123456789", 10) + "/" + pick(rng, ALNUM, 24)
    )


def discord_webhook(rng: random.Random) -> str:
    return (
        _p("https://discord.com/", "api/webhooks/") + str(rng.randrange(10**17, 10**19))
        + "/" + pick(rng, B64URL, 68)
    )


def telegram(rng: random.Random) -> str:
    return str(rng.randrange(10**8, 10**10)) + ":" + _p("A", "A") + pick(rng, B64URL, 33)


def twilio_key(rng: random.Random) -> str:
    return _p("S", "K") + pick(rng, HEX, 32)


def sendgrid(rng: random.Random) -> str:
    return _p("S", "G.") + pick(rng, B64URL, 22) + "." + pick(rng, B64URL, 43)


def mailgun(rng: random.Random) -> str:
    return _p("ke", "y-") + pick(rng, HEX, 32)


def npm_token(rng: random.Random) -> str:
    body = pick(rng, ALNUM, 30)
    return _p("np", "m_") + body + _b62_checksum(body)


def pypi_token(rng: random.Random) -> str:
    head = bytes([2, 1, 8]) + b"pypi.org" + bytes([2, 0x25])
    body = head + b"\x00\x01\x02" + rng.randbytes(120)
    return _p("py", "pi-") + _b64url(body)


def docker_pat(rng: random.Random) -> str:
    return _p("dckr", "_pat_") + pick(rng, B64URL, 27)


def shopify(rng: random.Random) -> str:
    return _p("shp", "at_") + pick(rng, HEX, 32)


def databricks(rng: random.Random) -> str:
    return _p("da", "pi") + pick(rng, HEX, 32)


def digitalocean(rng: random.Random) -> str:
    return _p("dop", "_v1_") + pick(rng, HEX, 64)


def vault(rng: random.Random) -> str:
    return _p("hv", "s.") + _p("CAES", "I") + pick(rng, B64URL, 90)


def doppler(rng: random.Random) -> str:
    env = rng.choice(("dev", "stg", "prd"))
    return _p("dp", ".st.") + env + "." + pick(rng, ALNUM, 40)


def linear(rng: random.Random) -> str:
    return _p("lin", "_api_") + pick(rng, ALNUM, 40)


def sentry(rng: random.Random) -> str:
    return _p("sntr", "yu_") + pick(rng, HEX, 64)


def newrelic(rng: random.Random) -> str:
    return _p("NR", "AK-") + pick(rng, string.ascii_uppercase + string.digits, 27)


def grafana(rng: random.Random) -> str:
    return _p("gl", "sa_") + pick(rng, ALNUM, 32) + "_" + pick(rng, HEX, 8)


def jwt(rng: random.Random) -> str:
    head = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {
        "sub": str(rng.randrange(10**6, 10**7)),
        "name": rng.choice(WORDS) + "-service",
        "iat": rng.randrange(1_700_000_000, 1_760_000_000),
        "exp": rng.randrange(1_760_000_000, 1_900_000_000),
        "scope": rng.choice(("read write", "admin", "deploy")),
    }
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{_b64url(rng.randbytes(32))}"


def _password(rng: random.Random) -> str:
    return pick(rng, ALNUM, rng.randrange(14, 22)) + rng.choice(("", "9", "Xq", "42"))


def _host(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}-db.{rng.choice(('prod', 'stage', 'eu1'))}.internal"


def postgres_url(rng: random.Random) -> str:
    user = rng.choice(("app", "svc_" + rng.choice(WORDS), "admin"))
    return f"postgresql://{user}:{_password(rng)}@{_host(rng)}:5432/{rng.choice(WORDS)}"


def mysql_url(rng: random.Random) -> str:
    return f"mysql://root:{_password(rng)}@{_host(rng)}:3306/{rng.choice(WORDS)}"


def mongodb_url(rng: random.Random) -> str:
    cluster = f"cluster{rng.randrange(10)}.{pick(rng, string.ascii_lowercase + string.digits, 5)}"
    return (
        f"mongodb+srv://{rng.choice(WORDS)}:{_password(rng)}@{cluster}.mongodb.net/"
        f"{rng.choice(WORDS)}?retryWrites=true&w=majority"
    )


def redis_url(rng: random.Random) -> str:
    return f"redis://default:{_password(rng)}@{rng.choice(WORDS)}-cache.internal:6379/0"


def generic(rng: random.Random) -> str:
    return pick(rng, ALNUM, rng.randrange(32, 41))


def _der_rsa(rng: random.Random) -> bytes:
    # SEQUENCE, version 0, INTEGER modulus (257 bytes) ... the rest is random filler
    return bytes.fromhex("308204a4020100028201010000") + rng.randbytes(1180)


def rsa_pem(rng: random.Random) -> str:
    return _pem(_label("RSA"), _der_rsa(rng))


def pkcs8_pem(rng: random.Random) -> str:
    head = bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7")
    return _pem(_label(""), head + rng.randbytes(1190))


def ec_pem(rng: random.Random) -> str:
    der = (
        bytes.fromhex("307702010104 20".replace(" ", "")) + rng.randbytes(32)
        + bytes.fromhex("a00a06082a8648ce3d030107a144034200 04".replace(" ", ""))
        + rng.randbytes(64)
    )
    return _pem(_label("EC"), der)


def openssh_pem(rng: random.Random) -> str:
    magic = b"openssh-key-v1\x00"
    der = magic + b"\x00\x00\x00\x04none\x00\x00\x00\x04none\x00\x00\x00\x00\x00\x00\x00\x01"
    return _pem(_label("OPENSSH"), der + rng.randbytes(360), width=70)


def gcp_service_account(rng: random.Random) -> str:
    project = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.randrange(100000, 999999)}"
    sa = rng.choice(WORDS) + "-runner"
    doc = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": pick(rng, HEX, 40),
        "private_key": pkcs8_pem(rng) + "\n",
        "client_email": f"{sa}@{project}.iam.gserviceaccount.com",
        "client_id": str(rng.randrange(10**20, 10**21)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{sa}",
        "universe_domain": "googleapis.com",
    }
    return json.dumps(doc, indent=2)


def _k(name: str, gen: Gen, *names: str, block: bool = False) -> Kind:
    return Kind(name, gen, names, block)


SECRET_KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _k("aws-access-key-id", aws_key_id, "aws_access_key_id"),
        _k("aws-secret-access-key", aws_secret, "aws_secret_access_key"),
        _k("gcp-service-account", gcp_service_account, "service_account", block=True),
        _k("google-api-key", google_api_key, "google_api_key", "maps_api_key", "firebase_key"),
        _k("gcp-oauth-client-secret", gcp_oauth_secret, "google_client_secret"),
        _k("azure-storage-connection-string", azure_conn, "azure_storage_connection_string"),
        _k("azure-ad-client-secret", azure_client_secret, "azure_client_secret"),
        _k("github-classic-pat", github_classic, "github_token", "gh_token"),
        _k("github-app-token", github_app, "github_app_token"),
        _k("github-fine-grained-pat", github_fine, "github_pat", "github_token"),
        _k("gitlab-pat", gitlab_pat, "gitlab_token", "ci_job_token"),
        _k("openai-project-key", openai_project, "openai_api_key"),
        _k("openai-legacy-key", openai_legacy, "openai_api_key", "openai_key"),
        _k("anthropic-api-key", anthropic, "anthropic_api_key"),
        _k("huggingface-token", huggingface, "hf_token", "huggingface_token"),
        _k("stripe-live-secret", stripe_live, "stripe_secret_key", "stripe_key"),
        _k("stripe-restricted-key", stripe_restricted, "stripe_restricted_key"),
        _k("slack-bot-token", slack_bot, "slack_bot_token", "slack_token"),
        _k("slack-webhook-url", slack_webhook, "slack_webhook_url", "alerts_webhook"),
        _k("discord-webhook-url", discord_webhook, "discord_webhook_url", "webhook_url"),
        _k("telegram-bot-token", telegram, "telegram_bot_token", "bot_token"),
        _k("twilio-api-key", twilio_key, "twilio_api_key"),
        _k("sendgrid-api-key", sendgrid, "sendgrid_api_key"),
        _k("mailgun-api-key", mailgun, "mailgun_api_key"),
        _k("npm-token", npm_token, "npm_token", "npm_auth_token"),
        _k("pypi-token", pypi_token, "pypi_token", "twine_password"),
        _k("dockerhub-pat", docker_pat, "docker_hub_token", "docker_password"),
        _k("shopify-access-token", shopify, "shopify_access_token"),
        _k("databricks-token", databricks, "databricks_token"),
        _k("digitalocean-token", digitalocean, "digitalocean_token", "do_token"),
        _k("vault-token", vault, "vault_token"),
        _k("doppler-token", doppler, "doppler_token"),
        _k("linear-api-key", linear, "linear_api_key"),
        _k("sentry-auth-token", sentry, "sentry_auth_token"),
        _k("newrelic-user-key", newrelic, "new_relic_api_key", "newrelic_key"),
        _k("grafana-service-token", grafana, "grafana_token"),
        _k("jwt", jwt, "auth_token", "access_token", "bearer_token"),
        _k("postgres-url", postgres_url, "database_url", "db_url"),
        _k("mysql-url", mysql_url, "mysql_url", "database_url"),
        _k("mongodb-url", mongodb_url, "mongo_uri", "mongodb_url"),
        _k("redis-url", redis_url, "redis_url", "cache_url"),
        _k("generic-api-key", generic, "api_key", "client_secret", "secret_key", "auth_secret"),
        _k("generic-password", _password, "password", "db_password", "admin_password"),
        _k("rsa-private-key", rsa_pem, "private_key", block=True),
        _k("pkcs8-private-key", pkcs8_pem, "private_key", "signing_key", block=True),
        _k("ec-private-key", ec_pem, "ec_private_key", block=True),
        _k("openssh-private-key", openssh_pem, "ssh_private_key", "deploy_key", block=True),
    )
}

# Formats outside the list drillhall's secrets drill was specified against: a hold-out set that
# says how well its rules generalise, reported apart from the main figures.


def atlassian(rng: random.Random) -> str:
    return _p("ATATT3", "xFfGF0") + pick(rng, B64URL, 170) + "=" + pick(rng, HEX.upper(), 8)


def groq(rng: random.Random) -> str:
    return _p("gs", "k_") + pick(rng, ALNUM, 52)


def notion(rng: random.Random) -> str:
    return _p("nt", "n_") + pick(rng, string.digits, 11) + pick(rng, ALNUM, 35)


def figma(rng: random.Random) -> str:
    return _p("fig", "d_") + pick(rng, B64URL, 40)


def postman(rng: random.Random) -> str:
    return _p("PM", "AK-") + pick(rng, HEX, 24) + "-" + pick(rng, HEX, 34)


def pulumi(rng: random.Random) -> str:
    return _p("pu", "l-") + pick(rng, HEX, 40)


def terraform_cloud(rng: random.Random) -> str:
    return pick(rng, ALNUM, 14) + _p(".atlas", "v1.") + pick(rng, ALNUM, 67)


def tailscale(rng: random.Random) -> str:
    return _p("tskey-", "auth-") + pick(rng, ALNUM, 17) + "-" + pick(rng, ALNUM, 33)


def replicate(rng: random.Random) -> str:
    return _p("r", "8_") + pick(rng, ALNUM, 37)


def perplexity(rng: random.Random) -> str:
    return _p("pp", "lx-") + pick(rng, ALNUM, 48)


def langsmith(rng: random.Random) -> str:
    return _p("lsv2", "_pt_") + pick(rng, HEX, 32) + "_" + pick(rng, HEX, 10)


def mailchimp(rng: random.Random) -> str:
    return pick(rng, HEX, 32) + "-us" + str(rng.randrange(1, 22))


def planetscale(rng: random.Random) -> str:
    return _p("pscale", "_tkn_") + pick(rng, B64URL, 43)


def age_key(rng: random.Random) -> str:
    bech32 = "".join(c for c in string.ascii_uppercase + string.digits if c not in "BIO1")
    return _p("AGE-SECRET", "-KEY-1") + pick(rng, bech32, 58)


def cloudflare_origin_ca(rng: random.Random) -> str:
    return _p("v1", ".0-") + pick(rng, HEX, 24) + "-" + pick(rng, HEX, 146)


HOLDOUT_KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _k("atlassian-api-token", atlassian, "jira_api_token", "atlassian_token"),
        _k("groq-api-key", groq, "groq_api_key"),
        _k("notion-token", notion, "notion_token"),
        _k("figma-pat", figma, "figma_token"),
        _k("postman-api-key", postman, "postman_api_key"),
        _k("pulumi-token", pulumi, "pulumi_access_token"),
        _k("terraform-cloud-token", terraform_cloud, "tfe_token"),
        _k("tailscale-auth-key", tailscale, "ts_authkey"),
        _k("replicate-token", replicate, "replicate_api_token"),
        _k("perplexity-api-key", perplexity, "pplx_api_key"),
        _k("langsmith-api-key", langsmith, "langsmith_api_key"),
        _k("mailchimp-api-key", mailchimp, "mailchimp_api_key"),
        _k("planetscale-token", planetscale, "planetscale_token"),
        _k("age-secret-key", age_key, "age_identity"),
        _k("cloudflare-origin-ca-key", cloudflare_origin_ca, "cf_origin_ca_key"),
    )
}

#: Names that say nothing about what they hold; a share of plants use them so that tools
#: leaning on the variable name alone are not flattered.
NEUTRAL_NAMES = ("value", "fallback", "default_value", "cfg_a", "opt", "v2_setting", "x_conf")


# --- decoys ---------------------------------------------------------------------------------


def _hexdigest(n: int) -> Gen:
    return lambda rng: pick(rng, HEX, n)


def uuid4(rng: random.Random) -> str:
    h = pick(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def png_data_uri(rng: random.Random) -> str:
    sig = bytes([0x89]) + b"PNG\r\n\x1a\n" + bytes.fromhex("0000000d") + b"IHDR"
    return "data:image/png;base64," + _b64(sig + rng.randbytes(rng.randrange(90, 600)))


def aws_example_id(rng: random.Random) -> str:
    return _p("AK", "IA", "IOSFODNN7", "EXAMPLE")


def aws_example_secret(rng: random.Random) -> str:
    return _p("wJalrXUtnFEMI", "/K7MDENG/", "bPxRfiCY", "EXAMPLEKEY")


def placeholder(rng: random.Random) -> str:
    return rng.choice(
        (
            "your-api-key-here",
            "<TOKEN>",
            "${API_KEY}",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "<your-secret>",
            "REPLACE_ME",
            _p("s", "k-") + "x" * 48,
            _p("gh", "p_") + "X" * 36,
            "{{ secrets.API_TOKEN }}",
            "changeit-in-prod-see-vault",
        )
    )


def wasm_blob(rng: random.Random) -> str:
    return _b64(b"\x00asm\x01\x00\x00\x00" + rng.randbytes(rng.randrange(120, 400)))


def font_blob(rng: random.Random) -> str:
    return "data:font/woff2;base64," + _b64(b"wOF2\x00\x01\x00\x00" + rng.randbytes(300))


def npm_integrity(rng: random.Random) -> str:
    return "sha512-" + _b64(rng.randbytes(64))


def sri_hash(rng: random.Random) -> str:
    return "sha384-" + _b64(rng.randbytes(48))


def env_reference(rng: random.Random) -> str:
    return rng.choice(("os.environ", "process.env", "$ENV", "settings"))


def public_pem(rng: random.Random) -> str:
    head = bytes.fromhex("30820122300d06092a864886f70d01010105000382010f00")
    return _pem("PUBLIC KEY", head + rng.randbytes(270))


def ssh_public(rng: random.Random) -> str:
    blob = b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01" + rng.randbytes(260)
    return f"ssh-rsa {_b64(blob)} {rng.choice(WORDS)}@build-host"


DECOY_KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _k("sha1-checksum", _hexdigest(40), "checksum", "sha1"),
        _k("sha256-digest", _hexdigest(64), "sha256", "digest", "content_sha256"),
        _k("md5-digest", _hexdigest(32), "md5", "etag"),
        _k("hex-under-key-name", _hexdigest(40), "cache_key", "idempotency_key", "dedupe_token"),
        _k("git-commit-sha", _hexdigest(40), "commit", "git_sha", "revision"),
        _k("uuid", uuid4, "request_id", "tenant_id", "uuid"),
        _k("png-data-uri", png_data_uri, "icon", "logo_src"),
        _k("aws-documented-example-id", aws_example_id, "aws_access_key_id"),
        _k("aws-documented-example-secret", aws_example_secret, "aws_secret_access_key"),
        _k("placeholder", placeholder, "api_key", "token", "secret", "password"),
        _k("base64-blob", wasm_blob, "wasm_module", "payload", "fixture_bytes"),
        _k("font-data-uri", font_blob, "font_src"),
        _k("npm-integrity", npm_integrity, "integrity"),
        _k("sri-hash", sri_hash, "integrity"),
        _k("env-reference", env_reference, "api_key", "password", "token"),
        _k("public-key-pem", public_pem, "public_key", block=True),
        _k("ssh-public-key", ssh_public, "authorized_key"),
    )
}
