"""Generate the planted secrets corpus and its ground truth, deterministically.

    python bench/secrets/corpus.py OUT_DIR [--seed 7] [--files 2000] [--secrets 400]

writes a tree of source, configuration, notebook and documentation files (and a few zip
archives) under OUT_DIR, with fake credentials planted at known lines, decoys that must not be
reported, and ``truth.json`` next to OUT_DIR (in its parent) listing every plant:

    {"seed": 7, "files": 2000, "bytes": ..., "secrets": [{"id": "s0001", "kind": "npm-token",
     "file": "svc/app/config.py", "line": 12, "start": 12, "end": 12, "type": "py",
     "archive": false}, ...], "decoys": [{"kind": "uuid", "file": ..., "line": ...}, ...]}

Paths are relative to OUT_DIR; a member of an archive is written ``bundle.zip!/member``.
The truth file holds no secret values. The same seed always gives byte-identical output.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fakes
import filler
import render
from render import Item, Slot, Span

# file type -> share of the corpus (out of 2000 files)
MIX = {
    "py": 500, "js": 200, "min.js": 24, "ts": 200, "json": 180, "lock": 12, "sa": 8,
    "yaml": 200, "env": 60, "properties": 60, "ipynb": 80, "tf": 80, "dockerfile": 50,
    "sh": 100, "md": 150, "xml": 80, "pem": 14, "zip": 4,
}
EXT = {"py": ".py", "js": ".js", "min.js": ".min.js", "ts": ".ts", "json": ".json",
       "yaml": ".yaml", "properties": ".properties", "ipynb": ".ipynb", "tf": ".tf",
       "sh": ".sh", "md": ".md", "xml": ".xml", "zip": ".zip"}
NO_BLOCK = {"properties", "dockerfile"}
SELF_NAMED = {"aws-secret-access-key", "generic-api-key", "generic-password"}
EXTRA = {"generic-api-key": 12, "generic-password": 6}
ZIP_MEMBER_TYPES = ("py", "env", "json", "yaml", "properties", "js", "sa")
DIRS = ("services", "apps", "libs", "infra", "notebooks", "docs", "tools", "deploy")


@dataclass
class FileSpec:
    """One file (or archive member) to write."""

    path: str
    ftype: str
    slots: list[Slot] = field(default_factory=list)

    def n_secrets(self) -> int:
        return sum(1 for s in self.slots for it in s if it.secret)

    def has_block(self) -> bool:
        return any(it.block for s in self.slots for it in s)


def _name(rng: random.Random, ftype: str, i: int) -> str:
    top = rng.choice(DIRS)
    sub = f"{rng.choice(filler.NOUNS)}-{rng.choice(filler.VERBS)}"
    base = f"{rng.choice(filler.VERBS)}_{rng.choice(filler.NOUNS)}_{i}"
    if ftype == "env":
        return f"{top}/{sub}/" + rng.choice((".env", ".env.production", f"{base}.env"))
    if ftype == "dockerfile":
        return f"{top}/{sub}/Dockerfile"
    if ftype == "lock":
        return f"{top}/{sub}/package-lock.json"
    if ftype == "sa":
        return f"{top}/{sub}/credentials/{rng.choice(filler.NOUNS)}-sa-{i}.json"
    if ftype == "pem":
        return f"{top}/{sub}/" + rng.choice(("id_rsa", "deploy.key", f"{base}.pem"))
    return f"{top}/{sub}/{base}{EXT[ftype]}"


def layout(rng: random.Random, n_files: int) -> tuple[list[FileSpec], dict[str, list[FileSpec]]]:
    """Choose every file's path and type; archives get their members listed separately."""
    scale = n_files / sum(MIX.values())
    files: list[FileSpec] = []
    members: dict[str, list[FileSpec]] = {}
    seen: set[str] = set()
    i = 0
    for ftype, share in MIX.items():
        for _ in range(max(1, round(share * scale))):
            i += 1
            path = _name(rng, ftype, i)
            while path in seen:
                path = path.replace("/", f"/{i}-", 1)
            seen.add(path)
            if ftype == "zip":
                zpath = path.rsplit("/", 1)[0] + f"/release-{i}.zip"
                members[zpath] = [
                    FileSpec(f"{zpath}!/" + _name(rng, t, i * 100 + j).split("/", 2)[2], t)
                    for j, t in enumerate(rng.sample(ZIP_MEMBER_TYPES, 4))
                ]
                continue
            files.append(FileSpec(path, ftype))
    return files, members


