"""The generic rule: a random-looking value assigned to a key-like name.

It looks at assignments in code, ``.env``, INI, YAML and JSON (``api_key = "…"``,
``"client_secret": "…"``, ``PASSWORD=…``) and keeps a value only when the name says *secret* and
the value looks random. Names that say the value is something else (``sha256``, ``checksum``,
``integrity``, ``…_url``, ``…_path``, ``pad_token`` …) and values that are hashes, UUIDs,
images, versions, paths, URLs, identifiers or template placeholders are left alone, and the
rule does not look inside installed third-party packages.
"""

from __future__ import annotations

import re

from drillhall.core.model import Confidence, Severity
from drillhall.ml.secrets.detectors import Detector, RuleSpec, has_classes, rule, rx
from drillhall.ml.secrets.placeholders import is_weak_password, shannon_entropy

RULE_ID = "DH-SECRET-GENERIC"

SPECS: tuple[RuleSpec, ...] = (
    rule(RULE_ID, "Secret assigned to a key-like name",
         "A high-entropy value assigned to a name such as api_key, secret, token, password or "
         "client_secret in code or configuration.",
         "If it is a credential, revoke it, move it to a secret store or environment "
         "variable, and remove it from history; if it is not, add `# drillhall:allow` or an "
         "allowlist entry with the reason.", Severity.HIGH, confidence=Confidence.MEDIUM),
)

KEYWORDS = (
    "api_key", "apikey", "api-key", "secret", "token", "passw", "pwd", "credential",
    "private_key", "privatekey", "private-key", "access_key", "accesskey", "access-key",
    "auth_key", "authkey", "signing_key", "encryption_key", "master_key", "api.key",
    "access.key", "private.key",
)

_SECRET_NAME = re.compile(
    r"api_?key|secret|token|passw|pwd|credential|private_?key|access_?key|auth_?key"
    r"|signing_?key|encryption_?key|master_?key"
)
_PASSWORD_NAME = re.compile(r"passw|pwd")
_NOT_SECRET_PARTS = frozenset({
    "id", "ids", "url", "urls", "uri", "endpoint", "path", "paths", "file", "filename", "dir",
    "name", "names", "type", "types", "len", "length", "size", "count", "field", "fields",
    "header", "headers", "prefix", "suffix", "env", "var", "format", "pattern", "regex", "re",
    "class", "kind", "mode", "method", "version", "timeout", "ttl", "expiry", "expires",
    "expiration", "limit", "max", "min", "location", "label", "placeholder", "hint", "help",
    "message", "msg", "error", "description", "desc", "doc", "title", "text", "param", "arg",
    "attr", "column", "col", "index", "idx", "position", "pos", "host", "port", "scope",
    "scopes", "provider", "store", "manager", "cache", "policy", "rotation", "lifetime", "age",
    "separator", "delimiter", "encoding", "algorithm", "alg", "enabled", "required", "mask",
    "display", "ref", "arn", "parameter", "setting", "option", "style", "color", "icon",
    "image", "template", "schema", "example", "sample", "default", "public", "pub",
})
_HASH_WORDS = re.compile(
    r"sha\d{0,3}|md5|hash|checksum|digest|integrity|fingerprint|etag|crc|nonce|salt|uuid|guid"
    r"|tokeniz|(?:bos|eos|pad|unk|mask|cls|sep|sot|eot|start|end|special|image|audio|video|"
    r"vision|boi|eoi|bot|eom|think)_token|token_(?:type|count|usage|ids?|len|limit|budget)"
    r"|max_tokens|num_tokens|n_tokens|tokens_per|csrf|xsrf"
)

# Base64 of binary formats (data URIs, PNG, JPEG, GIF, WebP, SVG, BMP, ICO, WebAssembly, PDF,
# gzip) and subresource-integrity hashes.
_BASE64_IMAGE = ("data:", "iVBORw0KGgo", "/9j/", "R0lGOD", "UklGR", "PHN2Zy", "Qk0", "AAABAA",
                 "AGFzbQ", "JVBERi0", "H4sI", "sha1-", "sha256-", "sha384-", "sha512-", "md5-")
_VERSION = re.compile(r"v?\d{1,6}(?:[._\-]\d{1,6}){1,4}(?:[.\-+]?[A-Za-z]{1,10}\d{0,4})?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_PATH_EXT = re.compile(r"\.(?:[a-z]{1,4}|json|yaml|toml|html|conf)$")
_IDENTIFIER = re.compile(
    r"[A-Za-z][a-z]*\d{0,2}(?:[_.\-:/][A-Za-z][A-Za-z]*\d{0,2}){1,12}"
    r"|[a-z]{2,}(?:[A-Z][a-z]{1,}){1,8}\d{0,3}|(?:[A-Z][a-z]{1,}){2,8}\d{0,3}"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){1,8}|[a-z]{1,30}"
)
_HOST_OR_EMAIL = re.compile(r"(?:[\w.+\-]{1,64}@)?[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,6}")
_CODEISH = frozenset("(){}[]<>$%\\ ,;")
_HEX = re.compile(r"[0-9a-fA-F]+")


def _words(name: str) -> list[str]:
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return [w for w in re.split(r"[_.\-\[\]'\"]+", snake) if w]


