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

The module is plain Python (no Telegram imports) and builds all its tables once per process:
a ``Scrubber`` is cheap to create and safe to share between tasks, since ``scrub`` keeps no
state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = ["KINDS", "TOKENS", "Redaction", "Scrubbed", "Scrubber"]

NAMES_FILE: Final = Path(__file__).resolve().parent / "data" / "first_names.txt"

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
# What an officer reads in place of the removed text. English on purpose: the digest layer
# may translate them, and a fixed vocabulary keeps scrubbed text recognisable in any language.
TOKENS: Final = {kind: f"[{kind.replace('_', ' ')}]" for kind in KINDS}

# When two findings overlap they are merged into one removal (never half a phone number); the
# merged removal is labelled with the most specific kind. An email contains a domain and a
# handle-like "@..."; a URL may contain a handle; a date of birth looks like a digit run.
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


# --------------------------------------------------------------------------- shared patterns

# A "letter" for word tokens. Python's \w leaves out combining marks, which Bengali, Devanagari
# and vowelled Arabic need inside a word, so those ranges are added (digits and the danda
# punctuation of those blocks are left out).
_LETTER: Final = (
    r"(?:[^\W\d_]|[\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0971-\u097f"
    r"\u0981-\u09e5\u09f0-\u09ff\u0a00-\u0a65\u0a70-\u0ae5\u200c\u200d])"
)
_WORD_RE: Final = re.compile(rf"{_LETTER}+(?:['’\-]{_LETTER}+)*")
_NOT_LETTER_BEFORE: Final = rf"(?<!{_LETTER})"
_NOT_LETTER_AFTER: Final = rf"(?!{_LETTER})"

# Tokens this module writes. Scrubbing already-scrubbed text must change nothing, so these are
# masked before any detector runs (see ``Scrubber.scrub``).
_TOKEN_RE: Final = re.compile("|".join(re.escape(t) for t in TOKENS.values()))
_MASK: Final = "\ue000"  # a private-use character: no detector matches it

_APOSTROPHES: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def _key(word: str) -> str:
    """Case- and apostrophe-insensitive form used for every word-list lookup."""
    return unicodedata.normalize("NFC", word).translate(_APOSTROPHES).casefold()


