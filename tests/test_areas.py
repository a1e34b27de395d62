"""Postcode normalisation, prefix lookup and the checks that guard the two data tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.areas import (
    AreaDirectory,
    Ward,
    looks_like_postcode_attempt,
    normalise_postcode,
)
from bot.errors import ConfigError

DATA = Path(__file__).resolve().parent.parent / "data"

HACKNEY_WARDS = {
    "Brownswood",
    "Cazenove",
    "Clissold",
    "Dalston",
    "De Beauvoir",
    "Hackney Central",
    "Hackney Downs",
    "Hackney Wick",
    "Haggerston",
    "Homerton",
    "Hoxton East & Shoreditch",
    "Hoxton West",
    "King's Park",
    "Lea Bridge",
    "London Fields",
    "Shacklewell",
    "Springfield",
    "Stamford Hill West",
    "Stoke Newington",
    "Victoria",
    "Woodberry Down",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def wards_csv(tmp_path: Path) -> Path:
    return write(
        tmp_path / "wards.csv",
        "ward_id,name\n"
        "dalston,Dalston\n"
        "hackney-central,Hackney Central\n"
        "london-fields,London Fields\n"
        "kings-park,King's Park\n",
    )


def directory(tmp_path: Path, wards_csv: Path, postcode_rows: str) -> AreaDirectory:
    postcodes = write(tmp_path / "postcode_wards.csv", "prefix,ward_id\n" + postcode_rows)
    return AreaDirectory.load(wards_csv, postcodes)


# --- normalise_postcode ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E8 1DY", "E8 1DY"),
        ("e8 1dy", "E8 1DY"),
        ("e81dy", "E8 1DY"),
        (" E8  1DY ", "E8 1DY"),
        ("E 8 1 D Y", "E8 1DY"),
        ("\tn16 0aa\n", "N16 0AA"),
        ("E8\u00a01DY", "E8 1DY"),  # no-break space, common in copied addresses
        ("\u200fE8 1DY\u200f", "E8 1DY"),  # right-to-left marks around it
        ("\u2067e8 1dy\u2069", "E8 1DY"),  # bidi isolate from an RTL keyboard
        ("Ｅ８ １ＤＹ", "E8 1DY"),  # full-width forms
        ("EC2A 3AR", "EC2A 3AR"),  # AA9A
        ("ec2a3ar", "EC2A 3AR"),
        ("W1A 1AA", "W1A 1AA"),  # A9A
        ("M1 1AE", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("gir 0aa", "GIR 0AA"),
        ("GIR0AA", "GIR 0AA"),
        # Not postcodes, or not whole ones.
        ("", None),
        ("   ", None),
        ("E8", None),
        ("E8 1", None),
        ("E8 1D", None),
        ("E8 1DYY", None),
        ("E8 1DY 2", None),
        ("E81 DYX", None),
        ("8E 1DY", None),
        ("E8 DY1", None),
        ("EEE8 1DY", None),
        ("E8-1DY", None),
        ("E8 1CY", None),  # C never appears in the inward code
        ("E8 1DI", None),  # nor I
        ("E8 1KO", None),  # nor K, O
        ("E8 1MV", None),  # nor M, V
        ("Q1 1AA", None),  # Q never first
        ("V1 1AA", None),
        ("X1 1AA", None),
        ("EI1 1AA", None),  # I never second
        ("AZ1 1AA", None),  # Z never second
        ("W1I 1AA", None),  # I not allowed after the digit in A9A
        ("EC1C 1AA", None),  # C not allowed after the digit in AA9A
        ("GIR 0AB", None),
        ("hello", None),
        ("my postcode is E8 1DY", None),
        ("ıg1 1aa", None),  # dotless i upper-cases to ASCII I; not what was typed
        ("E٨ ١DY", None),  # Arabic-Indic digits
        ("مرحبا بالعالم", None),
        ("שלום E8", None),
        ("🏠🏠🏠", None),
        ("E8 1DY 🏠", None),
        ("E8 1DY\x00", None),
    ],
)
def test_normalise_postcode(text: str, expected: str | None) -> None:
    assert normalise_postcode(text) == expected


def test_long_input_is_refused() -> None:
    text = "E8 1DY " * 585  # 4095 characters, longer than any Telegram user would need
    assert normalise_postcode(text) is None
    assert looks_like_postcode_attempt(text) is False


def test_padded_postcode_just_under_the_length_guard_is_still_accepted() -> None:
    assert normalise_postcode("  " + "e8 1dy" + " " * 20) == "E8 1DY"


@given(st.text())
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    result = normalise_postcode(text)
    if result is not None:
        assert normalise_postcode(result) == result
        assert result == result.strip().upper()
        assert result.count(" ") == 1


_OUTWARD = (
    r"[A-PR-UWYZ]([0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][ABCDEFGHJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"


@given(
    st.from_regex(_OUTWARD, fullmatch=True),
    st.from_regex(_INWARD, fullmatch=True),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.booleans(),
)
def test_every_well_formed_postcode_is_accepted_however_typed(
    outward: str, inward: str, gap: str, lower: bool
) -> None:
    typed = f" {outward}{gap}{inward} "
    if lower:
        typed = typed.lower()
    assert normalise_postcode(typed) == f"{outward} {inward}"


# --- looks_like_postcode_attempt ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E8", True),
        ("e8 1d", True),
        ("E8 1DY", True),
        ("N16", True),
        ("8", False),
        ("E", False),
        ("hello", False),
        ("I'd rather not say", False),
        ("my postcode is E8 1DY", False),
        ("🏠 E8", False),
        ("مرحبا 8", False),
        ("", False),
    ],
)
def test_looks_like_postcode_attempt(text: str, expected: bool) -> None:
    assert looks_like_postcode_attempt(text) is expected


# --- lookup ---------------------------------------------------------------------------------


def test_sector_beats_district(tmp_path: Path, wards_csv: Path) -> None:
    areas = directory(
        tmp_path,
        wards_csv,
        "E8,dalston\nE8,london-fields\nE8 1,hackney-central\n",
    )
    assert [w.id for w in areas.candidates("E8 1DY")] == ["hackney-central"]
    # Another sector of the same district falls back to the district's rows.
    assert [w.id for w in areas.candidates("E8 3AA")] == ["dalston", "london-fields"]


def test_several_candidates_sorted_by_name_and_deduplicated(
    tmp_path: Path, wards_csv: Path
) -> None:
    areas = directory(
        tmp_path,
        wards_csv,
        "e8  1,london-fields\nE8 1,hackney-central\nE8 1,dalston\n",
    )
    assert areas.candidates("e81dy") == (
        Ward("dalston", "Dalston"),
        Ward("hackney-central", "Hackney Central"),
        Ward("london-fields", "London Fields"),
    )


def test_outside_and_invalid_postcodes_have_no_candidates(tmp_path: Path, wards_csv: Path) -> None:
    areas = directory(tmp_path, wards_csv, "E8 1,dalston\n")
    assert areas.candidates("SW1A 1AA") == ()
    assert areas.candidates("E8 2AA") == ()  # sector not listed and no district row
    assert areas.candidates("E81 1AA") == ()  # E81 is not E8
    assert areas.candidates("E8") == ()
    assert areas.candidates("not a postcode") == ()
    assert areas.candidates("x" * 4096) == ()


def test_wards_are_in_name_order_and_looked_up_by_id(tmp_path: Path, wards_csv: Path) -> None:
    areas = directory(tmp_path, wards_csv, "E8 1,dalston\n")
    assert [w.name for w in areas.wards] == [
        "Dalston",
        "Hackney Central",
        "King's Park",
        "London Fields",
    ]
    assert areas.ward("kings-park") == Ward("kings-park", "King's Park")
    assert areas.ward("Kings-Park") is None
    assert areas.ward("islington") is None


# --- the bundled tables ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> AreaDirectory:
    return AreaDirectory.bundled()


def test_bundled_tables_hold_hackneys_21_wards(bundled: AreaDirectory) -> None:
    assert len(bundled.wards) == 21
    assert {w.name for w in bundled.wards} == HACKNEY_WARDS
    assert bundled.ward("hackney-central") == Ward("hackney-central", "Hackney Central")
    assert bundled.ward("hoxton-east-shoreditch") == Ward(
        "hoxton-east-shoreditch", "Hoxton East & Shoreditch"
    )
    assert bundled.ward("kings-park") == Ward("kings-park", "King's Park")


def test_every_bundled_ward_is_reachable_by_postcode() -> None:
    with (DATA / "postcode_wards.csv").open(encoding="utf-8", newline="") as f:
        mapped = {row["ward_id"] for row in csv.DictReader(f)}
    with (DATA / "wards.csv").open(encoding="utf-8", newline="") as f:
        ward_ids = {row["ward_id"] for row in csv.DictReader(f)}
    assert ward_ids - mapped == set()


@pytest.mark.parametrize(
    ("postcode", "ward_id"),
    [
        ("E8 1EA", "hackney-central"),  # Hackney Town Hall
        ("N16 0JL", "stoke-newington"),
        ("N4 2HA", "brownswood"),
        ("E9 7AB", "victoria"),
        ("N1 6AA", "hoxton-west"),
        ("EC2A 3AY", "hoxton-east-shoreditch"),
    ],
)
def test_bundled_lookup_offers_the_expected_ward(
    bundled: AreaDirectory, postcode: str, ward_id: str
) -> None:
    assert ward_id in {w.id for w in bundled.candidates(postcode)}


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "E1 6AN", "N5 1AA", "E17 4AA", "M1 1AE"])
def test_bundled_lookup_turns_away_postcodes_outside_hackney(
    bundled: AreaDirectory, postcode: str
) -> None:
    assert bundled.candidates(postcode) == ()


@given(st.text())
def test_candidates_never_raise(text: str) -> None:
    areas = AreaDirectory.bundled()
    found = areas.candidates(text)
    assert list(found) == sorted(set(found), key=lambda w: (w.name.casefold(), w.id))


def test_bundled_does_not_depend_on_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert len(AreaDirectory.bundled().wards) == 21


# --- tolerated spreadsheet habits -----------------------------------------------------------


def test_spreadsheet_habits_are_tolerated(tmp_path: Path) -> None:
    wards = tmp_path / "wards.csv"
    wards.write_bytes(
        '\ufeffWard_ID , Name ,\r\n\r\n dalston , Dalston ,\r\n"victoria","Victoria"\r\n'.encode()
    )
    postcodes = write(tmp_path / "postcodes.csv", "prefix,ward_id\n e8  1 ,dalston,,\n\n")
    areas = AreaDirectory.load(wards, postcodes)
    assert [w.id for w in areas.wards] == ["dalston", "victoria"]
    assert [w.id for w in areas.candidates("E8 1DY")] == ["dalston"]


# --- malformed tables -----------------------------------------------------------------------

GOOD_WARDS = "ward_id,name\ndalston,Dalston\nvictoria,Victoria\n"
GOOD_POSTCODES = "prefix,ward_id\nE8 1,dalston\n"


@pytest.mark.parametrize(
    ("wards", "line", "fragment"),
    [
        ("id,name\ndalston,Dalston\n", 1, "expected the header 'ward_id,name'"),
        ("ward_id,name\ndalston,Dalston,extra\n", 2, "expected 2 columns"),
        ("ward_id,name\ndalston\n", 2, "expected 2 columns"),
        ("ward_id,name\ndalston,Dalston\nDalston Ward,Dalston 2\n", 3, "lowercase slug"),
        ("ward_id,name\nking's-park,King's Park\n", 2, "lowercase slug"),
        ("ward_id,name\ndalston-,Dalston\n", 2, "lowercase slug"),
        ("ward_id,name\ndalston,Dalston\n\nvictoria,V\ndalston,D\n", 5, "duplicate ward id"),
        ('ward_id,name\ndalston,Dalston\nvictoria,"  "\n', 3, "empty name"),
        ("ward_id,name\ndalston,Dalston\nvictoria,DALSTON\n", 3, "already used on line 2"),
        ('ward_id,name\ndalston,"Dal\nston"\n', 3, "control character"),
        ("ward_id,name\ndalston,Dalston\nvictoria,Vic\x00toria\n", 3, ""),  # csv may see NUL
        ("ward_id,name\ndalston,\n", 2, "empty name"),
    ],
)
def test_bad_wards_file_is_named_with_its_line(
    tmp_path: Path, wards: str, line: int, fragment: str
) -> None:
    wards_csv = write(tmp_path / "wards.csv", wards)
    postcodes_csv = write(tmp_path / "postcode_wards.csv", GOOD_POSTCODES)
    with pytest.raises(ConfigError) as caught:
        AreaDirectory.load(wards_csv, postcodes_csv)
    message = str(caught.value)
    assert "wards.csv" in message
    assert f" line {line}: " in message
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("postcodes", "line", "fragment"),
    [
        ("prefix,ward\nE8 1,dalston\n", 1, "expected the header 'prefix,ward_id'"),
        ("prefix,ward_id\nE8 1,dalston\n\n\n\n\nE8 2,foo\n", 7, "unknown ward id 'foo'"),
        ("prefix,ward_id\nE8 1DY,dalston\n", 2, "not a postcode district"),
        ("prefix,ward_id\nE8 12,dalston\n", 2, "not a postcode district"),
        ("prefix,ward_id\nE8-1,dalston\n", 2, "not a postcode district"),
        ("prefix,ward_id\nQ8,dalston\n", 2, "not a postcode district"),
        ("prefix,ward_id\nE8 1,dalston\nE8  1,dalston\n", 3, "already mapped"),
        ("prefix,ward_id\nE8 1,dalston,victoria\n", 2, "expected 2 columns"),
        ('prefix,ward_id\n"E8\n1",dalston\n', 3, "control character"),
    ],
)
def test_bad_postcode_file_is_named_with_its_line(
    tmp_path: Path, postcodes: str, line: int, fragment: str
) -> None:
    wards_csv = write(tmp_path / "wards.csv", GOOD_WARDS)
    postcodes_csv = write(tmp_path / "postcode_wards.csv", postcodes)
    with pytest.raises(ConfigError) as caught:
        AreaDirectory.load(wards_csv, postcodes_csv)
    message = str(caught.value)
    assert "postcode_wards.csv" in message
    assert f" line {line}: " in message
    assert fragment in message
    assert "\n" not in message


def test_error_names_the_file_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    wards_csv = write(data / "wards.csv", GOOD_WARDS)
    postcodes_csv = write(data / "postcode_wards.csv", "prefix,ward_id\nE8 1,foo\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^data/postcode_wards\.csv line 2: unknown ward id"):
        AreaDirectory.load(wards_csv, postcodes_csv)


@pytest.mark.parametrize(
    ("which", "content", "fragment"),
    [
        ("wards", "", "empty file"),
        ("wards", "\n\n", "empty file"),
        ("wards", "ward_id,name\n", "no wards listed"),
        ("postcodes", "prefix,ward_id\n", "no postcode prefixes listed"),
        ("postcodes", "", "empty file"),
    ],
)
def test_empty_tables_are_refused(tmp_path: Path, which: str, content: str, fragment: str) -> None:
    wards_csv = write(tmp_path / "wards.csv", content if which == "wards" else GOOD_WARDS)
    postcodes_csv = write(
        tmp_path / "postcode_wards.csv", content if which == "postcodes" else GOOD_POSTCODES
    )
    with pytest.raises(ConfigError, match=fragment):
        AreaDirectory.load(wards_csv, postcodes_csv)


def test_missing_and_undecodable_files_are_config_errors(tmp_path: Path) -> None:
    postcodes_csv = write(tmp_path / "postcode_wards.csv", GOOD_POSTCODES)
    with pytest.raises(ConfigError, match=r"wards\.csv: cannot read"):
        AreaDirectory.load(tmp_path / "wards.csv", postcodes_csv)
    latin1 = tmp_path / "wards.csv"
    latin1.write_bytes("ward_id,name\ndalston,Dalst\u00f6n\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"wards\.csv: not UTF-8 text"):
        AreaDirectory.load(latin1, postcodes_csv)
