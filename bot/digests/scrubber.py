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
"""

from __future__ import annotations

import copy
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple

from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = ["KINDS", "TOKENS", "Redaction", "Scrubbed", "Scrubber"]

_DATA: Final = Path(__file__).resolve().parent.parent / "data"  # bot/data
NAMES_FILE: Final = _DATA / "first_names.txt"
SURNAMES_FILE: Final = _DATA / "surnames.txt"
# Given names in Arabic and Bengali script, Urdu spellings among them.
SCRIPT_NAMES_FILE: Final = _DATA / "script_names.txt"

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

# --------------------------------------------------------------------------- words

# A "letter" inside a word. Python's \w leaves out combining marks, which Bengali, Devanagari
# and vowelled Arabic need inside a word, so those ranges are added (the digits and the danda
# punctuation of those blocks are not).
_LETTER: Final = (
    r"(?:[^\W\d_]|[\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0971-\u097f"
    r"\u0981-\u09e5\u09f0-\u09ff\u0a00-\u0a65\u0a70-\u0ae5\u200c\u200d])"
)
_WORD_RE: Final = re.compile(rf"{_LETTER}+(?:['’\-]{_LETTER}+)*")
# The same without combining marks: twice as fast, and enough for text that has none.
_PLAIN_WORD_RE: Final = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MARKS_RE: Final = re.compile(
    r"[\u0300-\u036f\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0971-\u097f"
    r"\u0981-\u09e5\u09f0-\u09ff\u0a00-\u0a65\u0a70-\u0ae5\u200c\u200d]"
)
_NOT_LETTER_AFTER: Final = rf"(?!{_LETTER})"
_DIGIT_RE: Final = re.compile(r"\d")
_APOSTROPHES: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})

# Tokens this module writes. Scrubbing already-scrubbed text must change nothing, so they are
# masked before any detector runs: the words inside them ("[date of birth]") are not cues.
_TOKEN_RE: Final = re.compile("|".join(re.escape(t) for t in TOKENS.values()))
_MASK: Final = "\ue000"  # a private-use character that no detector matches


# Arabic-script letters that Arabic and Urdu spell differently, or writers leave plain: Urdu
# ی ک ہ and Arabic ي ك ه, ة written ه, hamza seats written as a bare alif.
_ARABIC_FOLD: Final = str.maketrans(
    {"ی": "ي", "ى": "ي", "ک": "ك", "ہ": "ه", "ۀ": "ه", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
     "ٱ": "ا", "ؤ": "و"}
)  # fmt: skip
_ARABIC_MARKS_RE: Final = re.compile(r"[\u064b-\u065f\u0670\u0640]")


@lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    """Case- and apostrophe-insensitive form used for every word-list lookup (cached).

    In Arabic script, also the same for Arabic and Urdu spellings and without short vowels,
    so "علی" finds "علي" and "فاطمہ" finds "فاطمة"."""
    key = unicodedata.normalize("NFC", word).translate(_APOSTROPHES).casefold()
    if "\u0600" <= key[:1] <= "\u06ff":
        key = _ARABIC_MARKS_RE.sub("", key.translate(_ARABIC_FOLD))
    return key


def _words(text: str) -> frozenset[str]:
    """A word list written as one word per blank, as the tables below are."""
    return frozenset(text.split())


def _keys(text: str) -> frozenset[str]:
    """The same list as lookup keys (for lists in Arabic script, where _key folds letters)."""
    return frozenset(_key(word) for word in text.split())


def _digits(text: str) -> str:
    """ASCII digits of ``text``, whatever script they were typed in (Bengali, Arabic-Indic)."""
    found = "".join(_DIGIT_RE.findall(text))
    if found.isascii():
        return found
    return "".join(str(unicodedata.decimal(ch)) for ch in found)


# Endings after an apostrophe that are not part of a name: English "'s" and Turkish case
# endings ("Mehmet'in", "Dalston'da"). "O'Connor" keeps its apostrophe.
_NAME_ENDINGS: Final = _words(
    """
    s in ın un ün nin nın nun nün e a ye ya de da te ta den dan ten tan i ı u ü yi yı yu yü le
    la yle yla ler lar nden ndan nda nde daki deki taki teki ndaki ndeki
    """
)
_OPENING_PUNCTUATION: Final = " \t\"'“‘«(*-–—"
_SENTENCE_END: Final = ".!?…\n¡¿"


class _Tok(NamedTuple):
    """A word of the comment, with what the detectors need to know about it."""

    text: str  # without a possessive or Turkish case ending
    start: int
    end: int
    key: str  # _key(text)
    raw: str  # _key of the whole word as written, used to find cue phrases
    cased: bool  # written in a script with capitals
    upper_first: bool
    all_caps: bool
    sentence_start: bool
    possessive: bool


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    words = _WORD_RE if _MARKS_RE.search(text) else _PLAIN_WORD_RE
    for match in words.finditer(text):
        whole, start = match.group(), match.start()
        word, possessive = whole, False
        if "'" in whole or "’" in whole:
            for apostrophe in ("'", "’"):
                stem, sep, ending = whole.rpartition(apostrophe)
                if sep and len(stem) >= 2 and ending in _NAME_ENDINGS:
                    word, possessive = stem, ending == "s"
                    break
        first = word[0]
        cased = first.upper() != first.lower()
        cursor = start - 1
        while cursor >= 0 and text[cursor] in _OPENING_PUNCTUATION:
            cursor -= 1
        key = _key(word)
        toks.append(
            _Tok(
                text=word,
                start=start,
                end=start + len(word),
                key=key,
                raw=key if word is whole else _key(whole),
                cased=cased,
                upper_first=first.isupper(),
                all_caps=cased and len(word) > 1 and word.isupper(),
                sentence_start=cursor < 0 or text[cursor] in _SENTENCE_END,
                possessive=possessive,
            )
        )
    return toks


def _literal_prefixes(alternation: str) -> tuple[str, ...]:
    """The fixed leading letters of each branch of a regex alternation, case-folded.

    Used to decide at which words a cue regex is worth trying: "neighbou?rs?" gives
    "neighbo", "llamad[oa]" gives "llamad", "d\\.?o\\.?b" gives "d".
    """
    prefixes = set()
    for branch in alternation.split("|"):
        branch = branch.removeprefix("(?:").removeprefix("(?i:")
        out = []
        for i, ch in enumerate(branch):
            if ch in "\\[](){}.^$+*?| \t":
                break
            if i + 1 < len(branch) and branch[i + 1] in "?*{":
                break
            out.append(ch)
        prefix = _key("".join(out))
        if prefix:
            prefixes.add(prefix)
    return tuple(sorted(prefixes))


@dataclass(frozen=True, slots=True)
class _Cue:
    """A cue phrase regex tried only at the words that can begin it.

    Scanning every character with a long alternation of phrases in eleven languages costs
    hundreds of microseconds per comment; trying it anchored at the few words whose spelling
    can start a phrase costs a few.
    """

    regex: re.Pattern[str]
    starts: tuple[str, ...]

    @classmethod
    def of(cls, alternation: str, pattern: str, flags: int = 0) -> _Cue:
        return cls(re.compile(pattern, flags), _literal_prefixes(alternation))

    def matches(self, text: str, toks: Sequence[_Tok]) -> Iterator[re.Match[str]]:
        for tok in toks:
            if tok.raw.startswith(self.starts):
                match = self.regex.match(text, tok.start)
                if match is not None:
                    yield match


# --------------------------------------------------------------------------- phone numbers

# Public numbers that residents quote to each other and officers need to see: emergency,
# non-emergency, NHS, power cuts, and national helplines (Childline, Samaritans,
# Crimestoppers, the National Domestic Abuse Helpline, the EU 112). Compared as digits.
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
# A run of digits with the separators people type inside phone numbers: a space, dot or dash,
# or brackets round a group ("(020) 7946 0999", "+44 (0) 20 ..."). Slashes are left to
# libphonenumber, which tells "020/7946/0999" from a date; colons never occur, so times stay.
_PHONE_RUN_RE: Final = re.compile(
    r"(?=[\d+(])(?<![\d+])(?:\+|\b00)?\(?\d(?:(?:[ \t.\-–]|\)[ \t.\-–]?|[ \t.\-–]?\()?\d)*\)?"
)
_PHONE_EXTENSION_RE: Final = re.compile(
    r"[ \t,]*(?:ext\.?|extn\.?|extension|x)[ \t]*\d{1,5}(?!\d)", re.IGNORECASE
)
_LONG_DIGITS_RE: Final = re.compile(r"\d{7,}")
_CHUNK_RE: Final = re.compile(r"\S+")
# Chunks of a run that are dates or times, never phone digits ("12.05.2024 10.30").
_DATE_CHUNK_RE: Final = re.compile(
    r"\(?(?:\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})\)?"
)
_TIME_CHUNK_RE: Final = re.compile(r"(?:[01]?\d|2[0-3])[.:][0-5]\d")
# Years and year ranges ("2019-2023", "2019 2020 2021"): a run made only of these is not a
# phone number; a year-like group inside a longer number is just digits.
_YEAR_CHUNK_RE: Final = re.compile(r"\(?(?:19|20)\d\d(?:[\-–/](?:19|20)?\d\d)?\)?,?")
_CURRENCY_BEFORE_RE: Final = re.compile(r"[£$€][ \t]?$")
_MIN_PHONE_DIGITS: Final = 7


def _is_public_number(digits: str) -> bool:
    """True for 999/101/111 and the helplines, also when written with +44 or 0044."""
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) > 8:
            digits = "0" + digits[len(prefix) :].removeprefix("0")
            break
    return digits in _PUBLIC_NUMBERS


def _phone_spans(text: str) -> Iterator[Span]:
    """Lenient phone finder: any run of 7 or more digits in phone-like grouping.

    Being lenient is the point: a number need not be valid or allocated to identify someone,
    and residents drop or add digits. Chunks that are dates or times are split off first and
    runs made only of years are skipped, so "12.05.2024 10.30" and "2019-2023" survive.
    """
    for run in _PHONE_RUN_RE.finditer(text):
        if run.end() - run.start() < _MIN_PHONE_DIGITS:
            continue  # most runs are counts and times: too short to hold 7 digits
        if _CURRENCY_BEFORE_RE.search(text, max(0, run.start() - 2), run.start()):
            continue
        chunks = list(_CHUNK_RE.finditer(run.group()))
        if all(_YEAR_CHUNK_RE.fullmatch(c.group()) for c in chunks):
            continue
        pieces: list[list[re.Match[str]]] = [[]]
        for chunk in chunks:
            if _DATE_CHUNK_RE.fullmatch(chunk.group()) or _TIME_CHUNK_RE.fullmatch(chunk.group()):
                pieces.append([])
            else:
                pieces[-1].append(chunk)
        for piece in pieces:
            for start, end in _phone_piece(run.start(), piece):
                extension = _PHONE_EXTENSION_RE.match(text, end)
                yield start, extension.end() if extension else end


def _phone_piece(base: int, chunks: list[re.Match[str]]) -> Iterator[Span]:
    """Turn space-separated chunks into phone spans, splitting an over-long run.

    A UK number has 11 digits from its leading 0 (12 from +44, 13 from 0044): when more digits
    follow ("07700 900123 20 people") the number ends where those are complete, and the count
    after it survives.
    """
    while chunks:
        first = chunks[0].group().lstrip("(")
        if first.startswith("+44"):
            national = 12
        elif first.startswith("0044"):
            national = 13
        elif first.startswith("0") and not first.startswith("00"):
            national = 11
        else:
            national = 0
        counts = [len(_digits(c.group())) for c in chunks]
        cut = len(chunks)
        if national and sum(counts) > national:
            total = 0
            for i, count in enumerate(counts):
                total += count
                if total == national:
                    cut = i + 1
                    break
        head, chunks = chunks[:cut], chunks[cut:]
        digits = _digits("".join(c.group() for c in head))
        if len(digits) >= _MIN_PHONE_DIGITS and not _is_public_number(digits):
            yield base + head[0].start(), base + head[-1].end()


def _not_phone_digits(chunk: str) -> bool:
    """A date, a time or a year: digits that are not part of a phone number."""
    return bool(
        _DATE_CHUNK_RE.fullmatch(chunk)
        or _TIME_CHUNK_RE.fullmatch(chunk)
        or _YEAR_CHUNK_RE.fullmatch(chunk)
    )


def _phonenumbers_spans(text: str) -> Iterator[Span]:
    """Numbers written with slashes ("020/7946/0999"), found by Google's libphonenumber.

    Its matcher at POSSIBLE leniency (region GB) tells such numbers from dates. Elsewhere the
    run finder decides: on ordinary numbers the matcher's groupings are worse ("07700 900123
    20 people" comes back as "07700" and "900123 20"). Its hits on years, counts, dates and
    the public numbers are dropped, as they are from the run finder.
    """
    try:
        matches = list(PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE))
    except Exception:  # a library bug must never stop a resident's comment
        return
    for match in matches:
        raw = match.raw_string
        digits = _digits(raw)
        if "/" not in raw or not raw.lstrip("(").startswith(("0", "+")) or len(digits) < 9:
            continue
        if _is_public_number(digits):
            continue
        if all(_not_phone_digits(c) for c in raw.split()):
            continue
        yield match.start, match.end


# --------------------------------------------------------------------------- email, URL, handle

_EMAIL_RE: Final = re.compile(r"(?<![\w.+\-])[\w.+%\-]*\w@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
# Top-level domains seen in residents' links. Those that are also short words or sentence
# joins ("night.In", "bad.So", "call.me") count only with a path: "youtu.be/x", "t.me/x".
_TLDS_SAFE: Final = (
    "com|net|org|uk|io|info|biz|app|dev|xyz|online|site|shop|link|news|fr|pl|tr|ro|ie|eu"
    "|ng|gh|pk|bd|ae|sa|eg|br|ke|za|nl|ru|ua|gov|edu|ac"
)
_TLDS_WORDS: Final = "me|be|ly|tv|co|de|es|pt|us|in|so|it|gd|gl|to|is|at|am|my|no|id|ai"
# "dave.price at gmail dot com", "lucy [at] site [dot] co [dot] uk": the word "dot" is
# required, so "meet at Dalston" is safe.
_DOT: Final = r"[ \t]*(?:\(dot\)|\[dot\]|[ \t]dot[ \t]|\.)[ \t]*"
_SPOKEN_DOT: Final = r"[ \t]*(?:\(dot\)|\[dot\]|[ \t]dot[ \t])[ \t]*"
_EMAIL_SPELLED_RE: Final = re.compile(
    r"(?<![\w.])\w[\w.+\-]*[ \t]*(?:\(at\)|\[at\]|[ \t]at[ \t])[ \t]*[\w\-]+"
    rf"(?:{_DOT}[\w\-]+)*?{_SPOKEN_DOT}(?:(?:co|org|ac|gov){_DOT}uk|{_TLDS_SAFE}|{_TLDS_WORDS})"
    r"\b",
    re.IGNORECASE,
)
_URL_SCHEME_RE: Final = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
_URL_BARE_RE: Final = re.compile(
    rf"(?<![\w@.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:(?:{_TLDS_SAFE})(?![\w\-])"
    rf"(?:/[^\s<>\"']*)?|(?:{_TLDS_WORDS})/[^\s<>\"']*)",
    re.IGNORECASE,
)
_DOMAIN_HINT_RE: Final = re.compile(r"\w\.[^\W\d_]")
_URL_TRAILING: Final = ".,;:!?)]}'\"»"
# Telegram, Instagram, TikTok and X handles. "@10pm" and "@ 7" are times, not people.
_HANDLE_RE: Final = re.compile(r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_HANDLE_TIME_RE: Final = re.compile(r"@\d{1,2}(?:[:.]\d\d)?(?:am|pm|h)?", re.IGNORECASE)


def _url_spans(text: str) -> Iterator[Span]:
    lowered = text.casefold()
    matches: list[re.Match[str]] = []
    if "http" in lowered or "www" in lowered:
        matches += _URL_SCHEME_RE.finditer(text)
    if _DOMAIN_HINT_RE.search(text):
        matches += _URL_BARE_RE.finditer(text)
    for match in matches:
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
    r"(?=[A-Za-z])(?<![^\W_])(?:GIR\s{0,3}0AA|(?:[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?"
    r"|[0-9][ABCDEFGHJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))\s{0,3}[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![^\W_])",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- vehicles

# Three-letter words and acronyms that would otherwise complete a registration after a
# postcode district, a bus route or a number ("NW10 THE", "BUS 38D", "at 60mph").
_NOT_PLATE_LETTERS: Final = _words(
    """
    the and for are but not you all any can had her was one our out day get has him his how man
    new now old see two way who boy did its let put say she too use bus car van cab nhs asb tfl
    bbc dlr met atm gps ufo fyi now why yes off own per via ago age bad big far few got lot low
    may nor odd pay ran red run sat set six ten top try won yet end due kid men war law job eye
    air art act add ask bag bar bed bit box cut dog fun gun hit hot key lit mad mum dad pub row
    sad sex sit sun tax tea toy wet win cop mph kmh kph hrs yrs min lbs kgs pcs yds ish ani ans
    año yıl lat
    """
)
# Short words that can stand before a number and three letters in a sentence: "at 60mph",
# Romanian "de 15 ani", Spanish "en 20 min", Polish "za 10 min".
_NOT_PLATE_AREA: Final = _words(
    """
    at on in to by up of is it as an am pm be do go he me my no so we us or if de da do em en
    la el le na ne po za ve ya cu pe il et ou os as
    """
)
_PLATE_CURRENT_RE: Final = re.compile(
    r"(?=[A-Za-z])(?<!\w)([A-Za-z]{2})\s?(\d{2})(\s?)([A-Za-z]{3})(?!\w)"
)
_PLATE_PREFIX_RE: Final = re.compile(
    r"(?=[A-Za-z])(?<!\w)([A-HJ-NP-Ya-hj-np-y])(\d{1,3})(\s?)([A-Za-z]{3})(?!\w)"
)
_PLATE_SUFFIX_RE: Final = re.compile(
    r"(?=[A-Za-z])(?<!\w)([A-Za-z]{3})(\s?)(\d{1,3})\s?([A-HJ-NP-Ya-hj-np-y])(?!\w)"
)
# After an explicit cue any plate shape goes, including foreign ones ("plate WA 12345").
_PLATE_CUES: Final = (
    r"reg(?:istration)?(?:[ \t]+(?:no\.?|number|plate|mark))?|number[ \t]*plate"
    r"|licen[cs]e[ \t]*plate|plate(?:[ \t]+(?:no\.?|number))?|vrn|plakas[ıi]"
    r"|plaka(?:[ \t]+no)?|tablica(?:[ \t]+rejestracyjna)?|rejestracja"
    r"|numer(?:ze|em)?[ \t]+rejestracyjny(?:m)?|matr[íi]cula|placa|immatriculation|plaque"
    r"|num[ăa]r(?:ul)?[ \t]+de[ \t]+[îi]nmatriculare"
)
_PLATE_CUE: Final = _Cue.of(
    _PLATE_CUES,
    rf"(?:{_PLATE_CUES}){_NOT_LETTER_AFTER}"
    r"(?:[ \t]*(?:is|was|:|#|-|no\.?|number|olan)(?![^\W\d_]))*[ \t]*[:#\-]?[ \t]*",
    re.IGNORECASE,
)
_PLATE_AFTER_CUE_RE: Final = re.compile(r"[A-Za-z0-9]{1,5}(?:[ \-][A-Z0-9]{1,5}){0,2}(?!\w)")


def _vehicle_spans(text: str, toks: Sequence[_Tok]) -> Iterator[Span]:
    """Current (AB12 CDE), prefix (A123 BCD) and suffix (ABC 123D) formats, and cued plates.

    Lower-case and spaced forms are where ordinary words sneak in ("nw10 the", "at 60mph"),
    so a spaced older-format plate must be in capitals, and no format may end in a common
    short word.
    """
    for match in _PLATE_CURRENT_RE.finditer(text):
        area, letters = match.group(1), match.group(4)
        if match.group(2) in ("00", "01") or letters.casefold() in _NOT_PLATE_LETTERS:
            continue
        if area.casefold() in _NOT_PLATE_AREA and not (area.isupper() and letters.isupper()):
            continue
        yield match.span()
    for match in _PLATE_PREFIX_RE.finditer(text):
        letters = match.group(4)
        if letters.casefold() in _NOT_PLATE_LETTERS:
            continue
        if match.group(3) and not (letters.isupper() and match.group(1).isupper()):
            continue
        yield match.span()
    for match in _PLATE_SUFFIX_RE.finditer(text):
        letters = match.group(1)
        if letters.casefold() in _NOT_PLATE_LETTERS or (match.group(2) and not letters.isupper()):
            continue
        yield match.span()
    for cue in _PLATE_CUE.matches(text, toks):
        plate = _PLATE_AFTER_CUE_RE.match(text, cue.end())
        if plate is None:
            continue
        body = plate.group().replace(" ", "").replace("-", "")
        has_digit = any(c.isdigit() for c in body)
        if 2 <= len(body) <= 8 and (
            (has_digit and any(c.isalpha() for c in body)) or (body.isalpha() and body.isupper())
        ):
            yield plate.span()  # letters-only counts too: a private plate ("reg BOSS")


# --------------------------------------------------------------------------- dates of birth

_MONTHS: Final = (
    # English, with the usual abbreviations
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    # Turkish
    "|ocak|şubat|subat|mart|nisan|mayıs|mayis|haziran|temmuz|ağustos|agustos|eylül|eylul|ekim"
    "|kasım|kasim|aralık|aralik"
    # Polish (nominative and the genitive that dates use)
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
_MONTH_KEYS: Final = frozenset(_MONTHS.split("|"))
_DAY: Final = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD: Final = r"(?:st|nd|rd|th|er|\.|º)?"
_YEAR4: Final = r"(?:1[89]\d\d|20\d\d)"
_NUMERIC_DATE: Final = (
    rf"(?:{_DAY}[./\-](?:0?[1-9]|1[0-2])[./\-](?:{_YEAR4}|\d\d)"
    rf"|(?:0?[1-9]|1[0-2])[./\-]{_DAY}[./\-](?:{_YEAR4}|\d\d)"
    rf"|{_YEAR4}-(?:0?[1-9]|1[0-2])-{_DAY})"
)
_DAY_MONTH: Final = rf"{_DAY}{_ORD}\s+(?:of\s+|de\s+)?(?:{_MONTHS})\.?"
_MONTH_DAY: Final = rf"(?:{_MONTHS})\.?\s+{_DAY}{_ORD}"
_DATE_END: Final = r"(?!\w|[./\-]\d)"
# Complete dates: the numeric forms and "12 May 1985" start with a digit, so a regex that
# starts with a digit finds them cheaply; "May 12, 1985" is tried at month names only.
_FULL_DATE_RE: Final = re.compile(
    rf"(?=\d)(?<![\w./\-])(?:{_NUMERIC_DATE}|{_DAY_MONTH},?\s+(?:de\s+|of\s+)?{_YEAR4})"
    rf"{_DATE_END}",
    re.IGNORECASE,
)
_MONTH_FIRST_DATE_RE: Final = re.compile(rf"{_MONTH_DAY},?\s+{_YEAR4}{_DATE_END}", re.IGNORECASE)
_YEAR_IN_DATE_RE: Final = re.compile(rf"(?<!\d){_YEAR4}(?!\d)")
# A complete date from these years in a resident's comment is almost always someone's birth:
# incidents people report are recent, and a comment has no other reason to give a full date
# from decades ago. Later dates (incidents, meetings) are kept.
_DOB_YEARS: Final = range(1900, 2016)
_DOB_CUES: Final = (
    r"born|b\.|d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date|birthday|b'?day"
    r"|doğum[ \t]+tarih\w*|doğum[ \t]+gün\w*|doğdum|urodzon\w*|urodził\w*"
    r"|data[ \t]+urodzenia|nacid[oa]s?|nací|fecha[ \t]+de[ \t]+nacimiento|cumpleaños"
    r"|nascid[oa]|nasci|data[ \t]+de[ \t]+nascimento|aniversário|née?"
    r"|date[ \t]+de[ \t]+naissance|anniversaire|născut\w*|nascut\w*|data[ \t]+na[șs]terii"
    r"|ziua[ \t]+de[ \t]+na[șs]tere|taariikhda[ \t]+dhalashada|dhashay|تاريخ[ \t]+الميلاد"
    r"|تاريخ[ \t]+ميلادي|مواليد|ولدت|تاریخ[ \t]+پیدائش|پیدائش|জন্ম[ \t]*তারিখ|জন্ম"
)
_DOB_FILLER: Final = (
    r"(?:\s|[:,.\-–(]|(?:is|was|on|in|the|of|le|la|el|em|en|w|în|pe|am|at|dnia|a)"
    r"(?![^\W\d_]))*"
)
_DOB_CUE: Final = _Cue.of(
    _DOB_CUES,
    rf"(?:{_DOB_CUES}){_DOB_FILLER}"
    rf"(?P<date>{_NUMERIC_DATE}|{_DAY_MONTH}(?:,?\s+(?:de\s+|of\s+)?{_YEAR4})?"
    rf"|{_MONTH_DAY}(?:,?\s+{_YEAR4})?|{_YEAR4}){_DATE_END}",
    re.IGNORECASE,
)


def _dob_spans(text: str, toks: Sequence[_Tok]) -> Iterator[Span]:
    """Dates after a birth cue (any form, even "12 May" or "1948"), and old full dates."""
    for match in _DOB_CUE.matches(text, toks):
        yield match.span("date")
    candidates: list[re.Match[str] | None] = list(_FULL_DATE_RE.finditer(text))
    candidates += (
        _MONTH_FIRST_DATE_RE.match(text, tok.start) for tok in toks if tok.key in _MONTH_KEYS
    )
    for match in filter(None, candidates):
        year = _YEAR_IN_DATE_RE.search(match.group())
        if year is not None and int(year.group()) in _DOB_YEARS:
            yield match.span()


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


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class _NameTable:
    """The given-name list by confidence tier (see the header of first_names.txt)."""

    plain: frozenset[str]
    word: frozenset[str]  # "*": also a lower-case English word ("jack")
    soft: frozenset[str]  # "~": an everyday word that starts sentences ("Will")
    strict: frozenset[str]  # "!": usually a month, a place or a brand ("May")
    surnames: frozenset[str]  # family names that are no everyday word ("Wójcik", "قریشی")
    soft_surnames: frozenset[str]  # family names that are also words ("Kaya", "Park")
    family: frozenset[str]  # every listed family name, even those never taken alone ("Costa")

    def surname(self, key: str, *, soft: bool) -> bool:
        """Whether ``key`` is a listed family name (``soft``: those that are words too)."""
        return key in self.surnames or (soft and key in self.soft_surnames)

    def tier(self, key: str) -> str | None:
        if key in self.plain:
            return "plain"
        if key in self.word:
            return "word"
        if key in self.soft:
            return "soft"
        if key in self.strict:
            return "strict"
        if "-" in key and all(part in self.plain or part in self.word for part in key.split("-")):
            return "plain"  # a double-barrelled given name: "Sarah-Jane", "Mehmet-Ali"
        return None


def _tagged(path: Path) -> Iterator[tuple[str, str]]:
    """(key, tag) for each line of a name list: a name, then optionally a space and a tag."""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, tag = line.partition(" ")
        yield _key(name), tag.strip()


@lru_cache(maxsize=1)
def _name_table() -> _NameTable:
    """Read the given-name and family-name lists once per process."""
    tiers: dict[str, set[str]] = {"": set(), "*": set(), "~": set(), "!": set()}
    for path in (NAMES_FILE, SCRIPT_NAMES_FILE):
        for key, tag in _tagged(path):
            tiers.get(tag, tiers[""]).add(key)
    family: dict[str, set[str]] = {"": set(), "~": set()}
    for key, tag in _tagged(SURNAMES_FILE):
        family["~" if tag else ""].add(key)
    # A name listed twice with different tags takes the most cautious one.
    strict = tiers["!"]
    soft = tiers["~"] - strict
    word = tiers["*"] - strict - soft
    plain = tiers[""] - strict - soft - word
    return _NameTable(
        frozenset(plain),
        frozenset(word),
        frozenset(soft),
        frozenset(strict),
        frozenset(family[""] - family["~"] - _NOT_NAMES),
        frozenset(family["~"] - _NOT_NAMES),
        frozenset(family[""] | family["~"]),
    )


# Capitalised words that are never taken for a name from the list or as a surname: sentence
# openers, pronouns, days and months, festivals, institutions, nationalities and faiths,
# shops and brands, and London/Hackney place words. After an explicit cue ("my daughter
# April") a word that is also on the name list is still taken.
_NOT_NAMES: Final = frozenset(
    _key(w)
    for w in _words(
        """
        I I'm I've I'd I'll Im A An The This That These Those There Here Where When Why What Who
        Which How If But And Or So Then Also Just Only Even Still Yet Now Please Thanks Thank Hi
        Hello Hey Dear Ok Okay Yes No Not Never Always Sometimes Often Every Each All Some Any Many
        Much More Most Few Lots Loads Lot Its It My Our Your His Her Their We You They He She Me Us
        Them Him Mine Ours Theirs Is Are Was Were Be Been Has Have Had Do Does Did Can Could Should
        Would Must Might Shall Let Lets Get Got Go Going Went Come Came Ask Tell Call Ring Text
        Email Message Contact See Look Need Want Like Love Hate Think Know Feel Keep Make Made Take
        Took Give Put Stop Help Report Reported Sort Fix After Before Since Until Because While
        During Between Around About Near Outside Inside Behind Opposite Monday Tuesday Wednesday
        Thursday Friday Saturday Sunday Mondays Tuesdays Wednesdays Thursdays Fridays Saturdays
        Sundays Mon Tue Tues Wed Thurs Fri Sat Sun Weekend Weekends January February March April
        May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep
        Sept Oct Nov Dec Today Tonight Yesterday Tomorrow Day Days Week Weeks Month Months Year
        Years Morning Afternoon Evening Night Nights Spring Summer Autumn Winter Last Next
        Christmas Easter Eid Ramadan Diwali Vaisakhi Hanukkah Chanukah Purim Pesach Passover Sukkot
        Rosh Hashanah Yom Kippur Shabbat Shabbos Lent Halloween Bonfire Carnival Pride Mela
        Navratri Holi Kwanzaa Fawkes New Year Jubilee Coronation Police Policing Met PC PCSO PCSOs
        Officer Officers Sergeant Inspector Detective Council Councillor Councillors Cllr Mayor MP
        Government Office NHS GP A&E TfL Overground Underground Tube Bus Buses Station Estate
        Estates Park Road Street Lane Avenue Square Market Church School Academy College University
        Hospital Library Centre Center Mosque Synagogue Shul Temple Gurdwara Surgery Practice Pub
        Bar Club Cafe Café Shop Shops World Ward Wards Panel Team Neighbourhood Neighborhood Watch
        Safer Community Conversation Conversations Housing Association Homes Group Project Youth
        Services Service Trust Foundation Charity Network Forum Board Committee Partnership Unit
        Department Aid London Londoner Londoners Hackney Dalston Clapton Hoxton Shoreditch Homerton
        Haggerston Stamford Stoke Newington Kingsland Mildmay Brownswood Cazenove Clissold
        Shacklewell Springfield Woodberry Beauvoir Leabridge Wick Downs Fields Marshes Millfields
        Mabley Abney Ridley Mare Narrow Way Amhurst Pembury Kingsmead Nightingale Gascoyne Frampton
        Wenlock Rhodes Lordship Islington Tottenham Walthamstow Bethnal Whitechapel Stratford
        Leyton Camden Haringey Enfield Newham Hamlets Finsbury Highbury Holloway Seven Sisters
        Manor Bow Poplar Limehouse Canal Regent's Valley Lido Empire Rio Arcola Curve Garden
        Gardens Junction Broadway Hill Green Common Gate Bridge Pond Terrace England English
        Britain British UK Scotland Scottish Wales Welsh Ireland Irish Europe European Turkey
        Turkish Kurdish Kurd Kurdistan Cyprus Cypriot Poland Polish Romania Romanian Spain Spanish
        Portugal Portuguese Brazil Brazilian France French Africa African Nigeria Nigerian Ghana
        Ghanaian Somalia Somali Somaliland Eritrea Eritrean Ethiopia Ethiopian Sudan Sudanese
        Bangladesh Bangladeshi Bengali Bangla Pakistan Pakistani Indian Urdu Punjabi Sikh Hindu
        Muslim Muslims Islam Islamic Jewish Jew Jews Orthodox Charedi Haredi Hasidic Christians
        Catholic Arab Arabic Caribbean Jamaica Jamaican Trinidad Barbados Vietnamese Chinese Asian
        Black White Latino Latin American Americans America USA US Colombia Colombian Ecuador Tesco
        Sainsbury Sainsbury's Morrisons Asda Aldi Lidl Iceland Co-op Coop Boots Greggs Costa
        Starbucks McDonald's McDonalds Nando's KFC Primark Argos Wetherspoon Wetherspoons Uber
        Deliveroo Lime Santander Amazon Google Facebook Instagram TikTok WhatsApp Telegram Twitter
        YouTube Snapchat Ford Vauxhall BMW Audi Toyota Honda Range Rover Tesla Corsa Fiesta Prius
        Transit Golf Royal Mail ASB CCTV ULEZ LTN LTNs Covid Brexit Mr Mrs Ms Miss Dr Sgt Prof Rev
        Sr Sra Mme God Allah Lord Amen Inshallah Mashallah North South East West Northern Southern
        Eastern Western Upper Lower High Old Great Little Central Name Names Address Phone Number
        Mobile Tel Mob Reg Postcode Video Photo Photos Regards Cheers Best Kind Sincerely Update
        Note PS NB Re Fwd Subject Anonymous Resident Residents Neighbour Neighbours Neighbor
        Neighbors Mum Mom Dad Nan Nana Grandma Grandad Auntie Aunty Uncle Sister Brother Son
        Daughter Wife Husband Partner Friend Mate Landlord Merhaba Selam Dzień Dobry Hola Olá
        Bonjour Salut Bună Salaam Salam Assalamu
        """
    )
)

# Phrases that must survive even though a word in them is a given name or looks like an
# address: Hackney's wards, places residents name, and events. Matched as whole phrases,
# case-insensitively; ``Scrubber(keep=...)`` adds more.
_PLACES: Final = (
    # Hackney's 21 wards (data/wards.csv)
    "Brownswood", "Cazenove", "Clissold", "Dalston", "De Beauvoir", "Hackney Central",
    "Hackney Downs", "Hackney Wick", "Haggerston", "Homerton", "Hoxton East & Shoreditch",
    "Hoxton East and Shoreditch", "Hoxton West", "King's Park", "Kings Park", "Lea Bridge",
    "London Fields", "Shacklewell", "Springfield", "Stamford Hill West", "Stoke Newington",
    "Victoria", "Woodberry Down",
    # neighbourhoods, parks, estates, stations and landmarks
    "Hackney", "Clapton", "Upper Clapton", "Lower Clapton", "Clapton Common", "Clapton Pond",
    "Hoxton", "Shoreditch", "Stamford Hill", "Mildmay", "Kingsland", "Hackney Marshes",
    "Millfields", "Victoria Park", "Clissold Park", "Abney Park", "Springfield Park",
    "Mabley Green", "Shoreditch Park", "Haggerston Park", "London Fields Lido",
    "Broadway Market", "Ridley Road Market", "Hoxton Street Market", "The Narrow Way",
    "Dalston Junction", "Dalston Kingsland", "Dalston Square", "Gillett Square",
    "Hoxton Square", "Pembury Estate", "Kingsmead Estate", "Nightingale Estate",
    "Gascoyne Estate", "Holly Street Estate", "Frampton Park", "Wenlock Barn",
    "Rhodes Estate", "Regent's Canal", "Lee Valley", "River Lea", "River Lee",
    "Hackney Empire", "Rio Cinema", "Homerton Hospital", "Hackney Town Hall", "Sutton House",
    "St John at Hackney", "St Augustine's Tower", "Rose Lipman Building",
    "Dalston Eastern Curve Garden", "Kingsland Shopping Centre", "Seven Sisters",
    "Manor House", "Bethnal Green", "Cambridge Heath", "Angel",
    # events and bodies
    "Marks and Spencer", "Marks & Spencer", "Ramazan Bayramı", "Kurban Bayramı",
    "Şeker Bayramı",
    "Hackney Carnival", "Community and Police Conversation", "Safer Neighbourhood Team",
    "Safer Neighbourhoods", "Neighbourhood Watch", "Ward Panel", "Hackney Half",
    "Black History Month", "Notting Hill Carnival", "Guy Fawkes Night", "Bonfire Night",
    "New Year's Eve", "Rosh Hashanah", "Yom Kippur", "Mother's Day", "Father's Day",
    "Valentine's Day", "St Patrick's Day",
)  # fmt: skip

_TITLES_ANY_CASE: Final = (
    r"mr|mrs|ms|mx|dr|prof|pcso|pc|dc|ds|sgt|sergeant|inspector|insp|cllr|councillor|rev"
    r"|revd|rabbi|imam|sheikh|shaykh|hajji|haji|hajja|sr|sra|srta|señor|señora|senhor"
    r"|senhora|dona|doña|mme|mlle|monsieur|madame|domnul|doamna|doamnei|pani|panią|panem"
    r"|panu|bayan"
)
# Titles that are ordinary words in lower case ("miss the bus", "a frying pan") count only
# when capitalised; Arabic, Urdu and Bengali ones have no case.
_TITLES_CAPITALISED: Final = r"Miss|Pan|Bay|M|Auntie|Aunty|Uncle|Father|Sister|Brother"
_TITLES_UNCASED: Final = r"السيد|السيدة|الأستاذ|الحاج|الشيخ|جناب|مسٹر|জনাব|মিস্টার"
_TITLE: Final = _Cue.of(
    f"{_TITLES_ANY_CASE}|{_TITLES_CAPITALISED}|{_TITLES_UNCASED}",
    rf"(?:(?i:{_TITLES_ANY_CASE})|{_TITLES_CAPITALISED}|{_TITLES_UNCASED}){_NOT_LETTER_AFTER}"
    r"\.?[ \t]+",
)
_RELATIONS: Final = (
    r"neighbou?rs?|son|daughter|husband|wife|partner|friend|mate|brother|sister|mum|mom"
    r"|mother|dad|father|landlord|landlady|cousin|uncle|aunt|auntie|aunty|nephew|niece"
    r"|boyfriend|girlfriend|carer|grandson|granddaughter|grandma|grandmother|grandad"
    r"|granddad|grandfather|nan|nana|colleague|flatmate|housemate|lodger|tenant|stepson"
    r"|stepdaughter|boss|behalf[ \t]+of[ \t]+my[ \t]+(?:mother|father|mum|dad|son|daughter)"
    r"|komşum|komşumuz|arkadaşım|oğlum|kızım|eşim|kocam|karım|annem|babam|abim|ablam"
    r"|kardeşim|sąsiad|sąsiadka|sąsiadki|sąsiada|syn|córka|mąż|żona|kolega|koleżanka"
    r"|przyjaciel|przyjaciółka|vecino|vecina|hijo|hija|marido|esposo|esposa|amigo|amiga"
    r"|vizinho|vizinha|filho|filha|voisin|voisine|fils|fille|copine|copain|vecinul|vecinei"
    r"|fiul|fiica|soțul|soția|sotul|sotia|prietenul|prietena|deriskayga|deriskeyga"
    r"|deriskaygu|wiilkayga|gabadhayda|saaxiibkay|walaalkay|walaashay|ninkayga"
    r"|جاري|جارتي|جارنا|ابني|ابنتي|زوجي|زوجتي|صديقي|صديقتي|أخي|اخي|أختي|اختي|پڑوسی|پڑوسن"
    r"|بیٹا|بیٹی|شوہر|بیوی|بھائی|بہن|প্রতিবেশী|ছেলে|মেয়ে|স্বামী|স্ত্রী|বন্ধু|ভাই|বোন"
)
_RELATION: Final = _Cue.of(
    _RELATIONS,
    rf"(?i:{_RELATIONS}){_NOT_LETTER_AFTER}[ \t]*,?"
    r"(?:[ \t]+(?i:(?:is|was)[ \t]+)?(?i:called|named))?[ \t]+",
)
_CALLED_PHRASES: Final = (
    r"called|named|name[ \t]+is|name's|known[ \t]+as|goes[ \t]+by"
    r"|calls[ \t]+(?:himself|herself)|se[ \t]+llama|me[ \t]+llamo|llamad[oa]"
    r"|mi[ \t]+nombre[ \t]+es|chama-se|se[ \t]+chama|me[ \t]+chamo|chamad[oa]"
    r"|meu[ \t]+nome[ \t]+é|s'appelle|je[ \t]+m'appelle|appelée?|se[ \t]+nume[șs]te"
    r"|m[ăa][ \t]+numesc|numele[ \t]+meu[ \t]+este|numit[ăa]?|adı|adım|ismi|ismim"
    r"|nazywa[ \t]+się|nazywam[ \t]+się|ma[ \t]+na[ \t]+imię|mam[ \t]+na[ \t]+imię"
    r"|magaciisu[ \t]+waa|magaceedu[ \t]+waa|magacaygu(?:[ \t]+waa)?"
    r"|اسمه|اسمها|اسمي|يدعى|يُدعى|نام|নাম"
)
_CALLED: Final = _Cue.of(
    _CALLED_PHRASES,
    rf"(?i:{_CALLED_PHRASES}){_NOT_LETTER_AFTER}[ \t]*[:,]?[ \t]+",
)
_SIGNOFFS: Final = (
    r"thanks|thank[ \t]+you|many[ \t]+thanks|cheers|regards|kind[ \t]+regards"
    r"|best[ \t]+wishes|sincerely|signed|merci|gracias|obrigad[oa]|dziękuję|teşekkürler"
    r"|mulțumesc|mahadsanid"
)
_SIGNOFF: Final = _Cue.of(_SIGNOFFS, rf"(?i:{_SIGNOFFS}){_NOT_LETTER_AFTER}[ \t]*[,!.]?\s+")
# Weaker cues: the next word counts only if it is on the name list, whatever its tier.
_WEAK_CUES: Final = (
    r"i'm|i’m|i[ \t]+am|im|je[ \t]+suis|soy|sou|ask[ \t]+for|ask|speak[ \t]+to|talk[ \t]+to"
    r"|contact|ring|call|text|message|email|told|tell|love|from|best|yours"
)
_WEAK_CUE: Final = _Cue.of(_WEAK_CUES, rf"(?i:{_WEAK_CUES}){_NOT_LETTER_AFTER}[ \t]*,?[ \t]+")
_SIGNATURE_END_RE: Final = re.compile(r"[\s.!)\-–—x]*")
_POSSESSIVE_NOUNS: Final = _words(
    """
    flat house home door car van bike son daughter kids children child wife husband partner mum
    dad mother father brother sister dog cat garden window windows shop place room family
    boyfriend girlfriend friend friends phone bag mate mates nan gran baby boy girl cousin
    """
)
# "<Name> from number 7", "<Name> next door": a listed name that would otherwise wait for
# more evidence (a soft or strict one) is taken.
_AFTER_NAME_CUE_RE: Final = re.compile(
    r"[ \t]+(?i:from[ \t]+(?:the|number|no\.?|next|upstairs|downstairs|across|over|our|my)"
    r"|next[ \t]+door|upstairs|downstairs|across[ \t]+the[ \t]+road|two[ \t]+doors"
    r"|at[ \t]+number|who[ \t]+lives|lives[ \t]+(?:at|in|on|next|above|below|opposite))"
    rf"{_NOT_LETTER_AFTER}"
)
_POSTFIX_TITLE_RE: Final = re.compile(
    rf"[ \t]+(?:Bey|Hanım|Hanim|Abla|Abi|Amca|Teyze|Efendi){_NOT_LETTER_AFTER}"
)
# After a name these words make it part of a place: "Graham Road", "Victoria Park",
# "Clarence estate", "Rose Lipman Building".
_PLACE_NOUNS: Final = _STREET_SUFFIXES | _words(
    """
    estate market church school academy centre center station hall library primary secondary
    mosque synagogue shul surgery practice pub bar cafe café restaurant store bridge ward
    hospital college university cinema theatre museum gallery clinic nursery fields marshes
    valley canal lido arms inn hotel foundation trust project hub club building
    """
)
# Before a name these words make it a place, a saint or a public figure, not a neighbour:
# "St John's", "the Albion", "Queen Elizabeth".
_NOT_PERSON_PREFIXES: Final = frozenset(
    [
        "st",
        "saint",
        "sainte",
        "santo",
        "santa",
        "são",
        "san",
        "sfântul",
        "sf",
        "the",
        "fort",
        "port",
        "mount",
        "queen",
        "king",
        "prince",
        "princess",
        "pope",
    ]
)
# The shapes family names take in the bot's languages: Polish -ski/-ska (and their cases:
# -skiego, -ską…), -cki, -wicz; Romanian -escu, -eanu; Turkish -oğlu; South Slavic -ović;
# Ukrainian -enko; Irish and Scottish O'…, Mc…, Mac…. Only ever used beside a given name.
_SURNAME_SHAPE_RE: Final = re.compile(
    r"(?:(?:s|c|dz)k(?:i|a|iego|iej|iemu|im|ą|ich)|(?:ow|ew)?icz|czyk|escu|eanu|o[gğ]lu|ovi[cć]"
    r"|enko)$|^(?:o'|mc|mac)\w{3,}"
)
# Arabic-script words that carry the article al- (الخطيب, آل), as many family names do.
_UNCASED_ARTICLE_RE: Final = re.compile(r"^(?:ال|آل)\w{2,}$")
# Words family names are made of in Arabic, Urdu and Bengali script, which have no capitals
# to tell a surname from the next word: بن, أبو, عبد, الدين, خان, شاہ, قریشی, চৌধুরী, খাতুন….
_UNCASED_SURNAME_WORDS: Final = _keys(
    """
    بن ابن أبو ابو عبد الدين الله خان شاہ شاه قریشی قريشي چوہدری چودھری اعوان بٹ ملک شیخ
    صدیقی رضوی ہاشمی حسینی انصاری باجوہ گیلانی مرزا بیگ حداد بی بیبی
    চৌধুরী খাতুন আক্তার আখতার হোসেন হোসাইন আলী উদ্দিন উদ্দীন রহমান ইসলাম করিম বেগম মিয়া
    মিয়া সরকার আহমেদ খান শেখ হক কবির সিদ্দিকী তালুকদার মোল্লা
    """
)
# Arabic-script particles of a name that always take the word after them: "بن سالم",
# "بنت علي", "أبو زيد", "آل سعود"; "عبد" and "عبدال" open compound given names.
_UNCASED_PARTICLES: Final = _keys("بن بنت ابن أبو ابو أم ام آل عبد")
# Bengali case endings written joined to a name: "ইসলামের" (of Islam), "রহিমকে" (to Rahim).
# (Urdu writes its postpositions apart, "رحیم کا", so they need no stripping.)
_BENGALI_CASE_RE: Final = re.compile(r"(?:ের|এর|দের|কে|র)$")


def _uncased_keys(key: str) -> tuple[str, ...]:
    """A word in a script without capitals, and the same without a Bengali case ending."""
    stem = _BENGALI_CASE_RE.sub("", key)
    return (key, stem) if stem != key and len(stem) >= 2 else (key,)


_PARTICLES: Final = _words(
    """
    de da das dos do del della di du van von der den ter bin binti ibn bint al el ben ul ud le
    la mac
    """
)


def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
    """Only a space or two between two words: no comma, line break, or possessive."""
    if a.possessive:
        return False
    gap = text[a.end : b.start]
    return 0 < len(gap) <= 2 and not gap.strip(" \t")


def _inside(start: int, end: int, spans: Iterable[Span]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class _Cover:
    """The union of some spans, answering "is [start, end) inside it?" by binary search."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [m[0] for m in merged]
        self._ends = [m[1] for m in merged]

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]


