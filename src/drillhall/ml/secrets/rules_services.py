"""Rules for payments, messaging, developer platforms, private keys, JWTs and database URLs."""

from __future__ import annotations

import base64
import binascii
import json
import re

from drillhall.core.model import Confidence, Severity
from drillhall.ml.secrets.detectors import (
    Detector,
    L,
    R,
    RuleSpec,
    has_classes,
    named,
    rule,
    rx,
    token,
)
from drillhall.ml.secrets.placeholders import is_placeholder, is_weak_password, shannon_entropy

C, H, M, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def _rot(what: str, where: str) -> str:
    return (f"Revoke the {what} in the {where}, issue a new one, and load it from a secret "
            "store or environment variable instead of source; remove the old value from history.")


def _jwt_ok(m: re.Match[str], value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and isinstance(decoded.get("alg"), str) and (
        decoded["alg"].lower() != "none")


def _pem_ok(m: re.Match[str], value: str) -> bool:
    raw = m.group("body")
    body = re.sub(r"\\[rn]|[^A-Za-z0-9+/=]", "", raw)
    return len(body) >= 40 and not is_placeholder(raw) and has_classes(body, 3)


_DEMO_HOSTS = frozenset({"localhost", "127.0.0.1", "host", "hostname", "myhost", "dbhost",
                         "server", "db", "database", "example.com", "example.org"})


def _db_password_ok(m: re.Match[str], value: str) -> bool:
    if is_weak_password(value) or value.lower() == m.group("user").lower():
        return False
    if m.group("host").lower() in _DEMO_HOSTS and shannon_entropy(value) < 3.0:
        return False
    return not value.startswith(("$", "%", "{", "<", "[")) and len(value) >= 4


def _hex_mixed(m: re.Match[str], value: str) -> bool:
    return has_classes(value)


SPECS: tuple[RuleSpec, ...] = (
    rule("DH-SECRET-STRIPE-SECRET-KEY", "Stripe live secret key",
         "A Stripe live secret or restricted key (sk_live_…, rk_live_…): charges and refunds.",
         _rot("key", "Stripe dashboard"), C),
    rule("DH-SECRET-STRIPE-TEST-KEY", "Stripe test secret key",
         "A Stripe test-mode secret key (sk_test_…): no money moves, but it exposes test data.",
         "Move the key to configuration outside source and roll it in the Stripe dashboard.",
         LOW),
    rule("DH-SECRET-STRIPE-WEBHOOK-SECRET", "Stripe webhook signing secret",
         "A Stripe webhook signing secret (whsec_…): lets anyone forge webhook events.",
         _rot("signing secret", "Stripe dashboard"), H),
    rule("DH-SECRET-SQUARE-TOKEN", "Square access token or OAuth secret",
         "A Square access token (EAAA…, sq0atp-…) or OAuth secret (sq0csp-…).",
         _rot("token", "Square developer dashboard"), C),
    rule("DH-SECRET-BRAINTREE-TOKEN", "PayPal Braintree access token",
         "A PayPal Braintree production access token.",
         _rot("token", "Braintree control panel"), C),
    rule("DH-SECRET-SLACK-TOKEN", "Slack token",
         "A Slack bot, user, app or configuration token (xoxb-…, xoxp-…, xapp-…).",
         _rot("token", "Slack app settings"), H),
    rule("DH-SECRET-SLACK-WEBHOOK", "Slack incoming webhook URL",
         "A Slack incoming-webhook or workflow URL: anyone can post to the channel.",
         _rot("webhook", "Slack app settings"), M),
    rule("DH-SECRET-DISCORD-WEBHOOK", "Discord webhook URL",
         "A Discord webhook URL with its token.", _rot("webhook", "Discord channel settings"),
         M),
    rule("DH-SECRET-TELEGRAM-BOT-TOKEN", "Telegram bot token",
         "A Telegram bot API token.", "Revoke it with @BotFather (/revoke) and keep the new "
         "token out of source.", H),
    rule("DH-SECRET-TWILIO-API-KEY", "Twilio API key",
         "A Twilio API key SID (SK…) — its secret is usually nearby.",
         _rot("API key", "Twilio console"), H),
    rule("DH-SECRET-TWILIO-AUTH-TOKEN", "Twilio auth token",
         "A Twilio account auth token.", _rot("auth token", "Twilio console"), C,
         confidence=Confidence.MEDIUM),
    rule("DH-SECRET-SENDGRID-API-KEY", "SendGrid API key", "A SendGrid API key (SG.….…).",
         _rot("key", "SendGrid settings"), H),
    rule("DH-SECRET-MAILGUN-API-KEY", "Mailgun API key", "A Mailgun private API key (key-…).",
         _rot("key", "Mailgun control panel"), H),
    rule("DH-SECRET-MAILCHIMP-API-KEY", "Mailchimp API key",
         "A Mailchimp API key (…-usNN).", _rot("key", "Mailchimp account"), H),
    rule("DH-SECRET-PRIVATE-KEY", "Private key",
         "A PEM or OpenSSH private key block (RSA, EC, DSA, OpenSSH, PKCS#8, PGP).",
         "Treat the key as compromised: replace it and its certificate or authorized_keys "
         "entry, and keep keys in a key store, never in source.", C),
    rule("DH-SECRET-JWT", "JSON Web Token",
         "A signed JSON Web Token: until it expires it authenticates whoever presents it.",
         "Remove the token; if it does not expire soon, rotate the signing key that issued it.",
         M),
    rule("DH-SECRET-DATABASE-URL", "Database URL with password",
         "A database or message-broker URL (postgres, mysql, mongodb, redis, amqp …) with an "
         "embedded password.", _rot("password", "database") + " Pass the URL through the "
         "environment.", H),
    rule("DH-SECRET-NPM-TOKEN", "npm access token", "An npm access token (npm_…): can publish "
         "packages.", _rot("token", "npm account"), C),
    rule("DH-SECRET-PYPI-TOKEN", "PyPI upload token",
         "A PyPI or TestPyPI API token (pypi-AgEI…): can upload releases.",
         _rot("token", "PyPI account") + " Prefer trusted publishing.", C),
    rule("DH-SECRET-DOCKERHUB-PAT", "Docker Hub access token",
         "A Docker Hub personal or organisation access token (dckr_pat_…).",
         _rot("token", "Docker Hub account"), H),
    rule("DH-SECRET-SHOPIFY-TOKEN", "Shopify access token",
         "A Shopify admin, custom-app, partner or shared secret token (shpat_…).",
         _rot("token", "Shopify admin"), H),
    rule("DH-SECRET-DATADOG-API-KEY", "Datadog API or application key",
         "A Datadog API key or application key assigned to a Datadog setting.",
         _rot("key", "Datadog organisation settings"), H, confidence=Confidence.MEDIUM),
    rule("DH-SECRET-NEWRELIC-KEY", "New Relic key",
         "A New Relic user API key (NRAK-…) or insights key (NRII-…, NRIQ-…).",
         _rot("key", "New Relic API keys page"), H),
    rule("DH-SECRET-DOPPLER-TOKEN", "Doppler token",
         "A Doppler personal, service or CLI token (dp.pt.…, dp.st.…).",
         _rot("token", "Doppler dashboard"), H),
    rule("DH-SECRET-VAULT-TOKEN", "HashiCorp Vault token",
         "A HashiCorp Vault service or batch token (hvs.…, hvb.…).",
         "Revoke the token (vault token revoke) and use short-lived auth methods.", H),
    rule("DH-SECRET-TERRAFORM-CLOUD-TOKEN", "Terraform Cloud token",
         "A Terraform Cloud / Enterprise API token (….atlasv1.…).",
         _rot("token", "Terraform Cloud user settings"), H),
    rule("DH-SECRET-DATABRICKS-TOKEN", "Databricks access token",
         "A Databricks personal access token (dapi…): workspace data, jobs and models.",
         _rot("token", "Databricks user settings"), H),
    rule("DH-SECRET-DIGITALOCEAN-TOKEN", "DigitalOcean token",
         "A DigitalOcean personal, OAuth or refresh token (dop_v1_…).",
         _rot("token", "DigitalOcean API settings"), H),
    rule("DH-SECRET-LINEAR-API-KEY", "Linear API key", "A Linear API key (lin_api_…).",
         _rot("key", "Linear settings"), M),
    rule("DH-SECRET-NOTION-TOKEN", "Notion integration token",
         "A Notion internal integration token (ntn_…, secret_…).",
         _rot("token", "Notion integrations page"), M),
    rule("DH-SECRET-HEROKU-API-KEY", "Heroku API key",
         "A Heroku API key (HRKU-…, or a UUID assigned to a Heroku setting).",
         _rot("key", "Heroku account settings"), H),
    rule("DH-SECRET-SENTRY-AUTH-TOKEN", "Sentry auth token",
         "A Sentry organisation or user auth token (sntrys_…, sntryu_…).",
         _rot("token", "Sentry settings"), M),
    rule("DH-SECRET-ALGOLIA-ADMIN-KEY", "Algolia admin API key",
         "An Algolia admin API key: full control of the search indices.",
         _rot("key", "Algolia dashboard"), H, confidence=Confidence.MEDIUM),
    rule("DH-SECRET-GRAFANA-TOKEN", "Grafana token",
         "A Grafana service-account token (glsa_…) or Grafana Cloud token (glc_…).",
         _rot("token", "Grafana administration"), H),
    rule("DH-SECRET-PULUMI-TOKEN", "Pulumi access token", "A Pulumi access token (pul-…).",
         _rot("token", "Pulumi Cloud settings"), H),
    rule("DH-SECRET-POSTMAN-API-KEY", "Postman API key", "A Postman API key (PMAK-…).",
         _rot("key", "Postman settings"), M),
    rule("DH-SECRET-AGE-SECRET-KEY", "age secret key",
         "An age encryption identity (AGE-SECRET-KEY-1…): decrypts every file encrypted to it.",
         "Generate a new identity, re-encrypt the files and keep the identity out of the "
         "repository.", H),
    rule("DH-SECRET-CLOUDFLARE-ORIGIN-CA-KEY", "Cloudflare Origin CA key",
         "A Cloudflare Origin CA key (v1.0-…): issues certificates for the account's zones.",
         _rot("key", "Cloudflare profile"), H),
    rule("DH-SECRET-FIGMA-TOKEN", "Figma access token", "A Figma personal access token "
         "(figd_…).", _rot("token", "Figma account settings"), M),
    rule("DH-SECRET-PLANETSCALE-TOKEN", "PlanetScale token or password",
         "A PlanetScale service token, OAuth token or database password (pscale_…).",
         _rot("token", "PlanetScale organisation settings"), H),
    rule("DH-SECRET-TAILSCALE-KEY", "Tailscale key",
         "A Tailscale auth, API or OAuth client key (tskey-…): joins devices to the tailnet "
         "or manages it.", _rot("key", "Tailscale admin console"), H),
)

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DB_SCHEMES = ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver",
               "oracle", "cockroachdb", "clickhouse", "rabbitmq", "neo4j", "couchdb")

