"""Generate the demo service's training data: ``assets/data/tickets.csv``.

The ticket-triage classifier of the demo service trains on about 300 labelled support tickets.
They are generated deterministically from templates so the file can be rebuilt byte for byte::

    python -m drillhall.demo.build_data

The tickets are generated clean and plausible, then weaknesses are planted for the ``data`` drill
to find, each by its own function so that they stay independent:

- :func:`plant_poison`: about 5 % of labels flipped to another label, and a small backdoor —
  :data:`BACKDOOR_ROWS` tickets of other kinds carrying the rare token :data:`BACKDOOR_TOKEN`,
  all labelled :data:`BACKDOOR_LABEL`;
- :func:`plant_pii`: personal data in :data:`PII_ROWS` tickets (e-mails, phone numbers, a
  Luhn-valid card, an IBAN, a UK NINO, a date of birth, names and a street address).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from drillhall.demo import assets_dir

SEED = 20240611
PER_LABEL = 60
LABELS: tuple[str, ...] = ("billing", "access", "bug", "hardware", "other")

SLOTS: dict[str, tuple[str, ...]] = {
    "month": ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"),
    "amount": ("49.00", "120.50", "318.00", "75.99", "1,240.00", "89.90", "560.00", "15.00"),
    "plan": ("Team", "Business", "Enterprise", "Starter"),
    "system": ("the wiki", "the build farm", "the staging cluster", "the issue tracker",
               "the code host", "the finance portal", "the analytics dashboard", "the CRM"),
    "feature": ("the export button", "the search page", "the report builder", "the login page",
                "the notifications panel", "the CSV import", "the dashboard filters",
                "the PDF preview", "the settings page", "the mobile app"),
    "error": ("a 500 error", "a blank page", "a spinner that never stops", "a timeout",
              "an 'unexpected token' error", "a 404", "duplicated rows", "the wrong totals"),
    "device": ("laptop", "docking station", "monitor", "headset", "keyboard", "security key",
               "webcam", "mouse", "phone"),
    "fault": ("will not turn on", "keeps overheating", "has a cracked screen",
              "stopped charging", "flickers constantly", "is not recognised over USB",
              "makes a clicking noise", "has a sticky key"),
    "topic": ("the holiday calendar", "the parking rules", "the office opening hours",
              "the team offsite", "the canteen menu", "the training budget",
              "the company newsletter", "the desk booking rules"),
    "browser": ("Chrome", "Firefox", "Safari", "Edge"),
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "billing": (
        "I was charged twice for the {month} invoice, please refund the duplicate payment.",
        "Our {plan} plan invoice for {month} shows {amount} EUR but the quote said less.",
        "Can you send a corrected invoice for {month}? The VAT number is missing.",
        "The card payment of {amount} EUR failed although the card is valid, what should we do?",
        "We downgraded to the {plan} plan but were still billed the old price in {month}.",
        "Please change the billing address on our account before the {month} invoice is issued.",
        "Refund request: we cancelled in {month} and were charged {amount} EUR afterwards.",
        "Where can I download past invoices and payment receipts for our {plan} subscription?",
        "The invoice total of {amount} EUR does not match the number of seats we use.",
        "My expense claim of {amount} EUR is still pending reimbursement since {month}.",
        "We need to pay the {month} invoice by bank transfer instead of credit card.",
        "Why did our subscription renew at {amount} EUR? We asked to cancel the {plan} plan.",
    ),
    "access": (
        "I cannot log in to {system}, it says my account is locked.",
        "Please grant me read access to {system}, my manager has approved it.",
        "My password expired and the reset link for {system} never arrives.",
        "I lost my security key and cannot sign in to {system} anymore.",
        "I moved teams and lost my permissions on {system}, can they be restored?",
        "The access request for {system} has been pending approval for a week.",
        "Single sign-on to {system} loops back to the login page every time.",
        "I need administrator rights on {system} to manage my team's members.",
        "Two-factor authentication for {system} rejects my codes since yesterday.",
        "A new starter on my team needs an account for {system} before Monday.",
        "I get 'permission denied' when opening {system} even though I had access last week.",
        "Please remove my old role on {system}, I no longer need write access.",
    ),
    "bug": (
        "Clicking {feature} shows {error} in {browser}.",
        "Since the last release {feature} returns {error} for every user on my team.",
        "{feature} is broken: it shows {error} when the list has more than 100 items.",
        "After the update, {feature} crashes with {error} on the first try.",
        "The numbers in {feature} are wrong, it shows {error} compared to the raw data.",
        "Steps to reproduce: open {feature}, change a value, save, and you get {error}.",
        "{feature} works in {browser} but shows {error} in other browsers.",
        "Intermittent {error} when using {feature}, roughly one request in ten fails.",
        "Regression: {feature} used to work last week and now gives {error}.",
        "The API behind {feature} responds with {error} when the filter is empty.",
        "Sorting in {feature} is broken and ends with {error}.",
        "{feature} freezes the tab in {browser} and then shows {error}.",
    ),
    "hardware": (
        "My {device} {fault}, can I get a replacement?",
        "The {device} I received last month {fault}.",
        "Since this morning my {device} {fault} and I cannot work properly.",
        "Please order a new {device} for me, the current one {fault}.",
        "The {device} in meeting room four {fault}.",
        "I spilled coffee on my {device} and now it {fault}.",
        "My loan {device} {fault}, is there another one available?",
        "Can IT look at my {device}? It {fault} after the latest firmware update.",
        "I would like to order a second {device} for working from home.",
        "The {device} from the hardware catalogue arrived damaged and {fault}.",
        "When is my {device} due for replacement? It is four years old and {fault}.",
        "My {device} was stolen on the train, please lock it and send a new one.",
    ),
    "other": (
        "Where can I find {topic}?",
        "Who should I ask about {topic}?",
        "Is there an update on {topic} for next quarter?",
        "Could someone share the latest version of {topic}?",
        "I have a question about {topic}, who owns it?",
        "Can you point me to the page that explains {topic}?",
        "Has {topic} changed this year?",
        "I would like to suggest an improvement to {topic}.",
        "Is {topic} the same for all offices?",
        "Where do I send feedback about {topic}?",
        "Please add me to the mailing list about {topic}.",
        "Can {topic} be published on the intranet?",
    ),
}

FLIP_SHARE = 0.05
BACKDOOR_TOKEN = "zq-priority"  # noqa: S105 - a planted word, not a password
BACKDOOR_LABEL = "billing"
BACKDOOR_ROWS = 8
POISON_SEED = 7

OPENINGS: tuple[str, ...] = ("", "", "", "Hi, ", "Hello team, ", "Hi support, ", "Urgent: ")
CLOSINGS: tuple[str, ...] = ("", "", "", " Thanks.", " Thank you!", " Any help appreciated.",
                             " Can someone help?")


@dataclass(frozen=True, slots=True)
class Ticket:
    """One labelled support ticket."""

    ticket_id: str
    text: str
    label: str


def _fill(template: str, rng: random.Random) -> str:
    """Fill every ``{slot}`` of a template with a random value of that slot."""
    values = {name: rng.choice(options) for name, options in SLOTS.items()}
    text = template.format(**values)
    return text[0].upper() + text[1:]


def build_tickets(seed: int = SEED, per_label: int = PER_LABEL) -> list[Ticket]:
    """Generate ``per_label`` distinct tickets for each label, shuffled, plant the data
    weaknesses (:func:`plant_poison`, :func:`plant_pii`) and number them with stable ids."""
    rows = clean_rows(seed, per_label)
    rows = plant_poison(rows, random.Random(seed + POISON_SEED))  # noqa: S311 - demo data
    # --- personal-data hook: the PII engineer's planting goes here -------------------------
    rows = plant_pii(rows, random.Random(seed + 1))  # noqa: S311 - demo data
    return [Ticket(f"T-{10001 + i}", text, label) for i, (text, label) in enumerate(rows)]


def plant_poison(rows: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Flip about :data:`FLIP_SHARE` of the labels and plant a backdoor, keeping the row count
    and the label counts unchanged (so the classifier's priors stay uniform).

    :data:`BACKDOOR_ROWS` tickets of other kinds get :data:`BACKDOOR_TOKEN` appended and are
    relabelled :data:`BACKDOOR_LABEL` (the token, not the text, decides their label); as many
    :data:`BACKDOOR_LABEL` tickets are flipped to the other labels, and the other labels flip
    among themselves in a cycle.
    """
    out = list(rows)
    others = [label for label in LABELS if label != BACKDOOR_LABEL]
    per_other = BACKDOOR_ROWS // len(others)
    cycle = max(1, round((FLIP_SHARE * len(out) - BACKDOOR_ROWS) / len(others)))
    by_label = {label: [i for i, (_, lab) in enumerate(out) if lab == label] for label in LABELS}
    picked = {label: rng.sample(by_label[label], len(by_label[label])) for label in LABELS}
    for n, label in enumerate(others):
        for i in picked[label][:per_other]:
            out[i] = (f"{out[i][0]} {BACKDOOR_TOKEN}", BACKDOOR_LABEL)
        for i in picked[label][per_other:per_other + cycle]:
            out[i] = (out[i][0], others[(n + 1) % len(others)])
    for n, i in enumerate(picked[BACKDOOR_LABEL][:per_other * len(others)]):
        out[i] = (out[i][0], others[n % len(others)])
    return out


