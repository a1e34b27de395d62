"""Safeguarding: a message that reads like an emergency gets "call 999 now" at once.

The bot is not an emergency service. Every free-text message, in any state and whatever the
resident's chosen language, is checked against the wording rules of *every* supported language
(``safeguarding/<lang>.toml``), because people in distress write in the language that comes to
them. The rules separate danger happening now from past or general mentions ("there was a
stabbing last month", "knife crime is my top priority"), and also spot wording about domestic
abuse and self-harm, which get the national helplines instead.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.errors import ConfigError

__all__ = ["Concern", "LanguageRules", "Safeguarding", "normalise"]

SAFEGUARDING_DIR = Path(__file__).resolve().parent.parent / "safeguarding"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_SPACES = re.compile(r"\s+")
_RULE_KEYS = ("emergency", "now", "not_now", "domestic_abuse", "self_harm")
_EXAMPLE_KEYS = ("emergency", "not_emergency", "domestic_abuse", "self_harm")


class Concern(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    DOMESTIC_ABUSE = "domestic_abuse"


def normalise(text: str) -> str:
    """Lower-case, one kind of apostrophe, single spaces, no Arabic-script diacritics."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).casefold()
    # Turkish İ casefolds to i + U+0307 (combining dot above); drop the dot so "İ" reads "i".
    text = text.replace("\u0307", "")
    # Harakat and tatweel change nothing a rule should care about.
    text = "".join(ch for ch in text if not ("\u064b" <= ch <= "\u065f" or ch == "\u0640"))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class LanguageRules:
    language: str
    emergency: tuple[re.Pattern[str], ...]
    now: tuple[re.Pattern[str], ...] = ()
    not_now: tuple[re.Pattern[str], ...] = ()
    domestic_abuse: tuple[re.Pattern[str], ...] = ()
    self_harm: tuple[re.Pattern[str], ...] = ()
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def concerns(self, normalised: str) -> set[Concern]:
        found: set[Concern] = set()
        if any(p.search(normalised) for p in self.emergency):
            happening_now = any(p.search(normalised) for p in self.now)
            if happening_now or not any(p.search(normalised) for p in self.not_now):
                found.add(Concern.EMERGENCY)
        if any(p.search(normalised) for p in self.domestic_abuse):
            found.add(Concern.DOMESTIC_ABUSE)
        if any(p.search(normalised) for p in self.self_harm):
            found.add(Concern.SELF_HARM)
        return found


def _load_rules(path: Path) -> LanguageRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read as TOML ({error})") from None
    language = data.get("language")
    if language != path.stem:
        raise ConfigError(f"{path}: 'language' must be '{path.stem}', got {language!r}")
    compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
    for key in _RULE_KEYS:
        patterns = data.get(key, [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{path}: '{key}' must be a list of texts")
        try:
            compiled[key] = tuple(re.compile(p) for p in patterns)
        except re.error as error:
            raise ConfigError(
                f"{path}: '{key}' has a bad pattern {error.pattern!r}: {error}"
            ) from None
    if not compiled["emergency"]:
        raise ConfigError(f"{path}: 'emergency' needs at least one pattern")
    raw_examples = data.get("examples", {})
    examples = {k: tuple(raw_examples.get(k, [])) for k in _EXAMPLE_KEYS}
    return LanguageRules(language=language, examples=examples, **compiled)


class Safeguarding:
    """Every language's rules together; :meth:`check` runs them all."""

    def __init__(self, rules: dict[str, LanguageRules]) -> None:
        self.rules = rules

    @classmethod
    def load(cls, folder: Path = SAFEGUARDING_DIR) -> Safeguarding:
        rules = {path.stem: _load_rules(path) for path in sorted(folder.glob("*.toml"))}
        if not rules:
            raise ConfigError(f"{folder}: no safeguarding rules (*.toml) found")
        return cls(rules)

    def check(self, text: str) -> tuple[Concern, ...]:
        """Concerns in the order their answers are sent: the most urgent first."""
        normalised = normalise(text[:4096])
        found: set[Concern] = set()
        for rules in self.rules.values():
            found |= rules.concerns(normalised)
        return tuple(c for c in Concern if c in found)
