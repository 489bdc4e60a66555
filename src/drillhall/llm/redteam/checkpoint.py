"""The red-team checkpoint: one JSON Lines file per run, written as attacks finish, so that an
interrupted run continues where it stopped (``--resume RUN_ID``).

The file is ``.drillhall/redteam/<run id>.jsonl`` next to drillhall.toml. Its first line is
the header (target, seed, selection and a digest of the attack ids, so a resumed run checks it
picks the same attacks); each further line is one finished attack's :class:`Outcome`, with
its text already redacted. Lines are appended and flushed one by one; a last line cut short by
a crash is ignored on reading.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from drillhall.core.model import utcnow
from drillhall.errors import ConfigError, InputError
from drillhall.llm.redteam.outcome import Outcome, Verdict
from drillhall.llm.types import Message, ToolCall

FOLDER = Path(".drillhall/redteam")
VERSION = 1
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


def new_run_id() -> str:
    """A sortable, unique red-team run id: ``rt-20261126T020700Z-3f2a9c``."""
    import secrets

    return "rt-" + utcnow().strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def checkpoint_path(root: Path, run_id: str) -> Path:
    """Where the checkpoint of ``run_id`` lives; the id is checked (it names a file)."""
    if not _RUN_ID.match(run_id):
        raise ConfigError(f"--resume {run_id!r}: not a red-team run id (expected something "
                          "like rt-20261126T020700Z-3f2a9c)")
    return root / FOLDER / f"{run_id}.jsonl"


def digest(ids: Iterable[str]) -> str:
    """A short digest of an ordered list of attack ids."""
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Header:
    """The first line of a checkpoint: what the run is."""

    run_id: str
    target: str
    seed: int
    selection: Mapping[str, Any]
    attacks: int
    attack_digest: str
    created: str = field(default_factory=lambda: utcnow().isoformat())

    def to_json(self) -> dict[str, Any]:
        return {"kind": "header", "version": VERSION, "run_id": self.run_id,
                "target": self.target, "seed": self.seed, "selection": dict(self.selection),
                "attacks": self.attacks, "attack_digest": self.attack_digest,
                "created": self.created}


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read back: its header and the outcomes recorded so far (by attack id)."""

    path: Path
    header: Header
    outcomes: dict[str, Outcome]
    requests_used: int = 0
    """Requests sent by the earlier sessions of the run (errors and retried attacks too)."""


def _message_json(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["tool_calls"] = [{"name": c.name, "arguments": c.arguments, "id": c.id}
                             for c in m.tool_calls]
    return out


def outcome_json(o: Outcome) -> dict[str, Any]:
    """An outcome as one checkpoint line."""
    out: dict[str, Any] = {"kind": "outcome", "attack": o.attack_id, "verdict": o.verdict.value,
                           "requests": o.requests, "seconds": round(o.seconds, 4)}
    if o.grader:
        out["grader"] = o.grader
    if o.score:
        out["score"] = o.score
    if o.reason:
        out["reason"] = o.reason
    if o.excerpt:
        out["excerpt"] = o.excerpt
    if o.transcript:
        out["transcript"] = [_message_json(m) for m in o.transcript]
    return out


def _outcome(data: Mapping[str, Any]) -> Outcome:
    transcript = tuple(
        Message(role=m["role"], content=str(m["content"]),
                tool_calls=tuple(ToolCall(str(c["name"]), str(c.get("arguments", "{}")),
                                          str(c.get("id", "")))
                                 for c in m.get("tool_calls", ())))
        for m in data.get("transcript", ()))
    return Outcome(attack_id=str(data["attack"]), verdict=Verdict(data["verdict"]),
                   requests=int(data["requests"]), seconds=float(data.get("seconds", 0.0)),
                   grader=str(data.get("grader", "")), score=float(data.get("score", 0.0)),
                   reason=str(data.get("reason", "")), excerpt=str(data.get("excerpt", "")),
                   transcript=transcript)


class Writer:
    """Appends outcomes to a checkpoint file, one flushed line each."""

    def __init__(self, path: Path, header: Header | None) -> None:
        """Open ``path`` for appending; with ``header``, start a new file with it."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = path.open("a" if header is None else "x", encoding="utf-8")
        except FileExistsError:
            raise ConfigError(f"{path}: a checkpoint with this run id already exists") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot write the red-team checkpoint: "
                             f"{exc.strerror or exc}") from None
        if header is not None:
            self._line(header.to_json())

    def _line(self, data: Mapping[str, Any]) -> None:
        self._file.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()

    def record(self, outcome: Outcome) -> None:
        self._line(outcome_json(outcome))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read(path: Path) -> Checkpoint:
    """Read a checkpoint. A malformed line other than the last is an :class:`InputError`
    naming the file and line; a cut-short last line (a crash mid-write) is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise ConfigError(_missing(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the red-team checkpoint: {exc}") from None
    while lines and not lines[-1].strip():
        lines.pop()
    header: Header | None = None
    outcomes: dict[str, Outcome] = {}
    used = 0
    for number, line in enumerate(lines, 1):
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if number == 1:
                if data.get("kind") != "header" or data.get("version") != VERSION:
                    raise ValueError("not a drillhall red-team checkpoint header")
                header = Header(run_id=str(data["run_id"]), target=str(data["target"]),
                                seed=int(data["seed"]), selection=dict(data["selection"]),
                                attacks=int(data["attacks"]),
                                attack_digest=str(data["attack_digest"]),
                                created=str(data.get("created", "")))
            elif data.get("kind") == "outcome":
                outcome = _outcome(data)
                outcomes[outcome.attack_id] = outcome
                used += outcome.requests
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines) and number > 1:
                break  # the line being written when the run was killed
            raise InputError(f"{path}:{number}: malformed checkpoint line ({exc})") from None
    if header is None:
        raise InputError(f"{path}: empty red-team checkpoint")
    # errors are retried on resume: only attacks that got an answer count as done
    done = {k: v for k, v in outcomes.items() if v.verdict is not Verdict.ERROR}
    return Checkpoint(path, header, done, used)


def _missing(path: Path) -> str:
    runs = available(path.parent.parent.parent)
    known = ", ".join(runs[-5:]) if runs else "none"
    return (f"no red-team checkpoint {path.name} in {path.parent} (runs that can be resumed: "
            f"{known})")


def available(root: Path) -> list[str]:
    """Run ids with a checkpoint under ``root``, oldest first."""
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.jsonl"))


def check_same(header: Header, target: str, ids: Sequence[str]) -> None:
    """Raise :class:`ConfigError` unless a resumed run has the same target and attack set."""
    if header.target != target:
        raise ConfigError(f"--resume {header.run_id}: that run attacked {header.target}, not "
                          f"{target}; resume it with the same --target and --model")
    if header.attack_digest != digest(ids) or header.attacks != len(ids):
        raise ConfigError(f"--resume {header.run_id}: the attack catalogue or --attacks-file "
                          "changed since that run, so it cannot continue with the same "
                          "attacks; start a new run")