def _digits(text: str) -> str:
    """ASCII digits of ``text``, whatever script they were typed in (Bengali, Arabic-Indic)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


# --------------------------------------------------------------------------- phone numbers

# Public numbers that residents quote to each other and officers need to see: emergency,
# non-emergency, NHS, and national helplines (Childline, Samaritans, Crimestoppers, the
# National Domestic Abuse Helpline, the EU 112). Compared as digit strings, so any spacing.
_PUBLIC_NUMBERS: Final = frozenset(
    {
        "999",
        "112",
        "101",
        "111",
        "105",
        "116123",
        "116000",
        "116111",
        "116117",
        "08001111",
        "0800555111",
        "08082000247",
        "08457909090",
    }
)

# A run of digits with the separators people type inside phone numbers: one space, dot, dash,
# or brackets around a group ("(020) 7946 0999", "+44 (0) 20 ..."). Slashes are left to
# phonenumbers, which knows dates from "020/7946/0999"; colons never occur (times stay).
_PHONE_RUN_RE: Final = re.compile(
    r"(?<![\d+])(?:\+|\b00)?\(?\d(?:(?:[ \t.\-–]|\)[ \t.\-–]?|[ \t.\-–]?\()?\d)*\)?"
)
_LONG_DIGITS_RE: Final = re.compile(r"\d{7,}")
_CHUNK_RE: Final = re.compile(r"\S+")
# Chunks inside a run that are dates or years, never phone digits.
_DATE_CHUNK_RE: Final = re.compile(
    r"\(?(?:\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}"
    r"|(?:19|20)\d\d(?:\s*[\-–/]\s*(?:19|20)?\d\d)?)\)?"
)
_TIME_CHUNK_RE: Final = re.compile(r"(?:[01]?\d|2[0-3])[.:][0-5]\d")
_CURRENCY_BEFORE_RE: Final = re.compile(r"[£$€]\s?$")
_MIN_PHONE_DIGITS: Final = 7
_MAX_PHONE_DIGITS: Final = 15


def _is_public_number(digits: str) -> bool:
    """True for 999/101/111 and helplines, also when written as +44 or 0044."""
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) > 8:
            digits = "0" + digits[len(prefix) :].removeprefix("0")
            break
    return digits in _PUBLIC_NUMBERS


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """Lenient phone finder: any run of 7 to 15 digits in phone-like grouping.

    Being lenient is the point: a number need not be valid or allocated to identify someone,
    and residents drop or add digits. Chunks that are dates, times or years are split off
    first, so "12.05.2024 10.30" and "2019-2023" survive.
    """
    for run in _PHONE_RUN_RE.finditer(text):
        if _CURRENCY_BEFORE_RE.search(text, max(0, run.start() - 2), run.start()):
            continue
        # Split the run at chunks that are dates, years or times; keep the rest in pieces.
        pieces: list[list[re.Match[str]]] = [[]]
        for chunk in _CHUNK_RE.finditer(run.group()):
            word = chunk.group()
            if _DATE_CHUNK_RE.fullmatch(word) or _TIME_CHUNK_RE.fullmatch(word):
                pieces.append([])
            else:
                pieces[-1].append(chunk)
        for piece in pieces:
            yield from _phone_piece(run.start(), piece)


def _phone_piece(base: int, chunks: list[re.Match[str]]) -> Iterator[tuple[int, int]]:
    """Turn space-separated chunks into phone spans, splitting over-long runs.

    A UK number has 11 digits from its leading 0 (12 from +44): when more digits follow
    ("07700 900123 20 people") the number ends where those 11 are complete, so the count after
    it survives.
    """
    while chunks:
        total = 0
        cut = len(chunks)
        first = chunks[0].group().lstrip("(")
        national = 11 if first.startswith("0") and not first.startswith("00") else 0
        if first.startswith("+44") or first.startswith("0044"):
            national = 12 if first.startswith("+") else 13
        counts = [len(_digits(c.group())) for c in chunks]
        if national and sum(counts) > national:
            for i, n in enumerate(counts):
                total += n
                if total == national:
                    cut = i + 1
                    break
        head, chunks = chunks[:cut], chunks[cut:]
        digits = _digits("".join(c.group() for c in head))
        if len(digits) >= _MIN_PHONE_DIGITS and not _is_public_number(digits):
            yield base + head[0].start(), base + head[-1].end()


def _phonenumbers_spans(text: str) -> Iterator[tuple[int, int]]:
    """What Google's libphonenumber finds at POSSIBLE leniency and the run finder does not.

    It adds slash-separated numbers ("020/7946/0999") and extensions ("ext. 12"). Its own
    hits on 4-6 digit years and counts are dropped, like the run finder's.
    """
    try:
        matches = list(PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE))
    except Exception:  # noqa: BLE001 - a library bug must not stop a resident's comment
        return
    for match in matches:
        raw = match.raw_string
        digits = _digits(raw)
        if len(digits) < _MIN_PHONE_DIGITS or _is_public_number(digits):
            continue
        if _DATE_CHUNK_RE.fullmatch(raw) or all(
            _DATE_CHUNK_RE.fullmatch(c) or _TIME_CHUNK_RE.fullmatch(c) for c in raw.split()
        ):
            continue
        yield match.start, match.end


# --------------------------------------------------------------------------- email, URL, handle

_EMAIL_RE: Final = re.compile(r"(?<![\w.+\-])[\w.+%\-]*\w@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
_TLDS: Final = (
    "com|net|org|uk|io|me|ly|be|tv|app|dev|info|biz|co|fr|pl|tr|de|es|pt|ro|ie|eu|us|gl|gd"
    "|link|site|online|shop|xyz|ng|gh|so|pk|bd|in|ae|sa|eg|br|ke|za|nl|it|ru|ua|news"
)
# "dave.price at gmail dot com": the word "dot" is required, so "meet at Dalston" is safe.
_EMAIL_SPELLED_RE: Final = re.compile(
    r"(?<![\w.])\w[\w.+\-]*\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[\w\-]+"
    r"(?:\s*(?:\(dot\)|\[dot\]|\s+dot\s+|\.)\s*[\w\-]+)*?"
    rf"\s*(?:\(dot\)|\[dot\]|\s+dot\s+)\s*(?:{_TLDS})\b",
    re.IGNORECASE,
)
_URL_RE: Final = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+"
    rf"|(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_TLDS})"
    r"(?![\w\-])(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_URL_TRAILING: Final = ".,;:!?)]}'\"»"
# Telegram, Instagram, TikTok and X handles. "@10pm" and "@ 7" are times, not people.
_HANDLE_RE: Final = re.compile(r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_HANDLE_TIME_RE: Final = re.compile(r"@\d{1,2}(?:[:.]\d\d)?(?:am|pm|h)?", re.IGNORECASE)


def _url_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            # Keep a closing bracket that belongs to the URL itself (Wikipedia style).
            if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
                break
            end -= 1
        if end > start:
            yield start, end


# --------------------------------------------------------------------------- postcodes

# Royal Mail's format rules, as in bot/areas.py, in any case and with any spacing. A bare
# outward code ("E8") or a sector ("E8 1") covers thousands of homes and is kept.
_POSTCODE_RE: Final = re.compile(
    r"(?<![^\W_])(?:GIR\s{0,3}0AA|(?:[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?"
    r"|[0-9][ABCDEFGHJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))\s{0,3}[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![^\W_])",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- vehicles

# Three-letter words and acronyms that would otherwise complete a registration after a
# postcode district or a bus route ("NW10 THE", "BUS 38D", "E8 NOW").
_NOT_PLATE_LETTERS: Final = frozenset(
    """
    the and for are but not you all any can had her was one our out day get has him his how
    man new now old see two way who boy did its let put say she too use bus car van cab nhs
    asb tfl bbc dlr met atm gps ufo fyi asap now why yes off own per via ago age bad big far
    few got lot low may nor odd pay ran red run sat set six ten top try won yet end due kid
    kids men war law job eye air art act add ask bag bar bed bit box cut dog fun gun hit hot
    job key lit mad mum dad pub row sad sex sit sun tax tea toy van wet win cop
    """.split()
)
_PLATE_CURRENT_RE: Final = re.compile(
    r"(?<![\w])([A-Za-z]{2})\s?(\d{2})(\s?)([A-Za-z]{3})(?![\w])"
)
_PLATE_PREFIX_RE: Final = re.compile(r"(?<![\w])([A-HJ-NP-Ya-hj-np-y])(\d{1,3})(\s?)([A-Za-z]{3})(?![\w])")
_PLATE_SUFFIX_RE: Final = re.compile(r"(?<![\w])([A-Za-z]{3})(\s?)(\d{1,3})\s?([A-HJ-NP-Ya-hj-np-y])(?![\w])")
# After an explicit cue any plate shape goes, including foreign ones ("plate WA 12345").
_PLATE_CUE_RE: Final = re.compile(
    r"(?<![^\W\d_])(?:reg(?:istration)?(?:\s+(?:no\.?|number|plate|mark))?|number\s*plate"
    r"|licen[cs]e\s*plate|plate(?:\s+(?:no\.?|number))?|vrn|plakas[ıi]|plaka(?:\s+no)?"
    r"|tablica(?:\s+rejestracyjna)?|rejestracja|numer\s+rejestracyjny|matr[íi]cula|placa"
    r"|immatriculation|plaque|num[ăa]r(?:ul)?\s+de\s+[îi]nmatriculare)"
    r"(?:\s*(?:is|was|:|#|-|no\.?|number|olan)(?![^\W\d_]))*\s*[:#\-]?\s*",
    re.IGNORECASE,
)
_PLATE_AFTER_CUE_RE: Final = re.compile(r"[A-Za-z0-9]{1,5}(?:[ \-][A-Z0-9]{1,5}){0,2}(?![\w])")


def _vehicle_spans(text: str, shouting: bool) -> Iterator[tuple[int, int]]:
    """Current (AB12 CDE), prefix (A123 BCD) and suffix (ABC 123D) formats, and cued plates.

    Lower-case and spaced forms are where ordinary words sneak in ("nw10 the"), so a spaced
    older-format plate must be in capitals, and no format may end in a common short word.
    """
    for match in _PLATE_CURRENT_RE.finditer(text):
        letters = match.group(4)
        if match.group(2) in ("00", "01") or letters.casefold() in _NOT_PLATE_LETTERS:
            continue
        yield match.span()
    for match in _PLATE_PREFIX_RE.finditer(text):
        letters, spaced = match.group(4), bool(match.group(3))
        if letters.casefold() in _NOT_PLATE_LETTERS:
            continue
        if spaced and (not letters.isupper() or not match.group(1).isupper() or shouting):
            continue
        yield match.span()
    for match in _PLATE_SUFFIX_RE.finditer(text):
        letters, spaced = match.group(1), bool(match.group(2))
        if letters.casefold() in _NOT_PLATE_LETTERS:
            continue
        if spaced and (not letters.isupper() or shouting):
            continue
        yield match.span()
    for cue in _PLATE_CUE_RE.finditer(text):
        plate = _PLATE_AFTER_CUE_RE.match(text, cue.end())
        if plate is None:
            continue
        body = plate.group().replace(" ", "").replace("-", "")
        if 2 <= len(body) <= 8 and any(c.isdigit() for c in body) and any(
            c.isalpha() for c in body
        ):
            yield plate.span()
        elif 2 <= len(body) <= 8 and body.isalpha() and body.isupper():
            yield plate.span()  # a private plate can be letters only ("reg BOSS")


# --------------------------------------------------------------------------- dates of birth

_MONTHS: Final = (
    # English, with the usual abbreviations
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    # Turkish
    "|ocak|şubat|subat|mart|nisan|mayıs|mayis|haziran|temmuz|ağustos|agustos|eylül|eylul|ekim"
    "|kasım|kasim|aralık|aralik"
    # Polish (nominative and genitive, as dates use the genitive)
    "|styczeń|stycznia|luty|lutego|marzec|marca|kwiecień|kwietnia|maj|maja|czerwiec|czerwca"
    "|lipiec|lipca|sierpień|sierpnia|wrzesień|września|październik|października|listopad"
    "|listopada|grudzień|grudnia"
    # Spanish and Portuguese
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    "|noviembre|diciembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro"
    "|novembro|dezembro"
    # French and Romanian
    "|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|octobre|décembre"
    "|decembre|ianuarie|februarie|martie|aprilie|iunie|iulie|septembrie|octombrie"
    "|noiembrie|decembrie"
)
_DAY: Final = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD: Final = r"(?:st|nd|rd|th|er|\.|º)?"
_YEAR4: Final = r"(?:1[89]\d\d|20\d\d)"
_NUMERIC_DATE: Final = (
    rf"(?:{_DAY}[./\-](?:0?[1-9]|1[0-2])[./\-](?:{_YEAR4}|\d\d)"
    rf"|(?:0?[1-9]|1[0-2])[./\-]{_DAY}[./\-](?:{_YEAR4}|\d\d)"
    rf"|{_YEAR4}-(?:0?[1-9]|1[0-2])-{_DAY})"
)
_WORD_DATE_YEAR: Final = (
    rf"(?:{_DAY}{_ORD}\s+(?:of\s+|de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+|of\s+)?{_YEAR4}"
    rf"|(?:{_MONTHS})\.?\s+{_DAY}{_ORD},?\s+{_YEAR4})"
)
_WORD_DATE_NO_YEAR: Final = (
    rf"(?:{_DAY}{_ORD}\s+(?:of\s+|de\s+)?(?:{_MONTHS})|(?:{_MONTHS})\s+{_DAY}{_ORD})"
)
_FULL_DATE_RE: Final = re.compile(
    rf"(?<![\w./\-])(?:{_NUMERIC_DATE}|{_WORD_DATE_YEAR})(?![\w]|[./\-]\d)",
    re.IGNORECASE,
)
_YEAR_IN_DATE_RE: Final = re.compile(rf"(?<!\d){_YEAR4}(?!\d)")
# A complete date from these years in a resident's comment is almost always someone's birth:
# incidents people report are recent, and a comment has no other reason to give a full date
# from decades ago. Later dates (incidents, meetings) are kept.
_DOB_YEARS: Final = range(1900, 2016)

_DOB_CUE: Final = (
    r"born|b\.|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|b'?day"
    r"|doğum\s+tarih\w*|doğum\s+gün\w*|doğdum|urodzon\w*|urodził\w*|data\s+urodzenia"
    r"|nacid[oa]s?|nací|fecha\s+de\s+nacimiento|cumpleaños|nascid[oa]|nasci"
    r"|data\s+de\s+nascimento|aniversário|née?|date\s+de\s+naissance|anniversaire"
    r"|născut\w*|nascut\w*|data\s+na[șs]terii|ziua\s+de\s+na[șs]tere"
    r"|taariikhda\s+dhalashada|dhashay|تاريخ\s+الميلاد|تاريخ\s+ميلادي|مواليد|ولدت"
    r"|تاریخ\s+پیدائش|پیدائش|জন্ম\s*তারিখ|জন্ম"
)
_DOB_FILLER: Final = (
    r"(?:\s|[:,.\-–(]|(?:is|was|on|in|the|of|le|la|el|em|en|w|în|pe|am|at|dnia|em|a)"
    r"(?![^\W\d_]))*"
)
_DOB_AFTER_CUE_RE: Final = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?:{_DOB_CUE}){_DOB_FILLER}"
    rf"(?P<date>{_NUMERIC_DATE}|{_WORD_DATE_YEAR}|{_WORD_DATE_NO_YEAR}|{_YEAR4})"
    r"(?![\w]|[./\-]\d)",
    re.IGNORECASE,
)


def _dob_spans(text: str) -> Iterator[tuple[int, int]]:
    """Dates after a birth cue (any form, even "12 May" or "1948"), and old full dates."""
    for match in _DOB_AFTER_CUE_RE.finditer(text):
        yield match.span("date")
    for match in _FULL_DATE_RE.finditer(text):
        year = _YEAR_IN_DATE_RE.search(match.group())
        if year is not None and int(year.group()) in _DOB_YEARS:
            yield match.span()


# --------------------------------------------------------------------------- addresses

# Street types that also work in lower case ("108 kingsland road"). The others ("Way",
# "Point", "Park", "Walk") are everyday words, so they count only when capitalised.
_SUFFIX_ANY_CASE: Final = frozenset(
    """
    street st road rd lane ln avenue ave crescent cres terrace tce gardens gdns mews grove
    square sq mansions buildings estate
    """.split()
)
_SUFFIX_CAPITALISED: Final = frozenset(
    """
    close walk place pl drive court ct row way hill rise path yard parade passage wharf quay
    house point tower lodge park green gate vale view end common broadway boulevard
    embankment wharf villas cottages heights towers apartments block
    """.split()
)
_STREET_SUFFIXES: Final = _SUFFIX_ANY_CASE | _SUFFIX_CAPITALISED
# Words that cannot be part of a street name: they turn "2 kids in the street" and
# "10 minute walk" back into plain sentences.
_NOT_STREET_WORDS: Final = frozenset(
    """
    a an the this that these those my our your his her their its of in on at to from by near
    into onto over under down up along across around behind outside inside opposite past
    and or but with without for about than then there here where when which who what
    is are was were be been being has have had do does did will would can could should may
    might must not no yes very too so just only also even still again every each all some
    any many much more most few several other another same next last first second third
    people persons men women kids children youths lads boys girls guys teenagers teens
    cars vans bikes mopeds scooters buses houses homes flats shops doors windows lights
    times days weeks months years hours minutes mins minute min seconds hour day week
    month year night nights mile miles metres meters yards km foot feet steps
    broken dark busy quiet main back side whole different dangerous private public local
    residential one-way big small little bad good nice long short wide narrow same
    police officers dealers robberies burglaries stabbings fights incidents cameras
    i me we us you he she they it
    """.split()
)
# Words that, after a street type, make it a compound noun: "street lights", "road rage".
_STREET_COMPOUNDS: Final = frozenset(
    """
    light lights lamp lamps lighting sign signs cleaning sweeper sweepers party parties food
    crime crimes fight fights robbery robberies drinking racing art level name names works
    safety rage sense corner corners market markets furniture view cred lamp-post
    """.split()
)
_HOUSE_NUMBER_RE: Final = re.compile(
    r"(?<![\w./:,\-£$€])(?:(?P<cue>number|no\.?|nr\.?|#)\s*)?"
    r"(?P<num>\d{1,4}[A-Za-z]?(?:\s?[\-–/]\s?\d{1,4}[A-Za-z]?)?)"
    r"(?=\s)(?!\s*(?:am|pm|a\.m|p\.m)\b)",
    re.IGNORECASE,
)
_CONNECTOR_RE: Final = re.compile(r"\s+(?:(?P<word>on|in|at|of|de|da|di|du|del)\s+)?")
_UNIT_RE: Final = re.compile(
    r"(?<![^\W\d_])(?:flat|apt\.?|apartment|unit|maisonette|room|mieszkanie|daire)"
    r"\s*(?:no\.?\s*|nr\.?\s*|number\s*|#\s*)?\d{1,4}[A-Za-z]?(?![\w])",
    re.IGNORECASE,
)
_LIVE_AT_NUMBER_RE: Final = re.compile(
    r"(?<![^\W\d_])(?:live|lives|living|lived|stay|stays|staying)\s+(?:at|in)\s+"
    r"(?P<addr>(?:number|no\.?|#)\s*\d{1,4}[A-Za-z]?)(?![\w])",
    re.IGNORECASE,
)
# "Evering Road 56", "Mare Street No: 12": the number after the street, as many European
# languages write it; only where the number ends the phrase, so "Mare Street 20 people" stays.
_STREET_THEN_NUMBER_RE: Final = re.compile(
    r"(?<![\w])(?:[A-Z][\w'’\-]*\s+){1,3}(?:"
    + "|".join(sorted((s.capitalize() for s in _STREET_SUFFIXES), key=len, reverse=True))
    + r")\.?\s+(?:(?:No|Nr|no|nr|numara|numer|Numara|Numer)[:.]?\s*)?\d{1,4}[A-Za-z]?"
    r"(?=\s*(?:[,.;:!?)\n]|$))"
)
_ADDRESS_GAP_RE: Final = re.compile(r"[\s,]{0,3}")
_WORD_AFTER_RE: Final = re.compile(rf"\s+({_LETTER}+)")


def _street_after(text: str, pos: int, words_in_lower_case_ok: bool) -> int | None:
    """End of "<Name words> <street type>" starting at ``pos``, or None.

    Up to four name words; the longest valid reading wins, so "Downs Park Road" is one street
    rather than "Downs Park". Lower-case street types only accept lower-case name words when
    ``words_in_lower_case_ok`` (so "2 broken street lights" is not an address).
    """
    best: int | None = None
    words: list[re.Match[str]] = []
    cursor = pos
    for _ in range(5):
        match = _WORD_RE.match(text, cursor)
        if match is None:
            break
        words.append(match)
        gap = re.match(r"[ \t]+", text[match.end() :])
        if gap is None:
            cursor = -1
        else:
            cursor = match.end() + gap.end()
        if len(words) >= 2:
            suffix = words[-1].group()
            suffix_key = _key(suffix.rstrip("."))
            capitalised = suffix[:1].isupper()
            names = words[:-1]
            ok_suffix = suffix_key in _SUFFIX_ANY_CASE or (
                suffix_key in _SUFFIX_CAPITALISED and capitalised
            )
            if ok_suffix and all(_is_street_word(w.group(), capitalised) for w in names):
                after = _WORD_AFTER_RE.match(text, words[-1].end())
                compound = (
                    after is not None
                    and not capitalised
                    and _key(after.group(1)) in _STREET_COMPOUNDS
                )
                if not compound and (capitalised or words_in_lower_case_ok):
                    end = words[-1].end()
                    if text[end : end + 1] == "." and suffix_key in ("st", "rd", "ave"):
                        end += 1
                    best = end
        if cursor < 0:
            break
        if not _is_street_word(words[-1].group(), True) and _key(
            words[-1].group()
        ) not in _STREET_SUFFIXES:
            break
    return best


def _is_street_word(word: str, street_capitalised: bool) -> bool:
    key = _key(word)
    if key in _NOT_STREET_WORDS:
        return False
    if street_capitalised:
        return word[:1].isupper() or key in ("de", "la", "le", "of", "st")
    return True


def _address_spans(text: str) -> Iterator[tuple[int, int]]:
    """House and flat numbers with a street; flat/unit numbers on their own.

    A street name without a number ("Mare Street is dangerous") is a place and stays.
    """
    for match in _HOUSE_NUMBER_RE.finditer(text):
        connector = _CONNECTOR_RE.match(text, match.end())
        if connector is None:
            continue
        word = connector.group("word")
        if word and _key(word) in ("on", "in", "at", "of") and not match.group("cue"):
            continue
        end = _street_after(text, connector.end(), words_in_lower_case_ok=True)
        if end is not None:
            yield match.start(), end
    for match in _UNIT_RE.finditer(text):
        start, end = match.span()
        # "Flat 17 Seaton Point", "Flat 6 Lincoln Court": a named block right after.
        block = _street_after(text, end + 1, words_in_lower_case_ok=False)
        if block is not None and text[end : end + 1] == " ":
            end = block
        yield start, end
    for match in _LIVE_AT_NUMBER_RE.finditer(text):
        yield match.span("addr")
    for match in _STREET_THEN_NUMBER_RE.finditer(text):
        yield match.span()


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class _NameTable:
    """The given-name list by confidence tier (see the header of first_names.txt)."""

    plain: frozenset[str]
    word: frozenset[str]  # "*": a lower-case English word too
    soft: frozenset[str]  # "~": an everyday word that starts sentences
    strict: frozenset[str]  # "!": usually a month, place or brand

    def tier(self, key: str) -> str | None:
        if key in self.plain:
            return "plain"
        if key in self.word:
            return "word"
        if key in self.soft:
            return "soft"
        if key in self.strict:
            return "strict"
        return None


@lru_cache(maxsize=1)
def _name_table() -> _NameTable:
    """Read ``first_names.txt`` once per process."""
    tiers: dict[str, set[str]] = {"": set(), "*": set(), "~": set(), "!": set()}
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, tag = line.partition(" ")
        tiers.get(tag.strip(), tiers[""]).add(_key(name))
    plain = tiers[""] - tiers["*"] - tiers["~"] - tiers["!"]
    return _NameTable(
        plain=frozenset(plain),
        word=frozenset(tiers["*"]),
        soft=frozenset(tiers["~"]),
        strict=frozenset(tiers["!"]),
    )


# Capitalised words that are never someone's name in a comment here: sentence openers,
# pronouns, days and months, festivals, institutions, nationalities and faiths, shops, and
# London/Hackney place words. Place *phrases* are in _PLACES below.
_NOT_NAMES: Final = frozenset(
    _key(w)
    for w in """
    I I'm I've I'd I'll Im A An The This That These Those There Here Where When Why What Who
    Which How If But And Or So Then Also Just Only Even Still Yet Now Please Thanks Thank
    Hi Hello Hey Dear Ok Okay Yes No Not Never Always Sometimes Often Every Each All Some Any
    Many Much More Most Few Lots Loads Lot Its It It's My Our Your His Her Their We You They
    He She Me Us Them Him Mine Ours Theirs Is Are Was Were Be Been Has Have Had Do Does Did
    Can Could Should Would Must Might Shall Let Lets Let's Get Got Go Going Went Come Came
    Ask Tell Call Ring Text Email Message Contact See Look Need Want Like Love Hate Think
    Know Feel Keep Make Made Take Took Give Put Stop Help Report Reported Sort Fix Please
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mondays Tuesdays Wednesdays
    Thursdays Fridays Saturdays Sundays Mon Tue Tues Wed Thurs Fri Sat Sun Weekend Weekends
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Today Tonight Yesterday Tomorrow
    Morning Afternoon Evening Night Nights Spring Summer Autumn Winter Last Next
    Christmas Easter Eid Ramadan Diwali Vaisakhi Hanukkah Chanukah Purim Pesach Passover
    Sukkot Rosh Hashanah Yom Kippur Shabbat Shabbos Lent Halloween Bonfire Carnival Pride
    Mela Navratri Holi Kwanzaa Fawkes
    Police Policing Met PC PCSO PCSOs Officer Officers Sergeant Inspector Detective Council
    Councillor Councillors Cllr Mayor MP Government Home Office NHS GP A&E TfL Overground
    Underground Tube Bus Buses Station Estate Estates Park Road Street Lane Avenue Square
    Market Church School Academy College University Hospital Library Centre Center Mosque
    Synagogue Shul Temple Gurdwara Surgery Practice Pub Bar Club Cafe Café Shop Shops
    Ward Wards Panel Team Neighbourhood Neighborhood Watch Safer Community Conversation
    Conversations Housing Association Homes Group Project Youth Services Service Trust
    Foundation Charity Network Forum Board Committee Partnership Unit Department
    London Londoner Londoners Hackney Dalston Clapton Hoxton Shoreditch Homerton Haggerston
    Stamford Stoke Newington Kingsland Mildmay Brownswood Cazenove Clissold Shacklewell
    Springfield Woodberry Beauvoir De Victoria Lea Leabridge Wick Downs Fields Marshes
    Millfields Mabley Abney Ridley Mare Narrow Way Amhurst Pembury Kingsmead Nightingale
    Gascoyne Frampton Wenlock Rhodes Holly Lordship Islington Tottenham Walthamstow
    Bethnal Whitechapel Stratford Leyton Camden Haringey Enfield Newham Tower Hamlets
    Finsbury Highbury Holloway Angel Seven Sisters Manor House Bow Poplar Limehouse
    Canal Regent's River Valley Lido Empire Rio Arcola Curve Garden Gardens Junction
    England English Britain British UK Scotland Scottish Wales Welsh Ireland Irish Europe
    European Turkey Turkish Kurdish Kurd Kurdistan Cyprus Cypriot Poland Polish Romania
    Romanian Spain Spanish Portugal Portuguese Brazil Brazilian France French Africa
    African Nigeria Nigerian Ghana Ghanaian Somalia Somali Somaliland Eritrea Eritrean
    Ethiopia Ethiopian Sudan Sudanese Bangladesh Bangladeshi Bengali Bangla Pakistan
    Pakistani India Indian Urdu Punjabi Sikh Hindu Muslim Muslims Islam Islamic Jewish Jew
    Jews Orthodox Charedi Haredi Hasidic Christian Christians Catholic Church Arab Arabic
    Caribbean Jamaica Jamaican Trinidad Barbados Vietnamese Chinese Asian Black White
    Latino Latin American Americans America USA US Colombia Colombian Ecuador
    Tesco Sainsbury Sainsbury's Morrisons Asda Aldi Lidl Iceland Co-op Coop Boots Greggs
    Costa Starbucks McDonald's McDonalds Nando's KFC Primark Argos Wetherspoon Wetherspoons
    Uber Deliveroo Lime Santander Amazon Google Facebook Instagram TikTok WhatsApp Telegram
    Twitter YouTube Snapchat Ford Vauxhall Mercedes BMW Audi Toyota Honda Range Rover Tesla
    Corsa Fiesta Prius Transit
    ASB CCTV ULEZ LTN LTNs Covid COVID Brexit Mr Mrs Ms Miss Dr Sgt Prof Rev Sr Sra Mme
    God Allah Jesus Lord Amen Inshallah Mashallah
    North South East West Northern Southern Eastern Western Upper Lower High Old New Great
    Little Central Junction Broadway Hill Green Common Gate Bridge Pond Square Terrace
    Name Names Address Phone Number Mobile Email Tel Mob Reg Postcode Video Photo Photos
    Regards Cheers Best Kind Sincerely Update Note PS NB Re Fwd Subject Anonymous Resident
    Residents Neighbour Neighbours Neighbor Neighbors Mum Mom Dad Nan Nana Grandma Grandad
    Auntie Aunty Uncle Sister Brother Son Daughter Wife Husband Partner Friend Mate Landlord
    Merhaba Selam Dzień Dobry Hola Olá Bonjour Salut Bună Salaam Salam Shalom Assalamu
    """.split()
)

# Multi-word places, wards and events that must survive even though one of their words is a
# given name ("St John's Church", "Victoria Park", "Guy Fawkes Night"). Matched as whole
# phrases, case-insensitively; the ``keep`` argument adds to them.
_PLACES: Final = (
    # Hackney's 21 wards (data/wards.csv)
    "Brownswood", "Cazenove", "Clissold", "Dalston", "De Beauvoir", "Hackney Central",
    "Hackney Downs", "Hackney Wick", "Haggerston", "Homerton", "Hoxton East & Shoreditch",
    "Hoxton East and Shoreditch", "Hoxton West", "King's Park", "Kings Park", "Lea Bridge",
    "London Fields", "Shacklewell", "Springfield", "Stamford Hill West", "Stoke Newington",
    "Victoria", "Woodberry Down",
    # neighbourhoods, streets, parks, estates, stations and landmarks residents name
    "Hackney", "Clapton", "Upper Clapton", "Lower Clapton", "Clapton Common", "Clapton Pond",
    "Hoxton", "Shoreditch", "Stamford Hill", "Mildmay", "Kingsland", "Hackney Marshes",
    "Millfields", "Victoria Park", "Victoria Park Road", "Clissold Park", "Abney Park",
    "Springfield Park", "Mabley Green", "Shoreditch Park", "Haggerston Park", "Hackney Downs",
    "London Fields Lido", "Broadway Market", "Ridley Road", "Ridley Road Market",
    "Hoxton Street Market", "Columbia Road", "The Narrow Way", "Narrow Way", "Mare Street",
    "Kingsland Road", "Kingsland High Street", "Stoke Newington High Street",
    "Stoke Newington Church Street", "Dalston Junction", "Dalston Kingsland", "Dalston Lane",
    "Dalston Square", "Gillett Square", "Hoxton Square", "Pembury Estate", "Kingsmead Estate",
    "Nightingale Estate", "Gascoyne Estate", "Holly Street Estate", "Frampton Park",
    "Wenlock Barn", "Rhodes Estate", "Regent's Canal", "Lee Valley", "River Lea", "River Lee",
    "Hackney Empire", "Rio Cinema", "Homerton Hospital", "Hackney Town Hall", "Sutton House",
    "St John at Hackney", "St John's", "St John's Church", "St Augustine's Tower",
    "St Mark's", "St Joseph's", "St Mary's", "St Paul's", "St Matthew's", "St Thomas's",
    "St Michael's", "St Peter's", "St Anne's", "St Monica's", "St Dominic's",
    "Dalston Eastern Curve Garden", "Kingsland Shopping Centre", "Lawson Practice",
    "Graham Road", "Clarence Road", "Cecilia Road", "Eleanor Road", "Matthias Road",
    "Sylvester Path", "Richmond Road", "Albion Road", "Albion Square", "Sandringham Road",
    "Evering Road", "Amhurst Road", "Amhurst Park", "Lordship Road", "Lea Bridge Road",
    "Victoria Road", "Morning Lane", "Well Street", "Chatsworth Road", "Brooke Road",
    "Northwold Road", "Cazenove Road", "Downs Park Road", "Shacklewell Lane", "Bethune Road",
    "Seven Sisters", "Manor House", "Bethnal Green", "Cambridge Heath", "Angel",
    # events and bodies
    "Hackney Carnival", "Carnaval de Hackney", "Community and Police Conversation",
    "Safer Neighbourhood Team", "Safer Neighbourhoods", "Neighbourhood Watch", "Ward Panel",
    "Hackney Half", "Black History Month", "Notting Hill Carnival", "Guy Fawkes Night",
    "Bonfire Night", "New Year's Eve", "Rosh Hashanah", "Yom Kippur", "Florence Nightingale",
    "Mothers' Day", "Mother's Day", "Father's Day", "Valentine's Day", "St Patrick's Day",
)  # fmt: skip

_TITLE_RE: Final = re.compile(
    r"(?<![^\W\d_])(?:(?i:mrs?|ms|mx|dr|prof|pcso|pc|dc|ds|di|sgt|sergeant|inspector|insp"
    r"|cllr|councillor|rev|revd|rabbi|imam|sheikh|shaykh|hajji|haji|hajja|sr|sra|srta"
    r"|señor|señora|senhor|senhora|dona|mme|mlle|monsieur|madame|domnul|doamna|dl|dna"
    r"|doamnei|pani|panią|panem|panu|bayan)|Miss|Pan|Bay|M|Auntie|Aunty|Uncle|Father"
    r"|Sister|Brother|السيد|السيدة|الأستاذ|الحاج|الشيخ|جناب|مسٹر|জনাব|মিস্টার)"
    r"(?![^\W\d_])\.?\s+"
)
_RELATION_RE: Final = re.compile(
    r"(?<![^\W\d_])(?i:neighbou?rs?|son|daughter|husband|wife|partner|friend|mate|brother"
    r"|sister|mum|mom|mother|dad|father|landlord|landlady|cousin|uncle|aunt|auntie|aunty"
    r"|nephew|niece|boyfriend|girlfriend|carer|grandson|granddaughter|grandma|grandmother"
    r"|grandad|granddad|grandfather|nan|nana|colleague|flatmate|housemate|lodger|tenant"
    r"|stepson|stepdaughter|boss|komşum|komşumuz|arkadaşım|oğlum|kızım|eşim|kocam|karım"
    r"|annem|babam|abim|ablam|kardeşim|sąsiad|sąsiadka|sąsiadki|sąsiada|syn|córka|mąż|żona"
    r"|kolega|koleżanka|przyjaciel|przyjaciółka|vecino|vecina|hijo|hija|marido|esposo|esposa"
    r"|amigo|amiga|vizinho|vizinha|filho|filha|voisin|voisine|fils|fille|copine|copain"
    r"|vecinul|vecinei|fiul|fiica|soțul|soția|sotul|sotia|prietenul|prietena|deriskayga"
    r"|deriskeyga|deriskaygu|wiilkayga|gabadhayda|saaxiibkay|walaalkay|walaashay|ninkayga"
    r"|جاري|جارتي|جارنا|ابني|ابنتي|زوجي|زوجتي|صديقي|صديقتي|أخي|اخي|أختي|اختي|پڑوسی|پڑوسن"
    r"|بیٹا|بیٹی|شوہر|بیوی|بھائی|بہن|প্রতিবেশী|ছেলে|মেয়ে|স্বামী|স্ত্রী|বন্ধু|ভাই|বোন)"
    r"(?![^\W\d_])(?:\s*,)?(?:\s+(?i:is|was)?\s*(?i:called|named))?\s+"
)
_CALLED_RE: Final = re.compile(
    r"(?<![^\W\d_])(?i:called|named|name\s+is|name's|known\s+as|goes\s+by|calls\s+himself"
    r"|calls\s+herself|my\s+name\s+is|se\s+llama|me\s+llamo|llamad[oa]|mi\s+nombre\s+es"
    r"|chama-se|se\s+chama|me\s+chamo|chamad[oa]|meu\s+nome\s+é|s'appelle|je\s+m'appelle"
    r"|appelée?|se\s+numește|se\s+numeste|mă\s+numesc|ma\s+numesc|numele\s+meu\s+este"
    r"|numit[ăa]?|adı|adım|ismi|ismim|nazywa\s+się|nazywam\s+się|ma\s+na\s+imię"
    r"|mam\s+na\s+imię|magaciisu\s+waa|magaceedu\s+waa|magacaygu\s+waa|magacaygu"
    r"|اسمه|اسمها|اسمي|يدعى|يُدعى|نام|নাম)"
    r"(?![^\W\d_])\s*[:,]?\s+"
)
# Weaker cues: the next word counts only if it is on the name list.
_WEAK_CUE_RE: Final = re.compile(
    r"(?<![^\W\d_])(?i:i'm|i’m|i\s+am|im|je\s+suis|soy|sou|ask\s+for|ask|speak\s+to"
    r"|talk\s+to|contact|ring|call|text|message|email|with|told|tell|by)\s*,?\s+"
)
_SIGNOFF_RE: Final = re.compile(
    r"(?<![^\W\d_])(?i:thanks|thank\s+you|many\s+thanks|cheers|regards|kind\s+regards"
    r"|best\s+wishes|best|sincerely|yours|love|from|signed|merci|gracias|obrigad[oa]"
    r"|dziękuję|teşekkürler|mulțumesc|mahadsanid)[,!.]?\s+"
)
_SIGNATURE_END_RE: Final = re.compile(r"[\s.!)\-–—]*$")
_POSSESSIVE_NOUNS: Final = frozenset(
    """
    flat house home door car van bike son daughter kids children child wife husband partner
    mum dad mother father brother sister dog cat garden window windows shop place room family
    boyfriend girlfriend friend friends phone bag mate mates nan gran baby boy girl cousin
    """.split()
)
# "<Name> from number 7", "<Name> next door": upgrade a list name that would otherwise wait
# for a capital (soft tier) into a name.
_AFTER_NAME_CUE_RE: Final = re.compile(
    r"\s+(?i:from\s+(?:the|number|no\.?|next|upstairs|downstairs|across|over|down|up|our|my)"
    r"|next\s+door|upstairs|downstairs|across\s+the\s+road|two\s+doors|at\s+number"
    r"|who\s+lives|lives\s+(?:at|in|on|next|above|below|opposite))(?![^\W\d_])"
)
_POSTFIX_TITLE_RE: Final = re.compile(
    r"\s+(?:Bey|Hanım|Hanim|Abla|Abi|Amca|Teyze|Efendi)(?![^\W\d_])"
)
# After a name, these words mean the name is part of a place: "Graham Road", "St John's
# Church", "Victoria Park", "Clarence estate".
_PLACE_NOUNS: Final = _STREET_SUFFIXES | frozenset(
    """
    estate market church school academy centre center station hall library primary secondary
    mosque synagogue shul surgery practice pub bar cafe café restaurant store tower bridge
    ward hospital college university cinema theatre museum gallery clinic centre nursery
    gardens fields marshes valley canal lido arms inn hotel house court lodge foundation
    trust project hub club
    """.split()
)
_PLACE_PREFIXES: Final = frozenset({"st", "st.", "saint", "the", "fort", "port", "mount"})
_PARTICLES: Final = frozenset(
    "de da das dos do del della di du van von der den ter bin binti ibn bint al el ben ul ud "
    "le la mac".split()
)


@dataclass(slots=True)
class _Tok:
    text: str  # the word without a possessive or Turkish case ending
    start: int
    end: int
    key: str
    cased: bool  # written in a script with capitals
    upper_first: bool
    all_caps: bool
    sentence_start: bool
    possessive: bool


_SUFFIX_AFTER_APOSTROPHE_RE: Final = re.compile(r"['’]([a-zçğıöşüâîû]{1,4})$")


def _tokens(text: str) -> list[_Tok]:
    """Word tokens with what name detection needs to know about each."""
    toks: list[_Tok] = []
    for match in _WORD_RE.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        possessive = False
        ending = _SUFFIX_AFTER_APOSTROPHE_RE.search(word)
        if ending is not None and len(word) - len(ending.group()) >= 2:
            # "Tunde's", "Mehmet'in", "Stoke Newington'da": look the stem up.
            possessive = ending.group(1) == "s"
            word = word[: ending.start()]
            end = start + len(word)
        first = word[0]
        cased = first.upper() != first.lower()
        before = text[:start].rstrip(" \t\"'“‘«(*-–—")
        sentence_start = not before or before[-1] in ".!?…\n¡¿" or before.endswith("..")
        letters = [c for c in word if c.isalpha()]
        toks.append(
            _Tok(
                text=word,
                start=start,
                end=end,
                key=_key(word),
                cased=cased,
                upper_first=first.isupper(),
                all_caps=cased and len(letters) > 1 and all(c.isupper() for c in letters),
                sentence_start=sentence_start,
                possessive=possessive,
            )
        )
    return toks


class Scrubber:
    """Replaces personal data in residents' comments with tokens that say what was removed."""

    def __init__(self, *, keep: Iterable[str] = ()) -> None:
        """``keep``: ward, place and event names that must survive, as whole phrases.

        They are added to the bundled Hackney places and events. A kept phrase protects its
        words from being taken for a name or an address; it cannot hide structured data such
        as a phone number, and it does not override an explicit cue ("my neighbour X").
        """
        self._names = _name_table()
        phrases: dict[tuple[str, ...], None] = {}
        for phrase in (*_PLACES, *keep):
            words = tuple(_key(w) for w in _WORD_RE.findall(phrase))
            if words:
                phrases[words] = None
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for words in phrases:
            by_first.setdefault(words[0], []).append(words)
        for options in by_first.values():
            options.sort(key=len, reverse=True)
        self._keep_by_first = by_first

    # ----------------------------------------------------------------------- public

    def scrub(self, text: str) -> Scrubbed:
        """Return ``text`` with personal data replaced, and the spans that were replaced."""
        # Earlier tokens ("[phone]") are masked so that re-scrubbing changes nothing: the
        # words inside them ("date of birth") must not act as cues for what follows.
        work = _TOKEN_RE.sub(lambda m: _MASK * len(m.group()), text)
        hits = self._find(work)
        hits = [h for h in hits if _MASK not in work[h[1] : h[2]]]
        merged = _merge(hits, work)
        out: list[str] = []
        cursor = 0
        for red in merged:
            out.append(text[cursor : red.start])
            out.append(TOKENS[red.kind])
            cursor = red.end
        out.append(text[cursor:])
        return Scrubbed(text="".join(out), redactions=tuple(merged))

    # ----------------------------------------------------------------------- detection

    def _find(self, text: str) -> list[tuple[str, int, int]]:
        hits: list[tuple[str, int, int]] = []
        add = hits.append
        for m in _EMAIL_RE.finditer(text):
            add(("email", *m.span()))
        for m in _EMAIL_SPELLED_RE.finditer(text):
            add(("email", *m.span()))
        for span in _url_spans(text):
            add(("url", *span))
        for m in _HANDLE_RE.finditer(text):
            if _HANDLE_TIME_RE.fullmatch(m.group()) or not any(c.isalpha() for c in m.group()):
                continue
            add(("handle", *m.span()))
        for span in _dob_spans(text):
            add(("date_of_birth", *span))
        for m in _POSTCODE_RE.finditer(text):
            add(("postcode", *m.span()))
        digit_count = sum(ch.isdecimal() for ch in text)
        if digit_count >= _MIN_PHONE_DIGITS:
            for span in _phone_spans(text):
                add(("phone", *span))
            covered = [h for h in hits if h[0] in ("phone", "date_of_birth")]
            for span in _phonenumbers_spans(text):
                if not any(s < span[1] and span[0] < e for _, s, e in covered):
                    add(("phone", *span))
            # Whatever else happens, no run of 7+ digits reaches an officer.
            for m in _LONG_DIGITS_RE.finditer(text):
                add(("phone", *m.span()))
        toks = _tokens(text)
        shouting = _is_shouting(toks)
        for span in _vehicle_spans(text, shouting):
            add(("vehicle", *span))
        for span in _address_spans(text):
            add(("address", *span))
        protected = self._protected(toks)
        structured = [(s, e) for _, s, e in hits]
        for start, end, cued in self._names_in(text, toks, shouting, structured):
            if not cued and _inside(start, end, protected):
                continue
            add(("name", start, end))
        # A kept phrase also protects its words from the address detector ("Flat Iron
        # Square" kept as a venue); structured kinds are never protected.
        return [
            h
            for h in hits
            if not (h[0] == "address" and _inside(h[1], h[2], protected))
        ]

    def _protected(self, toks: list[_Tok]) -> list[tuple[int, int]]:
        """Character spans of kept phrases (places, wards, events, ``keep``) in the text."""
        spans: list[tuple[int, int]] = []
        keys = [t.key for t in toks]
        for i, key in enumerate(keys):
            for words in self._keep_by_first.get(key, ()):
                if tuple(keys[i : i + len(words)]) == words:
                    spans.append((toks[i].start, toks[i + len(words) - 1].end))
                    break
        return spans

    def _names_in(
        self,
        text: str,
        toks: list[_Tok],
        shouting: bool,
        structured: list[tuple[int, int]],
    ) -> Iterator[tuple[int, int, bool]]:
        """Personal names as (start, end, found_by_cue).

        Evidence, strongest first: a cue before the word ("Mr", "my neighbour", "called",
        "Regards,") or after it ("'s flat", "from number 7", "Bey"); the name list by tier;
        and, once a name is found, the capitalised words right after it (the surname).
        """
        names = self._names
        n = len(toks)
        if n == 0:
            return
        by_start = {t.start: i for i, t in enumerate(toks)}
        accepted: dict[int, bool] = {}  # token index -> found by a strong cue

        def token_at(pos: int) -> int | None:
            return by_start.get(pos)

        def strong_ok(i: int) -> bool:
            tok = toks[i]
            if tok.key in _NOT_NAMES or not tok.text[0].isalpha():
                return False
            if not tok.cased:
                return True
            if tok.upper_first:
                return True
            return names.tier(tok.key) in ("plain", "word")

        def weak_ok(i: int) -> bool:
            tok = toks[i]
            return tok.key not in _NOT_NAMES and names.tier(tok.key) is not None

        # 1. Cues before the name.
        for regex, strong in (
            (_TITLE_RE, True),
            (_RELATION_RE, True),
            (_CALLED_RE, True),
            (_SIGNOFF_RE, True),
            (_WEAK_CUE_RE, False),
        ):
            for cue in regex.finditer(text):
                i = token_at(cue.end())
                if i is None:
                    continue
                if regex is _SIGNOFF_RE and not _signature_at_end(text, toks, i):
                    continue
                if strong and strong_ok(i):
                    accepted[i] = True
                    # In a script without capitals take a second word only if it is a name.
                    nxt = i + 1
                    if (
                        not toks[i].cased
                        and nxt < n
                        and not toks[nxt].cased
                        and names.tier(toks[nxt].key) is not None
                        and text[toks[i].end : toks[nxt].start].isspace()
                    ):
                        accepted[nxt] = True
                elif not strong and weak_ok(i):
                    accepted.setdefault(i, False)

        # 2. Cues after the name.
        for i, tok in enumerate(toks):
            if tok.key in _NOT_NAMES or not tok.cased or not tok.upper_first:
                continue
            if tok.possessive:
                nxt = _WORD_AFTER_RE.match(text, tok.end + 2)
                if nxt is not None and _key(nxt.group(1)) in _POSSESSIVE_NOUNS:
                    if not _is_place_context(toks, i, text):
                        accepted[i] = True
                    continue
            if _POSTFIX_TITLE_RE.match(text, tok.end):
                accepted[i] = True
            elif names.tier(tok.key) is not None and _AFTER_NAME_CUE_RE.match(text, tok.end):
                accepted.setdefault(i, False)

        # 3. The name list.
        lower_case_writer = _writes_in_lower_case(text, toks, structured)
        for i, tok in enumerate(toks):
            if i in accepted or tok.key in _NOT_NAMES or len(tok.key) < 3:
                continue
            tier = names.tier(tok.key)
            if tier is None or _is_place_context(toks, i, text):
                continue
            if not tok.cased:
                if tier == "plain":
                    accepted[i] = False
                continue
            if tok.all_caps:
                if tier in ("plain", "word") and (shouting or len(tok.key) > 3):
                    accepted[i] = False
                continue
            if tok.upper_first:
                if tier in ("plain", "word"):
                    accepted[i] = False
                elif tier == "soft" and not tok.sentence_start and not shouting:
                    accepted[i] = False
                continue
            if lower_case_writer and tier == "plain":
                accepted[i] = False

        # 4. Name pairs where one half is only a maybe: "Grace Okoro", "Mehmet May".
        for i in range(n - 1):
            a, b = toks[i], toks[i + 1]
            if not _adjacent(text, a, b) or a.possessive:
                continue
            ta, tb = names.tier(a.key), names.tier(b.key)
            if i in accepted or i + 1 in accepted:
                continue
            if (
                ta in ("soft", "strict")
                and a.upper_first
                and b.upper_first
                and b.key not in _NOT_NAMES
                and not _is_place_context(toks, i + 1, text)
                and (tb is not None or not shouting)
                and b.key not in _PLACE_NOUNS
            ):
                accepted[i] = False

        # 5. Grow each name over the surname (and particles) that follow, then emit.
        done: set[int] = set()
        for i in sorted(accepted):
            if i in done:
                continue
            cued = accepted[i]
            last = i
            j = i + 1
            while j < n and j - i <= 4 and not toks[last].possessive:
                if j in accepted and _adjacent(text, toks[last], toks[j]):
                    last = j
                    cued = cued or accepted[j]
                    j += 1
                    continue
                if (
                    toks[j].key in _PARTICLES
                    and j + 1 < n
                    and _adjacent(text, toks[last], toks[j])
                    and _adjacent(text, toks[j], toks[j + 1])
                    and _surname_like(toks[j + 1], shouting, names)
                ):
                    last = j + 1
                    j += 2
                    continue
                if _adjacent(text, toks[last], toks[j]) and _surname_like(
                    toks[j], shouting, names
                ) and not _is_place_context(toks, j, text):
                    last = j
                    j += 1
                    continue
                break
            done.update(range(i, last + 1))
            yield toks[i].start, toks[last].end, cued


