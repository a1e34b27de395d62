"""Translation: the locale of the update being handled lives in a context variable.

Handlers wrap their work in :func:`use_locale`; everything below them calls :func:`_`,
:func:`pgettext` or :func:`ngettext` with literal English text, so ``pybabel extract`` sees every
sentence. Survey texts come from data files and are translated with :func:`data_text`, which a
Babel extractor of our own feeds into the same catalog.

Catalogs are compiled in memory from ``locales/<lang>/LC_MESSAGES/messages.po`` at start, so a
fresh clone never runs with a stale or missing ``.mo`` file.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError, dates, lists, numbers, units
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = [
    "LOCALES_DIR",
    "SOURCE_LOCALE",
    "_",
    "current_locale",
    "data_text",
    "directional",
    "format_date",
    "format_date_range",
    "format_datetime",
    "format_duration",
    "format_list",
    "format_number",
    "format_period",
    "formatting_locale",
    "is_rtl",
    "language_name",
    "load_catalogs",
    "ngettext",
    "pgettext",
    "resolve_locale",
    "set_region",
    "supported_locales",
    "use_locale",
]

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SOURCE_LOCALE = "en"
_DOMAIN = "messages"
RTL_LOCALES = frozenset({"ar", "ur", "fa", "he"})
_FSI, _LRI, _RLI, _PDI, _RLM = "\u2068", "\u2066", "\u2067", "\u2069", "\u200f"
_current: ContextVar[str] = ContextVar("nv_locale", default=SOURCE_LOCALE)
_catalogs: dict[str, _gettext.NullTranslations] = {}


def _compile(po_path: Path, locale: str) -> _gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def load_catalogs(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    """Load every catalog found; English, the source language, needs none."""
    _catalogs.clear()
    _catalogs[SOURCE_LOCALE] = _gettext.NullTranslations()
    if locales_dir.is_dir():
        for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{_DOMAIN}.po")):
            code = po_path.parent.parent.name
            if code != SOURCE_LOCALE:
                _catalogs[code] = _compile(po_path, code)
    supported_locales.cache_clear()
    return supported_locales()


@cache
def supported_locales() -> tuple[str, ...]:
    """Locales with a catalog, English first."""
    if not _catalogs:
        load_catalogs()
    return (SOURCE_LOCALE, *sorted(code for code in _catalogs if code != SOURCE_LOCALE))


def _normalise(code: str | None) -> str | None:
    """``pt-BR`` → ``pt``; ``None`` for anything Babel does not recognise."""
    if not code:
        return None
    try:
        return str(Locale.parse(code.replace("_", "-"), sep="-").language)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def resolve_locale(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The resident's explicit choice first, then Telegram's language, then the default."""
    supported = supported_locales()
    for candidate in (chosen, _normalise(telegram_code), default):
        if candidate in supported:
            return candidate
    return SOURCE_LOCALE


@cache
def language_name(code: str) -> str:
    """A language's name in that language ("Türkçe"), so a resident can find their own."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def current_locale() -> str:
    return _current.get()


@contextmanager
def use_locale(code: str) -> Iterator[None]:
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


def is_rtl(code: str | None = None) -> bool:
    return (code or _current.get()) in RTL_LOCALES


class _Isolating(str):
    """A right-to-left template whose ``format`` wraps each value in Unicode isolates.

    Numbers, ward names and Latin text inside Arabic or Urdu sentences otherwise reorder the
    words around them; FSI…PDI keeps each value in its own direction. A value that is itself a
    formatted sentence (a list of "Türkçe: 7") has its own isolates already and is not wrapped
    again: isolates nested in isolates are what issue 15 saw scrambled.
    """

    __slots__ = ()

    @staticmethod
    def _isolated(value: object) -> str:
        text = str(value)
        if any(mark in text for mark in (_LRI, _RLI, _FSI, _PDI)):
            return text
        return f"{_FSI}{text}{_PDI}"

    def format(self, *args: object, **kwargs: object) -> str:
        return str.format(
            self,
            *(self._isolated(a) for a in args),
            **{k: self._isolated(v) for k, v in kwargs.items()},
        )


def _template(text: str) -> str:
    return _Isolating(text) if is_rtl() else text


# A number is one run with the separators inside it ("6:30", "11/12/2026", "116 123", "1,000"):
# isolating only its digits would cut "6:30" into pieces the bidi algorithm then reorders.
_LTR_RUNS = re.compile(r"/[a-z_]+\b|\+?\d(?:[\d:.,/ \u00a0\u2009\u202f\u200f]*\d)?")
_INITIATORS = frozenset((_LRI, _RLI, _FSI))


def _balanced(line: str) -> list[tuple[str, bool]]:
    """A line cut into (text, already isolated) pieces, with every stray isolate mark dropped:
    a PDI that closes nothing, an isolate left open at the end of the line (a value that
    spans lines is isolated on none of them: the bidi algorithm ends isolates at a line)."""
    opened: list[int] = []
    stray: set[int] = set()
    for i, char in enumerate(line):
        if char in _INITIATORS:
            opened.append(i)
        elif char == _PDI:
            if opened:
                opened.pop()
            else:
                stray.add(i)
    stray.update(opened)
    clean = "".join(char for i, char in enumerate(line) if i not in stray)
    pieces: list[tuple[str, bool]] = []
    depth = start = 0
    for i, char in enumerate(clean):
        if char in _INITIATORS:
            if depth == 0:
                pieces.append((clean[start:i], False))
                start = i
            depth += 1
        elif char == _PDI:
            depth -= 1
            if depth == 0:
                pieces.append((clean[start : i + 1], True))
                start = i + 1
    pieces.append((clean[start:], False))
    return [(text, isolated) for text, isolated in pieces if text]


def _lay_out_line(line: str) -> str:
    text = "".join(
        piece if done else _LTR_RUNS.sub(lambda m: f"{_LRI}{m[0]}{_PDI}", piece)
        for piece, done in _balanced(line)
    )
    return text if text.startswith(_RLM) else _RLM + text


def directional(text: str, code: str) -> str:
    """Lay out a right-to-left message: RLM at each line, numbers and commands kept LTR.

    Without the left-to-right isolate, "116 123" shows as "123 116" in Arabic text and the slash
    of "/survey" moves to the wrong end. A value the template already isolated is left alone,
    so no isolate is ever nested in another.
    """
    if not is_rtl(code):
        return text
    return "\n".join(_lay_out_line(line) for line in text.split("\n"))


_region = "GB"


def set_region(code: str) -> None:
    """The deployment's country (ISO 3166), for how dates and numbers are written: English in
    the United Kingdom writes "Thu 11 Dec, 18:30", not "Thu, Dec 11, 6:30 PM"."""
    global _region
    _region = code.upper()
    _formatting.cache_clear()


@cache
def _formatting(code: str, region: str) -> Locale:
    """The reader's language in the deployment's region where Babel knows that pairing
    (``en_GB``), else the language alone (there is no ``tr_GB``)."""
    try:
        return Locale.parse(f"{code}_{region}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(code)


def formatting_locale() -> Locale:
    return _formatting(_current.get(), _region)


def format_number(number: float) -> str:
    return str(numbers.format_decimal(number, locale=formatting_locale()))


def format_list(items: Iterable[str]) -> str:
    """Names joined as the reader's language joins them ("Dalston, Clissold and Homerton")."""
    return str(lists.format_list(list(items), style="standard", locale=formatting_locale()))