def _compatible(kind: fakes.Kind, ftype: str) -> bool:
    if kind.name == "gcp-service-account":
        return ftype == "sa"
    if ftype in ("sa", "lock"):
        return False
    if ftype == "pem":
        return kind.block
    return not (kind.block and ftype in NO_BLOCK)


def _item(rng: random.Random, kind: fakes.Kind, secret: bool) -> Item:
    name = rng.choice(kind.names)
    if secret and kind.name not in SELF_NAMED and not kind.block and rng.random() < 0.2:
        name = rng.choice(fakes.NEUTRAL_NAMES)
    return Item(kind.name, kind.gen(rng), name, secret, kind.block)


def _slot(rng: random.Random, kind: fakes.Kind, secret: bool) -> Slot:
    first = _item(rng, kind, secret)
    pairs = {"aws-access-key-id": "aws-secret-access-key",
             "aws-documented-example-id": "aws-documented-example-secret"}
    table = fakes.SECRET_KINDS if secret else fakes.DECOY_KINDS
    if kind.name in pairs:
        return [first, _item(rng, table[pairs[kind.name]], secret)]
    return [first]


def _place(rng: random.Random, candidates: list[FileSpec], kind: fakes.Kind, secret: bool) -> bool:
    pool = [f for f in candidates if _compatible(kind, f.ftype)
            and f.n_secrets() < 3 and not (kind.block and f.has_block())
            and not (f.ftype in ("pem", "sa") and f.slots)
            and not (f.ftype == "min.js" and f.n_secrets() >= 1 and secret)]
    if not pool:
        return False
    by_type: dict[str, list[FileSpec]] = {}
    for f in pool:
        by_type.setdefault(f.ftype, []).append(f)
    target = rng.choice(by_type[rng.choice(sorted(by_type))])
    target.slots.append(_slot(rng, kind, secret))
    return True


