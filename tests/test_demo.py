"""``python bot.py demo`` end to end, in a pseudo-terminal, as a newcomer would use it.

A resident signs up and answers the survey in Turkish by typing the numbers the demo prints,
then the officer persona asks for the digest, which must count that answer. Every label the
test looks for comes from the bot's own catalogs, so the test follows the translations rather
than copying them.

The seed puts 57 responses in the demo ward's latest closed week, which the digest rounds to
55; one more answer shows as 60. The test recomputes the seeded count with the same function
the demo uses, so the figure it expects is derived, not typed in.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pexpect
from babel import dates

from bot.devtools.seed import DEMO_WARD, latest_closed_period, seed_demo
from bot.digests.disclosure import BlockLength, round_half_up
from bot.i18n import _, data_text, language_name, load_catalogs, pgettext, use_locale
from bot.settings import PROJECT_ROOT
from bot.surveys import agree_label
from storage.repositories import Store

LANG = "tr"
WARD_NAME = "Hackney Central"
COMMENT = "akşamları parkın yanındaki sokak lambaları yanmıyor"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BUTTON = re.compile(r"\[(\d+)\] (.+?)(?=   \[\d+\] |$)")
TIMEOUT = 30


class DemoSession:
    """The demo in a pty: wait for output, read the newest keyboard, tap by label."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.transcript: list[str] = []

    def read(self, pattern: str) -> str:
        """Output up to ``pattern`` and whatever follows until the demo goes quiet."""
        self.child.expect(pattern, timeout=TIMEOUT)
        # expect() may have read past the match; what it holds back is ours too.
        text = str(self.child.before) + str(self.child.after) + str(self.child.buffer)
        self.child.buffer = ""
        while True:
            try:
                text += self.child.read_nonblocking(65536, timeout=0.4)
            except pexpect.TIMEOUT:
                break
        clean = ANSI.sub("", text).replace("\r", "")
        self.transcript.append(clean)
        return clean

    @staticmethod
    def buttons(screen: str) -> dict[str, int]:
        """The numbered choices of the last message in ``screen`` that has any."""
        for block in reversed(screen.split("╭ ")):
            found: dict[str, int] = {}
            for line in block.splitlines():
                body = line.removeprefix("│").strip()
                if body.startswith("["):
                    for number, label in BUTTON.findall(body):
                        found[label.strip()] = int(number)
            if found:
                return found
        raise AssertionError(f"no buttons in:\n{screen}")

    def tap(self, screen: str, label: str) -> None:
        """Type the number of the button called ``label`` (or, failing that, containing it)."""
        choices = self.buttons(screen)
        number = choices.get(label) or next(
            (n for text, n in choices.items() if label in text), None
        )
        assert number is not None, f"no button {label!r} in {list(choices)}"
        self.child.sendline(str(number))

    def say(self, line: str) -> None:
        self.child.sendline(line)

    def dump(self) -> str:
        return "\n".join(self.transcript)


def _seeded_count() -> int:
    """Responses the seed puts in the demo ward's latest closed week: the demo's start."""

    async def count(path: Path) -> int:
        store = Store(path)
        await store.open()
        try:
            summary = await seed_demo(store)
        finally:
            await store.close()
        return summary.period_counts[DEMO_WARD]

    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(count(Path(folder) / "seed.sqlite3"))


def _texts() -> dict[str, str]:
    load_catalogs()
    week = latest_closed_period(datetime.now(UTC), ZoneInfo("Europe/London"), BlockLength.WEEK)
    with use_locale(LANG):
        question = _("Question {number} of {total}\n\n{question}")
        return {
            "agree_consent": pgettext("button", "I agree"),
            "language": language_name(LANG),
            "list": pgettext("button", "Choose from the list"),
            "age": pgettext("age band", "25 to 34"),
            "done": pgettext("button", "Done"),
            "start": pgettext("button", "Start the survey"),
            "asb": data_text("Anti-social behaviour"),
            "drugs": data_text("Drug dealing"),
            "agree": agree_label("agree"),
            "disagree": agree_label("disagree"),
            "confirm": pgettext("button", "Confirm and send"),
            # "Your answers are saved": the thank-you's second sentence, first two words.
            "thanks": " ".join(
                _(
                    "Thank you. Your answers are saved and will reach your local team "
                    "in an anonymous summary. You can answer again at any time with /survey."
                )
                .split(". ")[1]
                .split()[:2]
            ),
            "q2": question.format(number=2, total=6, question="").split("\n")[0],
            "q3": question.format(number=3, total=6, question="").split("\n")[0],
            "q4": question.format(number=4, total=6, question="").split("\n")[0],
            "q5": question.format(number=5, total=6, question="").split("\n")[0],
            "q6": question.format(number=6, total=6, question="").split("\n")[0],
            "which_digest": _("Which digest would you like?"),
            "which_period": _("Which period?"),
            # The period button's label, as bot.digests.service writes it.
            "latest_week": str(
                dates.format_interval(week.start, week.last_day, "yMMMd", locale=LANG)
            ),
        }