class Scrubber:
    """Replaces personal data in residents' comments with tokens that say what was removed."""

    def __init__(self, *, keep: Iterable[str] = ()) -> None:
        """``keep``: ward, place and event names that must survive, as whole phrases.

        They add to the bundled Hackney wards, places and events. A kept phrase stops its
        words being taken for a name from the name list or for an address; it does not hide
        structured data (a phone number, a postcode), nor a name given by an explicit cue
        ("my neighbour Victoria", "Mr Dalston").
        """
        self._names = _name_table()
        self._keep_by_first: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._place_words: frozenset[str] = frozenset()
        self._add_kept((*_PLACES, *keep))

    def keeping(self, phrases: Iterable[str]) -> Scrubber:
        """This scrubber with more phrases kept (events named in comments, say).

        Costs only the new phrases: the bundled tables are shared, not rebuilt.
        """
        more = copy.copy(self)
        more._add_kept(phrases)
        return more

    def _add_kept(self, phrases: Iterable[str]) -> None:
        by_first = dict(self._keep_by_first)  # longest phrase first for each first word
        added: set[str] = set()
        for phrase in phrases:
            words = tuple(t.key for t in _tokens(phrase))
            if words and words not in by_first.get(words[0], ()):
                options = (*by_first.get(words[0], ()), words)
                by_first[words[0]] = tuple(sorted(options, key=len, reverse=True))
                added.update(words)
        self._keep_by_first = by_first
        # Words of kept phrases that are not given names: never a surname or a cued name.
        self._place_words = self._place_words | {
            word for word in added if self._names.tier(word) is None
        }

    # ----------------------------------------------------------------------- public

    def scrub(self, text: str) -> Scrubbed:
        """Return ``text`` with personal data replaced, and the spans that were replaced.

        Scrubbing is idempotent: when something was removed, the result is scanned again,
        because a removal can change the context of what is left (a number that looked like
        part of a longer one, a name whose capitalised neighbour is gone). Anything found
        then is removed too, and its span is reported in the original text.
        """
        redactions = self._redactions(text)
        out, segments = _render(text, redactions)
        # Each rescan that finds something removes at least one more original character,
        # so this ends; real comments need at most one or two rescans.
        for _ in range(len(text)):
            if not redactions:
                break
            extra = self._redactions(out)
            if not extra:
                break
            redactions = sorted(
                redactions + [_to_original(r, segments) for r in extra],
                key=lambda r: r.start,
            )
            out, segments = _render(text, redactions)
        return Scrubbed(text=out, redactions=tuple(redactions))

    def _redactions(self, text: str) -> list[Redaction]:
        # Tokens from an earlier scrub are masked: the words inside them ("[date of birth]")
        # must not act as cues, and nothing may be found across them.
        work = _TOKEN_RE.sub(lambda m: _MASK * len(m.group()), text)
        hits = [h for h in self._find(work) if _MASK not in work[h[1] : h[2]]]
        return _merge(hits, work)

    # ----------------------------------------------------------------------- detection

    def _find(self, text: str) -> list[tuple[str, int, int]]:
        """Every finding as (kind, start, end); overlaps are resolved by ``_merge``."""
        hits: list[tuple[str, int, int]] = []
        toks = _tokens(text)
        digit_count = len(_DIGIT_RE.findall(text))
        if "@" in text:
            hits += (("email", *m.span()) for m in _EMAIL_RE.finditer(text))
            hits += (
                ("handle", *m.span())
                for m in _HANDLE_RE.finditer(text)
                if not _HANDLE_TIME_RE.fullmatch(m.group()) and any(c.isalpha() for c in m.group())
            )
        if "dot" in text.casefold():
            hits += (("email", *m.span()) for m in _EMAIL_SPELLED_RE.finditer(text))
        hits += (("url", *span) for span in _url_spans(text))
        if digit_count:
            hits += (("date_of_birth", *span) for span in _dob_spans(text, toks))
            hits += (("postcode", *m.span()) for m in _POSTCODE_RE.finditer(text))
            hits += (("vehicle", *span) for span in _vehicle_spans(text, toks))
        if digit_count >= _MIN_PHONE_DIGITS:
            hits += (("phone", *span) for span in _phone_spans(text))
            if "/" in text:
                hits += (("phone", *span) for span in _phonenumbers_spans(text))
            # Whatever else happens, no run of 7 or more digits reaches an officer.
            hits += (("phone", *m.span()) for m in _LONG_DIGITS_RE.finditer(text))
        protected = self._protected(toks)
        for start, end in _address_spans(text, toks, digit_count > 0):
            if not _inside(start, end, protected):
                hits.append(("address", start, end))
        structured = [(s, e) for _, s, e in hits]
        for start, end, cued in self._names_in(text, toks, structured):
            if cued or not _inside(start, end, protected):
                hits.append(("name", start, end))
        return hits

    def _protected(self, toks: Sequence[_Tok]) -> list[Span]:
        """Character spans of kept phrases (places, wards, events, ``keep``) in the text."""
        spans: list[Span] = []
        keys = [t.key for t in toks]
        for i, key in enumerate(keys):
            for words in self._keep_by_first.get(key, ()):
                if tuple(keys[i : i + len(words)]) == words:
                    spans.append((toks[i].start, toks[i + len(words) - 1].end))
                    break
        return spans

    def _is_place_context(self, text: str, toks: Sequence[_Tok], i: int) -> bool:
        """ "Graham Road", "St John's", "the Albion", "Queen Elizabeth": not a neighbour."""
        tok = toks[i]
        if i + 1 < len(toks):
            nxt = toks[i + 1]
            if nxt.key in _PLACE_NOUNS and _adjacent(text, tok, nxt):
                return True
        if i > 0:
            prev = toks[i - 1]
            if prev.key in _NOT_PERSON_PREFIXES and _adjacent(text, prev, tok):
                return True
        return False

    def _never_name(self, key: str) -> bool:
        return key in _NOT_NAMES or key in self._place_words

    def _surname_like(self, tok: _Tok, shouting: bool, quiet: bool = False) -> bool:
        """A word that can follow a given name as its surname ("Okoro", "al-Rashid").

        ``quiet``: the name it would follow is written in lower case, as some writers write
        everything ("ask for john smith"), so a listed name or a surname's ending is enough.
        """
        if self._never_name(tok.key) or tok.key in _PLACE_NOUNS:
            return False
        names = self._names
        if not tok.cased:
            # Arabic and Bengali script have no capitals: a listed name or family name, the
            # article al- (الخطيب), or a word family names are made of (خان, চৌধুরী), also
            # with a Bengali case ending joined to it (ইসলামের).
            return any(
                names.tier(key) is not None
                or names.surname(key, soft=True)
                or key in _UNCASED_SURNAME_WORDS
                or _UNCASED_ARTICLE_RE.match(key) is not None
                for key in _uncased_keys(tok.key)
            )
        if tok.all_caps:
            # In ALL CAPS text every word is capitalised: only a listed name or family name,
            # or a surname's own shape (O'REILLY, JANKOWSKA), is evidence. A word in capitals
            # beside a name written in mixed case is the surname, as forms write it
            # ("Jean DUPONT").
            if not shouting:
                return len(tok.key) > 1
            return (
                names.tier(tok.key) is not None
                or names.surname(tok.key, soft=False)
                or _SURNAME_SHAPE_RE.search(tok.key) is not None
            )
        if tok.upper_first:
            return True
        head, sep, rest = tok.text.partition("-")
        if sep and head.casefold() in ("al", "el", "bin", "abu", "ben"):
            return rest[:1].isupper() or (quiet and rest.islower())  # "el-masri"
        if quiet and tok.text.islower():
            return (
                names.tier(tok.key) is not None
                or names.surname(tok.key, soft=True)
                or _SURNAME_SHAPE_RE.search(tok.key) is not None
            )
        return False

    def _tier(self, tok: _Tok) -> str | None:
        """The word's tier on the given-name list; in Bengali also without a case ending."""
        if tok.cased:
            return self._names.tier(tok.key)
        for key in _uncased_keys(tok.key):
            tier = self._names.tier(key)
            if tier is not None:
                return tier
        return None

    def _before_name(self, tok: _Tok, name: _Tok, loud: bool) -> bool:
        """A word right before a name that is part of it: a family name written first
        ("POPA Elena", "Kowalski Jan"), or in a script without capitals a listed name or a
        word names are made of ("تاهمينا رحيم", "بنت علي")."""
        if self._never_name(tok.key) or tok.key in _PLACE_NOUNS:
            return False
        if tok.key in _NOT_PERSON_PREFIXES or tok.key in _PARTICLES:
            return False
        names = self._names
        if not tok.cased:
            return not name.cased and any(
                names.tier(key) is not None
                or names.surname(key, soft=False)
                or key in _UNCASED_SURNAME_WORDS
                or key in _UNCASED_PARTICLES
                for key in _uncased_keys(tok.key)
            )
        if tok.all_caps:
            return not loud and not name.all_caps and len(tok.key) > 1
        return tok.upper_first and name.upper_first and names.surname(tok.key, soft=False)

    def _after_strong_cue(self, tok: _Tok, explicit: bool) -> bool:
        """Whether the word after "Mr", "called" or "my neighbour" is the name."""
        tier = self._names.tier(tok.key)
        if not tok.cased:
            # Arabic, Bengali: no capitals to go by. A word after "called" or a title is the
            # name; after "my son" it might be a verb, so it must be on the list.
            return explicit or tier is not None
        if tier is None and self._never_name(tok.key):
            return False
        return tok.upper_first or tier in ("plain", "word")

    def _names_in(
        self, text: str, toks: Sequence[_Tok], structured: list[Span]
    ) -> Iterator[tuple[int, int, bool]]:
        """Personal names as (start, end, found_by_a_cue).

        Evidence, strongest first: a cue before the word ("Mr", "my neighbour", "called",
        "Regards,") or after it ("'s flat", "Bey"); the name list, by tier; a capitalised
        pair of which one word is a listed name. Each name then grows over the capitalised
        words right after it (the surname).
        """
        names = self._names
        n = len(toks)
        by_start = {t.start: i for i, t in enumerate(toks)}
        accepted: dict[int, bool] = {}  # token index -> found by a cue
        titled: set[int] = set()  # right after a title ("PCSO Grace Park")

        # 1. Cues before the name.
        for cue, explicit in ((_TITLE, True), (_CALLED, True), (_RELATION, False)):
            for match in cue.matches(text, toks):
                i = by_start.get(match.end())
                if i is None or not self._after_strong_cue(toks[i], explicit):
                    continue
                accepted[i] = True
                if cue is _TITLE:
                    titled.add(i)
                if (
                    not toks[i].cased
                    and i + 1 < n
                    and names.tier(toks[i + 1].key) is not None
                    and _adjacent(text, toks[i], toks[i + 1])
                ):
                    accepted[i + 1] = True
        for match in _SIGNOFF.matches(text, toks):
            i = by_start.get(match.end())
            if (
                i is not None
                and toks[i].upper_first
                and self._after_strong_cue(toks[i], True)
                and self._signature_at_end(text, toks, i)
            ):
                accepted[i] = True
        for match in _WEAK_CUE.matches(text, toks):
            i = by_start.get(match.end())
            if (
                i is not None
                and names.tier(toks[i].key) is not None
                and (toks[i].upper_first or not toks[i].cased)
            ):
                accepted.setdefault(i, False)

        # 2. Cues after the name.
        for i, tok in enumerate(toks):
            if not tok.upper_first or self._never_name(tok.key):
                continue
            if tok.possessive:
                nxt = _WORD_AFTER_RE.match(text, tok.end + 2)
                if nxt is not None and _key(nxt.group(1)) in _POSSESSIVE_NOUNS:
                    accepted.setdefault(i, True)
            elif _POSTFIX_TITLE_RE.match(text, tok.end):
                accepted.setdefault(i, True)
            elif names.tier(tok.key) is not None and _AFTER_NAME_CUE_RE.match(text, tok.end):
                accepted.setdefault(i, False)

        # 3. The name list, for capitalised words and scripts without capitals.
        for i, tok in enumerate(toks):
            if i in accepted or tok.key in _NOT_NAMES or len(tok.key) < 3:
                continue
            if (
                tok.key == "عبد"
                and i + 1 < n
                and toks[i + 1].key.startswith("ال")
                and _adjacent(text, tok, toks[i + 1])
            ):
                # "عبد الرحمن", "عبد الله": "servant of" one of God's names is a given name.
                accepted[i] = accepted[i + 1] = False
                continue
            tier = self._tier(tok)
            if tier is None or self._is_place_context(text, toks, i):
                continue
            if not tok.cased:
                taken = tier == "plain"
            elif tok.all_caps:
                taken = tier in ("plain", "word") and len(tok.key) > 3
            elif tok.upper_first:
                taken = tier in ("plain", "word") or (tier == "soft" and not tok.sentence_start)
            else:
                taken = False
            if taken:
                accepted[i] = False

        # 4. A maybe-name before a capitalised word: "Grace Okoro", "Will Smith".
        for i in range(n - 1):
            a, b = toks[i], toks[i + 1]
            if (
                i not in accepted
                and i + 1 not in accepted
                and names.tier(a.key) in ("soft", "strict")
                and a.upper_first
                and not a.all_caps
                and b.upper_first
                and not b.all_caps
                and _adjacent(text, a, b)
                and self._surname_like(b, False)
                and not self._is_place_context(text, toks, i)
                and not self._is_place_context(text, toks, i + 1)
            ):
                accepted[i] = False

        spans = self._grow(text, toks, accepted, shouting=False, titled=titled)

        # 5. Writers who never use capitals, and short names in ALL CAPS. Whether a comment is
        # written that way is judged without the words already removed, so the answer is the
        # same when the scrubbed text is scrubbed again (idempotence).
        removed = _Cover(structured + [(s, e) for s, e, _ in spans])
        kept = [t for t in toks if t.cased and not removed.covers(t.start, t.end)]
        lower_case_writer = bool(kept) and not any(
            t.text != "I" and not t.text.islower() for t in kept
        )
        capitals = [t for t in kept if len(t.text) > 1]
        shouting = len(capitals) >= 3 and 2 * sum(t.all_caps for t in capitals) > len(capitals)
        late: dict[int, bool] = {}
        if lower_case_writer or shouting:
            for i, tok in enumerate(toks):
                if i in accepted or tok.key in _NOT_NAMES or len(tok.key) < 3:
                    continue
                tier = names.tier(tok.key)
                if tier is None or removed.covers(tok.start, tok.end):
                    continue
                quiet = lower_case_writer and tier == "plain" and tok.cased and tok.text.islower()
                loud = shouting and tier in ("plain", "word") and tok.all_caps
                if quiet or loud:
                    late[i] = False
        yield from spans
        yield from self._grow(text, toks, late, shouting)

    def _grow(
        self,
        text: str,
        toks: Sequence[_Tok],
        accepted: dict[int, bool],
        shouting: bool,
        titled: Set[int] = frozenset(),
    ) -> list[tuple[int, int, bool]]:
        """Extend each accepted word over the words of the same name around it: following
        names, particles and the surname, and a family name written first.

        After a title the next capitalised listed family name is taken even when it is also
        a word or a place ("PCSO Grace Park"): a title names a person."""
        n = len(toks)
        spans: list[tuple[int, int, bool]] = []
        done: set[int] = set()
        for i in sorted(accepted):
            if i in done:
                continue
            cued = accepted[i]
            quiet = toks[i].cased and toks[i].text.islower()
            loud = shouting or toks[i].all_caps  # "DESMOND O'REILLY": the name sets the case
            last = i
            j = i + 1
            while j < n and j - i <= 5 and _adjacent(text, toks[last], toks[j]):
                if (
                    toks[j].key in _UNCASED_PARTICLES
                    and j + 1 < n
                    and not toks[j + 1].cased
                    and _adjacent(text, toks[j], toks[j + 1])
                    and not self._never_name(toks[j + 1].key)
                ):
                    # "بن سالم", "أبو زيد": the particle and the word it governs.
                    last = j + 1
                    j += 2
                    continue
                if j in accepted:
                    cued = cued or accepted[j]
                    last = j
                    j += 1
                    continue
                # Particles, one or more ("de la Fuente", "van der Berg"), before a surname.
                k = j
                while (
                    k < n and toks[k].key in _PARTICLES and _adjacent(text, toks[k - 1], toks[k])
                ):
                    k += 1
                if (
                    k > j
                    and k < n
                    and _adjacent(text, toks[k - 1], toks[k])
                    and self._surname_like(toks[k], loud, quiet)
                ):
                    last = k
                    j = k + 1
                elif (
                    self._surname_like(toks[j], loud, quiet)
                    and not self._is_place_context(text, toks, j)
                ) or (
                    i in titled
                    and toks[j].upper_first
                    and not toks[j].all_caps
                    and toks[j].key in self._names.family
                ):
                    last = j
                    j += 1
                elif (
                    j + 1 < n
                    and _adjacent(text, toks[j], toks[j + 1])
                    and toks[j].upper_first
                    and toks[j].key in self._names.family
                    and self._surname_like(toks[j + 1], loud, quiet)
                ):
                    # A family name that is also a word or a shop, between a name and another
                    # family name: "Bruno Costa Nunes".
                    last = j + 1
                    j += 2
                elif (
                    j + 1 < n
                    and j + 1 in accepted
                    and _adjacent(text, toks[j], toks[j + 1])
                    and not self._never_name(toks[j].key)
                ):
                    # A word between two parts of one name is part of it ("Abdul" in
                    # "Mohammad Abdul Karim", written in a script without capitals).
                    cued = cued or accepted[j + 1]
                    last = j + 1
                    j += 2
                else:
                    break
            first = i
            while (
                first > 0
                and i - first < 2
                and first - 1 not in done
                and _adjacent(text, toks[first - 1], toks[first])
                and self._before_name(toks[first - 1], toks[i], loud)
            ):
                first -= 1
            done.update(range(first, last + 1))
            spans.append((toks[first].start, toks[last].end, cued))
        return spans

    def _signature_at_end(self, text: str, toks: Sequence[_Tok], i: int) -> bool:
        """A sign-off: one to three words that end the comment ("Regards, Priya Patel")."""
        for j in range(i, min(i + 3, len(toks))):
            if _SIGNATURE_END_RE.fullmatch(text, toks[j].end):
                return True
            if j + 1 < len(toks) and not _adjacent(text, toks[j], toks[j + 1]):
                return False
        return False


