"""A small statistical model of what reads like an emergency, in any of the bot's languages.

Rules written from examples missed most of what other people wrote: whole situations (smoke on
the stairs, a child on a balcony rail, someone in the canal) had no words in them. The model
reads situations instead, from messages the project had written for training (in
``safeguarding/training/``, never the evaluation set) in all eleven languages: logistic
regression over hashed word and character n-grams of the folded text, one head per concern.

Folding makes the model indifferent to what phones and people drop: case, accents and
diacritics (Turkish, Polish and Romanian are often typed without them), Arabic short vowels and
tatweel. Character n-grams carry word stems across inflections and typos; word pairs carry
"was stabbed" against "is being stabbed"; a question mark is a feature of its own.

Inference is plain Python and numpy: a sum of weights. ``tools/train_safeguarding.py``
writes the weights (``safeguarding/model/weights.npz``) and the thresholds chosen on the
development part of the evaluation set (``safeguarding/model/thresholds.toml``).
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
import zlib
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.errors import ConfigError

__all__ = ["DIMENSION", "HEADS", "Head", "SafeguardingModel", "Thresholds", "features", "fold"]

DIMENSION = 2**18
MODEL_DIR = Path(__file__).resolve().parents[2] / "safeguarding" / "model"
_WORD = re.compile(r"\w+")
# Letters NFD does not take apart, and the Arabic-script marks that carry no meaning here.
_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "đ": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ـ": None}
)


class Head(StrEnum):
    EMERGENCY = "emergency"
    DOMESTIC_ABUSE = "domestic_abuse"
    SELF_HARM = "self_harm"


HEADS: tuple[Head, ...] = tuple(Head)


def fold(text: str) -> str:
    """Lower case, no accents or diacritics, one kind of apostrophe, single spaces."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_LETTERS).replace("’", "'").replace("`", "'")
    return " ".join(text.split())


def features(text: str) -> list[int]:
    """The hashed feature indices present in ``text`` (sorted, each once).

    CRC-32 is the hash because it is the same on every machine and Python version (``hash``
    of a string is salted per process).
    """
    folded = fold(text[:4096])
    words = _WORD.findall(folded)
    names: set[str] = {f"w {w}" for w in words}
    names.update(f"b {a} {b}" for a, b in pairwise(words))
    for word in words:
        padded = f" {word} "
        for n in (3, 4, 5):
            names.update(f"c {padded[i : i + n]}" for i in range(len(padded) - n + 1))
    if "?" in text or "؟" in text:
        names.add("? question")
    if not words:
        names.add("- empty")
    return sorted({zlib.crc32(name.encode()) % DIMENSION for name in names})


@dataclass(frozen=True, slots=True)
class Thresholds:
    urgent: float  # at or above: the concern's full answer
    gentle: float  # at or above (emergency only): "if anyone is in danger right now, call 999"


class SafeguardingModel:
    """The trained weights and thresholds; :meth:`scores` is the probability per head."""

    def __init__(
        self,
        weights: npt.NDArray[np.float32],
        bias: npt.NDArray[np.float32],
        thresholds: dict[Head, Thresholds],
        *,
        use_rules: bool = True,
    ) -> None:
        if weights.shape != (len(HEADS), DIMENSION) or bias.shape != (len(HEADS),):
            raise ConfigError("safeguarding model: weights of the wrong shape")
        self._weights = weights
        self._bias = bias
        self.thresholds = thresholds
        # Whether the wording rules still find what the model misses (chosen in training).
        self.use_rules = use_rules

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> SafeguardingModel:
        weights_path, settings_path = folder / "weights.npz", folder / "thresholds.toml"
        try:
            with np.load(weights_path) as data:
                weights = data["weights"].astype(np.float32)
                bias = data["bias"].astype(np.float32)
            settings = tomllib.loads(settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"safeguarding model in {folder} cannot be read ({error})") from None
        thresholds: dict[Head, Thresholds] = {}
        for head in HEADS:
            entry = settings.get("thresholds", {}).get(head.value)
            urgent = entry.get("urgent") if isinstance(entry, dict) else None
            if not isinstance(urgent, float):
                raise ConfigError(f"{settings_path}: thresholds.{head.value}.urgent is missing")
            gentle = entry.get("gentle", urgent) if isinstance(entry, dict) else urgent
            thresholds[head] = Thresholds(urgent, float(gentle))
        return cls(weights, bias, thresholds, use_rules=bool(settings.get("rules", True)))

    def scores(self, text: str) -> dict[Head, float]:
        index = features(text)
        # Binary features scaled to unit length, as in training.
        raw = self._weights[:, index].sum(axis=1) / math.sqrt(len(index)) + self._bias
        return {
            head: 1.0 / (1.0 + math.exp(-float(value)))
            for head, value in zip(HEADS, raw, strict=True)
        }