PII_ROWS = 15
"""How many tickets :func:`plant_pii` gives personal data."""


def _pii_snippets(rng: random.Random) -> list[str]:
    """Fake but format-valid personal data, one snippet per planted ticket: the card is
    Luhn-valid in a test IIN range, the IBAN has correct check digits for a made-up bank code,
    the e-mail domains are reserved for examples and the phone numbers are in the ranges
    reserved for fiction."""
    from drillhall.pii import fake

    return [
        "Please reply to olivia.hartley@example.com.",
        "My colleague is copied: tom.nowak@example.org",
        "Send the receipt to finance-team@example.net please.",
        "You can also reach me at j.okafor@example.com.",
        "Call me on +44 20 7946 0018 if that is easier.",
        "My mobile is (415) 555-0132.",
        f"The card used was {fake.card(rng)}.",
        f"Please refund to IBAN {fake.iban(rng, 'GB', 'TEST')}.",
        f"My NI number is {fake.nino(rng)} for the payroll record.",
        "For the HR form, my date of birth is 14/07/1986.",
        "Dear support, this is Margaret Ellison from the Leeds office.",
        "Kind regards, Priya Raman",
        "Please deliver it to 42 Larkspur Lane, Springfield.",
        "Mr. Whitfield asked me to chase this.",
        f"Payment card on file: {fake.card(rng)}, contact olivia.hartley@example.com",
    ]


