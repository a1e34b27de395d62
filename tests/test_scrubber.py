"""The comment scrubber: each kind of personal data in several formats, what must survive,
regression guards on the labelled corpus, and properties that must hold for any text."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digests.scrubber import KINDS, TOKENS, Redaction, Scrubbed, Scrubber

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber()


def _eval_module() -> ModuleType:
    """bench/scrub_eval.py holds the corpus loader and metrics; bench/ is not a package."""
    name = "scrub_eval"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "scrub_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def removed(result: Scrubbed, text: str) -> list[tuple[str, str]]:
    return [(r.kind, text[r.start : r.end]) for r in result.redactions]


def assert_removed(scrubber: Scrubber, text: str, item: str, kind: str) -> Scrubbed:
    result = scrubber.scrub(text)
    start = text.index(item)
    end = start + len(item)
    covering = [r for r in result.redactions if r.start <= start and end <= r.end]
    assert covering, f"{item!r} not removed from {text!r}: {result.text!r}"
    assert covering[0].kind == kind, (item, covering[0].kind, result.text)
    assert TOKENS[kind] in result.text
    return result


# --------------------------------------------------------------------------- each kind

PHONES = [
    ("call me on 07700 900123 if you need details", "07700 900123"),
    ("Text me 07700900456.", "07700900456"),
    ("+44 7700 900 789 is my number", "+44 7700 900 789"),
    ("whatsapp me 0044 7700 900 111 about it", "0044 7700 900 111"),
    ("Call (020) 7946 0999 - the landlord", "(020) 7946 0999"),
    ("my mobile is 07700-900-222, thanks", "07700-900-222"),
    ("Reach me at 07700.900.333 any time", "07700.900.333"),
    ("Phone: +44 (0) 20 7946 0555.", "+44 (0) 20 7946 0555"),
    # not valid or not allocated, still someone's number
    ("number is 0770090044 (missed a digit)", "0770090044"),
    ("Tel: 0209 555 0100. Noise until 4am", "0209 555 0100"),
    ("Ring me on 7700 900666 (I drop the 0)", "7700 900666"),
    ("Mob 077009 00505, the shop", "077009 00505"),
    ("Numaram 0532 000 11 22, beni arayın", "0532 000 11 22"),
    ("mój numer to +48 600 100 200.", "+48 600 100 200"),
    ("Office line is 020 7946 0877 ext 204, ask for me", "020 7946 0877 ext 204"),
    ("slashes 020/7946/0999 too", "020/7946/0999"),
    # digits in other scripts
    ("আমার নম্বর ০৭৭০০ ৯০০৯৯৯, রাতে", "০৭৭০০ ৯০০৯৯৯"),
    ("میرا نمبر ۰۷۷۰۰۹۰۰۴۰۴ ہے", "۰۷۷۰۰۹۰۰۴۰۴"),
]


@pytest.mark.parametrize(("text", "item"), PHONES)
def test_phone_numbers_in_any_format_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "phone")


def test_a_phone_number_is_never_left_in_part(scrubber: Scrubber) -> None:
    result = scrubber.scrub("ring +44 (0) 20 7946 0555 now")
    assert result.text == "ring [phone] now"
    result = scrubber.scrub("call 07700 900123 20 people came")
    assert result.text == "call [phone] 20 people came"


EMAILS = [
    ("email me at fatma.kaya84@gmail.com about it", "fatma.kaya84@gmail.com"),
    ("J.OKAFOR@HOTMAIL.CO.UK - please reply", "J.OKAFOR@HOTMAIL.CO.UK"),
    ("Contact: tom_h+police@outlook.com", "tom_h+police@outlook.com"),
    ("my email is dave.price at gmail dot com if you want", "dave.price at gmail dot com"),
    ("lucy [at] lucywrites [dot] co [dot] uk", "lucy [at] lucywrites [dot] co [dot] uk"),
]


@pytest.mark.parametrize(("text", "item"), EMAILS)
def test_emails_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "email")


URLS = [
    (
        "see https://www.facebook.com/groups/123456789 for videos",
        "https://www.facebook.com/groups/123456789",
    ),
    ("my tiktok: tiktok.com/@dalstonlad shows it", "tiktok.com/@dalstonlad"),
    ("photos at www.flickr.com/photos/jane_k/ of it", "www.flickr.com/photos/jane_k/"),
    ("Video: youtu.be/dQw4w9WgXcQ (my door)", "youtu.be/dQw4w9WgXcQ"),
    ("blog hackneywickdiary.co.uk/posts/raves lists them", "hackneywickdiary.co.uk/posts/raves"),
    ("join https://t.me/+AbCdEf123xyz, 40 of us", "https://t.me/+AbCdEf123xyz"),
]


@pytest.mark.parametrize(("text", "item"), URLS)
def test_urls_with_or_without_scheme_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    result = assert_removed(scrubber, text, item, "url")
    assert not result.text.rstrip().endswith((",", ".")) or text.rstrip().endswith((",", "."))


HANDLES = [
    ("Follow @hackneycyclist for videos", "@hackneycyclist"),
    ("my telegram is @dalston_mum85", "@dalston_mum85"),
    ("insta @kofi.b_photos has it", "@kofi.b_photos"),
    ("@SarahJ_ said the same", "@SarahJ_"),
]


@pytest.mark.parametrize(("text", "item"), HANDLES)
def test_handles_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "handle")


POSTCODES = [
    ("I live at E8 1DY and", "E8 1DY"),
    ("postcode e81dy, near Dalston", "e81dy"),
    ("N16  7XJ – speeding cars", "N16  7XJ"),
    ("my postcode is n1 5qj and", "n1 5qj"),
    ("EC2A 3AY, the Shoreditch end", "EC2A 3AY"),
]


@pytest.mark.parametrize(("text", "item"), POSTCODES)
def test_full_postcodes_in_any_case_and_spacing_are_removed(
    scrubber: Scrubber, text: str, item: str
) -> None:
    assert_removed(scrubber, text, item, "postcode")


ADDRESSES = [
    ("12 Mare Street has had its door kicked in", "12 Mare Street"),
    ("Flat 4, 22 Amhurst Road – the door is broken", "Flat 4, 22 Amhurst Road"),
    ("I'm in flat 3b, the lift is broken", "flat 3b"),
    ("number 7 on Dalston Lane is a crack house", "number 7 on Dalston Lane"),
    ("they deal out of 45a Cazenove Road every evening", "45a Cazenove Road"),
    ("108 kingsland road, the shop sells to kids", "108 kingsland road"),
    ("22-24 Well Street, noise every night", "22-24 Well Street"),
    ("Flat 17 Seaton Point on the Nightingale estate", "Flat 17 Seaton Point"),
    ("Mieszkam na Evering Road 56, jest tam", "Evering Road 56"),
    ("outside 2 Downs Park Road at 3am", "2 Downs Park Road"),
    ("I live at No. 5 Navarino Road and", "No. 5 Navarino Road"),
    ("Outside number 42 Mildmay Grove South there is glass", "number 42 Mildmay Grove South"),
]


@pytest.mark.parametrize(("text", "item"), ADDRESSES)
def test_house_and_flat_numbers_with_a_street_are_removed(
    scrubber: Scrubber, text: str, item: str
) -> None:
    assert_removed(scrubber, text, item, "address")


VEHICLES = [
    ("A silver Ford, reg AB12 CDE, parks on the pavement", "AB12 CDE"),
    ("car lk19xyz doing doughnuts", "lk19xyz"),
    ("Number plate was YX 07 KLM I think", "YX 07 KLM"),
    ("old van A123 BCD dumped on Mabley Green", "A123 BCD"),
    ("Abandoned car GHJ 123K outside the school", "GHJ 123K"),
    ("Polish car, number plate WA 12345, parked", "WA 12345"),
]


@pytest.mark.parametrize(("text", "item"), VEHICLES)
def test_vehicle_registrations_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "vehicle")


DATES_OF_BIRTH = [
    ("I'm disabled, born 3/4/1952, and scared", "3/4/1952"),
    ("DOB 03.04.1990 in case you need it", "03.04.1990"),
    ("date of birth: 12 May 1985, mugged", "12 May 1985"),
    ("my birthday is 12 May and they smashed my window", "12 May"),
    ("I'm a pensioner born in 1948 and", "1948"),
    ("Doğum tarihim 21.06.1978, Dalston'da", "21.06.1978"),
    ("Je suis née le 2 mars 1960, j'habite", "2 mars 1960"),
    # a complete date from 1900-2015 with no cue is taken to be a birth date
    ("Me 04/11/1999, got robbed on Mare Street", "04/11/1999"),
    ("since March 3, 2011 she is scared", "March 3, 2011"),
]


@pytest.mark.parametrize(("text", "item"), DATES_OF_BIRTH)
def test_dates_of_birth_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "date_of_birth")


NAMES = [
    ("My neighbour Mehmet keeps getting his car broken into", "Mehmet"),
    ("Mr Okonkwo at the newsagent was threatened", "Okonkwo"),
    ("A lad called Tyrese keeps pulling knives out", "Tyrese"),
    ("Kwame Mensah and his mates are dealing", "Kwame Mensah"),
    ("Abdirahman's flat was burgled twice", "Abdirahman"),
    ("Komşum Hüseyin Yılmaz her gece müzik açıyor", "Hüseyin Yılmaz"),
    ("Pan Kowalski widział kradzież", "Kowalski"),
    ("Mi vecina se llama Carmen y le robaron", "Carmen"),
    ("There's a man called Mark who sells weed", "Mark"),
    ("Please fix the lights. Regards, Priya Patel", "Priya Patel"),
    ("A dona Maria da Silva foi assaltada", "Maria da Silva"),
    ("Ahmed al-Rashid asked for more patrols", "Ahmed al-Rashid"),
    ("Spoke to Sarah-Jane about it", "Sarah-Jane"),
    ("FATIMA HASSAN WAS ROBBED AND NOBODY CAME", "FATIMA HASSAN"),
    ("my mate jamal got stabbed last summer", "jamal"),
    ("Blessing Okoro was harassed at the bus stop", "Blessing Okoro"),
    ("Ms Adebayo (flat 11) hears gunshots", "Adebayo"),
    # names in other scripts: cue patterns, and the short list of common names
    ("my neighbour محمد saw the robbery", "محمد"),
    ("جاري أحمد تعرض للسرقة", "أحمد"),
    ("আমার প্রতিবেশী রহিম উদ্দিন রাতে", "রহিম উদ্দিন"),
]


@pytest.mark.parametrize(("text", "item"), NAMES)
def test_personal_names_are_removed(scrubber: Scrubber, text: str, item: str) -> None:
    assert_removed(scrubber, text, item, "name")


def test_a_title_stays_and_the_name_goes(scrubber: Scrubber) -> None:
    assert scrubber.scrub("PC Williams was brilliant").text == "PC [name] was brilliant"
    assert scrubber.scrub("Mr Nguyen's shop was robbed").text == "Mr [name]'s shop was robbed"


# Every word of a name goes with it, in any script: a surname written first or in capitals,
# a lower-case writer's surname, Arabic-script particles and compound names, Urdu spellings of
# Arabic names, a Bengali case ending, a family name that is also a word after a title.
WHOLE_NAMES = [
    ("KOWALSKA Anna z parteru znowu krzyczy", "[name] z parteru znowu krzyczy"),
    ("Jean DUPONT keeps parking on the corner", "[name] keeps parking on the corner"),
    ("ask for piotr nowak in block b", "ask for [name] in block b"),
    ("جاري خالد بن وليد يزعجنا كل ليلة", "جاري [name] يزعجنا كل ليلة"),
    ("عبد الرحمن يصرخ كل ليلة", "[name] يصرخ كل ليلة"),
    ("یوسف أبو زيد", "[name]"),
    ("میرے پڑوسی عمران اکبر ملک رات کو شور کرتے ہیں", "میرے پڑوسی [name] رات کو شور کرتے ہیں"),
    ("আমাদের পাশের বাসার রহিমের ছেলে রাতে চিৎকার করে", "আমাদের পাশের বাসার [name] ছেলে রাতে চিৎকার করে"),
    ("PC Grace Park helped us a lot", "PC [name] helped us a lot"),
    ("Bruno Costa Nunes fuma na escada", "[name] fuma na escada"),
    ("my neighbour Ayesha Bibi", "my neighbour [name]"),
    # Initials, before or after a title, and a title that is also an initial ("M."):
    ("Please call Mrs A. K. Bello about the lift", "Please call Mrs [name] about the lift"),
    ("The officer J. Okonkwo never came back", "The officer [name] never came back"),
    ("I. M. Bălănescu de la Hackney nu a sunat", "[name] de la Hackney nu a sunat"),
    # A nickname, and a word right after a cue ("called") before a listed name:
    ("Everyone knows Little Kwabena deals there", "Everyone knows [name] deals there"),
    ("wiil la yiraahdo abdiweli hassan noor ayaa", "wiil la yiraahdo [name] ayaa"),
    # After a title, in Arabic script, one family name on no list, up to a postposition:
    ("السيدة زينب بنجلون سقطت في الشارع", "السيدة [name] سقطت في الشارع"),
    ("Sgt احسان اللہ خٹک نے کہا تھا", "Sgt [name] نے کہا تھا"),
    # A Turkish case ending goes with the name; an English possessive stays:
    ("PCSO Serkan Tekin'e çok teşekkür ederim", "PCSO [name] çok teşekkür ederim"),
    ("Tunde's car is blocking the road", "[name]'s car is blocking the road"),
]


@pytest.mark.parametrize(("text", "scrubbed"), WHOLE_NAMES)
def test_no_word_of_a_name_survives(scrubber: Scrubber, text: str, scrubbed: str) -> None:
    assert scrubber.scrub(text).text == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Shoplifting at Marks and Spencer again",
        "Plan B. Then we met at the Town Hall",
        "We went to the U.K. Government office",
        "Ramazan Bayramı'nda çok gürültü vardı",
        "Festa de Santo António em Stoke Newington",
    ],
)
def test_shops_festivals_and_saints_are_no_names(scrubber: Scrubber, text: str) -> None:
    assert scrubber.scrub(text).text == text


def test_several_kinds_in_one_comment(scrubber: Scrubber) -> None:
    text = (
        "Hi, I'm Leyla Aksoy, 07700 900 414, leyla.a@gmail.com, Flat 2, 19 Albion Road, N16 9PS."
    )
    result = scrubber.scrub(text)
    assert result.text == "Hi, I'm [name], [phone], [email], [address], [postcode]."
    assert [r.kind for r in result.redactions] == ["name", "phone", "email", "address", "postcode"]


# --------------------------------------------------------------------------- what must survive

SURVIVORS = [
    # wards and places
    "Knife crime in Hackney Central worries me more than anything.",
    "Mare Street is dangerous for cyclists after dark.",
    "Phone snatching on Kingsland Road near Dalston Junction station.",
    "In De Beauvoir we have had 5 car break-ins since March.",
    "Stoke Newington Church Street is fine but Stoke Newington High Street is rough.",
    "King's Park ward needs a youth centre.",
    "Victoria Park is lovely in the day but scary after 9.",
    "Ridley Road Market is rammed on Saturdays.",
    "Drug dealing at the Pembury estate every evening from about 7pm.",
    "Clissold Park, London Fields park, the Narrow Way and Homerton all need patrols.",
    "Hackney Wick, Shacklewell, Haggerston and Victoria ward residents agree.",
    "Graham Road is used as a rat run at 60mph.",
    "Wayland Avenue and Cecilia Road need speed bumps.",
    "St John's Church and St Mark's in Dalston host the ward panel.",
    "Sainsbury's car park on Morning Lane is used for drug deals.",
    # times, counts, dates that are not birth dates
    "About 20 people were drinking in London Fields until 2am on Saturday.",
    "Last Friday at 10:30 a man was robbed on Well Street.",
    "The 38 and 242 buses are where the fights start, around 3:30 after school.",
    "Between 2019 and 2023 things got much worse; 2019-2023 was bad.",
    "On 14/03/2024 my shed was broken into.",
    "On 12 May there was a big fight outside Dalston Kingsland.",
    "A group of 10-15 youths, aged 14-16, gather at 4pm; 8:00-9:30 is worst.",
    "Out of 1500 residents, 65% said Kingsland Road; 100,000 people came.",
    # events
    "Please come to the Community and Police Conversation at St John's Church at 18:30.",
    "Hackney Carnival was brilliant this year, really well policed.",
    "Eid in Clissold Park and Diwali on Mare Street both went well.",
    "Black History Month events at the Hackney Empire were great.",
    # public numbers
    "Call 999 if someone is in danger, 101 for everything else, NHS 111 for illness.",
    "Childline 0800 1111 and Samaritans 116 123 should be on every estate.",
    "Crimestoppers 0800 555 111 should be on every bus stop.",
    # a bare postcode district or sector is not personal
    "The E8 area around Dalston is much worse than E5, and E8 1 is the worst.",
    # sentence openers that are also names
    "Will the police come to the next ward panel?",
    "Mark my words, Dalston will get worse.",
    "Hope the Haggerston youth club reopens soon.",
    "May is always bad for moped crime.",
    "Christian groups and the mosque run a soup kitchen on Mondays.",
    # other languages
    "Ridley Road Market'te her gün hırsızlık oluyor, akşam 8'den sonra polis yok.",
    "Na London Fields w sobotę było około 50 osób, głośna muzyka do 3 w nocy.",
    "En Dalston hay muchos robos de bicicletas, sobre todo a las 22:00.",
    "Sunt mulți tineri în Homerton după ora 20:00, de 15 ani.",
    "هناك الكثير من السرقات في Mare Street بعد الساعة 9 مساءً",
    "হ্যাকনি সেন্ট্রালে রাত ১০টার পরে নিরাপদ মনে হয় না।",
]


@pytest.mark.parametrize("text", SURVIVORS)
def test_places_times_counts_events_and_public_numbers_survive(
    scrubber: Scrubber, text: str
) -> None:
    result = scrubber.scrub(text)
    assert result.text == text, removed(result, text)
    assert result.redactions == ()


def test_keep_protects_extra_phrases_case_insensitively() -> None:
    text = "Our Fatima Day fun run starts at 10am."
    assert Scrubber().scrub(text).text == "Our [name] Day fun run starts at 10am."
    assert Scrubber(keep=["FATIMA DAY"]).scrub(text).text == text


def test_keep_does_not_hide_structured_data_or_a_cued_name() -> None:
    scrubber = Scrubber(keep=["07700 900123", "Dalston"])
    assert scrubber.scrub("call 07700 900123").text == "call [phone]"
    assert scrubber.scrub("my neighbour Victoria was robbed").text == (
        "my neighbour [name] was robbed"
    )


# --------------------------------------------------------------------------- the result


def test_redactions_point_into_the_original_text(scrubber: Scrubber) -> None:
    text = "Mr Okonkwo, 07700 900123, E8 1DY"
    result = scrubber.scrub(text)
    assert result.redactions == (
        Redaction("name", 3, 10),
        Redaction("phone", 12, 24),
        Redaction("postcode", 26, 32),
    )
    assert all(r.kind in KINDS for r in result.redactions)


def test_overlaps_merge_into_the_most_specific_kind(scrubber: Scrubber) -> None:
    # The email contains a name and a domain; the URL contains a handle.
    assert scrubber.scrub("mehmet.kaya@gmail.com").text == "[email]"
    assert scrubber.scrub("tiktok.com/@mehmet").text == "[url]"
    assert scrubber.scrub("DOB 03.04.1990").text == "DOB [date of birth]"


def test_empty_and_whitespace(scrubber: Scrubber) -> None:
    assert scrubber.scrub("") == Scrubbed("", ())
    assert scrubber.scrub("  \n ") == Scrubbed("  \n ", ())


def test_tokens_are_literal_and_english() -> None:
    assert TOKENS == {
        "phone": "[phone]",
        "email": "[email]",
        "postcode": "[postcode]",
        "address": "[address]",
        "vehicle": "[vehicle]",
        "handle": "[handle]",
        "url": "[url]",
        "date_of_birth": "[date of birth]",
        "name": "[name]",
    }


def test_the_name_list_is_bundled_and_covers_hackneys_communities() -> None:
    from bot.digests.scrubber import _name_table

    table = _name_table()
    total = len(table.plain) + len(table.word) + len(table.soft) + len(table.strict)
    assert total > 3000
    for name in ("mehmet", "agnieszka", "kwame", "abdirahman", "shmuel", "ionuț", "thiago"):
        assert table.tier(name) == "plain", name
    assert table.tier("will") == "soft"
    assert table.tier("may") == "strict"


# --------------------------------------------------------------------------- the corpus

# Regression guards on tests/data/scrubber_corpus.toml. Measured when this was written
# (docs/scrubber.md): structured kinds 99.3% over both sets, names 98.0%, no protected token
# removed, 1 of 140 clean comments altered. The margins absorb small rule changes; a bigger
# drop means a rule got worse.


@pytest.fixture(scope="module")
def corpus_report(scrubber: Scrubber) -> Any:
    module = _eval_module()
    return module.evaluate(scrubber, module.load())


def test_corpus_recall_of_structured_kinds(corpus_report: Any) -> None:
    for kind in ("phone", "email", "postcode", "vehicle", "handle", "url", "date_of_birth"):
        assert corpus_report.recall(kind) >= 0.95, (kind, corpus_report.misses)
    assert corpus_report.recall("address") >= 0.95, corpus_report.misses


def test_corpus_recall_of_names(corpus_report: Any) -> None:
    assert corpus_report.recall("name") >= 0.98 - 0.02, corpus_report.misses
    assert corpus_report.right_label() >= 0.96


def test_names_are_removed_whole_in_the_blind_names_set(scrubber: Scrubber) -> None:
    """A name of which a word survives is a leak (issue 13): at most 1 of the 242 names in
    the first blind names set (docs/scrubber.md; 23 before names grew in both directions)."""
    module = _eval_module()
    report = module.evaluate(scrubber, module.load(module.NAMES))
    assert report.partial["name"] <= 1, report.misses


def test_names_are_removed_whole_in_the_third_names_set(scrubber: Scrubber) -> None:
    """The third blind names set (docs/scrubber.md): its development part, tuned on, leaves
    at most 2 names partly removed (17 when it arrived); the held-out part, never read, is a
    guard against going back (15 measured after the change, 20 before)."""
    module = _eval_module()
    dev, held_out = module.third_names(scrubber, "dev"), module.third_names(scrubber, "holdout")
    assert dev.partial["name"] <= 2, dev.misses
    assert dev.recall("name") >= 0.72
    assert held_out.partial["name"] <= 15
    assert dev.protected_hit <= 6 and dev.clean_altered <= 4, dev.false_removals


def test_corpus_false_removals(corpus_report: Any) -> None:
    assert corpus_report.protected_hit_rate <= 0.01, corpus_report.false_removals
    assert corpus_report.clean_altered <= 4, corpus_report.false_removals
    assert corpus_report.extra_removals <= 3, corpus_report.false_removals


def test_corpus_is_large_and_varied() -> None:
    comments = _eval_module().load()
    assert len(comments) >= 150
    assert sum(not c.pii for c in comments) >= 60
    kinds = {kind for c in comments for kind, _ in c.pii}
    assert kinds == set(KINDS)
    assert len({c.lang for c in comments}) >= 10


# --------------------------------------------------------------------------- properties

_FRAGMENTS = [
    "Mehmet", "my neighbour", "Mr", "called", "Grace", "Will", "May", "jamal", "Okoro",
    "07700 900123", "+44", "(0)", "020", "7946", "0999", "999", "101", "116 123", "12",
    "2019", "14/03/2024", "3/4/1952", "DOB", "born", "E8 1DY", "e81dy", "E8", "AB12 CDE",
    "A123 BCD", "Flat 4", "22", "Amhurst Road", "Mare Street", "Street", "number 7", "on",
    "@handle_1", "x@y.com", "at", "dot", "com", "www.x.co.uk/p", "t.me/abc", "[phone]",
    "[name]", "[date of birth]", "[address]", "'s", "flat", ",", ".", "\n", "-", "  ",
    "Regards,", "Thanks,", "Dave", "Victoria", "Park", "FATIMA", "HASSAN", "ALI",
    "محمد", "جاري", "রহিম", "প্রতিবেশী", "০৭৭০০", "٠٧٧٠٠", "۰۷۷۰۰", "ext", "204",
]  # fmt: skip
_comments = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6), st.from_regex(r"\d{1,6}")),
        max_size=40,
    ).map(" ".join),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join),
)
_SEVEN_DIGITS = re.compile(r"\d{7,}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_comments)
def test_scrub_never_raises_is_idempotent_and_leaves_no_long_digit_runs(text: str) -> None:
    scrubber = Scrubber()
    once = scrubber.scrub(text)
    twice = scrubber.scrub(once.text)
    assert twice.text == once.text
    assert twice.redactions == ()
    assert not _SEVEN_DIGITS.search(once.text)
    previous_end = 0
    for red in once.redactions:
        assert red.kind in KINDS
        assert previous_end <= red.start < red.end <= len(text)
        previous_end = red.end


# Speed is measured by bench/scrub_eval.py (python -m bench), not asserted here.
