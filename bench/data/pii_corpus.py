"""A planted personal-data corpus with decoys and ground truth, from a seeded RNG.

Two inputs, both made of *cells* (one string each, with a row and a field):

- ``customers.csv``: columns customer, email, phone, card, iban, ssn, ip, order_id,
  app_version, note. Structured columns carry real-format values most of the time and a
  decoy otherwise (a card number failing Luhn, an IBAN failing mod-97, an SSN with an area
  that is never issued); ``note`` is free text mixing items and decoys.
- ``app.log``: log lines (field ``text``) with e-mail addresses, phone numbers, client IPs
  and cards among order ids, version strings, timestamps, durations and hex request ids.

Every value is generated here (nothing is copied from a real person): e-mail domains are
the reserved example domains, phone numbers come from ranges set aside for drama (UK
0113 496 0xxx / 020 7946 0xxx) or NANP 555-01xx, cards and IBANs are random digits with a
correct check digit. Truth is a list of (file, row, field, kind, start, end); decoys are
recorded too, to list what tools wrongly flag.

    python pii_corpus.py OUTDIR [--rows N] [--seed S]
"""

from __future__ import annotations

import csv
import json
import random
import string
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

STRUCTURED = ("email", "phone", "card", "iban", "ssn", "ip")
FIRST = ["Alice", "Bram", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines",
         "Jonas", "Keira", "Luis", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sven",
         "Tara", "Umar", "Vera", "Wes", "Yara", "Zane"]