class _Segment(NamedTuple):
    """A stretch of the scrubbed text and where it came from in the original."""

    out_start: int
    in_start: int
    length: int


def _render(text: str, redactions: Sequence[Redaction]) -> tuple[str, list[_Segment]]:
    """The scrubbed text, and the stretches of it that are original text (not tokens)."""
    out: list[str] = []
    segments: list[_Segment] = []
    cursor = size = 0
    for red in redactions:
        kept = text[cursor : red.start]
        segments.append(_Segment(size, cursor, len(kept)))
        out += (kept, TOKENS[red.kind])
        size += len(kept) + len(TOKENS[red.kind])
        cursor = red.end
    segments.append(_Segment(size, cursor, len(text) - cursor))
    out.append(text[cursor:])
    return "".join(out), segments


def _to_original(red: Redaction, segments: Sequence[_Segment]) -> Redaction:
    """Map a removal found in scrubbed text back to the original text.

    A find never contains a token (those are masked), so it lies inside one kept stretch.
    """
    for seg in segments:
        if seg.out_start <= red.start and red.end <= seg.out_start + seg.length:
            shift = seg.in_start - seg.out_start
            return Redaction(red.kind, red.start + shift, red.end + shift)
    raise AssertionError(f"a removal across a token: {red}")


def _merge(hits: list[tuple[str, int, int]], text: str) -> list[Redaction]:
    """Union overlapping finds; label each union by its most specific, then longest, find.

    Address pieces separated only by a comma or spaces ("Flat 4, 22 Amhurst Road") become one
    removal, so the reader sees one "[address]" rather than two.
    """
    groups: list[list[tuple[str, int, int]]] = []
    end = -1
    for hit in sorted(hits, key=lambda h: (h[1], -h[2])):
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
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and kind == previous.kind == "address"
            and _ADDRESS_GAP_RE.fullmatch(text, previous.end, start)
        ):
            merged[-1] = Redaction("address", previous.start, stop)
        else:
            merged.append(Redaction(kind, start, stop))
    return merged
