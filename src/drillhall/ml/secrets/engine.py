"""The scanning engine: one pass over a text for every rule's keywords, then confirmation with
each rule's bounded regular expression in a window around the keywords it owns.

The keyword pass uses Hyperscan when it can be imported (``pip install 'drillhall[fast]'``)
and a pure-Python search otherwise (also when ``DRILLHALL_NO_HYPERSCAN=1``). Both produce the
same keyword occurrences, and everything after that is shared, so the findings are identical.

Secrets never leave this module in clear: a :class:`Hit` carries a :class:`Finding` whose
evidence is masked, and the SHA-256 of the value for allowlist matching.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drillhall.core.model import Finding, Location
from drillhall.core.redact import mask
from drillhall.ml.secrets.detectors import Detector
from drillhall.ml.secrets.placeholders import shannon_entropy
from drillhall.ml.secrets.rules import DETECTORS, SPEC_BY_ID

ALLOW_MARKER = "drillhall:allow"
PAIR_RULE = "DH-SECRET-AWS-KEY-PAIR"
ACCESS_KEY_RULE = "DH-SECRET-AWS-ACCESS-KEY"
PAIR_PRIORITY = 120
PAIR_DISTANCE = 600


@dataclass(frozen=True, slots=True)
class Hit:
    """A finding and the full SHA-256 of the secret behind it (never the secret itself)."""

    finding: Finding
    value_sha256: str


@dataclass(slots=True)
class _Match:
    detector: Detector
    value: str
    start: int
    end: int
    paired: bool = False  # an AWS secret key found next to its key id
    evidence: str = ""


def hyperscan_enabled() -> bool:
    """Whether Hyperscan is importable and not disabled with ``DRILLHALL_NO_HYPERSCAN=1``."""
    if os.environ.get("DRILLHALL_NO_HYPERSCAN", "").strip() not in ("", "0"):
        return False
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Engine:
    """All detectors compiled once; :meth:`scan` applies them to one text."""

    def __init__(self, detectors: Sequence[Detector] = DETECTORS, *,
                 use_hyperscan: bool | None = None) -> None:
        self.detectors = tuple(detectors)
        keys: dict[tuple[str, bool], int] = {}
        owners: dict[int, list[int]] = defaultdict(list)
        for di, det in enumerate(self.detectors):
            for kw, caseless in [(k, True) for k in det.keywords] + [
                    (k, False) for k in det.case_keywords]:
                norm = kw.lower() if caseless else kw
                ki = keys.setdefault((norm, caseless), len(keys))
                if di not in owners[ki]:
                    owners[ki].append(di)
        self._keywords = [k for k, _ in sorted(keys.items(), key=lambda kv: kv[1])]
        self._owners = {k: tuple(v) for k, v in owners.items()}
        want = hyperscan_enabled() if use_hyperscan is None else use_hyperscan
        self._hs_db: Any = self._compile_hyperscan() if want else None
        self.name = "hyperscan" if self._hs_db is not None else "python"

    # -- keyword pass --------------------------------------------------------------------
    def _compile_hyperscan(self) -> Any:
        try:
            import hyperscan
        except ImportError:
            return None
        exprs = [b"".join(b"\\x%02x" % c for c in kw.encode("ascii"))
                 for kw, _ in self._keywords]
        flags = [hyperscan.HS_FLAG_CASELESS if caseless else 0 for _, caseless in self._keywords]
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs),
                   flags=flags)
        return db

    def _keyword_hits(self, data: bytes) -> list[tuple[int, int]]:
        """``(keyword index, byte offset of its start)`` for every keyword occurrence."""
        hits: list[tuple[int, int]] = []
        if self._hs_db is not None:
            lengths = [len(kw) for kw, _ in self._keywords]

            def on_match(kid: int, start: int, end: int, flags: int, ctx: object) -> None:
                hits.append((kid, end - lengths[kid]))

            self._hs_db.scan(data, match_event_handler=on_match)
            return hits
        lowered = data.lower()
        for kid, (kw, caseless) in enumerate(self._keywords):
            hay, needle = (lowered if caseless else data), kw.encode("ascii")
            pos = hay.find(needle)
            while pos >= 0:
                hits.append((kid, pos))
                pos = hay.find(needle, pos + 1)
        return hits

    @staticmethod
    def _to_char_offsets(data: bytes, offsets: list[int]) -> dict[int, int]:
        """Map byte offsets (at ASCII characters) of UTF-8 ``data`` to character offsets."""
        out: dict[int, int] = {}
        prev_b = prev_c = 0
        for off in sorted(set(offsets)):
            prev_c += len(data[prev_b:off].decode("utf-8", "surrogatepass"))
            prev_b = off
            out[off] = prev_c
        return out

    # -- confirmation --------------------------------------------------------------------
    def _candidates(self, text: str, *, third_party: bool, path: str) -> list[_Match]:
        data = text.encode("utf-8", "surrogatepass")
        hits = self._keyword_hits(data)
        if not hits:
            return []
        ascii_text = len(data) == len(text)
        conv = None if ascii_text else self._to_char_offsets(data, [h[1] for h in hits])
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        n = len(text)
        for kid, boff in hits:
            start = boff if conv is None else conv[boff]
            end = start + len(self._keywords[kid][0])
            for di in self._owners[kid]:
                det = self.detectors[di]
                windows[di].append((max(0, start - det.before), min(n, end + det.after)))
        found: list[_Match] = []
        for di in sorted(windows):
            det = self.detectors[di]
            if (third_party and not det.third_party) or (
                    det.skip_suffixes and path.lower().endswith(det.skip_suffixes)):
                continue
            seen: set[tuple[int, int]] = set()
            for lo, hi in _merge(windows[di]):
                for m in det.pattern.finditer(text, lo, hi):
                    value, vs, ve = det.value(m)
                    if (vs, ve) in seen or not value:
                        continue
                    seen.add((vs, ve))
                    if third_party and det.third_party_entropy and (
                            shannon_entropy(value) < det.third_party_entropy):
                        continue
                    if det.accepts(m, value):
                        found.append(_Match(det, value, vs, ve))
        return found

    @staticmethod
    def _pair_aws(found: list[_Match]) -> list[_Match]:
        """Turn the candidate secret nearest to an AWS key id into a paired finding (at the
        secret; the key id keeps its own finding)."""
        ids = sorted((m for m in found if m.detector.rule_id == ACCESS_KEY_RULE),
                     key=lambda m: m.start)
        cands = [m for m in found if m.detector.role == "pair-candidate"]
        out = [m for m in found if m.detector.role != "pair-candidate"]
        used: set[int] = set()
        pair_det = next((m.detector for m in cands), None)
        for key in ids:
            best: tuple[int, int] | None = None
            for i, c in enumerate(cands):
                if i in used or _overlaps((c.start, c.end), (key.start, key.end)):
                    continue
                dist = c.start - key.end if c.start >= key.end else key.start - c.end
                if dist <= PAIR_DISTANCE and (best is None or dist < best[0]):
                    best = (dist, i)
            if best is None or pair_det is None:
                continue
            used.add(best[1])
            sec = cands[best[1]]
            out.append(_Match(pair_det, sec.value, sec.start, sec.end, paired=True,
                              evidence=f"{mask(sec.value)} paired with key id {mask(key.value)}"))
        return out

    @staticmethod
    def _dedupe(found: list[_Match]) -> list[_Match]:
        """One finding per span: where rules overlap, the most specific one wins."""
        def prio(m: _Match) -> int:
            return PAIR_PRIORITY if m.paired else m.detector.priority

        ranked = sorted(found, key=lambda m: (-prio(m), -(m.end - m.start), m.start,
                                              m.detector.rule_id))
        kept: list[_Match] = []
        taken: list[tuple[int, int]] = []
        for m in ranked:
            if any(_overlaps((m.start, m.end), t) for t in taken):
                continue
            kept.append(m)
            taken.append((m.start, m.end))
        return sorted(kept, key=lambda m: (m.start, m.detector.rule_id))

    def scan(self, text: str, *, path: str, first_line: int = 1, has_lines: bool = True,
             commit: str | None = None, third_party: bool = False) -> list[Hit]:
        """Every secret in ``text``, as hits located at ``path``."""
        found = self._dedupe(self._pair_aws(self._candidates(text, third_party=third_party,
                                                              path=path)))
        hits: list[Hit] = []
        line, pos = first_line, 0
        symbol = f"commit {commit[:12]}" if commit else None
        for m in found:
            line += text.count("\n", pos, m.start)
            pos = m.start
            line_start = text.rfind("\n", 0, m.start) + 1
            line_end = text.find("\n", m.start)
            if ALLOW_MARKER in text[line_start:line_end if line_end >= 0 else len(text)]:
                continue
            rule_id = PAIR_RULE if m.paired else m.detector.rule_id
            spec = SPEC_BY_ID[rule_id]
            loc = Location(path=path, line=line if has_lines else None,
                           column=m.start - line_start + 1 if has_lines else None,
                           symbol=symbol)
            finding = Finding(
                rule_id=rule_id, title=spec.info.title, severity=spec.info.severity,
                confidence=spec.confidence if m.paired else m.detector.confidence,
                location=loc, evidence=m.evidence or mask(m.value),
                remediation=spec.info.remediation, tags=spec.info.tags,
            )
            hits.append(Hit(finding, _sha256(m.value)))
        return hits

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the secrets in ``text`` are (character offsets, sorted), for masking free
        text such as log lines and model output."""
        found = self._dedupe(self._pair_aws(self._candidates(text, third_party=False, path="")))
        return [(m.start, m.end) for m in found]


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    windows.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


@functools.lru_cache(maxsize=4)
def get_engine(use_hyperscan: bool | None = None) -> Engine:
    """The engine of this process, compiled on first use (once per worker process)."""
    return Engine(use_hyperscan=use_hyperscan)
