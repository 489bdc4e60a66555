"""Match a scanner's hits against the planted ground truth and compute its figures.

A hit is reduced to (file, line); several findings on one line count once. It matches every
planted secret whose span (any line of a PEM block or service-account document) it falls on
or within one line of, unless it sits exactly on a decoy and on no secret. An AWS key id and
its secret are planted on adjacent lines, so one finding on either line counts for both, as a
person reading the report would find both.
Everything else is a false positive, attributed to the decoy kind it sits on or to "filler".

Recall is given over the planted secrets of the listed kinds (the formats the drill was
specified against), over those in plain files only (the anchors do not open archives), and
over a hold-out set of formats outside that list; precision is over unique hit lines.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tools import Hit

Truth = dict[str, Any]


@dataclass
class Score:
    """Figures for one tool on the planted corpus."""

    found: set[str] = field(default_factory=set)  # ids of secrets matched
    tp_lines: int = 0
    fp_lines: int = 0
    fp_by_decoy: Counter[str] = field(default_factory=Counter)
    fp_by_rule: Counter[str] = field(default_factory=Counter)
    fp_by_type: Counter[str] = field(default_factory=Counter)
    fp_examples: list[dict[str, Any]] = field(default_factory=list)
    raw_findings: int = 0


def _index(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_file[str(r["file"])].append(r)
    return by_file


def _type_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name == "Dockerfile":
        return "dockerfile"
    if name.startswith(".env") or name.endswith(".env"):
        return "env"
    return name.rsplit(".", 1)[-1] if "." in name else name


def score(truth: Truth, hits: list[Hit]) -> Score:
    """Match ``hits`` to ``truth``."""
    secrets = _index(truth["secrets"])
    decoys = _index(truth["decoys"])
    rules: dict[tuple[str, int], set[str]] = defaultdict(set)
    for h in hits:
        rules[(h.file, h.line)].add(h.rule)
    s = Score(raw_findings=len(hits))
    for (path, line), rule_set in sorted(rules.items()):
        cands = secrets.get(path, [])
        exact = [c for c in cands if c["start"] <= line <= c["end"]]
        on_decoy = [d for d in decoys.get(path, []) if d["start"] <= line <= d["end"]]
        near = [c for c in cands if c["start"] - 1 <= line <= c["end"] + 1]
        match = near if exact or not on_decoy else []
        if match:
            s.found.update(str(c["id"]) for c in match)
            s.tp_lines += 1
            continue
        s.fp_lines += 1
        where = str(on_decoy[0]["kind"]) if on_decoy else "filler"
        s.fp_by_decoy[where] += 1
        s.fp_by_type[_type_of(path)] += 1
        for r in rule_set:
            s.fp_by_rule[r] += 1
        if len(s.fp_examples) < 400:
            s.fp_examples.append({"file": path, "line": line, "rules": sorted(rule_set),
                                  "on": where})
    return s


def figures(truth: Truth, s: Score) -> dict[str, Any]:
    """Recall (all / plain files), precision, F1 and per-kind / per-type recall."""
    listed = [r for r in truth["secrets"] if not r.get("holdout")]
    all_ids = {str(r["id"]) for r in listed}
    plain_ids = {str(r["id"]) for r in listed if not r["archive"]}
    held_ids = {str(r["id"]) for r in truth["secrets"] if r.get("holdout")}
    recall = len(s.found & all_ids) / len(all_ids) if all_ids else 0.0
    recall_plain = len(s.found & plain_ids) / len(plain_ids) if plain_ids else 0.0
    recall_held = len(s.found & held_ids) / len(held_ids) if held_ids else None
    lines = s.tp_lines + s.fp_lines
    precision = s.tp_lines / lines if lines else 0.0

    def f1(r: float) -> float:
        return 2 * precision * r / (precision + r) if precision + r else 0.0

    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[dict[str, Any]] = []
    for r in truth["secrets"]:
        hit = str(r["id"]) in s.found
        for table, key in ((by_kind, r["kind"]), (by_type, r["type"])):
            table[key][0] += hit
            table[key][1] += 1
        if not hit:
            missed.append({k: r[k] for k in ("id", "kind", "file", "line", "type")})
    neutral = [r for r in truth["secrets"] if r.get("neutral_name")]
    return {
        "recall": recall,
        "recall_plain_files": recall_plain,
        "precision": precision,
        "f1": f1(recall),
        "f1_plain_files": f1(recall_plain),
        "found": len(s.found & all_ids),
        "planted": len(all_ids),
        "found_plain": len(s.found & plain_ids),
        "planted_plain": len(plain_ids),
        "recall_holdout": recall_held,
        "found_holdout": len(s.found & held_ids),
        "planted_holdout": len(held_ids),
        "recall_neutral_names": (sum(str(r["id"]) in s.found for r in neutral) / len(neutral)
                                 if neutral else None),
        "raw_findings": s.raw_findings,
        "hit_lines": lines,
        "true_positive_lines": s.tp_lines,
        "false_positive_lines": s.fp_lines,
        "false_positives_by_decoy": dict(s.fp_by_decoy.most_common()),
        "false_positives_by_rule": dict(s.fp_by_rule.most_common()),
        "false_positives_by_file_type": dict(s.fp_by_type.most_common()),
        "recall_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "recall_by_file_type": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_type.items())},
        "kinds_missed_entirely": sorted(k for k, v in by_kind.items() if v[0] == 0),
        "kinds_missed_partly": sorted(k for k, v in by_kind.items() if 0 < v[0] < v[1]),
        "missed": missed,
        "false_positive_examples": s.fp_examples,
    }