def test_turkish_resident_answers_then_officer_digest_counts_it(tmp_path: Path) -> None:
    seeded = _seeded_count()
    before, after = round_half_up(seeded, 5), round_half_up(seeded + 1, 5)
    assert before != after, "the seed must leave the demo ward just below a rounding step"
    t = _texts()
    with use_locale(LANG):
        responses_line = _("Responses: {count}").format(count=after)

    real_database = tmp_path / "real.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NV_")}
    env.update(
        NO_COLOR="1",
        COLUMNS="120",
        LINES="50",
        TERM="xterm",
        NV_DATABASE=str(real_database),  # the demo must ignore it
        PYTHONUNBUFFERED="1",
    )
    child = pexpect.spawn(
        sys.executable,
        [str(PROJECT_ROOT / "bot.py"), "demo", "--lang", LANG],
        cwd=str(PROJECT_ROOT),
        env=env,
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(50, 120),
        timeout=TIMEOUT,
    )
    demo = DemoSession(child)
    try:
        banner = demo.read(re.escape(t["agree_consent"]))
        data_line = re.search(r"Data: (\S+) ", banner)
        assert data_line is not None, banner
        data_dir = Path(data_line[1])
        assert data_dir.is_dir()

        # Sign-up: consent, Turkish, a ward from the list, an age group, no notices.
        demo.tap(banner, t["agree_consent"])
        demo.tap(demo.read(re.escape(t["language"])), t["language"])
        demo.tap(demo.read(re.escape(t["list"])), t["list"])
        demo.tap(demo.read(re.escape(WARD_NAME)), WARD_NAME)
        demo.tap(demo.read(re.escape(t["age"])), t["age"])
        demo.tap(demo.read(re.escape(t["done"])), t["done"])
        demo.tap(demo.read(re.escape(t["start"])), t["start"])

        # The survey, in Turkish.
        demo.tap(demo.read(re.escape(t["asb"])), t["asb"])
        demo.tap(demo.read("✅ " + re.escape(t["asb"])), t["drugs"])
        demo.tap(demo.read("✅ " + re.escape(t["drugs"])), t["done"])
        demo.tap(demo.read(re.escape(t["q2"])), "2")
        demo.tap(demo.read(re.escape(t["q3"])), t["agree"])
        demo.tap(demo.read(re.escape(t["q4"])), t["disagree"])
        demo.tap(demo.read(re.escape(t["q5"])), t["agree"])
        demo.read(re.escape(t["q6"]))
        demo.say(COMMENT)
        demo.tap(demo.read(re.escape(t["confirm"])), t["confirm"])
        demo.read(re.escape(t["thanks"]))

        # The officer's digest of the ward and the latest closed week.
        demo.say("/as officer")
        switched = demo.read(r"officer › ")
        assert "demo: your answers now count" in switched
        demo.say("/digest")
        demo.tap(demo.read(re.escape(t["which_digest"])), WARD_NAME)
        periods = demo.read(re.escape(t["which_period"]))
        assert demo.buttons(periods).get(t["latest_week"]) == 1  # offered first
        demo.tap(periods, t["latest_week"])
        digest = demo.read(r"\.png")
        assert responses_line in digest, digest
        assert COMMENT in digest
        chart_path = re.search(r"(/\S+\.png)", digest)
        assert chart_path is not None, digest
        chart = Path(chart_path[1])
        assert chart.read_bytes().startswith(b"\x89PNG")

        demo.say("/quit")
        child.expect(pexpect.EOF, timeout=TIMEOUT)
    finally:
        if child.isalive():
            child.terminate(force=True)
        child.close()
    assert child.exitstatus == 0, demo.dump()
    assert not data_dir.exists()
    assert not real_database.exists()
