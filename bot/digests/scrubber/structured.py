"""Structured personal data: phone numbers, emails, URLs, handles, postcodes, vehicle
registrations and dates of birth.

These have a shape (digits, an "@", a date) that regular expressions and libphonenumber can
find without knowing the language; names and addresses need word lists and live elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from phonenumbers import Leniency, PhoneNumberMatcher

from bot.digests.scrubber.kinds import Span
from bot.digests.scrubber.tokens import _NOT_LETTER_AFTER, _Cue, _digits, _Tok, _words

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
