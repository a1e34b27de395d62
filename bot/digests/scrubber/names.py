"""Personal names: the cues, name-list tiers and capitalisation that say a word is a name,
and how far each name extends (particles, surnames, a family name written first).

The largest detector, moved out of ``Scrubber`` so that class stays about running the
detectors and merging their finds; a ``Scrubber`` holds one ``_NameFinder`` for its name
table and kept place words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence, Set
from typing import Final

from bot.digests.scrubber.addresses import _STREET_SUFFIXES, _WORD_AFTER_RE
from bot.digests.scrubber.kinds import Span
from bot.digests.scrubber.name_tables import (
    _AFTER_NAME_CUE_RE,
    _CALLED,
    _NOT_NAMES,
    _NOT_PERSON_PREFIXES,
    _PARTICLES,
    _POSSESSIVE_NOUNS,
    _POSTFIX_TITLE_RE,
    _RELATION,
    _SIGNATURE_END_RE,
    _SIGNOFF,
    _SURNAME_SHAPE_RE,
    _TITLE,
    _UNCASED_ARTICLE_RE,
    _UNCASED_PARTICLES,
    _UNCASED_SURNAME_WORDS,
    _WEAK_CUE,
    _NameTable,
    _uncased_keys,
)
from bot.digests.scrubber.tokens import _key, _Tok, _words

# After a name these words make it part of a place: "Graham Road", "Victoria Park",
# "Clarence estate", "Rose Lipman Building".
_PLACE_NOUNS: Final = _STREET_SUFFIXES | _words(
    """
    estate market church school academy centre center station hall library primary secondary
    mosque synagogue shul surgery practice pub bar cafe café restaurant store bridge ward
    hospital college university cinema theatre museum gallery clinic nursery fields marshes
    valley canal lido arms inn hotel foundation trust project hub club building
    """
)


def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
    """Only a space or two between two words: no comma, line break, or possessive; after an
    initial ("J. Okonkwo", "M.A. Rahman"), its full stop too."""
    if a.possessive:
        return False
    gap = text[a.end : b.start]
    if _initial(a) and gap[:1] == ".":
        gap = gap[1:]
        return len(gap) <= 1 and not gap.strip(" \t")
    return 0 < len(gap) <= 2 and not gap.strip(" \t")


def _initial(tok: _Tok) -> bool:
    """A single capital letter, as initials are written ("A. K. Özdemir")."""
    return len(tok.text) == 1 and tok.text.isupper()


# Nicknames written before a name ("Little Kwabena", "Petit Fiston", "Deli Yusuf"): part of
# it when capitalised beside it, though some are sentence openers on their own.
_NICKNAME_WORDS: Final = _words(
    """
    little lil big small young old fat tall skinny crazy mad baby petit petite grand gros
    grosse gordo gorda flaco flaca chino chica baixinho baixinha deli koca küçük büyük mały
    duży
    """
)

# In Arabic-script languages a titled name may go on past its listed words ("السيدة زينب
# بنجلون", "Sgt احسان اللہ خٹک"): it stops at these words, which follow a name but are never
# one (prepositions, postpositions, conjunctions, "said", "is", "was").
_UNCASED_NAME_STOPS: Final = _words(
    """
    في من على إلى الى عن مع و أو او ثم قال قالت هو هي كان كانت لم لن قد هذا هذه الذي التي بعد
    قبل عند منذ لا ما يا
    نے کا کی کے کو سے میں پر ہے ہیں تھا تھی تھے اور یا بھی کہ جو نہیں صاحب جی والا والی
    ও এবং কে কি না এর থেকে আর যে সাহেব ভাই আপা
    """
)

# Turkish case endings after a name's apostrophe ("Tekin'e", "Dağdeviren'in") go with the
# name when it is removed; English "'s" stays ("[name]'s car").
_CASE_ENDING_RE: Final = re.compile(
    r"['’](?:in|ın|un|ün|nin|nın|nun|nün|e|a|ye|ya|de|da|te|ta|den|dan|ten|tan|i|ı|u|ü|yi|yı"
    r"|yu|yü|le|la|yle|yla|ler|lar)(?![^\W\d_])"
)


class _Cover:
    """The union of some spans, answering "is [start, end) inside it?" by binary search."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [m[0] for m in merged]
        self._ends = [m[1] for m in merged]

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]


