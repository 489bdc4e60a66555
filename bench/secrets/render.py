"""Render one corpus file of a given type, with planted items at known lines.

A file is a list of *slots* (usually one item; an AWS key id and its secret form a two-item
slot rendered on adjacent lines) spread between blocks of filler. Each renderer returns the
file text and, for every item, the 1-based first and last line on which its value appears.
Line-based formats count lines while they write; JSON-based ones (plain JSON, notebooks) are
dumped with :mod:`json` and the value is searched for afterwards.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

import filler


@dataclass(frozen=True)
class Item:
    """One planted value: a secret (counted for recall) or a decoy (must stay silent)."""

    kind: str
    value: str
    name: str  # snake_case variable name
    secret: bool
    block: bool = False


Slot = list[Item]
Span = tuple[int, int]


def upper(name: str) -> str:
    return name.upper()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def pascal(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ref(it: Item) -> bool:
    return it.kind == "env-reference"


# --- one item as lines, per line-based format ------------------------------------------------


def py_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f'{it.name} = os.environ["{upper(it.name)}"]']
    if it.block:
        first, *mid, last = it.value.split("\n")
        return [f'{upper(it.name)} = """{first}', *mid, f'{last}"""']
    return [
        rng.choice(
            (
                f'{upper(it.name)} = "{it.value}"',
                f"{it.name} = '{it.value}'",
                f'settings = {{"{it.name}": "{it.value}", "timeout": 30}}',
                f'client = ServiceClient({it.name}="{it.value}")',
            )
        )
    ]


def js_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f"const {camel(it.name)} = process.env.{upper(it.name)};"]
    if it.block:
        first, *mid, last = it.value.split("\n")
        return [f"const {camel(it.name)} = `{first}", *mid, f"{last}`;"]
    return [
        rng.choice(
            (
                f'const {camel(it.name)} = "{it.value}";',
                f"export const {upper(it.name)} = '{it.value}';",
                f'const config = {{ {camel(it.name)}: "{it.value}", retries: 3 }};',
            )
        )
    ]


def ts_item(rng: random.Random, it: Item) -> list[str]:
    if not it.block and not _ref(it) and rng.random() < 0.5:
        return [f'export const {upper(it.name)}: string = "{it.value}";']
    return js_item(rng, it)


def yaml_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f"{it.name}: ${{{upper(it.name)}}}"]
    if it.block:
        return [f"{it.name}: |", *("  " + x for x in it.value.split("\n"))]
    q = rng.choice(('"', "'", ""))
    return [f"{it.name}: {q}{it.value}{q}"]


def env_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f"{upper(it.name)}=${{VAULT_{upper(it.name)}}}"]
    if it.block:
        first, *mid, last = it.value.split("\n")
        return [f'{upper(it.name)}="{first}', *mid, f'{last}"']
    q = rng.choice(('"', ""))
    return [f"{upper(it.name)}={q}{it.value}{q}"]


def properties_item(rng: random.Random, it: Item) -> list[str]:
    key = "app." + it.name.replace("_", ".")
    if _ref(it):
        return [f"{key}=${{{upper(it.name)}}}"]
    return [f"{key}{rng.choice(('=', ' = ', ': '))}{it.value}"]


def tf_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f"  {it.name} = var.{it.name}"]
    if it.block:
        return [f"  {it.name} = <<EOT", *it.value.split("\n"), "EOT"]
    return [f'  {it.name} = "{it.value}"']


def docker_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f"ARG {upper(it.name)}"]
    return [f'{rng.choice(("ENV", "ARG"))} {upper(it.name)}="{it.value}"']


def sh_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return [f'export {upper(it.name)}="${{{upper(it.name)}:?is not set}}"']
    if it.block:
        return [f"cat > /tmp/{it.name}.pem <<'EOF'", *it.value.split("\n"), "EOF"]
    if rng.random() < 0.3 and "://" not in it.value:
        return [f'curl -fsS -H "Authorization: Bearer {it.value}" https://api.internal/v1/ping']
    return [f'export {upper(it.name)}="{it.value}"']


def md_item(rng: random.Random, it: Item) -> list[str]:
    if _ref(it):
        return ["```bash", f'export {upper(it.name)}="$(vault read -field=value kv/app)"', "```"]
    if it.block:
        return ["```", *it.value.split("\n"), "```"]
    if rng.random() < 0.4:
        return [f"Set `{upper(it.name)}` to `{it.value}` before running the job."]
    return ["```bash", f"export {upper(it.name)}={it.value}", "```"]


def xml_item(rng: random.Random, it: Item) -> list[str]:
    val = _xml_escape(it.value)
    if _ref(it):
        return [f'    <add key="{pascal(it.name)}" value="${{env.{upper(it.name)}}}" />']
    if it.block:
        return [f"    <{camel(it.name)}>", *val.split("\n"), f"    </{camel(it.name)}>"]
    if rng.random() < 0.5:
        return [f'    <add key="{pascal(it.name)}" value="{val}" />']
    return [f"    <{camel(it.name)}>{val}</{camel(it.name)}>"]


ItemFn = Callable[[random.Random, Item], list[str]]


@dataclass(frozen=True)
class LineFormat:
    """A line-based file type: header, filler blocks, item rendering, footer."""

    block: Callable[[random.Random], list[str]]
    item: ItemFn
    head: tuple[str, ...] = ()
    foot: tuple[str, ...] = ()


LINE_FORMATS: dict[str, LineFormat] = {
    "py": LineFormat(
        filler.python, py_item, ("import logging", "import os", "", "logger = logging."
                                 "getLogger(__name__)", "", "")
    ),
    "js": LineFormat(filler.javascript, js_item, ("import client from './client.js';", "")),
    "ts": LineFormat(filler.typescript, ts_item, ("import { client } from './client';", "")),
    "yaml": LineFormat(filler.yaml, yaml_item, ("# generated by deploy tooling", "")),
    "env": LineFormat(filler.dotenv, env_item),
    "properties": LineFormat(filler.properties, properties_item),
    "tf": LineFormat(
        filler.terraform, tf_item, ('provider "aws" {', '  region = "eu-west-1"', "}", "")
    ),
    "dockerfile": LineFormat(
        filler.dockerfile, docker_item, ("FROM python:3.11-slim", "WORKDIR /srv/app")
    ),
    "sh": LineFormat(filler.shell, sh_item, ("#!/usr/bin/env bash", "set -euo pipefail", "")),
    "md": LineFormat(filler.markdown, md_item, ("# Runbook", "")),
    "xml": LineFormat(
        filler.xml, xml_item, ('<?xml version="1.0" encoding="UTF-8"?>', "<project>",
                               "  <dependencies>"), ("  </dependencies>", "</project>")
    ),
}


def render_lines(
    fmt: LineFormat, rng: random.Random, slots: list[Slot], n_blocks: int
) -> tuple[str, list[Span]]:
    """Write ``n_blocks`` filler blocks with the slots spread between them."""
    lines = list(fmt.head)
    where = sorted(rng.sample(range(n_blocks + 1), k=min(len(slots), n_blocks + 1)))
    while len(where) < len(slots):
        where.append(n_blocks)
    spans: list[Span] = []
    si = 0
    for b in range(n_blocks + 1):
        while si < len(slots) and where[si] == b:
            for it in slots[si]:
                out = fmt.item(rng, it)
                # the value's own lines: for a block, the line carrying BEGIN .. the one with END
                start = len(lines) + 1
                lines.extend(out)
                spans.append(_span_in(lines, start, len(lines), it))
            lines.append("")
            si += 1
        if b < n_blocks:
            lines.extend(fmt.block(rng))
    lines.extend(fmt.foot)
    return "\n".join(lines) + "\n", spans


def _span_in(lines: list[str], start: int, end: int, it: Item) -> Span:
    """1-based lines within [start, end] where the item's value begins and ends."""
    if not it.block:
        return (start, start) if start == end else _find(lines, it, start, end)
    first, last = it.value.split("\n")[0], it.value.split("\n")[-1]
    s = next(i for i in range(start, end + 1) if _xml_escape(first) in lines[i - 1]
             or first in lines[i - 1])
    e = next(i for i in range(end, start - 1, -1) if last in lines[i - 1])
    return s, e


