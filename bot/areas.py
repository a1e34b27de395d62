"""Postcode to ward lookup for the pilot borough, from two CSV files a deploying force can swap.

A resident types a postcode only so that we can offer the wards it might belong to; once they
have picked one, the postcode is dropped and only the ward id is stored. The lookup therefore
works on postcode *prefixes* (an outward code such as ``E8`` or a sector such as ``E8 1``):
that is precise enough to narrow the choice to a few wards and coarse enough that the tables
hold nothing personal. ``data/README.md`` says how the bundled tables were made and how to
replace them.

Nothing here knows about Telegram, so tests and the handlers call it directly.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

__all__ = [
    "AreaDirectory",
    "Ward",
    "looks_like_postcode_attempt",
    "normalise_postcode",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Resident messages may be 4096 characters; anything longer than this cannot be a postcode even
# with generous spacing and invisible direction marks, so it is turned away before any work.
_MAX_RAW_LENGTH = 32

# The Royal Mail format rules (as published with BS 7666): which letters may stand where.
# First letter: not Q, V, X. Second letter: not I, J, Z. A letter after the district digit:
# ABCDEFGHJKPSTUW in A9A, ABEHMNPRVWXY in AA9A. Inward letters: never C, I, K, M, O, V.
_OUTWARD = (
    r"(?:[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][ABCDEFGHJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]))"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_OUTWARD_RE = re.compile(_OUTWARD)
_INWARD_RE = re.compile(_INWARD)
# A table prefix is a district ("E8") or a sector ("E8 1"), always with one space.
_PREFIX_RE = re.compile(rf"(?:{_OUTWARD}|GIR)(?: [0-9])?")
# Girobank's historic postcode breaks every rule above but is still a real postcode.
_GIROBANK = "GIR0AA"

_WARD_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_WARD_ID_LENGTH = 64

_WARDS_HEADER = ("ward_id", "name")
_POSTCODES_HEADER = ("prefix", "ward_id")


@dataclass(frozen=True, slots=True)
class Ward:
    """A ward as residents see it; ``id`` is what gets stored, so it must never be reused."""

    id: str
    name: str


def _clean(text: str) -> str:
    """Undo what phones and copy-paste add to a postcode, without guessing at its letters.

    NFKC folds full-width forms from East Asian keyboards to ASCII; format characters
    (direction marks from right-to-left keyboards, zero-width spaces) carry no meaning here.
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def normalise_postcode(text: str) -> str | None:
    """Return the canonical form (``"E8 1DY"``) of a well-formed UK postcode, else ``None``.

    Residents type postcodes every way: lower case, no space, extra spaces. The inward code is
    always the last three characters, so all spacing can be dropped and put back in the one
    right place. Only the *format* is checked; whether the postcode exists, and whether it is in
    the area, is the lookup table's business.
    """
    if len(text) > _MAX_RAW_LENGTH:
        return None
    compact = "".join(_clean(text).split())
    # ASCII is checked before upper() because some non-ASCII letters upper-case into ASCII
    # ("ı" becomes "I"), which would quietly accept text the resident did not type.
    if not compact.isascii() or not 5 <= len(compact) <= 7:
        return None
    compact = compact.upper()
    if compact == _GIROBANK:
        return "GIR 0AA"
    outward, inward = compact[:-3], compact[-3:]
    if _OUTWARD_RE.fullmatch(outward) and _INWARD_RE.fullmatch(inward):
        return f"{outward} {inward}"
    return None


def looks_like_postcode_attempt(text: str) -> bool:
    """Tell a mistyped or partial postcode apart from a sentence, to answer each fittingly.

    "E8" or "E8 1D" deserves "please send your full postcode"; "I don't want to say" deserves
    the way out. Short text of letters and digits, with at least one of each, is an attempt.
    """
    if len(text) > _MAX_RAW_LENGTH:
        return False
    compact = "".join(_clean(text).split())
    return (
        2 <= len(compact) <= 10
        and compact.isascii()
        and compact.isalnum()
        and any(ch.isdigit() for ch in compact)
        and any(ch.isalpha() for ch in compact)
    )


