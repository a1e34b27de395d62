"""The ``Scrubber``: runs every detector, merges overlapping finds, and renders the tokens.

Plain Python, no Telegram imports. Tables are built once per process; a ``Scrubber`` keeps no
state between calls, so one instance can be shared by every handler.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

from bot.digests.scrubber.addresses import _ADDRESS_GAP_RE, _address_spans
from bot.digests.scrubber.kinds import _SPECIFICITY, TOKENS, Redaction, Scrubbed, Span
from bot.digests.scrubber.name_tables import _PLACES, _name_table
from bot.digests.scrubber.names import _NameFinder
from bot.digests.scrubber.structured import (
    _EMAIL_RE,
    _EMAIL_SPELLED_RE,
    _HANDLE_RE,
    _HANDLE_TIME_RE,
    _LONG_DIGITS_RE,
    _MIN_PHONE_DIGITS,
    _POSTCODE_RE,
    _dob_spans,
    _phone_spans,
    _phonenumbers_spans,
    _url_spans,
    _vehicle_spans,
)
from bot.digests.scrubber.tokens import _DIGIT_RE, _Tok, _tokens

# Tokens this module writes. Scrubbing already-scrubbed text must change nothing, so they are
# masked before any detector runs: the words inside them ("[date of birth]") are not cues.
_TOKEN_RE: Final = re.compile("|".join(re.escape(t) for t in TOKENS.values()))
_MASK: Final = "\ue000"  # a private-use character that no detector matches


def _inside(start: int, end: int, spans: Iterable[Span]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


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
        self._name_finder = _NameFinder(self._names, self._place_words)

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
        for start, end, cued in self._name_finder.names_in(text, toks, structured):
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