def _surname_like(tok: _Tok, shouting: bool, names: _NameTable) -> bool:
    """A capitalised word that can follow a given name as a surname ("Okoro", "al-Rashid")."""
    if tok.key in _NOT_NAMES or tok.key in _PLACE_NOUNS:
        return False
    if not tok.cased:
        return names.tier(tok.key) is not None
    if shouting or tok.all_caps:
        return names.tier(tok.key) is not None and tok.all_caps
    if tok.upper_first:
        return True
    # "al-Rashid", "d'Souza", "McCarthy" written "mcCarthy" is not worth guessing at.
    head, sep, rest = tok.text.partition("-")
    if sep and head.casefold() in ("al", "el", "bin", "abu", "ben") and rest[:1].isupper():
        return True
    return False


def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
    """Only spaces between two tokens (no comma, no line break, no full stop)."""
    gap = text[a.end : b.start]
    if a.possessive:
        return False
    return 0 < len(gap) <= 2 and gap.strip(" \t") == ""


def _is_place_context(toks: list[_Tok], i: int, text: str) -> bool:
    """ "Graham Road", "St John's", "the Albion", "Victoria Park": a place, not a person."""
    tok = toks[i]
    if i + 1 < len(toks) and not tok.possessive:
        nxt = toks[i + 1]
        if nxt.key in _PLACE_NOUNS and _adjacent(text, tok, nxt):
            return True
    if i > 0:
        prev = toks[i - 1]
        if prev.key in _PLACE_PREFIXES and _adjacent(text, prev, tok):
            return True
    return False


