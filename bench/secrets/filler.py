"""Ordinary, secret-free file content for the planted corpus, one block at a time.

Each function returns a few lines of plausible code, configuration or prose in one file type,
built from word lists with a seeded :class:`random.Random`. Blocks carry no credentials and
no high-entropy strings, so every finding a tool reports in them is a false positive.
"""

from __future__ import annotations

import random

NOUNS = [
    "order", "invoice", "account", "customer", "ticket", "label", "sample", "batch", "feature",
    "vector", "score", "model", "report", "shipment", "product", "review", "session", "event",
    "metric", "queue", "worker", "job", "schedule", "route", "payload", "record", "dataset",
    "partition", "shard", "snapshot", "region", "cluster", "node", "policy", "rule", "alert",
]
VERBS = [
    "load", "fetch", "parse", "build", "render", "compute", "update", "validate", "collect",
    "merge", "filter", "sort", "normalize", "publish", "schedule", "retry", "resolve", "enrich",
    "export", "import", "score", "train", "predict",
]
ADJ = [
    "active", "pending", "stale", "primary", "remote", "local", "cached", "default", "nightly",
    "hourly",
]
PROSE = [
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
    "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "the",
    "service", "reads", "each", "record", "from", "the", "queue", "and", "writes", "a", "summary",
    "to", "the", "warehouse", "before", "the", "nightly", "job", "compacts", "partitions", "for",
    "the", "model",
]


def _w(rng: random.Random) -> str:
    return rng.choice(NOUNS)


