"""Personal-data half of the training-data benchmark (runs inside bench/.work/data-venv).

Every tool sees the same cells (one CSV value, or one log line) as a Python string, in one
warm process, so the figures compare the engines and not start-up or file reading:

- drillhall: its personal-data engine (``drillhall.pii``), given the column name as context;
- Presidio: ``presidio-analyzer`` with its predefined pattern recognisers and a *blank* spaCy
  English pipeline (``spacy.blank("en")``: a tokenizer and nothing else — no model can be
  downloaded here, so its NER-based recognisers find nothing), language ``en``;
- scrubadub: ``scrubadub.Scrubber()`` with its default detectors for ``en_US``.

Scoring: a detection is mapped to a kind (email, phone, card, iban, ssn, ip, person, other);
it is a true positive when its span overlaps a planted value in the same cell. Recall is per
planted kind; precision is over detections of the six structured kinds (other kinds —
dates, URLs, NRP, names — are counted apart and do not lower it).

    python pii_tools.py CORPUS_DIR OUT.json [--tools drillhall,presidio,scrubadub]
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pii_corpus

STRUCTURED = pii_corpus.STRUCTURED
Detection = tuple[str, int, int]  # kind, start, end
Finder = Callable[[str, str], Iterable[Detection]]

PRESIDIO_KINDS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "card",
                  "IBAN_CODE": "iban", "US_SSN": "ssn", "IP_ADDRESS": "ip", "PERSON": "person",
                  "UK_NHS": "nhs", "UK_NINO": "nino"}
SCRUBADUB_KINDS = {"email": "email", "phone": "phone", "credit_card": "card",
                   "social_security_number": "ssn", "name": "person"}


def presidio() -> tuple[Finder, str]:
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankSpacy(SpacyNlpEngine):
        """Presidio's spaCy engine over a blank English pipeline (tokenizer only)."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank-en"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def find(text: str, context: str) -> Iterable[Detection]:
        for r in analyzer.analyze(text=text, language="en"):
            yield PRESIDIO_KINDS.get(r.entity_type, "other:" + r.entity_type), r.start, r.end

    return find, "presidio-analyzer, blank spaCy en pipeline"


def scrubadub_finder() -> tuple[Finder, str]:
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def find(text: str, context: str) -> Iterable[Detection]:
        for f in scrubber.iter_filth(text):
            yield SCRUBADUB_KINDS.get(f.type, "other:" + f.type), f.beg, f.end

    return find, f"scrubadub {scrubadub.__version__}"


def drillhall() -> tuple[Finder | None, str]:
    """The engine's text entry point, found by name (its API was being written alongside)."""
    try:
        mod = importlib.import_module("drillhall.pii")
    except ImportError as exc:
        return None, f"drillhall.pii not importable ({exc})"
    engine: Any = None
    for name in ("default_engine", "Engine", "PiiEngine"):
        factory = getattr(mod, name, None)
        if callable(factory):
            engine = factory()
            break
    fn = getattr(engine, "detect", None) or getattr(engine, "find", None)
    label = f"drillhall.pii.{name}().{fn.__name__}" if fn else ""
    if fn is None:
        for name in ("find", "find_pii", "scan_text", "scan"):
            fn = getattr(mod, name, None)
            if callable(fn):
                label = f"drillhall.pii.{name}"
                break
    if fn is None:
        return None, "drillhall.pii has no known text entry point yet"

    def find(text: str, context: str) -> Iterable[Detection]:
        for m in fn(text, context=context):
            yield m.kind, m.start, m.end

    return find, label