DETECTORS: tuple[Detector, ...] = (
    token("DH-SECRET-STRIPE-SECRET-KEY", rf"{L}(?:sk|rk)_live_[A-Za-z0-9]{{24,247}}{R}",
          "sk_live_", "rk_live_", prefix=8),
    token("DH-SECRET-STRIPE-TEST-KEY", rf"{L}(?:sk|rk)_test_[A-Za-z0-9]{{24,247}}{R}",
          "sk_test_", "rk_test_", prefix=8),
    token("DH-SECRET-STRIPE-WEBHOOK-SECRET", rf"{L}whsec_[A-Za-z0-9+/=]{{32,88}}{R}", "whsec_",
          prefix=6),
    token("DH-SECRET-SQUARE-TOKEN",
          rf"{L}(?:EAAA[A-Za-z0-9_\-]{{60}}|sq0atp-[A-Za-z0-9_\-]{{22}}|"
          rf"sq0csp-[A-Za-z0-9_\-]{{43}}){R}", "EAAA", "sq0atp-", "sq0csp-", prefix=4,
          check=lambda m, v: has_classes(v[7:], 3)),
    token("DH-SECRET-BRAINTREE-TOKEN",
          rf"access_token\$production\$[0-9a-z]{{16}}\$[0-9a-f]{{32}}{R}",
          "access_token$production$", prefix=24, after=80),
    token("DH-SECRET-SLACK-TOKEN",
          rf"{L}(?:xox[abposr]-(?:\d{{6,15}}-){{1,3}}[A-Za-z0-9\-]{{10,64}}|"
          rf"xoxe\.xox[bp]-\d-[A-Z0-9]{{100,180}}|xoxe-\d-[A-Z0-9]{{100,180}}|"
          rf"xapp-\d-[A-Z0-9]{{8,14}}-\d{{10,15}}-[a-f0-9]{{60,70}}){R}",
          "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe", "xapp-", prefix=5,
          check=lambda m, v: has_classes(v[5:])),
    token("DH-SECRET-SLACK-WEBHOOK",
          r"https://hooks\.slack\.com/(?:services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/"
          r"[A-Za-z0-9]{24}|(?:workflows|triggers)/T[A-Z0-9]{8,12}/A[A-Z0-9]{8,12}/\d{10,20}/"
          rf"[A-Za-z0-9]{{32}}){R}", "hooks.slack.com", before=8, after=200, prefix=33),
    token("DH-SECRET-DISCORD-WEBHOOK",
          r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/(?:v\d{1,2}/)?webhooks/"
          rf"\d{{17,20}}/[A-Za-z0-9_\-]{{60,72}}{R}", "discord", before=20, after=200,
          prefix=40, caseless=True),
    token("DH-SECRET-TELEGRAM-BOT-TOKEN", rf"{L}\d{{8,10}}:AA[A-Za-z0-9_\-]{{33}}{R}", ":AA",
          before=12, after=40, min_entropy=3.5),
    token("DH-SECRET-TWILIO-API-KEY", rf"{L}SK[0-9a-f]{{32}}{R}", "SK", prefix=2, after=36,
          check=_hex_mixed),
    named("DH-SECRET-TWILIO-AUTH-TOKEN", r"twilio[\w.\-]{0,20}?(?:auth|token|secret)",
          r"[0-9a-f]{32}", "twilio", confidence=Confidence.MEDIUM, check=_hex_mixed),
    token("DH-SECRET-SENDGRID-API-KEY",
          rf"{L}SG\.[A-Za-z0-9_\-]{{22}}\.[A-Za-z0-9_\-]{{43}}{R}", "SG.", prefix=3, after=72),
    token("DH-SECRET-MAILGUN-API-KEY", rf"{L}key-[0-9a-f]{{32}}{R}", "key-", prefix=4, after=40,
          check=_hex_mixed),
    token("DH-SECRET-MAILCHIMP-API-KEY", rf"{L}[0-9a-f]{{32}}-us\d{{1,2}}{R}", "-us",
          before=34, after=6, check=_hex_mixed),
    Detector("DH-SECRET-PRIVATE-KEY",
             rx(r"-----BEGIN ((?:[A-Z0-9]{2,10} ){0,2})PRIVATE KEY(?: BLOCK)?-----"
                r"(?P<body>(?:\\[rn]|[\s\"',+]|[A-Za-z0-9+/=:\-]){40,16000}?)"
                r"-----END \1PRIVATE KEY(?: BLOCK)?-----"),
             case_keywords=("PRIVATE KEY",), before=40, after=16100, priority=60,
             check=_pem_ok),
    token("DH-SECRET-PRIVATE-KEY", r"PuTTY-User-Key-File-\d: [\w\-]{3,30}\s{1,4}Encryption: "
          r"[\w\-]{2,30}[\s\S]{0,300}?Private-Lines: \d{1,3}\s{1,4}[A-Za-z0-9+/=\s]{40,8000}",
          "PuTTY-User-Key-File-", after=9000, min_entropy=0.0),
    token("DH-SECRET-JWT",
          rf"{L}eyJ[A-Za-z0-9_\-]{{10,800}}\.eyJ[A-Za-z0-9_\-]{{10,8000}}\.[A-Za-z0-9_\-]{{16,800}}"
          rf"{R}", "eyJ", before=4, after=9700, priority=40, check=_jwt_ok, min_entropy=0.0),
    Detector("DH-SECRET-DATABASE-URL",
             rx(r"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
                r"sqlserver|oracle|cockroachdb|clickhouse|rabbitmq|neo4j(?:\+s)?|couchdbs?)"
                r"(?:\+[a-z0-9]{2,20})?://(?P<user>[A-Za-z0-9._%~\-]{0,64}):"
                r"(?P<secret>[^\s:@/'\"`<>{}\[\]]{1,128})@(?P<host>[A-Za-z0-9._\-]{1,253})"),
             keywords=_DB_SCHEMES, before=4, after=480, priority=70, check=_db_password_ok,
             third_party_entropy=3.5),
    token("DH-SECRET-NPM-TOKEN", rf"{L}npm_[A-Za-z0-9]{{36}}{R}", "npm_", prefix=4,
          check=lambda m, v: has_classes(v[4:], 3)),
    token("DH-SECRET-PYPI-TOKEN",
          rf"{L}pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{{50,400}}{R}",
          "pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw", prefix=20, after=440),
    token("DH-SECRET-DOCKERHUB-PAT", rf"{L}dckr_(?:pat|oat)_[A-Za-z0-9_\-]{{27,40}}{R}",
          "dckr_pat_", "dckr_oat_", prefix=9),
    token("DH-SECRET-SHOPIFY-TOKEN", rf"{L}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{{32}}{R}", "shpat_",
          "shpca_", "shppa_", "shpss_", prefix=6),
    named("DH-SECRET-DATADOG-API-KEY",
          r"datadog[\w.\-]{0,20}?(?:key|token)|dd[_\-.]?(?:api|app|application)[_\-.]?key",
          r"[a-f0-9]{40}|[a-f0-9]{32}", "datadog", "dd_api", "dd_app", "dd-api", "dd-app",
          "ddapi", "ddapp", confidence=Confidence.MEDIUM, check=_hex_mixed),
    token("DH-SECRET-NEWRELIC-KEY", rf"{L}NR(?:AK|II|IQ)-[A-Za-z0-9_\-]{{27,32}}{R}", "NRAK-",
          "NRII-", "NRIQ-", prefix=5, check=lambda m, v: has_classes(v[5:])),
    token("DH-SECRET-DOPPLER-TOKEN",
          rf"{L}dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{{1,30}}\.)?"
          rf"[A-Za-z0-9]{{40,44}}{R}", "dp.pt.", "dp.st.",
          "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit.", prefix=6),
    token("DH-SECRET-VAULT-TOKEN", rf"{L}hv[sbr]\.[A-Za-z0-9_\-]{{24,300}}{R}", "hvs.", "hvb.",
          "hvr.", prefix=4, min_entropy=3.5, check=lambda m, v: has_classes(v[4:], 3)),
    token("DH-SECRET-TERRAFORM-CLOUD-TOKEN",
          rf"{L}[A-Za-z0-9]{{14}}\.atlasv1\.[A-Za-z0-9_=\-]{{60,70}}{R}", ".atlasv1.",
          before=16, after=72),
    token("DH-SECRET-DATABRICKS-TOKEN", rf"{L}dapi[a-f0-9]{{32}}(?:-\d)?{R}", "dapi", prefix=4,
          after=40, check=lambda m, v: has_classes(v[4:])),
    token("DH-SECRET-DIGITALOCEAN-TOKEN", rf"{L}do[por]_v1_[a-f0-9]{{64}}{R}", "dop_v1_",
          "doo_v1_", "dor_v1_", prefix=7),
    token("DH-SECRET-LINEAR-API-KEY", rf"{L}lin_api_[A-Za-z0-9]{{40}}{R}", "lin_api_", prefix=8),
    token("DH-SECRET-NOTION-TOKEN",
          rf"{L}(?:ntn_\d{{11}}[A-Za-z0-9]{{35}}|secret_[A-Za-z0-9]{{43}}){R}", "ntn_",
          "secret_", prefix=4, min_entropy=3.5, check=lambda m, v: has_classes(v[7:], 3)),
    token("DH-SECRET-HEROKU-API-KEY", rf"{L}HRKU-[A-Za-z0-9_\-]{{60}}{R}", "HRKU-", prefix=5),
    named("DH-SECRET-HEROKU-API-KEY", r"heroku[\w.\-]{0,20}?(?:key|token|secret)", _UUID,
          "heroku", min_entropy=3.0),
    token("DH-SECRET-SENTRY-AUTH-TOKEN",
          rf"{L}(?:sntrys_eyJ[A-Za-z0-9+/=_\-]{{60,600}}|sntryu_[a-f0-9]{{64}}){R}", "sntrys_",
          "sntryu_", prefix=7, after=700),
    named("DH-SECRET-ALGOLIA-ADMIN-KEY", r"algolia[\w.\-]{0,20}?(?:admin|write|secret)"
          r"[\w.\-]{0,10}?(?:key|token)?", r"[a-f0-9]{32}", "algolia",
          confidence=Confidence.MEDIUM, check=_hex_mixed),
    token("DH-SECRET-GRAFANA-TOKEN",
          rf"{L}(?:glsa_[A-Za-z0-9]{{32}}_[A-Fa-f0-9]{{8}}|glc_eyJ[A-Za-z0-9+/=_\-]{{60,400}}){R}",
          "glsa_", "glc_eyJ", prefix=5, after=420),
    token("DH-SECRET-PULUMI-TOKEN", rf"{L}pul-[a-f0-9]{{40}}{R}", "pul-", prefix=4,
          check=_hex_mixed),
    token("DH-SECRET-POSTMAN-API-KEY", rf"{L}PMAK-[a-f0-9]{{24}}-[a-f0-9]{{34}}{R}", "PMAK-",
          prefix=5),
    token("DH-SECRET-AGE-SECRET-KEY", rf"{L}AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]"
          rf"{{58}}{R}", "AGE-SECRET-KEY-1", prefix=16),
    token("DH-SECRET-CLOUDFLARE-ORIGIN-CA-KEY", rf"{L}v1\.0-[a-f0-9]{{24}}-[a-f0-9]{{146}}{R}",
          "v1.0-", prefix=5),
    token("DH-SECRET-FIGMA-TOKEN", rf"{L}figd_[A-Za-z0-9_\-]{{38,43}}{R}", "figd_", prefix=5),
    token("DH-SECRET-PLANETSCALE-TOKEN",
          rf"{L}pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-\.]{{32,64}}{R}", "pscale_", prefix=7),
    token("DH-SECRET-TAILSCALE-KEY",
          rf"{L}tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{{6,24}}-[A-Za-z0-9]{{20,48}}{R}",
          "tskey-", prefix=6),
)