def _display(path: Path) -> str:
    """Name a file the way an operator typed it: relative to where they started the bot."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _show(value: str) -> str:
    """Quote a cell for an error message that must stay one line, however odd the cell."""
    if len(value) > 40:
        value = value[:40] + "…"
    return repr(value)


def _rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield ``(line number, cells)`` after the header, forgiving what spreadsheets add.

    Operators edit these files in Excel or LibreOffice, which add a byte-order mark, padding
    spaces, blank lines and trailing empty columns; none of that should stop the bot. Anything
    that changes meaning raises :class:`ConfigError` naming the file and line.
    """
    where = _display(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{where}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    seen_header = False
    try:
        for fields in reader:
            cells = [cell.strip() for cell in fields]
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()
            if not any(cells):
                continue
            line = reader.line_num
            # A line break or NUL inside a quoted cell is an editing slip, and would otherwise
            # end up inside a button label or break a one-line log message.
            if any(not cell.isprintable() for cell in cells):
                raise ConfigError(f"{where} line {line}: a cell contains a control character")
            if not seen_header:
                if tuple(cell.lower() for cell in cells) != header:
                    raise ConfigError(
                        f"{where} line {line}: expected the header {','.join(header)!r}, "
                        f"found {_show(','.join(cells))}"
                    )
                seen_header = True
                continue
            if len(cells) != len(header):
                raise ConfigError(
                    f"{where} line {line}: expected {len(header)} columns "
                    f"({','.join(header)}), found {len(cells)}"
                )
            yield line, tuple(cells)
    except csv.Error as exc:
        raise ConfigError(f"{where} line {reader.line_num}: {exc}") from exc
    if not seen_header:
        raise ConfigError(f"{where}: empty file; expected the header {','.join(header)!r}")


def _sort_key(ward: Ward) -> tuple[str, str]:
    return (ward.name.casefold(), ward.id)


class AreaDirectory:
    """The pilot area's wards and which postcode prefixes may fall in each.

    Loaded once at start-up and then only read, so one instance is shared by every update.
    """

    __slots__ = ("_by_id", "_by_prefix", "_wards")

    def __init__(self, wards: Mapping[str, Ward], by_prefix: Mapping[str, tuple[Ward, ...]]):
        """Prefer :meth:`load` or :meth:`bundled`, which validate; this trusts its input."""
        self._by_id: dict[str, Ward] = dict(wards)
        self._wards: tuple[Ward, ...] = tuple(sorted(self._by_id.values(), key=_sort_key))
        self._by_prefix: dict[str, tuple[Ward, ...]] = {
            prefix: tuple(sorted(set(found), key=_sort_key)) for prefix, found in by_prefix.items()
        }

    @classmethod
    def load(cls, wards_csv: Path, postcodes_csv: Path) -> AreaDirectory:
        """Read and check both tables, so that a bad edit stops start-up, not a conversation.

        Raises :class:`ConfigError` with a one-line message naming the file and line.
        """
        wards_where = _display(wards_csv)
        wards: dict[str, Ward] = {}
        id_lines: dict[str, int] = {}
        name_lines: dict[str, int] = {}
        for line, (ward_id, name) in _rows(wards_csv, _WARDS_HEADER):
            at = f"{wards_where} line {line}"
            if len(ward_id) > _MAX_WARD_ID_LENGTH or not _WARD_ID_RE.fullmatch(ward_id):
                raise ConfigError(
                    f"{at}: ward id {_show(ward_id)} must be a lowercase slug such as "
                    f"'hackney-central' (letters, digits and single hyphens)"
                )
            if ward_id in id_lines:
                raise ConfigError(
                    f"{at}: duplicate ward id {_show(ward_id)} (first on line {id_lines[ward_id]})"
                )
            if not name:
                raise ConfigError(f"{at}: ward {_show(ward_id)} has an empty name")
            # Two wards with one name would be two identical buttons for the resident.
            key = name.casefold()
            if key in name_lines:
                raise ConfigError(
                    f"{at}: ward name {_show(name)} is already used on line {name_lines[key]}"
                )
            id_lines[ward_id] = line
            name_lines[key] = line
            wards[ward_id] = Ward(id=ward_id, name=name)
        if not wards:
            raise ConfigError(f"{wards_where}: no wards listed")

        postcodes_where = _display(postcodes_csv)
        by_prefix: dict[str, list[Ward]] = {}
        pair_lines: dict[tuple[str, str], int] = {}
        for line, (raw_prefix, ward_id) in _rows(postcodes_csv, _POSTCODES_HEADER):
            at = f"{postcodes_where} line {line}"
            prefix = " ".join(raw_prefix.upper().split())
            if not _PREFIX_RE.fullmatch(prefix):
                raise ConfigError(
                    f"{at}: prefix {_show(raw_prefix)} is not a postcode district such as 'E8' "
                    f"or sector such as 'E8 1'"
                )
            ward = wards.get(ward_id)
            if ward is None:
                raise ConfigError(f"{at}: unknown ward id {_show(ward_id)}")
            pair = (prefix, ward_id)
            if pair in pair_lines:
                raise ConfigError(
                    f"{at}: {prefix!r} is already mapped to {ward_id!r} on line {pair_lines[pair]}"
                )
            pair_lines[pair] = line
            by_prefix.setdefault(prefix, []).append(ward)
        if not by_prefix:
            raise ConfigError(f"{postcodes_where}: no postcode prefixes listed")

        return cls(wards, {prefix: tuple(found) for prefix, found in by_prefix.items()})

    @classmethod
    def bundled(cls) -> AreaDirectory:
        """The pilot tables shipped in ``data/``, found from this file, not the working folder."""
        return cls.load(DATA_DIR / "wards.csv", DATA_DIR / "postcode_wards.csv")

    @property
    def wards(self) -> tuple[Ward, ...]:
        """Every ward, ordered by name, as a resident would scan a list of buttons."""
        return self._wards

    def ward(self, ward_id: str) -> Ward | None:
        """Look up a stored id; ``None`` means the tables changed since it was stored."""
        return self._by_id.get(ward_id)

    def candidates(self, postcode: str) -> tuple[Ward, ...]:
        """The wards a postcode may be in, by name; empty when it is outside the area or invalid.

        Only the longest prefix present counts: a sector row is more precise than its
        district's row, so the district's wards must not dilute it.
        """
        canonical = normalise_postcode(postcode)
        if canonical is None:
            return ()
        outward, inward = canonical.split(" ")
        sector = f"{outward} {inward[0]}"
        found = self._by_prefix.get(sector)
        if found is None:
            found = self._by_prefix.get(outward, ())
        return found

    def __repr__(self) -> str:
        return f"<AreaDirectory: {len(self._wards)} wards, {len(self._by_prefix)} prefixes>"