LAST = ["Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
        "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Rossi",
        "Schmidt", "Tanaka", "Umarov", "Varga", "Weber", "Young", "Zielinski"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"]


@dataclass(frozen=True)
class Item:
    """One planted value (``decoy`` False) or decoy (``decoy`` True) in a cell."""

    file: str
    row: int
    field: str
    kind: str
    start: int
    end: int
    decoy: bool


def luhn_digit(body: str) -> str:
    """The Luhn check digit that completes ``body``."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card(rng: random.Random, valid: bool = True) -> str:
    prefix = rng.choice(["4", "51", "52", "55", "2221", "34", "37", "6011"])
    length = 15 if prefix in ("34", "37") else 16
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    digits = body + check
    style = rng.random()
    if style < 0.4:
        return digits
    sep = " " if style < 0.8 else "-"
    if length == 15:
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    return sep.join(digits[i:i + 4] for i in range(0, 16, 4))


def iban(rng: random.Random, valid: bool = True) -> str:
    country, bban_len = rng.choice([("GB", 18), ("DE", 18), ("FR", 23), ("NL", 14)])
    if country == "GB":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        bban += "".join(rng.choice(string.digits) for _ in range(14))
    elif country == "NL":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        bban += "".join(rng.choice(string.digits) for _ in range(10))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(bban_len))
    moved = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in moved))
    check = 98 - number % 97
    if not valid:
        check = (check + rng.randint(1, 90)) % 97 + 2
        if check == 98 - number % 97:
            check = (check % 96) + 2
    compact = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def ssn(rng: random.Random, valid: bool = True) -> str:
    if valid:
        area = rng.choice([a for a in range(1, 900) if a != 666])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    else:
        area = rng.choice([0, 666, rng.randint(900, 999)])
        group, serial = rng.randint(0, 99), rng.randint(0, 9999)
    return f"{area:03d}-{group:02d}-{serial:04d}"


def phone(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return f"+44 20 7946 0{rng.randint(0, 999):03d}"
    if r < 0.55:
        return f"0113 496 0{rng.randint(0, 999):03d}"
    if r < 0.8:
        return f"+1 212-555-01{rng.randint(0, 99):02d}"
    return f"(312) 555-01{rng.randint(0, 99):02d}"


def ip(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return ".".join(str(rng.randint(1, 254)) for _ in range(4))
    return "2001:db8:" + ":".join(f"{rng.randint(0, 0xffff):x}" for _ in range(3)) + "::1"


def email(rng: random.Random, first: str, last: str) -> str:
    user = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}"])
    return f"{user.lower()}@{rng.choice(DOMAINS)}"


def order_id(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"ORD-{rng.randint(2019, 2026)}-{rng.randint(0, 999999):06d}"
    if r < 0.7:  # 16 digits in groups, failing Luhn: looks like a card, is not
        body = "".join(rng.choice(string.digits) for _ in range(15))
        bad = str((int(luhn_digit(body)) + rng.randint(1, 9)) % 10)
        d = "9" + (body + bad)[1:]
        if luhn_digit(d[:-1]) == d[-1]:
            d = d[:-1] + str((int(d[-1]) + 1) % 10)
        return "-".join(d[i:i + 4] for i in range(0, 16, 4))
    return f"INV{rng.randint(10**9, 10**10 - 1)}"


def version(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}"
    if r < 0.8:
        return (f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
                f"-build.{rng.randint(100, 9999)}")
    return f"{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(1000, 9999)}"


class _Cell:
    """Builds one cell's text and records where each piece landed."""

    def __init__(self, file: str, row: int, field: str, items: list[Item]) -> None:
        self.file, self.row, self.field, self.items = file, row, field, items
        self.parts: list[str] = []
        self.pos = 0

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def put(self, s: str, kind: str, decoy: bool = False) -> None:
        self.items.append(Item(self.file, self.row, self.field, kind, self.pos,
                               self.pos + len(s), decoy))
        self.text(s)

    def value(self) -> str:
        return "".join(self.parts)


def _note(c: _Cell, rng: random.Random, first: str, last: str) -> None:
    choice = rng.random()
    if choice < 0.2:
        c.text("Customer asked to update contact to ")
        c.put(email(rng, first, last), "email")
        c.text(" after the move.")
    elif choice < 0.35:
        c.text("Call back on ")
        c.put(phone(rng), "phone")
        c.text(f" re order {order_id(rng)}.")
        c.items.append(Item(c.file, c.row, c.field, "order_id", c.pos - 1 - len(c.parts[-1]) + 9,
                            c.pos - 1, True))
    elif choice < 0.45:
        c.text("Paid with card ")
        c.put(card(rng), "card")
        c.text(", refund pending.")
    elif choice < 0.55:
        c.text("Card on file ")
        c.put(card(rng, valid=False), "card", decoy=True)
        c.text(" was rejected as mistyped.")
    elif choice < 0.65:
        c.text("Upgraded client to ")
        c.put(version(rng), "version", decoy=True)
        c.text(" from ")
        c.put(version(rng), "version", decoy=True)
        c.text(".")
    elif choice < 0.72:
        c.text("Refund to ")
        c.put(iban(rng), "iban")
        c.text(" approved.")
    else:
        c.text(f"Ticket {rng.randint(10000, 99999)} closed on 2025-0{rng.randint(1, 9)}-1"
               f"{rng.randint(0, 9)} after {rng.randint(2, 59)} minutes.")


def customers(rows: int, rng: random.Random, items: list[Item]) -> list[dict[str, str]]:
    out = []
    makers = {
        "card": (lambda: card(rng), lambda: card(rng, valid=False)),
        "iban": (lambda: iban(rng), lambda: iban(rng, valid=False)),
        "ssn": (lambda: ssn(rng), lambda: ssn(rng, valid=False)),
    }
    for r in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rec: dict[str, str] = {}
        c = _Cell("customers.csv", r, "customer", items)
        c.put(f"{first} {last}", "person")
        rec["customer"] = c.value()
        for field in ("email", "phone", "card", "iban", "ssn", "ip"):
            c = _Cell("customers.csv", r, field, items)
            if field in makers and rng.random() < 0.15:
                c.put(makers[field][1](), field, decoy=True)
            elif rng.random() < 0.05:
                c.text("")  # missing value
            elif field == "email":
                c.put(email(rng, first, last), "email")
            elif field == "phone":
                c.put(phone(rng), "phone")
            elif field == "ip":
                c.put(ip(rng), "ip")
            else:
                c.put(makers[field][0](), field)
            rec[field] = c.value()
        c = _Cell("customers.csv", r, "order_id", items)
        c.put(order_id(rng), "order_id", decoy=True)
        rec["order_id"] = c.value()
        c = _Cell("customers.csv", r, "app_version", items)
        c.put(version(rng), "version", decoy=True)
        rec["app_version"] = c.value()
        c = _Cell("customers.csv", r, "note", items)
        _note(c, rng, first, last)
        rec["note"] = c.value()
        out.append(rec)
    return out


def log_lines(rows: int, rng: random.Random, items: list[Item]) -> list[str]:
    out = []
    for r in range(rows):
        c = _Cell("app.log", r, "text", items)
        c.text(f"2025-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
               f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z INFO "
               f"req={rng.getrandbits(64):016x} ")
        k = rng.random()
        if k < 0.25:
            c.text("login ok user=")
            c.put(email(rng, rng.choice(FIRST), rng.choice(LAST)), "email")
            c.text(" from ")
            c.put(ip(rng), "ip")
        elif k < 0.35:
            c.text("sms sent to ")
            c.put(phone(rng), "phone")
        elif k < 0.42:
            c.text("charge ok pan=")
            c.put(card(rng), "card")
            c.text(f" amount={rng.randint(1, 900)}.{rng.randint(0, 99):02d}")
        elif k < 0.6:
            c.text("deploy agent=")
            c.put(version(rng), "version", decoy=True)
            c.text(" order=")
            c.put(order_id(rng), "order_id", decoy=True)
        else:
            c.text(f"GET /api/v2/items/{rng.randint(1, 99999)} 200 {rng.randint(1, 900)}ms "
                   f"bytes={rng.randint(100, 99999)}")
        out.append(c.value())
    return out


def build(out: Path, rows: int, seed: int) -> dict[str, object]:
    """Write customers.csv, app.log and truth.json under ``out``; returns the truth."""
    rng = random.Random(seed)
    items: list[Item] = []
    out.mkdir(parents=True, exist_ok=True)
    recs = customers(rows, rng, items)
    with (out / "customers.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(recs[0]))
        writer.writeheader()
        writer.writerows(recs)
    lines = log_lines(rows, rng, items)
    (out / "app.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # drop the order-id bookkeeping guess in notes (only whole cells are decoys there)
    items = [i for i in items if not (i.kind == "order_id" and i.field == "note")]
    truth = {"seed": seed, "rows": rows, "items": [asdict(i) for i in items]}
    (out / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return truth


def cells(out: Path) -> list[tuple[str, int, str, str]]:
    """Every (file, row, field, text) cell of the corpus, in order."""
    result = []
    with (out / "customers.csv").open(newline="", encoding="utf-8") as fh:
        for r, rec in enumerate(csv.DictReader(fh)):
            result.extend(("customers.csv", r, k, v) for k, v in rec.items())
    for r, line in enumerate((out / "app.log").read_text(encoding="utf-8").splitlines()):
        result.append(("app.log", r, "text", line))
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args[args.index("--rows") + 1]) if "--rows" in args else 2000
    s = int(args[args.index("--seed") + 1]) if "--seed" in args else 0
    t = build(Path(args[0]), n, s)
    print(f"{len(t['items'])} items written to {args[0]}")  # type: ignore[arg-type]
