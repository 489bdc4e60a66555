"""Generate the demo service's planted credentials: ``assets/.env`` and the web bundle.

The demo service ships two files with embedded keys for the secrets drill to find:

* ``.env`` — the service's environment file, with an AWS access key pair;
* ``web/static/app.min.js`` — the chat widget's minified one-line bundle, with a Google API
  key in its config object.

The keys are FAKE: random characters in the real formats, generated deterministically from
:data:`SEED`, so the files can be rebuilt byte for byte::

    python -m drillhall.demo.build_assets

This module never contains a key; it only builds them at run time.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from pathlib import Path

from drillhall.demo import assets_dir
from drillhall.demo.widget_js import WIDGET_TEMPLATE

SEED = 7_302_115
_BASE32 = string.ascii_uppercase + "234567"
_BASE64 = string.ascii_letters + string.digits + "/+"
_URLSAFE = string.ascii_letters + string.digits + "_-"


@dataclass(frozen=True, slots=True)
class PlantedKeys:
    """The fake key values written into the assets."""

    aws_access_key_id: str
    aws_secret_access_key: str
    google_api_key: str
    firebase_sender_id: str
    firebase_app_id: str


def _random_text(rng: random.Random, alphabet: str, length: int) -> str:
    """Random characters that look random: no run of three equal characters, no 'EXAMPLE'."""
    while True:
        text = "".join(rng.choice(alphabet) for _ in range(length))
        runs = any(text[i] == text[i + 1] == text[i + 2] for i in range(length - 2))
        if not runs and "example" not in text.lower() and "xxx" not in text.lower():
            return text


def make_keys(seed: int = SEED) -> PlantedKeys:
    """Generate the fake keys deterministically from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake values, not real secrets
    access_key_id = "AKIA" + _random_text(rng, _BASE32, 16)
    secret = _random_text(rng, _BASE64, 40)
    google = "AIza" + _random_text(rng, _URLSAFE, 35)
    sender = str(rng.randrange(10**11, 10**12))
    app_id = f"1:{sender}:web:{_random_text(rng, '0123456789abcdef', 22)}"
    return PlantedKeys(access_key_id, secret, google, sender, app_id)


def render_env(keys: PlantedKeys) -> str:
    """The service's ``.env`` file."""
    return (
        "# docs-assistant service environment\n"
        "APP_NAME=docs-assistant\n"
        "APP_ENV=production\n"
        "LOG_LEVEL=info\n"
        "PORT=8080\n"
        "OPENAI_BASE_URL=http://127.0.0.1:8080/v1\n"
        "OPENAI_MODEL=docs-assistant-1\n"
        "DOCS_DIR=./docs\n"
        "SYSTEM_PROMPT_FILE=./system_prompt.txt\n"
        "TRIAGE_TRAINING_DATA=./data/tickets.csv\n"
        "\n"
        "# transcripts are archived to S3 nightly\n"
        "AWS_REGION=eu-west-1\n"
        "S3_TRANSCRIPTS_BUCKET=tidewater-docs-assistant-transcripts\n"
        f"AWS_ACCESS_KEY_ID={keys.aws_access_key_id}\n"
        f"AWS_SECRET_ACCESS_KEY={keys.aws_secret_access_key}\n"
    )


def render_widget(keys: PlantedKeys) -> str:
    """The chat widget's minified bundle: a banner comment, then one line of code."""
    code = WIDGET_TEMPLATE.replace("@API_KEY@", keys.google_api_key)
    code = code.replace("@SENDER_ID@", keys.firebase_sender_id)
    code = code.replace("@APP_ID@", keys.firebase_app_id)
    return code + "\n"


def write_assets(root: Path | None = None, *, seed: int = SEED) -> list[Path]:
    """Write ``.env`` and ``web/static/app.min.js`` under ``root`` (default: the package's
    assets) and return their paths."""
    base = root or assets_dir()
    keys = make_keys(seed)
    env = base / ".env"
    widget = base / "web" / "static" / "app.min.js"
    widget.parent.mkdir(parents=True, exist_ok=True)
    env.write_text(render_env(keys), encoding="utf-8")
    widget.write_text(render_widget(keys), encoding="utf-8")
    return [env, widget]


if __name__ == "__main__":
    write_assets()
