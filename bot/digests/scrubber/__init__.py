"""Comment scrubber: residents' free text loses its personal data before an officer reads it.

Officers get digests, not people: a comment must still say *what* happens *where* and *when*
("dealing on the Pembury estate at 11pm") but not *who* wrote it or who it is about. So phone
numbers, emails, full postcodes, street addresses, vehicle registrations, social-media handles,
URLs, dates of birth and personal names are replaced by a token that says what was there
("[phone]", "[name]"); ward and place names, times, counts, event names and the public
emergency and helpline numbers stay.

No named-entity model can be downloaded where this runs, so names and addresses are found the
way a careful human redactor would on a first pass: a bundled list of given names from
Hackney's communities (``bot/data/first_names.txt``), cue phrases in the languages the bot
speaks ("my neighbour X", "Mr X", "called X", "X's flat", "se llama X", "komşum X"), and a
protected vocabulary of places, wards, events and everyday capitalised words. Everything is
deterministic and explainable; ``docs/scrubber.md`` gives the method and the measured recall
and false-removal figures, and ``bench/scrub_eval.py`` reproduces them.

Plain Python, no Telegram imports. Tables are built once per process; a ``Scrubber`` keeps no
state between calls, so one instance can be shared by every handler.

The package is split by what each part finds: ``tokens`` (words, lookup keys, cue phrases),
``structured`` (phones, emails, URLs, handles, postcodes, vehicles, dates of birth),
``addresses``, ``name_tables`` and ``names``; ``scrub`` holds the ``Scrubber`` itself and
``kinds`` what it reports. Modules inside the package import their siblings directly, never
this ``__init__``, so the import graph stays shallow.
"""

from __future__ import annotations

from bot.digests.scrubber.kinds import KINDS, TOKENS, Redaction, Scrubbed

# Not public, but read by tests/test_scrubber.py.
from bot.digests.scrubber.name_tables import _name_table as _name_table
from bot.digests.scrubber.scrub import Scrubber

__all__ = ["KINDS", "TOKENS", "Redaction", "Scrubbed", "Scrubber"]
