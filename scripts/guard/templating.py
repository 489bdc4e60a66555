"""What every template generator of the detector's training prompts shares: sampling a few
prompts from each family with a fixed seed, and printing families for a human check."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def sample(families: Mapping[str, Sequence[str]], seed: int, per_family: int) -> list[str]:
    """At most ``per_family`` prompts from each family, in family order, each family shuffled
    by one ``random.Random(seed)``; a prompt an earlier family already gave is skipped."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not security
    out: list[str] = []
    seen: set[str] = set()
    for prompts in families.values():
        pool = list(prompts)
        rng.shuffle(pool)
        fresh = [p for p in pool if p not in seen][:per_family]
        seen.update(fresh)
        out.extend(fresh)
    return out


def show(families: Mapping[str, Sequence[str]], sampled: Sequence[str]) -> None:
    """Print each family's size and three examples, then the totals (a module's
    ``__main__``)."""
    pick = random.Random(0)  # noqa: S311 - picking examples to print
    for name, prompts in families.items():
        print(f"== {name}: {len(prompts)}")
        for example in pick.sample(list(prompts), min(3, len(prompts))):
            print("   ", example.replace("\n", " \\n ")[:300])
    total = sum(len(p) for p in families.values())
    assert len(sampled) == len(set(sampled)), "the sample repeats a prompt"
    print(f"{len(families)} families, {total} distinct prompts, {len(sampled)} sampled")


def distinct(families: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each family's prompts once, in order, less any an earlier family already holds."""
    seen: set[str] = set()
    out: dict[str, list[str]] = {}
    for name, prompts in families.items():
        out[name] = [p for p in dict.fromkeys(prompts) if p not in seen]
        seen.update(out[name])
    return out
