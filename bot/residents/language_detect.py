"""Language detection of free text, as a hint only.

langdetect is restricted to the bot's supported languages (its own profiles for just those)
and seeded, so the same text always gives the same answer. Short texts are unreliable, so a
switch is only ever *offered*, for three words or more, and never made silently.
"""

from __future__ import annotations

import functools
import os
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

__all__ = ["UNKNOWN", "Detection", "LanguageDetector", "word_count"]

UNKNOWN = "unknown"
_SEED = 0
_MIN_PROBABILITY = 0.80
# Offers interrupt; short phrases mislead langdetect ("not a postcode" reads as Portuguese),
# so an offer needs a confident answer on a text of some length.
_OFFER_PROBABILITY = 0.95
_OFFER_MIN_LETTERS = 15


# The scripts our languages are written in; text mostly in another script (Hebrew, Cyrillic,
# Chinese…) is in none of them, whatever langdetect's nearest profile says.
_SCRIPTS = {
    "en": "LATIN",
    "tr": "LATIN",
    "pl": "LATIN",
    "es": "LATIN",
    "pt": "LATIN",
    "fr": "LATIN",
    "so": "LATIN",
    "ro": "LATIN",
    "ar": "ARABIC",
    "ur": "ARABIC",
    "bn": "BENGALI",
}


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def main_script(text: str) -> str | None:
    letters = [_script(ch) for ch in text if ch.isalpha()]
    if not letters:
        return None
    return max(set(letters), key=letters.count)


def word_count(text: str) -> int:
    """Words with at least one letter; digits and emoji alone are not words."""
    return sum(1 for word in text.split() if any(ch.isalpha() for ch in word))


def distinct_words(text: str) -> int:
    """Different words, whatever their case: "ok ok ok ok" is one word said four times, and
    says nothing about the language it was typed in."""
    return len({word.casefold() for word in text.split() if any(ch.isalpha() for ch in word)})


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    probability: float


class LanguageDetector:
    """A langdetect factory with only our languages' profiles loaded."""

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(sorted(set(languages)))
        self._factory: DetectorFactory | None = None
        # langdetect's detectors share the factory's random seed; one at a time keeps it exact.
        self._lock = threading.Lock()
        if len(self.languages) < 2:  # nothing to tell apart
            return
        self._factory = DetectorFactory()
        profiles = []
        for code in self.languages:
            path = os.path.join(PROFILES_DIRECTORY, code)
            with open(path, encoding="utf-8") as profile:
                profiles.append(profile.read())
        self._factory.load_json_profile(profiles)
        self._factory.set_seed(_SEED)

    def detect(self, text: str) -> Detection | None:
        """The most likely supported language, or None when the text carries too little.

        Cached per text: a comment is looked at twice (stored language, switch offer), and a
        seeded detector gives the same answer every time anyway.
        """
        return self._detect(text)

    @functools.lru_cache(maxsize=256)  # noqa: B019  # one detector per process, kept for good
    def _detect(self, text: str) -> Detection | None:
        if self._factory is None:
            return None
        script = main_script(text)
        if script is None or script not in {_SCRIPTS.get(code) for code in self.languages}:
            return None
        with self._lock:
            try:
                detector = self._factory.create()
                detector.append(text[:2000])
                best = detector.get_probabilities()[0]
            except LangDetectException:
                return None
        return Detection(str(best.lang), float(best.prob))

    def language_of(self, text: str) -> str:
        """What is stored with a comment: a language code, or "unknown" for under three words."""
        if word_count(text) < 3:
            return UNKNOWN
        found = self.detect(text)
        return found.language if found and found.probability >= _MIN_PROBABILITY else UNKNOWN

    def suggest_switch(self, text: str, current: str) -> str | None:
        """A language to offer, when three or more different words are clearly in another."""
        if distinct_words(text) < 3 or sum(ch.isalpha() for ch in text) < _OFFER_MIN_LETTERS:
            return None
        found = self.detect(text)
        if found is None or found.probability < _OFFER_PROBABILITY or found.language == current:
            return None
        return found.language


@cache
def detector_for(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetector(languages)