class _NameFinder:
    """Finds the personal names in a comment, given the name table and the words of kept
    phrases that are not given names (those are never a surname or a cued name)."""

    def __init__(self, names: _NameTable, place_words: frozenset[str]) -> None:
        self._names = names
        self._place_words = place_words

    def _is_place_context(self, text: str, toks: Sequence[_Tok], i: int) -> bool:
        """ "Graham Road", "St John's", "the Albion", "Queen Elizabeth": not a neighbour."""
        tok = toks[i]
        if i + 1 < len(toks):
            nxt = toks[i + 1]
            if nxt.key in _PLACE_NOUNS and _adjacent(text, tok, nxt):
                return True
        if i > 0:
            prev = toks[i - 1]
            if prev.key in _NOT_PERSON_PREFIXES and _adjacent(text, prev, tok):
                return True
        return False

    def _never_name(self, key: str) -> bool:
        return key in _NOT_NAMES or key in self._place_words

    def _surname_like(self, tok: _Tok, shouting: bool, quiet: bool = False) -> bool:
        """A word that can follow a given name as its surname ("Okoro", "al-Rashid").

        ``quiet``: the name it would follow is written in lower case, as some writers write
        everything ("ask for john smith"), so a listed name or a surname's ending is enough.
        """
        if self._never_name(tok.key) or tok.key in _PLACE_NOUNS:
            return False
        names = self._names
        if not tok.cased:
            # Arabic and Bengali script have no capitals: a listed name or family name, the
            # article al- (الخطيب), or a word family names are made of (خان, চৌধুরী), also
            # with a Bengali case ending joined to it (ইসলামের).
            return any(
                names.tier(key) is not None
                or names.surname(key, soft=True)
                or key in _UNCASED_SURNAME_WORDS
                or _UNCASED_ARTICLE_RE.match(key) is not None
                for key in _uncased_keys(tok.key)
            )
        if tok.all_caps:
            # In ALL CAPS text every word is capitalised: only a listed name or family name,
            # or a surname's own shape (O'REILLY, JANKOWSKA), is evidence. A word in capitals
            # beside a name written in mixed case is the surname, as forms write it
            # ("Jean DUPONT").
            if not shouting:
                return len(tok.key) > 1
            return (
                names.tier(tok.key) is not None
                or names.surname(tok.key, soft=False)
                or _SURNAME_SHAPE_RE.search(tok.key) is not None
            )
        if tok.upper_first:
            return True
        head, sep, rest = tok.text.partition("-")
        if sep and head.casefold() in ("al", "el", "bin", "abu", "ben"):
            return rest[:1].isupper() or (quiet and rest.islower())  # "el-masri"
        if quiet and tok.text.islower():
            return (
                names.tier(tok.key) is not None
                or names.surname(tok.key, soft=True)
                or _SURNAME_SHAPE_RE.search(tok.key) is not None
            )
        return False

    def _tier(self, tok: _Tok) -> str | None:
        """The word's tier on the given-name list; in Bengali also without a case ending."""
        if tok.cased:
            return self._names.tier(tok.key)
        for key in _uncased_keys(tok.key):
            tier = self._names.tier(key)
            if tier is not None:
                return tier
        return None

    def _before_name(
        self,
        tok: _Tok,
        name: _Tok,
        loud: bool,
        after_cue: bool,
        cue_word: bool,
        dotted: bool,
    ) -> bool:
        """A word right before a name that is part of it: a family name written first
        ("POPA Elena", "Kowalski Jan"); in a script without capitals a listed name or a
        word names are made of ("تاهمينا رحيم", "بنت علي"); initials ("I. M. Bălănescu");
        a capitalised word inside a sentence ("waa Guuleed Aadan Samatar", "Little
        Kwabena"); and any word right after a cue ("landlord Nasir Uddin", where only
        "Uddin" is listed). ``dotted``: a full stop follows the word (an initial's)."""
        mixed_case_name = name.upper_first and not name.all_caps
        if mixed_case_name and dotted and _initial(tok):
            return True  # also the French title "M.": removing it with the name is harmless
        if cue_word:
            return False
        capitalised = tok.upper_first and not tok.all_caps
        if mixed_case_name and capitalised and tok.key in _NICKNAME_WORDS:
            return True
        if self._never_name(tok.key) or tok.key in _PLACE_NOUNS:
            return False
        if tok.key in _NOT_PERSON_PREFIXES or tok.key in _PARTICLES:
            return False
        if after_cue and (not tok.cased or tok.upper_first or not name.upper_first):
            return True
        if mixed_case_name and capitalised and not tok.sentence_start and len(tok.key) > 1:
            return True
        names = self._names
        if not tok.cased:
            return not name.cased and any(
                names.tier(key) is not None
                or names.surname(key, soft=False)
                or key in _UNCASED_SURNAME_WORDS
                or key in _UNCASED_PARTICLES
                for key in _uncased_keys(tok.key)
            )
        if tok.all_caps:
            return not loud and not name.all_caps and len(tok.key) > 1
        return tok.upper_first and name.upper_first and names.surname(tok.key, soft=False)

    def _after_strong_cue(self, tok: _Tok, explicit: bool) -> bool:
        """Whether the word after "Mr", "called" or "my neighbour" is the name."""
        tier = self._names.tier(tok.key)
        if not tok.cased:
            # Arabic, Bengali: no capitals to go by. A word after "called" or a title is the
            # name; after "my son" it might be a verb, so it must be on the list.
            return explicit or tier is not None
        if tier is None and self._never_name(tok.key):
            return False
        return tok.upper_first or tier in ("plain", "word")

    def names_in(
        self, text: str, toks: Sequence[_Tok], structured: list[Span]
    ) -> Iterator[tuple[int, int, bool]]:
        """Personal names as (start, end, found_by_a_cue).

        Evidence, strongest first: a cue before the word ("Mr", "my neighbour", "called",
        "Regards,") or after it ("'s flat", "Bey"); the name list, by tier; a capitalised
        pair of which one word is a listed name. Each name then grows over the capitalised
        words right after it (the surname).
        """
        names = self._names
        n = len(toks)
        by_start = {t.start: i for i, t in enumerate(toks)}
        accepted: dict[int, bool] = {}  # token index -> found by a cue
        titled: set[int] = set()  # right after a title ("PCSO Grace Park")
        after_cue: set[int] = set()  # right after any cue before a name
        cue_words: set[int] = set()  # the cues' own words ("PCSO", "my neighbour")
        named: set[int] = set()  # right after a title or "called", "my name is"

        # 1. Cues before the name.
        for cue, explicit in ((_TITLE, True), (_CALLED, True), (_RELATION, False)):
            for match in cue.matches(text, toks):
                cue_words.update(
                    k
                    for k, t in enumerate(toks)
                    if match.start() <= t.start and t.end <= match.end()
                )
                i = by_start.get(match.end())
                if i is not None:
                    after_cue.add(i)
                    if explicit:
                        named.add(i)
                if i is None or not self._after_strong_cue(toks[i], explicit):
                    continue
                accepted[i] = True
                if cue is _TITLE:
                    titled.add(i)
                if (
                    not toks[i].cased
                    and i + 1 < n
                    and names.tier(toks[i + 1].key) is not None
                    and _adjacent(text, toks[i], toks[i + 1])
                ):
                    accepted[i + 1] = True
        for match in _SIGNOFF.matches(text, toks):
            i = by_start.get(match.end())
            if (
                i is not None
                and toks[i].upper_first
                and self._after_strong_cue(toks[i], True)
                and self._signature_at_end(text, toks, i)
            ):
                accepted[i] = True
        for match in _WEAK_CUE.matches(text, toks):
            i = by_start.get(match.end())
            if (
                i is not None
                and names.tier(toks[i].key) is not None
                and (toks[i].upper_first or not toks[i].cased)
            ):
                accepted.setdefault(i, False)

        # 2. Cues after the name.
        for i, tok in enumerate(toks):
            if not tok.upper_first or self._never_name(tok.key):
                continue
            if tok.possessive:
                nxt = _WORD_AFTER_RE.match(text, tok.end + 2)
                if nxt is not None and _key(nxt.group(1)) in _POSSESSIVE_NOUNS:
                    accepted.setdefault(i, True)
            elif _POSTFIX_TITLE_RE.match(text, tok.end):
                accepted.setdefault(i, True)
            elif names.tier(tok.key) is not None and _AFTER_NAME_CUE_RE.match(text, tok.end):
                accepted.setdefault(i, False)

        # 3. The name list, for capitalised words and scripts without capitals.
        for i, tok in enumerate(toks):
            if i in accepted or tok.key in _NOT_NAMES or len(tok.key) < 3:
                continue
            if (
                tok.key == "عبد"
                and i + 1 < n
                and toks[i + 1].key.startswith("ال")
                and _adjacent(text, tok, toks[i + 1])
            ):
                # "عبد الرحمن", "عبد الله": "servant of" one of God's names is a given name.
                accepted[i] = accepted[i + 1] = False
                continue
            tier = self._tier(tok)
            if tier is None or self._is_place_context(text, toks, i):
                continue
            if not tok.cased:
                taken = tier == "plain"
            elif tok.all_caps:
                taken = tier in ("plain", "word") and len(tok.key) > 3
            elif tok.upper_first:
                taken = tier in ("plain", "word") or (tier == "soft" and not tok.sentence_start)
            else:
                taken = False
            if taken:
                accepted[i] = False

        # 3b. Initials before a listed name or family name: "J. Okonkwo", "A. K. Özdemir".
        for i in range(1, n):
            tok, before = toks[i], toks[i - 1]
            if (
                i not in accepted
                and _initial(before)
                and _adjacent(text, before, tok)
                and text[before.end : before.end + 1] == "."
                and tok.upper_first
                and not tok.all_caps
                and not self._never_name(tok.key)
                and (self._names.tier(tok.key) is not None or tok.key in self._names.family)
            ):
                accepted[i] = False

        # 4. A maybe-name before a capitalised word: "Grace Okoro", "Will Smith".
        for i in range(n - 1):
            a, b = toks[i], toks[i + 1]
            if (
                i not in accepted
                and i + 1 not in accepted
                and names.tier(a.key) in ("soft", "strict")
                and a.upper_first
                and not a.all_caps
                and b.upper_first
                and not b.all_caps
                and _adjacent(text, a, b)
                and self._surname_like(b, False)
                and not self._is_place_context(text, toks, i)
                and not self._is_place_context(text, toks, i + 1)
            ):
                accepted[i] = False

        spans = self._grow(
            text,
            toks,
            accepted,
            shouting=False,
            titled=titled,
            named=named,
            after_cue=after_cue,
            cue_words=cue_words,
        )

        # 5. Writers who never use capitals, and short names in ALL CAPS. Whether a comment is
        # written that way is judged without the words already removed, so the answer is the
        # same when the scrubbed text is scrubbed again (idempotence).
        removed = _Cover(structured + [(s, e) for s, e, _ in spans])
        kept = [t for t in toks if t.cased and not removed.covers(t.start, t.end)]
        lower_case_writer = bool(kept) and not any(
            t.text != "I" and not t.text.islower() for t in kept
        )
        capitals = [t for t in kept if len(t.text) > 1]
        shouting = len(capitals) >= 3 and 2 * sum(t.all_caps for t in capitals) > len(capitals)
        late: dict[int, bool] = {}
        if lower_case_writer or shouting:
            for i, tok in enumerate(toks):
                if i in accepted or tok.key in _NOT_NAMES or len(tok.key) < 3:
                    continue
                tier = names.tier(tok.key)
                if tier is None or removed.covers(tok.start, tok.end):
                    continue
                quiet = lower_case_writer and tier == "plain" and tok.cased and tok.text.islower()
                loud = shouting and tier in ("plain", "word") and tok.all_caps
                if quiet or loud:
                    late[i] = False
        yield from spans
        yield from self._grow(
            text, toks, late, shouting, named=named, after_cue=after_cue, cue_words=cue_words
        )

    def _grow(
        self,
        text: str,
        toks: Sequence[_Tok],
        accepted: dict[int, bool],
        shouting: bool,
        titled: Set[int] = frozenset(),
        named: Set[int] = frozenset(),
        after_cue: Set[int] = frozenset(),
        cue_words: Set[int] = frozenset(),
    ) -> list[tuple[int, int, bool]]:
        """Extend each accepted word over the words of the same name around it: following
        names, particles and the surname, and a family name written first.

        After a title the next capitalised listed family name is taken even when it is also
        a word or a place ("PCSO Grace Park"): a title names a person."""
        n = len(toks)
        spans: list[tuple[int, int, bool]] = []
        done: set[int] = set()
        for i in sorted(accepted):
            if i in done:
                continue
            cued = accepted[i]
            quiet = toks[i].cased and toks[i].text.islower()
            loud = shouting or toks[i].all_caps  # "DESMOND O'REILLY": the name sets the case
            last = i
            j = i + 1
            unlisted = 0  # words taken after a title only because they follow it
            while j < n and j - i <= 5 and _adjacent(text, toks[last], toks[j]):
                if (
                    toks[j].key in _UNCASED_PARTICLES
                    and j + 1 < n
                    and not toks[j + 1].cased
                    and _adjacent(text, toks[j], toks[j + 1])
                    and not self._never_name(toks[j + 1].key)
                ):
                    # "بن سالم", "أبو زيد": the particle and the word it governs.
                    last = j + 1
                    j += 2
                    continue
                if j in accepted:
                    cued = cued or accepted[j]
                    last = j
                    j += 1
                    continue
                # Particles, one or more ("de la Fuente", "van der Berg"), before a surname.
                k = j
                while (
                    k < n and toks[k].key in _PARTICLES and _adjacent(text, toks[k - 1], toks[k])
                ):
                    k += 1
                if (
                    k > j
                    and k < n
                    and _adjacent(text, toks[k - 1], toks[k])
                    and self._surname_like(toks[k], loud, quiet)
                ):
                    last = k
                    j = k + 1
                elif (
                    self._surname_like(toks[j], loud, quiet)
                    and not self._is_place_context(text, toks, j)
                ) or (
                    i in titled
                    and toks[j].upper_first
                    and not toks[j].all_caps
                    and toks[j].key in self._names.family
                ):
                    last = j
                    j += 1
                elif (
                    j + 1 < n
                    and _adjacent(text, toks[j], toks[j + 1])
                    and toks[j].upper_first
                    and toks[j].key in self._names.family
                    and self._surname_like(toks[j + 1], loud, quiet)
                ):
                    # A family name that is also a word or a shop, between a name and another
                    # family name: "Bruno Costa Nunes".
                    last = j + 1
                    j += 2
                elif (
                    j + 1 < n
                    and j + 1 in accepted
                    and _adjacent(text, toks[j], toks[j + 1])
                    and not self._never_name(toks[j].key)
                ):
                    # A word between two parts of one name is part of it ("Abdul" in
                    # "Mohammad Abdul Karim", written in a script without capitals).
                    cued = cued or accepted[j + 1]
                    last = j + 1
                    j += 2
                elif (
                    i in named
                    and not unlisted
                    and not toks[i].cased
                    and not toks[j].cased
                    and last == j - 1
                    and toks[j].key not in _UNCASED_NAME_STOPS
                    and not self._never_name(toks[j].key)
                ):
                    # After a title or "my name is", in a script without capitals: one
                    # family name that is on no list ("السيدة زينب بنجلون").
                    unlisted += 1
                    last = j
                    j += 1
                else:
                    break
            first = i
            while (
                first > 0
                and i - first < 2
                and first - 1 not in done
                and _adjacent(text, toks[first - 1], toks[first])
                and self._before_name(
                    toks[first - 1],
                    toks[i],
                    loud,
                    after_cue=first - 1 in after_cue,
                    cue_word=first - 1 in cue_words,
                    dotted=text[toks[first - 1].end : toks[first - 1].end + 1] == ".",
                )
            ):
                first -= 1
            done.update(range(first, last + 1))
            end = toks[last].end
            ending = _CASE_ENDING_RE.match(text, end)
            if ending is not None and not toks[last].possessive:
                end = ending.end()
            spans.append((toks[first].start, end, cued))
        return spans

    def _signature_at_end(self, text: str, toks: Sequence[_Tok], i: int) -> bool:
        """A sign-off: one to three words that end the comment ("Regards, Priya Patel")."""
        for j in range(i, min(i + 3, len(toks))):
            if _SIGNATURE_END_RE.fullmatch(text, toks[j].end):
                return True
            if j + 1 < len(toks) and not _adjacent(text, toks[j], toks[j + 1]):
                return False
        return False
