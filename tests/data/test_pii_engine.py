"""The personal-data engine: each recogniser on true values and on decoys, and the checksums."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest

from drillhall.core.model import Confidence
from drillhall.pii import Engine, PiiMatch, Recognizer, default_recognizers, detect, fake
from drillhall.pii.checksums import card_ok, iban_ok, luhn_ok, nhs_ok, nino_ok, ssn_ok
from drillhall.pii.phone import PhoneRecognizer

RNG = random.Random(7)
CARD = fake.card(RNG)
IBAN = fake.iban(RNG)
NINO = fake.nino(RNG)
NHS = fake.nhs(RNG)
SSN = fake.ssn(RNG)


def kinds(text: str, context: str = "") -> list[tuple[str, str]]:
    return [(m.kind, m.value) for m in detect(text, context=context)]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("write to jane.doe+tickets@corp-mail.io today", "email", "jane.doe+tickets@corp-mail.io"),
    ("call me on +44 20 7946 0018 please", "phone", "+44 20 7946 0018"),
    ("my number is (415) 555-0132", "phone", "(415) 555-0132"),
    ("tel 020 7946 0018", "phone", "020 7946 0018"),
    (f"card {CARD} expires soon", "card", CARD),
    (f"paid to {IBAN} yesterday", "iban", IBAN),
    (f"NI number {NINO}", "nino", NINO),
    (f"NHS no. {NHS}", "nhs", NHS),
    (f"SSN: {SSN}", "ssn", SSN),
    ("login from 81.2.69.160 failed", "ip", "81.2.69.160"),
    ("client 2a00:1450:4009:81f::200e connected", "ip", "2a00:1450:4009:81f::200e"),
    ("DOB: 12/03/1985", "dob", "12/03/1985"),
    ("she was born on 3 March 1990 in Leeds", "dob", "3 March 1990"),
    ("date of birth 1979-11-30", "dob", "1979-11-30"),
    ("Dear John Smith, thank you", "person", "John Smith"),
    ("Please ask Mrs. Okafor about it", "person", "Mrs. Okafor"),
    ("Kind regards, Priya", "person", "Priya"),
    ("the report by Emily Watson was late", "person", "Emily Watson"),
    ("ship it to 742 Evergreen Terrace, Springfield", "address",
     "742 Evergreen Terrace, Springfield"),
    ("send to 10 Downing Street, London SW1A 2AA", "address", "10 Downing Street, London SW1A 2AA"),
    ("postcode M1 1AE", "address", "M1 1AE"),
])
def test_recogniser_finds_value(text: str, kind: str, value: str) -> None:
    assert (kind, value) in kinds(text)


@pytest.mark.parametrize("text", [
    "order 4000001234567899 shipped",                      # order id (even if Luhn-valid)
    "card 4000 0012 3456 7890",                            # fails Luhn
    "ref 1234 5678 9012 3456",                             # invalid IIN and Luhn
    "upgrade to version 1.2.3.4 today",                    # version string
    "build v10.0.19041.1 released",
    "at 2024-06-11T12:30:45Z and 2024-06-11 12:30:45",     # timestamps
    "id 123e4567-e89b-12d3-a456-426614174000",             # UUID
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "md5 d41d8cd98f00b204e9800998ecf8427e",
    "SKU 4412-555-0199 is out of stock",                   # phone-like product code
    "part no. 020-7946-0018",
    "the meeting is on 12/03/2024",                        # a date, no birth context
    "IBAN GB00 TEST 1234 5678 9012 34",                    # wrong check digits
    "ssn 000-12-3456 and 666-12-3456 and 912-12-3456",     # never issued
    "NI QQ 12 34 56 C and BG 12 34 56 A",                  # invalid NINO prefixes
    "Will Power and May June met Grace",                   # everyday words
    "Hello Team, the Chrome Firefox issue",
    "listen on 127.0.0.1 and 0.0.0.0 and ::1",             # loopback / unspecified
    "total 1,240.00 EUR for 300 seats",
])
def test_decoys_do_not_fire(text: str) -> None:
    found = [(m.kind, m.value) for m in detect(text) if m.confidence is not Confidence.LOW]
    assert found == []


def test_reserved_email_domain_is_reported_with_lower_confidence() -> None:
    (m,) = detect("contact alice@example.com")
    assert m.kind == "email" and m.confidence is Confidence.MEDIUM and m.score < 0.9


def test_private_ip_is_low_confidence() -> None:
    (m,) = detect("host 10.0.0.12 down")
    assert m.kind == "ip" and m.confidence is Confidence.LOW


def test_context_turns_a_date_into_a_dob_and_a_cell_into_a_name() -> None:
    assert kinds("1985-03-12", context="date_of_birth") == [("dob", "1985-03-12")]
    assert kinds("1985-03-12") == []
    assert kinds("Chloe Martin", context="customer_name") == [("person", "Chloe Martin")]


def test_nhs_and_bare_ssn_need_context() -> None:
    digits = NHS.replace(" ", "")
    assert "nhs" not in [kind for kind, _ in kinds(f"call {NHS}")]
    assert kinds(f"patient {digits}") == [("nhs", digits)]
    bare = SSN.replace("-", "")
    assert kinds(f"number {bare}") == []
    assert kinds(f"ssn {bare}") == [("ssn", bare)]


def test_kinds_filter_and_offsets() -> None:
    text = f"mail a@corp.io, card {CARD}"
    found = detect(text, kinds={"card"})
    assert [m.kind for m in found] == ["card"]
    assert all(text[m.start:m.end] == m.value for m in detect(text))


def test_overlaps_resolved_by_score() -> None:
    # a card number is also digit-run shaped like a phone; only the card is reported
    assert [m.kind for m in detect(f"payment card {CARD}")] == ["card"]


def test_repr_masks_value() -> None:
    (m,) = detect("mail jane.doe@corp.io")
    assert "jane.doe@corp.io" not in repr(m)


def test_phone_without_library_uses_strict_fallback() -> None:
    rec = PhoneRecognizer(use_library=False)
    assert [m.value for m in rec.find("call +44 20 7946 0018")] == ["+44 20 7946 0018"]
    assert [m.value for m in rec.find("phone (415) 555-0132")] == ["(415) 555-0132"]
    assert list(rec.find("SKU 4412-555-0199")) == []


def test_phone_region_hint() -> None:
    text = "mobile 0612345678"  # a French mobile in national format
    assert list(PhoneRecognizer(("US", "GB")).find(text)) == []
    assert [m.value for m in PhoneRecognizer(("FR",)).find(text)] == ["0612345678"]


def test_luhn_and_card_rules() -> None:
    digits = CARD.replace(" ", "")
    assert luhn_ok(digits) and card_ok(digits)
    broken = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert not luhn_ok(broken) and not card_ok(broken)
    assert not card_ok(fake.luhn_complete("999999999999999"))  # Luhn-valid, no IIN range
    assert not card_ok(fake.luhn_complete("4" * 14))           # Visa prefix, 15 digits


def test_iban_rules() -> None:
    compact = IBAN.replace(" ", "")
    assert iban_ok(compact)
    assert not iban_ok(compact[:-1])                            # wrong length for GB
    assert not iban_ok(compact[:2] + "00" + compact[4:])        # wrong check digits
    assert not iban_ok("XX" + compact[2:])                      # unknown country


def test_national_identifier_rules() -> None:
    assert ssn_ok("536", "22", "1234")
    assert not ssn_ok("000", "22", "1234") and not ssn_ok("666", "22", "1234")
    assert not ssn_ok("901", "22", "1234") and not ssn_ok("536", "00", "1234")
    assert not ssn_ok("536", "22", "0000")
    assert nino_ok(NINO.replace(" ", ""))
    for bad in ("GB123456A", "DA123456A", "AO123456A", "AB123456E"):
        assert not nino_ok(bad)
    assert nhs_ok(NHS.replace(" ", ""))
    digits = NHS.replace(" ", "")
    assert not nhs_ok(digits[:9] + str((int(digits[9]) + 1) % 10))
    assert not nhs_ok("1111111111")


class _Badge:
    """A third-party recogniser: employee badge ids reported as person data."""

    kinds = frozenset({"person"})

    def find(self, text: str, context: str = "") -> Iterable[PiiMatch]:
        start = text.find("BADGE-")
        if start >= 0:
            yield PiiMatch("person", start, start + 10, text[start:start + 10],
                           Confidence.HIGH, 0.99)


def test_pluggable_recogniser() -> None:
    assert isinstance(_Badge(), Recognizer)
    engine = Engine([*default_recognizers(), _Badge()])
    found = engine.detect("seen BADGE-1234 at mail a@corp.io")
    assert [m.kind for m in found] == ["person", "email"]
    only = Engine([_Badge()])
    assert only.detect("a@corp.io") == []
