"""Golden sets: the questions an LLM application must keep answering correctly.

A golden set is a JSONL file, one item per line (blank lines and lines starting with ``#`` are
skipped)::

    {"id": "vpn-port", "question": "Which UDP port does the VPN use?",
     "required_facts": ["51820"], "forbidden": ["password"]}
    {"id": "freeze", "question": "When does the deploy freeze start?", "expected": "20 December"}
    {"id": "sev", "question": "What is SEV1?", "pattern": "customers? cannot use", "weight": 2}

``expected`` is the exact answer, ``required_facts`` the facts an answer must contain and
``pattern`` a regular expression it must match. ``scoring`` is ``exact``, ``contains``,
``regex``, ``similarity`` or ``judge``; without it an item is scored ``contains`` when it has
``required_facts``, else ``exact`` when it has ``expected``, else ``regex``. ``forbidden`` lists
text that must never appear in the answer; ``weight`` (default 1) weighs the item in the
weighted mean score.

Each line is validated with pydantic; the first bad line raises
:class:`~drillhall.errors.InputError` naming the file and line, so the command exits 2.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError, InputError

__all__ = ["SCORINGS", "GoldenItem", "GoldenSet", "Scoring", "load_golden", "parse_golden",
           "with_scoring"]

Scoring = Literal["exact", "contains", "regex", "similarity", "judge"]
SCORINGS: tuple[Scoring, ...] = ("exact", "contains", "regex", "similarity", "judge")
MAX_ITEMS = 100_000
MAX_LINE_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class GoldenItem:
    """One question of a golden set with what a correct answer looks like."""

    id: str
    question: str
    scoring: Scoring
    expected: str | None = None
    required_facts: tuple[str, ...] = ()
    pattern: str | None = None
    forbidden: tuple[str, ...] = ()
    weight: float = 1.0
    line: int = 0
    """1-based line of the item in its file."""

    @property
    def reference(self) -> str:
        """The text an answer is compared with by similarity or shown to a judge: the
        expected answer, else the required facts joined."""
        if self.expected is not None:
            return self.expected
        return "; ".join(self.required_facts)


@dataclass(frozen=True, slots=True)
class GoldenSet:
    """A loaded golden set. ``name`` is the file name (what stored runs are matched on);
    ``digest`` changes whenever an item's id, question or reference changes."""

    name: str
    path: str
    items: tuple[GoldenItem, ...]
    digest: str

    def __len__(self) -> int:
        return len(self.items)


class _ItemModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1)
    expected: str | None = None
    required_facts: list[str] | None = None
    pattern: str | None = None
    forbidden: list[str] = Field(default_factory=list)
    scoring: Scoring | None = None
    weight: float = Field(default=1.0, gt=0, le=1000)

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if value != value.strip() or any(c in value for c in "\r\n\t"):
            raise ValueError("an id must not have surrounding spaces or line breaks")
        return value

    @field_validator("required_facts", "forbidden")
    @classmethod
    def _no_blank(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and any(not v.strip() for v in values):
            raise ValueError("entries must not be empty")
        return values

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"the pattern is not a valid regular expression ({exc})"
                                 ) from None
        return value

    def scoring_method(self) -> Scoring:
        if self.scoring is not None:
            return self.scoring
        if self.required_facts:
            return "contains"
        if self.expected is not None:
            return "exact"
        return "regex"

    def check(self) -> str | None:
        """What is missing for the chosen scoring, or ``None``."""
        method = self.scoring_method()
        needs = {"exact": self.expected is not None,
                 "contains": bool(self.required_facts),
                 "regex": self.pattern is not None,
                 "similarity": self.expected is not None or bool(self.required_facts),
                 "judge": self.expected is not None or bool(self.required_facts)}
        if needs[method]:
            return None
        what = {"exact": "'expected'", "contains": "'required_facts'", "regex": "'pattern'",
                "similarity": "'expected' or 'required_facts'",
                "judge": "'expected' or 'required_facts'"}[method]
        if self.scoring is None:
            return "an item needs 'expected', 'required_facts' or 'pattern'"
        return f"scoring {method!r} needs {what}"


def parse_golden(text: str, source: str) -> GoldenSet:
    """A golden set from JSONL ``text``; ``source`` names the file in errors."""
    items: list[GoldenItem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        if len(line) > MAX_LINE_CHARS:
            raise InputError(f"{where}: the line is longer than {MAX_LINE_CHARS:,} characters")
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
                             ) from None
        if not isinstance(data, dict):
            raise InputError(f"{where}: expected a JSON object with 'id' and 'question'")
        try:
            model = _ItemModel.model_validate(data)
        except ValidationError as exc:
            raise InputError(describe_error(exc, source=where)) from None
        problem = model.check()
        if problem is not None:
            raise InputError(f"{where}: item {model.id!r}: {problem}")
        if model.id in seen:
            raise InputError(f"{where}: item id {model.id!r} is already used on line "
                             f"{seen[model.id]}")
        seen[model.id] = number
        items.append(GoldenItem(
            id=model.id, question=model.question, scoring=model.scoring_method(),
            expected=model.expected, required_facts=tuple(model.required_facts or ()),
            pattern=model.pattern, forbidden=tuple(model.forbidden), weight=model.weight,
            line=number))
        if len(items) > MAX_ITEMS:
            raise InputError(f"{source}: more than {MAX_ITEMS:,} items")
    if not items:
        raise InputError(f"{source}: the golden set has no items (one JSON object per line)")
    return GoldenSet(name=Path(source).name, path=source, items=tuple(items),
                     digest=_digest(items))


def load_golden(path: Path, shown: str | None = None) -> GoldenSet:
    """Read and validate the golden set at ``path`` (``shown`` is how errors name it)."""
    source = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{source}: golden set not found") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a golden-set JSONL file") from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: the golden set is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read the golden set ({exc.strerror or exc})"
                         ) from None
    golden = parse_golden(text, source)
    return GoldenSet(name=path.name, path=source, items=golden.items, digest=golden.digest)


def _digest(items: list[GoldenItem]) -> str:
    h = hashlib.sha256()
    for item in items:
        parts = (item.id, item.question, item.scoring, item.expected or "",
                 "\x1e".join(item.required_facts), item.pattern or "")
        h.update("\x1f".join(parts).encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()[:16]


def with_scoring(golden: GoldenSet, method: Scoring) -> GoldenSet:
    """Every item of ``golden`` scored by ``method``; :class:`ConfigError` naming the first
    item that lacks what the method needs."""
    needs: dict[str, tuple[str, ...]] = {
        "exact": ("expected",), "contains": ("required_facts",), "regex": ("pattern",),
        "similarity": ("expected", "required_facts"), "judge": ("expected", "required_facts")}
    items = []
    for item in golden.items:
        if not any(getattr(item, name) for name in needs[method]):
            what = " or ".join(repr(n) for n in needs[method])
            raise ConfigError(f"{golden.path}:{item.line}: item {item.id!r} has no {what}, so "
                              f"it cannot be scored {method!r}")
        items.append(replace(item, scoring=method))
    return GoldenSet(golden.name, golden.path, tuple(items), golden.digest)