def name_is_secret(name: str) -> tuple[bool, bool, bool]:
    """Whether ``name`` names a secret, whether a password, and whether it says more than
    *token* (``secret``, ``api_key``, ``password`` …)."""
    words = _words(name)
    if not words:
        return False, False, False
    norm = "_".join(words)
    if not _SECRET_NAME.search(norm) or _HASH_WORDS.search(norm):
        return False, False, False
    if words[-1] in _NOT_SECRET_PARTS:
        return False, False, False
    strong = bool(_SECRET_NAME.search(norm.replace("token", "")))
    return True, bool(_PASSWORD_NAME.search(norm)), strong


def value_is_random(value: str, *, password: bool, strong: bool = True) -> bool:
    """Whether an assigned value looks like a credential rather than ordinary data."""
    if any(c in _CODEISH for c in value) or "://" in value:
        return False
    if value.startswith(_BASE64_IMAGE) or value.startswith(("/", "./", "../", "~/")):
        return False
    if value.isdigit() or _VERSION.fullmatch(value) or _UUID.fullmatch(value):
        return False
    if _IDENTIFIER.fullmatch(value) or _HOST_OR_EMAIL.fullmatch(value):
        return False
    if "/" in value and _PATH_EXT.search(value):
        return False
    entropy = shannon_entropy(value)
    if password:
        return (len(value) >= 8 and not is_weak_password(value) and has_classes(value, 2)
                and not value.isalpha() and entropy >= 2.8)
    if len(value) < 16 or not has_classes(value, 2):
        return False
    if _HEX.fullmatch(value):
        # hex "tokens" are mostly ids, nonces and idempotency keys; hex secrets need a name
        # that says secret, key or password
        return len(value) >= 20 and entropy >= 3.0 and strong
    return entropy >= 3.5


def _check(m: re.Match[str], value: str) -> bool:
    is_secret, is_password, strong = name_is_secret(m.group("name"))
    return is_secret and value_is_random(value, password=is_password, strong=strong)


def _check_bearer(m: re.Match[str], value: str) -> bool:
    return value_is_random(value, password=False, strong=False)


def _check_line_end(m: re.Match[str], value: str) -> bool:
    end, text = m.end(), m.string
    return (end == len(text) or text[end] in "\r\n") and _check(m, value)


# Source files, where a value is quoted: an unquoted right-hand side is code, not a secret.
_CODE_SUFFIXES = (".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt",
                  ".go", ".rb", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".rs",
                  ".php", ".scala", ".dart", ".lua", ".r", ".jl", ".m", ".pyx", ".pxd")

_NAME = r"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,60})"

DETECTORS: tuple[Detector, ...] = (
    Detector(
        RULE_ID,
        rx(rf"(?<![A-Za-z0-9_.\-]){_NAME}\\?['\"\]]?(?:\s{{0,4}}:\s{{0,4}}[A-Za-z][\w.]{{0,30}})?"
           r"\s{0,4}(?:=|:|:=|=>|->|<-|\?=|\|\|=)\s{0,4}(?:[rbuRBU]{1,2})?\\?(?P<q>['\"`])"
           r"(?P<secret>[^'\"`\s\\]{8,256})\\?(?P=q)"),
        keywords=KEYWORDS, before=64, after=300, priority=10,
        confidence=Confidence.MEDIUM, check=_check, third_party=False,
    ),
    Detector(
        RULE_ID,
        rx(rf"(?m)^[ \t]{{0,16}}(?:export[ \t]{{1,4}}|-[ \t]{{1,4}})?{_NAME}[ \t]{{0,4}}[=:]"
           r"[ \t]{0,4}(?P<secret>[^\s'\"`#(){}\[\]<>,;]{8,256})[ \t]{0,8}"),
        keywords=KEYWORDS, before=80, after=300, priority=10,
        confidence=Confidence.MEDIUM, check=_check_line_end, third_party=False,
        skip_suffixes=_CODE_SUFFIXES,
    ),
    Detector(
        RULE_ID,
        rx(r"(?i:authorization|auth)['\"]?\s{0,4}[:=]\s{0,4}['\"]?(?i:bearer|token)\s{1,4}"
           r"(?P<secret>[A-Za-z0-9._~+/\-]{16,512}={0,2})(?![A-Za-z0-9._~+/=\-])"),
        keywords=("bearer",), case_keywords=("Token ",), before=40, after=540, priority=10,
        confidence=Confidence.MEDIUM, check=_check_bearer, third_party=False,
    ),
    Detector(
        RULE_ID,
        rx(rf"key\s{{0,2}}=\s{{0,2}}\"{_NAME}\"\s{{1,4}}value\s{{0,2}}=\s{{0,2}}\""
           r"(?P<secret>[^\"\s<>]{8,256})\""),
        keywords=KEYWORDS, before=64, after=300, priority=10,
        confidence=Confidence.MEDIUM, check=_check, third_party=False,
    ),
    Detector(
        RULE_ID,
        rx(rf"<{_NAME}(?:\s{{1,4}}[\w:\-]{{1,30}}=\"[^\"<>]{{0,60}}\"){{0,3}}\s{{0,4}}>\s{{0,4}}"
           r"(?P<secret>[^\s<>'\"`]{8,256})\s{0,4}</(?P=name)>"),
        keywords=KEYWORDS, before=64, after=300, priority=10,
        confidence=Confidence.MEDIUM, check=_check, third_party=False,
    ),
)