def _find(lines: list[str], it: Item, start: int, end: int) -> Span:
    for i in range(start, end + 1):
        if it.value in lines[i - 1] or _xml_escape(it.value) in lines[i - 1]:
            return i, i
    return start, start  # references and the like: the first line of the rendering


# --- JSON-based formats -----------------------------------------------------------------------


def search_spans(text: str, items: list[Item]) -> list[Span]:
    """Locate each item's value in rendered text (JSON-escaped or not)."""
    lines = text.split("\n")
    spans: list[Span] = []
    for it in items:
        parts = it.value.split("\n")
        probes_first = {parts[0], json.dumps(parts[0])[1:-1]}
        probes_last = {parts[-1], json.dumps(parts[-1])[1:-1]}
        start = next(
            (i + 1 for i, ln in enumerate(lines) if any(p in ln for p in probes_first)), 0
        )
        if len(parts) > 1:  # header lines repeat: anchor on the first random body line
            body = parts[1]
            b = next((i + 1 for i, ln in enumerate(lines) if body in ln), start)
            start = b - 1 if b > 1 and parts[0] in lines[b - 2] else b
        end = start
        if len(parts) > 1:
            end = next((i + 1 for i in range(start - 1, len(lines))
                        if any(p in lines[i] for p in probes_last)), start)
        spans.append((start, end))
    return spans