def _signature_at_end(text: str, toks: list[_Tok], i: int) -> bool:
    """A sign-off name: one to three words ending the comment ("Regards, Priya Patel")."""
    for j in range(i, min(i + 3, len(toks))):
        if _SIGNATURE_END_RE.fullmatch(text, toks[j].end):
            return True
        if j + 1 < len(toks) and not _adjacent(text, toks[j], toks[j + 1]):
            return False
    return False


def _is_shouting(toks: list[_Tok]) -> bool:
    """Mostly ALL CAPS: capitals then carry no information about names."""
    cased = [t for t in toks if t.cased and len(t.text) > 1]
    return len(cased) >= 3 and sum(t.all_caps for t in cased) * 2 > len(cased)


def _writes_in_lower_case(text: str, toks: list[_Tok], structured: list[tuple[int, int]]) -> bool:
    """No capitals anywhere (ignoring "I" and structured data): names may be lower case too.

    Structured finds are ignored so that the answer is the same before and after scrubbing,
    which keeps ``scrub`` idempotent.
    """
    for tok in toks:
        if not tok.cased or tok.text == "I":
            continue
        if any(c.isupper() for c in tok.text) and not _inside(tok.start, tok.end, structured):
            return False
    return any(t.cased for t in toks)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _merge(hits: list[tuple[str, int, int]], text: str) -> list[Redaction]:
    """Union overlapping finds; label each union by its most specific, then longest, find.

    Address pieces separated only by a comma or spaces ("Flat 4, 22 Amhurst Road") become one
    removal, so the reader sees one "[address]" rather than two.
    """
    if not hits:
        return []
    hits = sorted(hits, key=lambda h: (h[1], -h[2]))
    groups: list[list[tuple[str, int, int]]] = []
    end = -1
    for hit in hits:
        if groups and hit[1] < end:
            groups[-1].append(hit)
            end = max(end, hit[2])
        else:
            groups.append([hit])
            end = hit[2]
    merged: list[Redaction] = []
    for group in groups:
        start = min(h[1] for h in group)
        stop = max(h[2] for h in group)
        kind = max(group, key=lambda h: (_SPECIFICITY[h[0]], h[2] - h[1]))[0]
        if (
            merged
            and kind == "address"
            and merged[-1].kind == "address"
            and _ADDRESS_GAP_RE.fullmatch(text, merged[-1].end, start)
        ):
            merged[-1] = Redaction("address", merged[-1].start, stop)
            continue
        merged.append(Redaction(kind, start, stop))
    return merged


# Keep a reference so that the library's own module is imported where its types are used.
_ = phonenumbers