def format_duration(length: timedelta) -> str:
    """A length of time as the reader's language says it, to the precision an estimate has:
    seconds under a minute, minutes and tens of seconds under ten minutes, minutes under an
    hour, then hours and minutes ("2 minutes and 30 seconds", "1 saat ve 5 dakika")."""
    locale = formatting_locale()
    total = max(0, round(length.total_seconds()))
    tens = round(total / 10) * 10
    if total < 60:
        amounts = [(total, "second")]
    elif tens < 600:
        amounts = [(tens // 60, "minute"), (tens % 60, "second")]
    elif round(total / 60) < 60:
        amounts = [(round(total / 60), "minute")]
    else:
        hours, minutes = divmod(round(total / 60), 60)
        amounts = [(hours, "hour"), (minutes, "minute")]
    parts = [
        str(units.format_unit(n, f"duration-{unit}", length="long", locale=locale))
        for n, unit in amounts
        if n or len(amounts) == 1
    ]
    # "standard", not "unit": Babel has no unit list pattern for Arabic and repeats a part.
    return format_list(parts)


def _day(local: datetime, locale: Locale, with_year: bool) -> str:
    return str(dates.format_skeleton("yMMMEd" if with_year else "MMMEd", local, locale=locale))


def _clock(local: datetime, locale: Locale) -> str:
    return str(dates.format_time(local, "short", locale=locale))


def _day_and_time(day: str, clock: str, locale: Locale) -> str:
    return str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)


def format_datetime(moment: datetime, timezone: tzinfo) -> str:
    """A moment in the configured time zone, written the way the reader's locale writes it:
    weekday, date, hours and minutes (seconds say nothing about a meeting)."""
    locale = formatting_locale()
    local = moment.astimezone(timezone)
    return _day_and_time(_day(local, locale, True), _clock(local, locale), locale)


def format_period(start: datetime, end: datetime, timezone: tzinfo) -> str:
    """From ``start`` to ``end`` in the reader's locale, the day named once when both fall on
    it ("Fri 11 Dec 2026, 18:30–20:30"); never seconds.

    Babel's ``format_interval`` has no interval pattern for a weekday, date and time together
    and falls back to two full medium date-times, seconds included, so the day and the hours
    are formatted apart and joined by the locale's own patterns.
    """
    locale = formatting_locale()
    first, last = start.astimezone(timezone), end.astimezone(timezone)
    if first.date() == last.date():
        hours = "Hm" if "H" in str(locale.time_formats["short"].pattern) else "hm"
        span = dates.format_interval(first.time(), last.time(), hours, locale=locale)
        return _day_and_time(_day(first, locale, True), str(span), locale)
    fallback = str(locale.interval_formats.get(None) or "{0} – {1}")
    return fallback.replace("{0}", format_datetime(start, timezone)).replace(
        "{1}", format_datetime(end, timezone)
    )


def format_date(moment: datetime, timezone: tzinfo, fmt: str = "long") -> str:
    local = moment.astimezone(timezone).date()
    return str(dates.format_date(local, fmt, locale=formatting_locale()))


def format_date_range(first: date, last: date) -> str:
    """Two days as one range in the reader's locale ("23–29 Nov 2026")."""
    return str(dates.format_interval(first, last, "yMMMd", locale=formatting_locale()))


def _translations() -> _gettext.NullTranslations:
    if not _catalogs:
        load_catalogs()
    return _catalogs.get(_current.get()) or _catalogs[SOURCE_LOCALE]


def _(message: str) -> str:
    return _template(_translations().gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return _template(_translations().ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    return _template(_translations().pgettext(context, message))


def data_text(message: str) -> str:
    """Translate a string that comes from a data file (a survey), extracted by our extractor."""
    return _translations().gettext(message)