def _json_name(rng: random.Random, name: str) -> str:
    return camel(name) if rng.random() < 0.5 else name


def render_json(rng: random.Random, slots: list[Slot], n_blocks: int) -> tuple[str, list[Span]]:
    """A configuration JSON document with the items as string members of nested objects."""
    doc: dict[str, object] = {f"{filler.NOUNS[i % len(filler.NOUNS)]}_{i}": filler.json_value(rng)
                              for i in range(max(n_blocks, 1))}
    sections = [v for v in doc.values() if isinstance(v, dict)] or [doc]
    for slot in slots:
        target = rng.choice(sections)
        for it in slot:
            key = _json_name(rng, it.name)
            while key in target:
                key += "_2"
            target[key] = "${" + upper(it.name) + "}" if _ref(it) else it.value
        # a plain member after each slot keeps two slots in one object off adjacent lines
        target[f"{rng.choice(filler.NOUNS)}_limit_{len(target)}"] = rng.randint(1, 999)
    text = json.dumps(doc, indent=2) + "\n"
    return text, search_spans(text, [it for s in slots for it in s])


def render_notebook(
    rng: random.Random, slots: list[Slot], n_blocks: int
) -> tuple[str, list[Span]]:
    """A Jupyter notebook (nbformat 4); items sit in code cells, some in printed output."""
    cells: list[dict[str, object]] = []
    for _ in range(n_blocks):
        if rng.random() < 0.3:
            cells.append({"cell_type": "markdown", "metadata": {},
                          "source": [filler.sentence(rng)]})
        else:
            cells.append(_code_cell(filler.notebook_code(rng)))
    for slot in slots:
        src: list[str] = []
        for it in slot:
            if _ref(it):
                src.append(f'{it.name} = os.environ["{upper(it.name)}"]')
            elif it.block:
                first, *mid, last = it.value.split("\n")
                src += [f'{it.name} = """{first}', *mid, f'{last}"""']
            else:
                src.append(f'{it.name} = "{it.value}"')
        cell = _code_cell(src)
        if not slot[0].block and not _ref(slot[0]) and rng.random() < 0.2:
            cell["source"] = [f"print(client.{slot[0].name})"]
            cell["outputs"] = [{"name": "stdout", "output_type": "stream",
                                "text": [slot[0].value + "\n"]}]
        cells.insert(rng.randrange(len(cells) + 1), cell)
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                      "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1) + "\n"
    return text, search_spans(text, [it for s in slots for it in s])


def _code_cell(src: list[str]) -> dict[str, object]:
    lines = [ln + "\n" for ln in src[:-1]] + src[-1:]
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": lines}


def render_minified(rng: random.Random, slots: list[Slot], n_chunks: int) -> tuple[str, list[Span]]:
    """A one-line minified bundle; items are string properties of small object literals."""
    chunks = [filler.minified(rng) for _ in range(n_chunks)]
    for slot in slots:
        for it in slot:
            if _ref(it):
                piece = f"var {camel(it.name)}=process.env.{upper(it.name)};"
            else:
                piece = f"var Q={{{camel(it.name)}:{json.dumps(it.value)}}};"
            chunks.insert(rng.randrange(len(chunks) + 1), piece)
    text = "!function(){" + "".join(chunks) + "}();\n"
    return text, [(1, 1) for s in slots for _ in s]


def render_package_lock(rng: random.Random, n_pkgs: int, integrity: list[str]) -> str:
    """An npm lockfile whose integrity fields are the given (decoy) hashes."""
    packages: dict[str, object] = {"": {"name": "web-app", "version": "1.0.0"}}
    for i in range(n_pkgs):
        name = f"{filler.NOUNS[i % len(filler.NOUNS)]}-{filler.VERBS[i % len(filler.VERBS)]}{i}"
        ver = f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        packages[f"node_modules/{name}"] = {
            "version": ver,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{ver}.tgz",
            "integrity": integrity[i],
            "dev": rng.random() < 0.3,
        }
    doc = {"name": "web-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
           "packages": packages}
    return json.dumps(doc, indent=2) + "\n"