def plant(rng: random.Random, files: list[FileSpec], members: dict[str, list[FileSpec]],
          n_secrets: int) -> None:
    """Spread secrets (one per archive member first) and decoys over the files."""
    kinds = [k for k in fakes.SECRET_KINDS.values() if k.name != "aws-secret-access-key"]
    per_kind = max(1, round(n_secrets / (len(kinds) + 3.25)))
    quota = {k.name: per_kind + EXTRA.get(k.name, 0) * per_kind // 8 for k in kinds}
    kinds += fakes.HOLDOUT_KINDS.values()
    quota.update({k: max(1, per_kind // 2) for k in fakes.HOLDOUT_KINDS})
    all_members = [m for ms in members.values() for m in ms]
    for m in all_members:
        options = [k for k in kinds if _compatible(k, m.ftype) and quota[k.name] > 0]
        k = rng.choice(options)
        if _place(rng, [m], k, True):
            quota[k.name] -= 1
    order = [k for k in kinds for _ in range(quota[k.name])]
    rng.shuffle(order)
    for k in order:
        _place(rng, files, k, True)
    for f in files:  # every service-account file and key file holds something
        if f.ftype == "sa" and not f.slots:
            f.slots.append(_slot(rng, fakes.SECRET_KINDS["gcp-service-account"], True))
        if f.ftype == "pem" and not f.slots:
            f.slots.append(_slot(rng, fakes.DECOY_KINDS["public-key-pem"], False))
    decoys = [k for k in fakes.DECOY_KINDS.values()
              if k.name not in ("aws-documented-example-secret", "npm-integrity")]
    for f in files + all_members:
        if f.ftype in ("pem", "sa", "lock"):
            continue
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            k = rng.choice(decoys)
            if _compatible(k, f.ftype) and not (k.block and f.has_block()):
                f.slots.append(_slot(rng, k, False))


def _blocks(rng: random.Random) -> int:
    return max(3, min(600, int(rng.lognormvariate(4.12, 0.9))))


def render_file(rng: random.Random, f: FileSpec) -> tuple[str, list[Span]]:
    """The file's text and one span per item, in slot order."""
    if f.ftype in render.LINE_FORMATS:
        return render.render_lines(render.LINE_FORMATS[f.ftype], rng, f.slots, _blocks(rng))
    if f.ftype == "json":
        return render.render_json(rng, f.slots, max(2, _blocks(rng) // 3))
    if f.ftype == "ipynb":
        return render.render_notebook(rng, f.slots, max(4, _blocks(rng) // 2))
    if f.ftype == "min.js":
        return render.render_minified(rng, f.slots, rng.randrange(3000, 9000))
    if f.ftype == "lock":
        n = rng.randrange(300, 1500)
        return render.render_package_lock(rng, n, [fakes.npm_integrity(rng) for _ in range(n)]), []
    if f.ftype in ("sa", "pem"):
        it = f.slots[0][0]
        text = it.value + "\n"
        return text, [(1, text.count("\n"))]
    raise ValueError(f"no renderer for file type {f.ftype!r}")


def _check(path: str, it: Item, lines: list[str], start: int, end: int) -> None:
    """Fail loudly if a recorded span does not hold the planted value (a generator bug)."""
    first = it.value.split("\n")[0][:24] if it.kind != "gcp-service-account" else "{"
    probes = {first, json.dumps(first)[1:-1], render._xml_escape(first)}
    ok = 1 <= start <= end <= len(lines) and any(p in lines[start - 1] for p in probes)
    if not ok:
        raise RuntimeError(f"ground truth for {it.kind} in {path} does not point at it "
                           f"(lines {start}-{end})")


def _record(f: FileSpec, text: str, spans: list[Span], truth: dict[str, list[dict[str, object]]],
            counter: list[int]) -> None:
    items = [it for s in f.slots for it in s]
    archive = "!/" in f.path
    lines = text.split("\n")
    for it, (start, end) in zip(items, spans, strict=True):
        if it.secret:
            _check(f.path, it, lines, start, end)
        line = start
        if it.kind == "gcp-service-account":
            line = next(i + 1 for i, ln in enumerate(text.split("\n")) if '"private_key"' in ln)
        if it.secret:
            counter[0] += 1
            truth["secrets"].append({"id": f"s{counter[0]:04d}", "kind": it.kind, "file": f.path,
                                     "line": line, "start": start, "end": end, "type": f.ftype,
                                     "archive": archive, "neutral_name":
                                     it.name in fakes.NEUTRAL_NAMES,
                                     "holdout": it.kind in fakes.HOLDOUT_KINDS})
        else:
            truth["decoys"].append({"kind": it.kind, "file": f.path, "line": line,
                                    "start": start, "end": end, "type": f.ftype})
    if f.ftype == "lock":
        for i, ln in enumerate(text.split("\n"), 1):
            if '"integrity"' in ln:
                truth["decoys"].append({"kind": "npm-integrity", "file": f.path, "line": i,
                                        "start": i, "end": i, "type": f.ftype})


def generate(out: Path, seed: int = 7, n_files: int = 2000, n_secrets: int = 400
             ) -> dict[str, Any]:
    """Write the corpus into ``out`` (emptied first) and return the ground truth."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files, members = layout(rng, n_files)
    plant(rng, files, members, n_secrets)
    truth: dict[str, list[dict[str, object]]] = {"secrets": [], "decoys": []}
    counter = [0]
    total = 0
    for f in files:
        text, spans = render_file(rng, f)
        _record(f, text, spans, truth, counter)
        dest = out / f.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
        total += len(text.encode())
    for zpath, ms in members.items():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for m in ms:
                text, spans = render_file(rng, m)
                _record(m, text, spans, truth, counter)
                info = zipfile.ZipInfo(m.path.split("!/", 1)[1], date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text)
        dest = out / zpath
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(buf.getvalue())
        total += len(buf.getvalue())
    result: dict[str, Any] = {"seed": seed, "files": len(files) + len(members),
                                 "bytes": total, **truth}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--secrets", type=int, default=400)
    args = ap.parse_args(argv)
    truth = generate(args.out, args.seed, args.files, args.secrets)
    truth_path = args.out.parent / "truth.json"
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    print(f"{truth['files']} files, {truth['bytes'] / 1e6:.1f} MB, {len(truth['secrets'])} secrets "
          f"-> {args.out} (truth: {truth_path})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