def score(found: dict[tuple[str, int, str], list[Detection]], items: list[dict[str, Any]],
          cells: dict[tuple[str, int, str], str]) -> dict[str, Any]:
    by_cell: dict[tuple[str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        by_cell[(it["file"], it["row"], it["field"])].append(it)
    hit: set[int] = set()
    fp: Counter[str] = Counter()
    tp_struct = 0
    other: Counter[str] = Counter()
    false_alarms: list[dict[str, Any]] = []
    index = {id(it): i for i, it in enumerate(items)}
    for key, dets in found.items():
        for kind, start, end in dets:
            overlapping = [it for it in by_cell.get(key, [])
                           if not it["decoy"] and start < it["end"] and it["start"] < end]
            for it in overlapping:
                hit.add(index[id(it)])
            if kind not in STRUCTURED:
                other[kind] += 1
                continue
            if overlapping:
                tp_struct += 1
            else:
                fp[kind] += 1
                decoy = [it["kind"] for it in by_cell.get(key, [])
                         if it["decoy"] and start < it["end"] and it["start"] < end]
                if len(false_alarms) < 40:
                    false_alarms.append({"cell": list(key), "kind": kind,
                                         "on": decoy[0] if decoy else "text",
                                         "shape": _shape(cells[key][start:end])})
    planted: Counter[str] = Counter(it["kind"] for it in items if not it["decoy"])
    found_k: Counter[str] = Counter(items[i]["kind"] for i in hit)
    recall = {k: found_k[k] / planted[k] for k in planted}
    struct_planted = sum(planted[k] for k in STRUCTURED)
    struct_found = sum(found_k[k] for k in STRUCTURED)
    n_fp = sum(fp.values())
    misses = [{"cell": [it["file"], it["row"], it["field"]], "kind": it["kind"],
               "shape": _shape(cells[(it["file"], it["row"], it["field"])][it["start"]:it["end"]])}
              for i, it in enumerate(items) if not it["decoy"] and i not in hit
              and it["kind"] in STRUCTURED][:40]
    return {
        "recall_structured": struct_found / struct_planted if struct_planted else 1.0,
        "precision_structured": tp_struct / (tp_struct + n_fp) if tp_struct + n_fp else 1.0,
        "recall_by_kind": recall, "false_positives_by_kind": dict(fp),
        "other_detections": dict(other), "misses": misses, "false_alarms": false_alarms,
    }


def _shape(value: str) -> str:
    """A value's shape (digits → 9, letters → a/A), so reports show formats, not values."""
    return "".join("9" if c.isdigit() else "A" if c.isupper() else "a" if c.isalpha() else c
                   for c in value)


def run(corpus: Path, tools: list[str]) -> dict[str, Any]:
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    all_cells = pii_corpus.cells(corpus)
    cells = {(f, r, k): v for f, r, k, v in all_cells}
    rows = len({(f, r) for f, r, _, _ in all_cells})
    makers: dict[str, Callable[[], tuple[Finder | None, str]]] = {
        "drillhall": drillhall, "presidio": presidio, "scrubadub": scrubadub_finder}
    out: dict[str, Any] = {"rows": rows, "cells": len(all_cells),
                           "planted": Counter(i["kind"] for i in truth["items"] if not i["decoy"]),
                           "decoys": Counter(i["kind"] for i in truth["items"] if i["decoy"]),
                           "tools": {}}
    for tool in tools:
        try:
            finder, label = makers[tool]()
        except Exception as exc:
            out["tools"][tool] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        if finder is None:
            out["tools"][tool] = {"error": label}
            continue
        found: dict[tuple[str, int, str], list[Detection]] = {}
        t0 = time.perf_counter()
        for f, r, k, v in all_cells:
            if v:
                found[(f, r, k)] = list(finder(v, k))
        seconds = time.perf_counter() - t0
        res = score(found, truth["items"], cells)
        res.update({"what": label, "seconds": seconds, "rows_per_s": rows / seconds})
        out["tools"][tool] = res
        print(f"pii {tool}: {seconds:.1f}s", file=sys.stderr)
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = (args[args.index("--tools") + 1].split(",") if "--tools" in args
              else ["drillhall", "presidio", "scrubadub"])
    result = run(Path(args[0]), chosen)
    Path(args[1]).write_text(json.dumps(result, indent=1), encoding="utf-8")
