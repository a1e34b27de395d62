"""What the scrubber reports: the kinds of personal data, their tokens, and the removals.

Kept apart so that every detector module and the rendering can share these names without
importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

KINDS: Final = (
    "phone",
    "email",
    "postcode",
    "address",
    "vehicle",
    "handle",
    "url",
    "date_of_birth",
    "name",
)
# What an officer reads in place of the removed text. English on purpose: the digest layer may
# translate them, and a fixed vocabulary keeps scrubbed text recognisable in any language.
TOKENS: Final = {kind: f"[{kind.replace('_', ' ')}]" for kind in KINDS}

# Overlapping finds are merged into one removal (never half a phone number), labelled with the
# most specific kind: an email contains a domain and an "@word"; a URL may contain a handle; a
# date of birth is also a run of digits; a name may sit inside an address.
_SPECIFICITY: Final = {
    "email": 9,
    "url": 8,
    "date_of_birth": 7,
    "postcode": 6,
    "vehicle": 5,
    "phone": 4,
    "address": 3,
    "handle": 2,
    "name": 1,
}


@dataclass(frozen=True, slots=True)
class Redaction:
    """One removal: its kind and the ``[start, end)`` span *in the original text*."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Scrubbed:
    """The text an officer may read, and what was taken out of the original to make it."""

    text: str
    redactions: tuple[Redaction, ...]


Span = tuple[int, int]
