"""Words of a comment: tokenising, lookup keys and cue phrases shared by every detector.

Each detector (numbers, addresses, names) looks at the same words in the same way, so how a
word is split, case-folded and matched against a word list or a cue phrase lives here once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NamedTuple

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