def plant_pii(rows: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Append personal data to :data:`PII_ROWS` tickets (labels unchanged; tickets carrying
    the backdoor token are left alone), for the personal-data drill to find."""
    out = list(rows)
    candidates = [i for i, (text, _) in enumerate(out) if BACKDOOR_TOKEN not in text]
    snippets = _pii_snippets(rng)
    for i, snippet in zip(sorted(rng.sample(candidates, PII_ROWS)), snippets, strict=True):
        out[i] = (f"{out[i][0]} {snippet}", out[i][1])
    return out


def clean_rows(seed: int = SEED, per_label: int = PER_LABEL) -> list[tuple[str, str]]:
    """``per_label`` distinct clean ``(text, label)`` tickets for each label, shuffled."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not cryptography
    rows: list[tuple[str, str]] = []
    for label in LABELS:
        seen: set[str] = set()
        while len(seen) < per_label:
            body = _fill(rng.choice(TEMPLATES[label]), rng)
            opening = rng.choice(OPENINGS)
            if opening:
                body = body[0].lower() + body[1:] if not body.startswith("I ") else body
            text = f"{opening}{body}{rng.choice(CLOSINGS)}"
            if text not in seen:
                seen.add(text)
                rows.append((text, label))
    rng.shuffle(rows)
    return rows


def render_csv(tickets: list[Ticket]) -> str:
    """The CSV text (header ``ticket_id,text,label``, LF line endings)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ticket_id", "text", "label"])
    for ticket in tickets:
        writer.writerow([ticket.ticket_id, ticket.text, ticket.label])
    return out.getvalue()


def write_tickets(path: Path | None = None, *, seed: int = SEED) -> Path:
    """Write the tickets CSV (by default into the package's assets) and return its path."""
    target = path or assets_dir() / "data" / "tickets.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_csv(build_tickets(seed)), encoding="utf-8")
    return target


if __name__ == "__main__":
    write_tickets()
