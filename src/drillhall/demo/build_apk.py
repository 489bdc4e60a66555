"""Build the demo's Android app: ``demo/assets/mobile/docs-assistant.apk``.

The APK is the (fake) companion app of the demo's internal documentation assistant. Like
many first mobile clients of an LLM service it calls the provider directly and carries the
provider key in its code: the DEX string table holds, among ordinary class, method and URL
strings, ONE OpenAI-style project API key.

**The key is fake.** It is planted on purpose so that ``drillhall demo`` has an embedded
credential for the secrets drill to find. It is generated here from a fixed seed
(``random.Random``), has the real format (``sk-proj-`` … ``T3BlbkFJ`` …) so that the drill's
ordinary rule matches it, and is not, and never was, valid with any provider. It exists only
inside the APK (in the deflated ``classes.dex``); no file of the repository holds it in
clear. ``res/values/strings.xml`` holds the app name and labels only.

Run ``python -m drillhall.demo.build_apk`` to rebuild; the output is byte-for-byte the same
each time.
"""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

from drillhall.testing.android import build_apk

OUTPUT = Path(__file__).parent / "assets" / "mobile" / "docs-assistant.apk"
PACKAGE = "com.example.docsassistant"
SEED = 20240917
_ALPHABET = string.ascii_letters + string.digits + "-_"
_TRIPLE = re.compile(r"(.)\1\1")


def planted_key(seed: int = SEED) -> str:
    """The fake OpenAI project key planted in the demo APK (see the module docstring)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible, deliberately not a real secret
    while True:
        head = "".join(rng.choice(_ALPHABET) for _ in range(74))
        tail = "".join(rng.choice(_ALPHABET) for _ in range(74))
        body = head + "T3Blbk" + "FJ" + tail
        low = body.lower()
        if "example" in low or "xx" in low or _TRIPLE.search(body) or "--" in body \
                or "__" in body:
            continue
        return "sk-" + "proj-" + body


def dex_strings(key: str) -> list[str]:
    """The string table of the app's ``classes.dex``: what a small Kotlin client compiles to."""
    cls = "Lcom/example/docsassistant/"
    return [
        f"{cls}ApiClient;", f"{cls}ApiClient$Companion;", f"{cls}MainActivity;",
        f"{cls}ChatRepository;", f"{cls}BuildConfig;", f"{cls}R$string;",
        "Landroid/app/Activity;", "Landroid/os/Bundle;", "Ljava/lang/String;",
        "Ljava/lang/Object;", "Lokhttp3/OkHttpClient;", "Lokhttp3/Request$Builder;",
        "Lokhttp3/MediaType;", "Lorg/json/JSONObject;", "Lorg/json/JSONArray;",
        "V", "VL", "LL", "<init>", "onCreate", "sendMessage", "buildRequest", "header",
        "post", "url", "build", "execute", "getString", "toString",
        "https://api.openai.com/v1/chat/completions", "gpt-4o-mini", "application/json",
        "Authorization", "Bearer ", "Content-Type", "model", "messages", "role", "user",
        "content", "system", "You answer questions about the internal engineering docs.",
        "API_KEY", key, "DocsAssistant", "ApiClient.kt", "MainActivity.kt",
    ]


def build(path: Path = OUTPUT) -> Path:
    """Write the demo APK to ``path`` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    build_apk(
        path,
        dex_strings=dex_strings(planted_key()),
        manifest_attrs={"android:versionCode": 7, "android:versionName": "1.3.0",
                        "package": PACKAGE},
        permissions=["android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE"],
        app_strings={"app_name": "Docs Assistant", "hint_question": "Ask about the docs…",
                     "action_send": "Send", "error_offline": "You are offline."},
        application_attrs={"android:label": "Docs Assistant", "android:allowBackup": True,
                           "android:name": "com.example.docsassistant.App"},
    )
    return path


def main() -> int:
    """Entry point of ``python -m drillhall.demo.build_apk``."""
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
