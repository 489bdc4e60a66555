"""Format-valid fake identifiers for tests, demos and benchmarks.

They pass the same checksums the recognisers use, so nothing real needs to be written into the
repository: cards are generated in a test IIN range (``400000…``, used by payment processors
for test cards), IBAN check digits are computed for a made-up bank code, and so on.
"""

from __future__ import annotations

import random

from drillhall.pii.checksums import IBAN_LENGTHS, luhn_ok, nhs_ok


def luhn_complete(partial: str) -> str:
    """``partial`` with the Luhn check digit appended."""
    for digit in "0123456789":
        if luhn_ok(partial + digit):
            return partial + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def card(rng: random.Random, prefix: str = "400000", length: int = 16) -> str:
    """A Luhn-valid card number in a test IIN range, grouped by fours."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    digits = luhn_complete(body)
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def iban(rng: random.Random, country: str = "GB", bank: str = "TEST") -> str:
    """An IBAN with correct check digits for a made-up bank code, grouped by fours."""
    length = IBAN_LENGTHS[country]
    bban = bank + "".join(rng.choice("0123456789") for _ in range(length - 4 - len(bank)))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def nino(rng: random.Random) -> str:
    """A UK National Insurance number with a valid prefix, spaced."""
    prefix = rng.choice(("AB", "CE", "JK", "PR", "ST", "WX", "YZ", "HL"))
    digits = [f"{rng.randrange(100):02d}" for _ in range(3)]
    return f"{prefix} {' '.join(digits)} {rng.choice('ABCD')}"


def nhs(rng: random.Random) -> str:
    """A 10-digit NHS number with a valid check digit, as ``3 3 4``."""
    while True:
        digits = "".join(rng.choice("0123456789") for _ in range(10))
        if nhs_ok(digits):
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def ssn(rng: random.Random) -> str:
    """A US SSN that follows the issuing rules, as ``AAA-GG-SSSS``."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
