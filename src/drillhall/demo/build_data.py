"""Generate the demo service's training data: ``assets/data/tickets.csv``.

The ticket-triage classifier of the demo service trains on about 300 labelled support tickets.
They are generated deterministically from templates so the file can be rebuilt byte for byte::

    python -m drillhall.demo.build_data

The tickets are clean and plausible on purpose: drills that need a weakness in the data (flipped
labels, poisoned rows, personal data) plant their own, so none is planted here.
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
    """Generate ``per_label`` distinct tickets for each label, shuffled, with stable ids."""
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
    return [Ticket(f"T-{10001 + i}", text, label) for i, (text, label) in enumerate(rows)]


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
