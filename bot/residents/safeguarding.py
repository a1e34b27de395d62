"""Safeguarding: a message that reads like an emergency gets "call 999 now" at once.

The bot is not an emergency service. Every free-text message, in any state and whatever the
resident's chosen language, is read by two judges, and either is enough:

* a statistical model of situations (:mod:`bot.residents.safeguarding_model`), trained on messages
  the project had written in all eleven languages: weapons, violence, fire, someone trapped,
  collapse, a child at risk and every other danger 999 answers, against past, general, hypothetical
  and question forms. It also gives a gentler answer ("if anyone is in danger right now, call 999")
  to wording that only might be urgent;
* the wording rules of *every* language (``safeguarding/<lang>.toml``), because people in
  distress write in the language that comes to them.

Both also spot domestic abuse and self-harm, which get the national helplines. How well this
works on messages written by people who never saw either is in ``docs/safeguarding.md``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.errors import ConfigError
from bot.residents.safeguarding_model import Head, SafeguardingModel

__all__ = ["Assessment", "Concern", "LanguageRules", "Safeguarding", "normalise"]

SAFEGUARDING_DIR = Path(__file__).resolve().parents[2] / "safeguarding"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_SPACES = re.compile(r"\s+")
_RULE_KEYS = ("emergency", "now", "not_now", "domestic_abuse", "self_harm")
_EXAMPLE_KEYS = ("emergency", "not_emergency", "domestic_abuse", "self_harm")


class Concern(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    DOMESTIC_ABUSE = "domestic_abuse"


_HEADS = {
    Concern.EMERGENCY: Head.EMERGENCY,
    Concern.SELF_HARM: Head.SELF_HARM,
    Concern.DOMESTIC_ABUSE: Head.DOMESTIC_ABUSE,
}


@dataclass(frozen=True, slots=True)
class Assessment:
    """What a message calls for: the concerns' answers, most urgent first, and whether the
    gentler "if anyone is in danger right now" line is due (only without an emergency)."""

    concerns: tuple[Concern, ...] = ()
    gentle: bool = False


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
    """Every language's rules and the model together; :meth:`assess` runs them all."""

    def __init__(
        self,
        rules: dict[str, LanguageRules],
        model: SafeguardingModel | None = None,
        *,
        use_rules: bool = True,
    ) -> None:
        self.rules = rules
        self.model = model
        self.use_rules = use_rules

    @classmethod
    def load(cls, folder: Path = SAFEGUARDING_DIR) -> Safeguarding:
        rules = {path.stem: _load_rules(path) for path in sorted(folder.glob("*.toml"))}
        if not rules:
            raise ConfigError(f"{folder}: no safeguarding rules (*.toml) found")
        model = SafeguardingModel.load(folder / "model")
        return cls(rules, model, use_rules=model.use_rules)

    def assess(self, text: str) -> Assessment:
        found: set[Concern] = set()
        if self.use_rules:
            normalised = normalise(text[:4096])
            for rules in self.rules.values():
                found |= rules.concerns(normalised)
        gentle = False
        if self.model is not None:
            scores = self.model.scores(text)
            for concern, head in _HEADS.items():
                if scores[head] >= self.model.thresholds[head].urgent:
                    found.add(concern)
            gentle = (
                Concern.EMERGENCY not in found
                and scores[Head.EMERGENCY] >= self.model.thresholds[Head.EMERGENCY].gentle
            )
        return Assessment(tuple(c for c in Concern if c in found), gentle)

    def check(self, text: str) -> tuple[Concern, ...]:
        """Concerns in the order their answers are sent: the most urgent first."""
        return self.assess(text).concerns
