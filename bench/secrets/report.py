"""Markdown tables of the secrets benchmark results, for docs/benchmarks.md.

``python bench/secrets/report.py [bench/.work/secrets-results.json]`` prints them; run.py
also writes them to ``bench/.work/secrets-results.md`` after every run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _pct(v: Any) -> str:
    return "–" if v is None else f"{100 * float(v):.1f} %"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def summary(results: dict[str, Any]) -> list[str]:
    """The headline table: one row per tool."""
    out = [
        _row(["tool", "version", "recall (all)", "recall (plain files)", "recall (hold-out)",
              "precision", "F1", "FP lines", "time (s)", "MB/s", "site-packages time (s)",
              "site-packages MB/s", "site-packages findings (lines)"]),
        _row(["---"] * 13),
    ]
    for name, r in results["tools"].items():
        if "skipped" in r:
            out.append(_row([name, "skipped: " + r["skipped"]] + [""] * 11))
            continue
        c, s = r["corpus"], r.get("site_packages") or {}
        out.append(_row([
            name, str(r["version"]),
            f"{_pct(c.get('recall'))} ({c.get('found')}/{c.get('planted')})",
            f"{_pct(c.get('recall_plain_files'))} ({c.get('found_plain')}/"
            f"{c.get('planted_plain')})",
            f"{_pct(c.get('recall_holdout'))} ({c.get('found_holdout')}/"
            f"{c.get('planted_holdout')})",
            _pct(c.get("precision")), _pct(c.get("f1")), str(c.get("false_positive_lines")),
            str(c.get("seconds")), str(c.get("mb_per_s")), str(s.get("seconds", "–")),
            str(s.get("mb_per_s", "–")), str(s.get("finding_lines", "–")),
        ]))
    return out


def per_kind(results: dict[str, Any]) -> list[str]:
    """Found / planted per credential kind and tool."""
    names = [n for n, r in results["tools"].items() if "corpus" in r and "recall_by_kind" in
             r["corpus"]]
    kinds = sorted({k for n in names for k in results["tools"][n]["corpus"]["recall_by_kind"]})
    out = [_row(["kind", *names]), _row(["---"] * (len(names) + 1))]
    for k in kinds:
        out.append(_row([k, *(results["tools"][n]["corpus"]["recall_by_kind"].get(k, "–")
                              for n in names)]))
    return out


def false_positives(results: dict[str, Any]) -> list[str]:
    """False-positive lines per decoy kind (or filler) and tool."""
    names = [n for n, r in results["tools"].items() if "corpus" in r and
             "false_positives_by_decoy" in r["corpus"]]
    where = sorted({w for n in names for w in
                    results["tools"][n]["corpus"]["false_positives_by_decoy"]})
    out = [_row(["on", *names]), _row(["---"] * (len(names) + 1))]
    for w in where:
        out.append(_row([w, *(str(results["tools"][n]["corpus"]["false_positives_by_decoy"]
                                  .get(w, 0)) for n in names)]))
    return out


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Date: {m['date']} · machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, "
        f"{m['os']}, {m['python']}, Node.js {m['node']} · command: `{results['command']}`",
        "",
        *summary(results),
        "",
        *(f"- {k}: **{v}×**" for k, v in results.get("ratios", {}).items()),
        "",
        *per_kind(results),
        "",
        *false_positives(results),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parents[1] / ".work" / \
        "secrets-results.json"
    sys.stdout.write(markdown(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