def _fn(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"


def _camel(rng: random.Random) -> str:
    return rng.choice(VERBS) + rng.choice(NOUNS).capitalize()


def sentence(rng: random.Random, lo: int = 8, hi: int = 18) -> str:
    """A lowercase sentence of prose words, capitalised, with a full stop."""
    words = [rng.choice(PROSE) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def python(rng: random.Random) -> list[str]:
    a, b, noun = _w(rng), _w(rng), _w(rng)
    if rng.random() < 0.25:
        return [
            f"class {noun.capitalize()}{rng.choice(ADJ).capitalize()}:",
            f'    """{sentence(rng)}"""',
            "",
            f"    def __init__(self, {a}, limit={rng.randint(1, 500)}):",
            f"        self.{a} = {a}",
            "        self.limit = limit",
            "",
            f"    def {_fn(rng)}(self):",
            f"        return [x for x in self.{a} if x.{rng.choice(ADJ)}][: self.limit]",
            "",
            "",
        ]
    return [
        f"def {_fn(rng)}({a}, {b}=None):",
        f'    """{sentence(rng)}"""',
        f'    result = {a}.get("{noun}", {rng.randint(0, 100)})',
        f"    if {b} is not None:",
        f"        result += len({b})",
        f"    for item in {a}.values():",
        f'        logger.debug("{rng.choice(VERBS)} %s", item)',
        f"    return result * {rng.randint(2, 9)}",
        "",
        "",
    ]


def javascript(rng: random.Random) -> list[str]:
    a, noun = _w(rng), _w(rng)
    return [
        f"export async function {_camel(rng)}({a}, options = {{}}) {{",
        f"  const {noun}s = await client.get(`/api/v{rng.randint(1, 3)}/{noun}s/${{{a}.id}}`);",
        f"  if (!{noun}s.length) {{",
        f"    return {{ status: '{rng.choice(ADJ)}', count: 0 }};",
        "  }",
        f"  return {noun}s.filter((x) => x.{rng.choice(ADJ)}).slice(0, options.limit || "
        f"{rng.randint(5, 50)});",
        "}",
        "",
    ]


def typescript(rng: random.Random) -> list[str]:
    noun = _w(rng).capitalize()
    return [
        f"export interface {noun}{rng.choice(ADJ).capitalize()} {{",
        "  id: string;",
        f"  {_w(rng)}: number;",
        f"  {_w(rng)}?: string[];",
        "}",
        "",
        f"export function {_camel(rng)}(items: {noun}[]): number {{",
        f"  return items.reduce((acc, it) => acc + it.{_w(rng)}Count, {rng.randint(0, 9)});",
        "}",
        "",
    ]


def yaml(rng: random.Random) -> list[str]:
    noun = _w(rng)
    return [
        f"{noun}_{rng.choice(VERBS)}:",
        f"  enabled: {rng.choice(('true', 'false'))}",
        f"  replicas: {rng.randint(1, 12)}",
        f"  schedule: \"{rng.randint(0, 59)} {rng.randint(0, 23)} * * *\"",
        f"  image: registry.internal/{noun}-{rng.choice(VERBS)}:{rng.randint(1, 9)}."
        f"{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        "  labels:",
        f"    team: {_w(rng)}",
        f"    tier: {rng.choice(ADJ)}",
    ]


def dotenv(rng: random.Random) -> list[str]:
    noun = _w(rng).upper()
    return [
        f"# {sentence(rng, 4, 8)}",
        f"{noun}_PORT={rng.randint(1024, 9999)}",
        f"{noun}_LOG_LEVEL={rng.choice(('info', 'debug', 'warning'))}",
        f"{noun}_ENABLED={rng.choice(('true', 'false'))}",
        f"{noun}_HOST={_w(rng)}.{rng.choice(ADJ)}.internal",
    ]


def properties(rng: random.Random) -> list[str]:
    noun = _w(rng)
    return [
        f"# {sentence(rng, 4, 8)}",
        f"app.{noun}.pool.size={rng.randint(2, 64)}",
        f"app.{noun}.timeout.ms={rng.randint(100, 30000)}",
        f"app.{noun}.endpoint=https://{_w(rng)}.{rng.choice(ADJ)}.internal/api",
        f"logging.level.{noun}={rng.choice(('INFO', 'DEBUG', 'WARN'))}",
    ]


def terraform(rng: random.Random) -> list[str]:
    noun = _w(rng)
    return [
        f'resource "aws_s3_bucket" "{noun}_{rng.choice(ADJ)}" {{',
        f'  bucket = "{noun}-{rng.choice(VERBS)}-{rng.randint(100, 999)}"',
        "  tags = {",
        f'    Team = "{_w(rng)}"',
        f'    Env  = "{rng.choice(("prod", "stage", "dev"))}"',
        "  }",
        "}",
        "",
    ]


def dockerfile(rng: random.Random) -> list[str]:
    return [
        f"RUN apt-get update && apt-get install -y --no-install-recommends {_w(rng)}-tools \\",
        "    && rm -rf /var/lib/apt/lists/*",
        f"COPY {_w(rng)}/ /srv/{_w(rng)}/",
        f"ENV {_w(rng).upper()}_WORKERS={rng.randint(1, 16)}",
    ]


def shell(rng: random.Random) -> list[str]:
    fn = _fn(rng)
    return [
        f"{fn}() {{",
        f'  local target="${{1:-{_w(rng)}}}"',
        f'  echo "{rng.choice(VERBS)} ${{target}}"',
        '  if [ -d "/srv/${target}" ]; then',
        f'    find "/srv/${{target}}" -name "*.{rng.choice(("log", "tmp", "json"))}" -mtime '
        f"+{rng.randint(1, 30)} -delete",
        "  fi",
        "}",
        "",
    ]


def markdown(rng: random.Random) -> list[str]:
    lines = [f"## {rng.choice(VERBS).capitalize()} the {_w(rng)}", ""]
    lines += [" ".join(sentence(rng) for _ in range(rng.randint(2, 4))), ""]
    if rng.random() < 0.3:
        lines += ["```bash", f"make {_fn(rng)} TARGET={_w(rng)}", "```", ""]
    return lines


def xml(rng: random.Random) -> list[str]:
    noun = _w(rng)
    return [
        "    <dependency>",
        f"      <groupId>org.{_w(rng)}</groupId>",
        f"      <artifactId>{noun}-{rng.choice(VERBS)}</artifactId>",
        f"      <version>{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}</version>",
        "    </dependency>",
    ]


def minified(rng: random.Random) -> str:
    """One chunk of a minified bundle (no newline)."""
    v = "abcdefghijklmnopqrstuvwxyz"
    a, b, c = rng.choice(v), rng.choice(v), rng.choice(v)
    return rng.choice(
        (
            f"function {a}{b}({c}){{return {c}.map(function(e){{return e.{_w(rng)}}})}}",
            f"var {a}{c}={{{_w(rng)}:{rng.randint(0, 999)},{_w(rng)}:\"{rng.choice(ADJ)}\"}};",
            f"{a}.prototype.{_camel(rng)}=function({b},{c}){{this._{_w(rng)}={b}||{c}}};",
            f"if({a}&&{a}.{_w(rng)}){{{b}.push(\"{_w(rng)}-{rng.choice(VERBS)}\")}}",
            f"const {a}{b}{c}=\"{sentence(rng, 3, 7)}\";",
        )
    )


def json_value(rng: random.Random, depth: int = 0) -> object:
    """A nested configuration-like value."""
    if depth >= 2 or rng.random() < 0.3:
        return rng.choice(
            (rng.randint(0, 5000), rng.choice(ADJ), rng.random() < 0.5, f"{_w(rng)}-{_w(rng)}")
        )
    if rng.random() < 0.3:
        return [json_value(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    return {f"{_w(rng)}_{i}": json_value(rng, depth + 1) for i in range(rng.randint(2, 5))}


def notebook_code(rng: random.Random) -> list[str]:
    df = _w(rng)
    return [
        f"{df} = pd.read_parquet(\"data/{_w(rng)}.parquet\")",
        f"{df} = {df}[{df}[\"{_w(rng)}\"] > {rng.randint(0, 100)}]",
        f"{df}.groupby(\"{_w(rng)}\").agg({{\"{_w(rng)}\": \"mean\"}}).head()",
    ]


BLOCKS = {
    "py": python,
    "js": javascript,
    "ts": typescript,
    "yaml": yaml,
    "env": dotenv,
    "properties": properties,
    "tf": terraform,
    "dockerfile": dockerfile,
    "sh": shell,
    "md": markdown,
    "xml": xml,
}
