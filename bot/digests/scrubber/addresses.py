"""Street addresses: house and flat numbers with a street, and flat or unit numbers alone.

Street types, the words that cannot be part of a street name, and the readings of
"<number> <name words> <street type>" are enough to tell an address from a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from bot.digests.scrubber.kinds import Span
from bot.digests.scrubber.tokens import _LETTER, _WORD_RE, _Cue, _key, _Tok, _words

# --------------------------------------------------------------------------- addresses

# Street types that also work in lower case ("108 kingsland road"). The others ("Way",
# "Point", "Park", "Walk") are everyday words, so they count only when capitalised.
_SUFFIX_ANY_CASE: Final = _words(
    """
    street st road rd lane ln avenue ave crescent cres terrace tce gardens gdns mews grove
    square sq mansions buildings estate
    """
)
_SUFFIX_CAPITALISED: Final = _words(
    """
    close walk place pl drive court ct row way hill rise path yard parade passage wharf quay
    house point tower lodge park green gate vale view end common broadway boulevard embankment
    villas cottages heights towers apartments block
    """
)
_STREET_SUFFIXES: Final = _SUFFIX_ANY_CASE | _SUFFIX_CAPITALISED
# London streets often end with a compass word: "Mildmay Grove South", "Clapton Common North".
_STREET_DIRECTIONS_RE: Final = re.compile(r"[ \t]+(?:North|South|East|West)(?![^\W\d_])")
# Words that cannot be part of a street name: they turn "2 kids in the street" and
# "10 minute walk" back into plain sentences.
_NOT_STREET_WORDS: Final = _words(
    """
    a an the this that these those my our your his her their its of in on at to from by near
    into onto over under down up along across around behind outside inside opposite past and or
    but with without for about than then there here where when which who what is are was were
    be been being has have had do does did will would can could should may might must not no
    yes very too so just only also even still again every each all some any many much more most
    few several other another same next last first second third people persons men women kids
    children youths lads boys girls guys teenagers teens cars vans bikes mopeds scooters buses
    houses homes flats shops doors windows lights times days weeks months years hours minutes
    mins minute min seconds hour day week month year night nights mile miles metres meters
    yards km foot feet steps broken dark busy quiet main back side whole different dangerous
    private public local residential one-way big small little bad good nice long short wide
    narrow police officers dealers robberies burglaries stabbings fights incidents cameras i me
    we us you he she they it
    """
)
# Words that, after a lower-case street type, make it a compound: "street lights".
_STREET_COMPOUNDS: Final = _words(
    """
    light lights lamp lamps lighting sign signs cleaning sweeper sweepers party parties food
    crime crimes fight fights robbery robberies drinking racing art level name names works
    safety rage sense corner corners market markets furniture view cred
    """
)
_HOUSE_NUMBER_RE: Final = re.compile(
    r"(?=[\dnN#])(?<![\w./:,\-£$€])(?:(?P<cue>number|no\.?|nr\.?|#)[ \t]*)?"
    r"(?P<num>\d{1,4}[A-Za-z]?(?:[ \t]?[\-–/][ \t]?\d{1,4}[A-Za-z]?)?)"
    r"(?=[ \t])(?![ \t]*(?:am|pm|a\.m|p\.m)\b)",
    re.IGNORECASE,
)
_CONNECTOR_RE: Final = re.compile(r"[ \t]+(?:(?P<word>on|in|at|of|de|da|di|du|del)[ \t]+)?")
_UNITS: Final = r"flat|apt\.?|apartment|unit|maisonette|mieszkanie|daire"
_UNIT: Final = _Cue.of(
    _UNITS,
    rf"(?:{_UNITS})[ \t]*(?:no\.?[ \t]*|nr\.?[ \t]*|number[ \t]*|#[ \t]*)?\d{{1,4}}[A-Za-z]?"
    r"(?!\w)",
    re.IGNORECASE,
)
_LIVE_AT: Final = r"live|lives|living|lived|stay|stays|staying"
_LIVE_AT_NUMBER: Final = _Cue.of(
    _LIVE_AT,
    rf"(?:{_LIVE_AT})[ \t]+(?:at|in)[ \t]+(?P<addr>(?:number|no\.?|#)[ \t]*\d{{1,4}}[A-Za-z]?)"
    r"(?!\w)",
    re.IGNORECASE,
)
# "Evering Road 56", "Mare Street No: 12": the number after the street, as many European
# languages write it; only where the number ends the phrase, so "Mare Street 20 people" stays.
_STREET_THEN_NUMBER_RE: Final = re.compile(
    r"(?<!\w)(?:[A-Z][\w'’\-]*[ \t]+){1,3}(?:"
    + "|".join(sorted((s.capitalize() for s in _STREET_SUFFIXES), key=len, reverse=True))
    + r")\.?[ \t]+(?:(?:No|Nr|no|nr|numara|numer|Numara|Numer)[:.]?[ \t]*)?\d{1,4}[A-Za-z]?"
    r"(?=[ \t]*(?:[,.;:!?)\n]|$))"
)
_ADDRESS_GAP_RE: Final = re.compile(r"[\s,]{0,3}")
_UNIT_BLOCK_GAP_RE: Final = re.compile(r",?[ \t]+")
_SPACES_RE: Final = re.compile(r"[ \t]+")
_WORD_AFTER_RE: Final = re.compile(rf"\s+({_LETTER}+)")


def _street_after(text: str, pos: int, lower_case_ok: bool) -> int | None:
    """End of "<name words> <street type>" starting at ``pos``, or None.

    Up to four name words; the longest valid reading wins, so "Downs Park Road" is one street
    rather than "Downs Park". A capitalised street type needs capitalised name words
    ("Seaton Point"); a lower-case one ("108 kingsland road") is accepted only when
    ``lower_case_ok`` and not followed by a compound ("2 broken street lights").
    """
    best: int | None = None
    words: list[re.Match[str]] = []
    cursor = pos
    while len(words) < 5:
        match = _WORD_RE.match(text, cursor)
        if match is None:
            break
        words.append(match)
        if len(words) >= 2:
            end = _street_end(text, words, lower_case_ok)
            if end is not None:
                best = end
        if _key(match.group()) in _NOT_STREET_WORDS:
            break
        gap = _SPACES_RE.match(text, match.end())
        if gap is None:
            break
        cursor = gap.end()
    return best


def _street_end(text: str, words: list[re.Match[str]], lower_case_ok: bool) -> int | None:
    """Where the street ends if the last of ``words`` is a street type, else None."""
    suffix = words[-1]
    suffix_key = _key(suffix.group())
    capitalised = suffix.group()[:1].isupper()
    if not (suffix_key in _SUFFIX_ANY_CASE or (suffix_key in _SUFFIX_CAPITALISED and capitalised)):
        return None
    if not all(_is_street_word(w.group(), capitalised) for w in words[:-1]):
        return None
    if not capitalised:
        if not lower_case_ok:
            return None
        after = _WORD_AFTER_RE.match(text, suffix.end())
        if after is not None and _key(after.group(1)) in _STREET_COMPOUNDS:
            return None
    end = suffix.end()
    if text[end : end + 1] == "." and suffix_key in ("st", "rd", "ave"):
        end += 1
    elif capitalised and (direction := _STREET_DIRECTIONS_RE.match(text, end)):
        end = direction.end()
    return end


def _is_street_word(word: str, street_capitalised: bool) -> bool:
    key = _key(word)
    if key in _NOT_STREET_WORDS:
        return False
    if street_capitalised:
        return word[:1].isupper() or key in ("de", "la", "le", "of", "st")
    return True


def _address_spans(text: str, toks: Sequence[_Tok], has_digits: bool) -> Iterator[Span]:
    """House and flat numbers with a street, and flat or unit numbers on their own.

    A street name without a number ("Mare Street is dangerous") is a place and stays.
    """
    if not has_digits:
        return
    for match in _HOUSE_NUMBER_RE.finditer(text):
        connector = _CONNECTOR_RE.match(text, match.end())
        if connector is None:
            continue
        word = connector.group("word")
        if word and _key(word) in ("on", "in", "at", "of") and not match.group("cue"):
            continue
        end = _street_after(text, connector.end(), lower_case_ok=True)
        if end is not None:
            yield match.start(), end
    for match in _UNIT.matches(text, toks):
        start, end = match.span()
        # "Flat 17 Seaton Point", "Flat 3, Bannister House": a named block right after.
        gap = _UNIT_BLOCK_GAP_RE.match(text, end)
        if gap is not None:
            block = _street_after(text, gap.end(), lower_case_ok=False)
            if block is not None:
                end = block
        yield start, end
    for match in _LIVE_AT_NUMBER.matches(text, toks):
        yield match.span("addr")
    for match in _STREET_THEN_NUMBER_RE.finditer(text):
        yield match.span()
