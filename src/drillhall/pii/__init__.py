"""The personal-data engine, shared by the ``data`` drill and the LLM guard.

::

    >>> from drillhall.pii import detect
    >>> [m.kind for m in detect("Mail jane.doe@corp.io or call +44 20 7946 0018")]
    ['email', 'phone']

Kinds (the ``pii:<type>`` tags): email, phone, card, iban, ssn, nino, nhs, ip, person, address,
dob. Built-in recognisers validate what they find (Luhn and IIN ranges for cards, mod-97 and
country lengths for IBANs, SSN area/group/serial rules, NINO prefixes, NHS mod-11, the
``ipaddress`` module, ``phonenumbers`` for phones) and look at nearby words, so order ids,
version strings, timestamps, UUIDs and hashes do not fire.

Plugging in another recogniser (Presidio, a NER model): implement :class:`Recognizer` — a
``kinds`` frozenset and ``find(text, context="")`` yielding :class:`PiiMatch` — and pass it
to :class:`Engine` with or instead of the defaults::

    class PresidioRecognizer:
        kinds = frozenset({"person", "address"})

        def __init__(self, analyzer):          # presidio_analyzer.AnalyzerEngine()
            self.analyzer = analyzer

        def find(self, text, context=""):
            for r in self.analyzer.analyze(text, language="en",
                                           entities=["PERSON", "LOCATION"]):
                kind = "person" if r.entity_type == "PERSON" else "address"
                yield PiiMatch(kind, r.start, r.end, text[r.start:r.end],
                               confidence_for(r.score), r.score)

    engine = Engine([*default_recognizers(), PresidioRecognizer(AnalyzerEngine())])

A NER model (spaCy, transformers) is wrapped the same way: map its entity labels to the kinds
above. Overlapping matches are resolved by score, so a model's names and the built-in
checksummed identifiers combine.
"""

from drillhall.pii.engine import Engine, default_engine, default_recognizers, detect
from drillhall.pii.model import KINDS, PiiMatch, Recognizer, confidence_for

__all__ = ["KINDS", "Engine", "PiiMatch", "Recognizer", "confidence_for", "default_engine",
           "default_recognizers", "detect"]
