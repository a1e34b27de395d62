"""The table printed at the end of a run, and BENCHMARKS.md with notes from the same run."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bench.common import Result

__all__ = ["Figure", "markdown", "table"]


class Figure:
    """One figure's outcome from its child process."""

    def __init__(self, name: str, payload: Mapping[str, Any] | None, error: str | None) -> None:
        self.name = name
        self.error = error
        self.seconds = float(payload["seconds"]) if payload else 0.0
        self.load = (payload["load_before"][0], payload["load_after"][0]) if payload else None
        self.results = [Result.from_json(r) for r in payload["results"]] if payload else []

    @property
    def extra(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for result in self.results:
            merged.update(result.extra)
        return merged

    def result(self, prefix: str) -> Result | None:
        return next((r for r in self.results if r.figure.startswith(prefix)), None)


def _number(value: float | None, precision: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if precision == 0:
        return f"{value:,.0f}"
    return f"{value:,.{precision}f}"


def _met(result: Result) -> str:
    met = result.met
    return "n/a" if met is None else ("yes" if met else "NO")


def rows(figures: Sequence[Figure]) -> list[list[str]]:
    out = []
    for figure in figures:
        if figure.error:
            out.append([figure.name, "FAILED", "", "", "", "NO"])
            continue
        for r in figure.results:
            out.append(
                [
                    f"{r.figure} ({r.unit})",
                    _number(r.ours, r.precision),
                    _number(r.baseline, r.precision),
                    _number(r.ratio, 3) if r.ratio is not None else "–",
                    r.target_text,
                    _met(r),
                ]
            )
    return out


HEADER = ["figure", "ours", "baseline", "ratio ours/baseline", "target", "met?"]


def table(figures: Sequence[Figure]) -> str:
    """A plain-text table for the terminal."""
    body = rows(figures)
    widths = [max(len(row[i]) for row in [HEADER, *body]) for i in range(len(HEADER))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in (0, 4) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(HEADER), rule, *(line(r) for r in body)])


def _md_table(figures: Sequence[Figure]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows(figures):
        met = row[5]
        row = [*row[:5], "**NO**" if met == "NO" else met]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# -- notes -------------------------------------------------------------------------------------


def _ms(value: Any) -> str:
    return f"{float(value):,.1f} ms"


def _noise(x: dict[str, Any]) -> str:
    """Whether the run could judge the target: the bare bot's rounds are the machine's spread."""
    if "bare_spread" not in x or x["rounds"] < 2:
        return ""
    low, high = x["pair_ratio_range"]
    spread = f"{x['bare_spread']:.0%}"
    if x["bare_spread"] > x["noise_limit"]:
        return (
            f"**Too noisy to judge**: the bare bot, the same code in every round, ran {spread} "
            f"faster in its fastest round than in its slowest (over {x['noise_limit']:.0%}), "
            f"and the pairs' ratios range from {low} to {high}; run again on a quieter machine."
        )
    return (
        f"Steady enough to judge: the bare bot's rounds were within {spread} of each other "
        f"(limit {x['noise_limit']:.0%}); pairs' ratios from {low} to {high}."
    )


def _conversation(figure: Figure) -> list[str]:
    x = figure.extra
    throughput = figure.result("Conversation throughput")
    lock = x.get("ours_db_lock") or {}
    ours_cpu, bare_cpu = x["ours_bot_cpu_ms_per_update"], x["bare_bot_cpu_ms_per_update"]
    cpu_ratio = bare_cpu / ours_cpu
    ours_busy = throughput.ours * ours_cpu / 1000 if throughput else 0.0
    ours_loop, bare_loop = x["ours_loop_cpu_ms_per_update"], x["bare_loop_cpu_ms_per_update"]
    ours_db = ours_cpu - ours_loop
    driver_cores = (
        (throughput.ours if throughput else 0.0) * x["ours_driver_cpu_ms_per_update"] / 1000
    )
    notes = [
        f"{x['residents']} residents at once, {x['updates_per_resident']} updates each "
        f"({x['updates']:,} in all): ours signs up and answers the whole survey (/start, "
        "consent, language, a postcode and one of its wards, age, notices, then six questions, a "
        "comment and Confirm), by "
        "button ids and in all eleven languages; the bare bot goes round its three steps until "
        "it has sent as many updates. Both run in their own process with 32 concurrent updates "
        "against their own emulator; the residents and the emulator share this process. "
        f"{x['rounds']} pair(s) of rounds, bare and ours back to back, the order alternating "
        "(bare first, then ours first, …) because the machine's speed drifts over a run; the "
        f"pair whose ratio is the median is reported (pair {x['reported_pair']}; ratios "
        f"{x['pair_ratios']}; ours: {x['ours_rates']} updates/s, bare: {x['bare_rates']}). "
        + _noise(x)
        + " "
        "Latency is "
        "from queueing an update to the whole answer (every message sent or edited for it) "
        "arriving at the emulator; with every resident waiting for each answer before the next "
        "tap, latency under this load is residents ÷ throughput, so it follows throughput.",
        f"Bot CPU per update: ours {ours_cpu} ms (its event loop {ours_loop} ms, aiosqlite's "
        f"database thread {ours_db:.3f} ms), bare {bare_cpu} ms (event loop {bare_loop} ms); "
        f"bare / ours = {cpu_ratio:.2f}. Each bot process ran at {x['ours_bot_cores']} "
        f"(ours) and {x['bare_bot_cores']} (bare) cores of CPU while the residents and the "
        f"emulator used {driver_cores:.2f} of the machine's second core: Python's interpreter "
        "lock lets a process's threads run Python one at a time, so the event loop and the "
        "database thread share one core between them. Bot API calls per update, polling "
        f"aside: ours {x['ours_api_calls_per_update']}, bare {x['bare_api_calls_per_update']}; "
        f"updates per `getUpdates`: ours {x['ours_updates_per_poll']}, bare "
        f"{x['bare_updates_per_poll']} (ours pauses `NV_POLL_INTERVAL`, 20 ms, between polls as "
        "in production; the bare bot polls at once, python-telegram-bot's default).",
        "What brought ours from 0.56 to here (run of 2026-11-25 09:16, best round of each, "
        "against this one): a "
        "reply's plain text now shares the next screen's message (`fewest_messages`), so /start "
        "is one message instead of three and consent, the end of sign-up and the survey's start "
        "one instead of two (Bot API calls per update were 2.17); and the 20 ms pause between "
        "polls, so updates that arrive together come in one `getUpdates` (there were 1.1 per "
        "poll); and 4 trips to the database thread per unit of work instead of 7 (below). "
        "Every python-telegram-bot call costs the same CPU in either bot, so calls per update "
        "decide most of the ratio.",
    ]
    notes.append(
        f"Where ours' extra {ours_cpu - bare_cpu:.2f} ms of CPU an update goes: "
        f"{ours_db:.2f} ms in the database thread (the unit of work's statements and its durable "
        "`COMMIT`: each answer on disk before the resident sees the next screen, which the bare "
        f"bot has no need of) and {ours_loop - bare_loop:.2f} ms in the event loop (larger "
        "keyboards to build and parse, the survey logic, the translations). The database "
        "thread's share goes with statements, not trips: taking one of a tap's four trips away, "
        "or mapping the file into memory (`mmap_size`), changed nothing measurable (tried on "
        "2026-11-25)."
    )
    if lock:
        notes.append(
            f"Database lock (ours): {lock['transactions']:,} units of work, "
            f"{lock['sqlite_calls_per_transaction']} trips to the database thread each; held "
            f"{lock['hold_ms'].get('50')} ms at the median and {lock['hold_ms'].get('99')} ms at "
            f"p99; waited for {lock['wait_ms'].get('50')} ms at the median, "
            f"{lock['wait_ms'].get('99')} ms at p99."
        )
    throughput_missed = throughput is not None and throughput.met is False
    median = figure.result("Conversation latency p50")
    if median is not None and median.met is False and median.ratio is not None:
        wait = f" (median wait {lock['wait_ms'].get('50')} ms)" if lock else ""
        notes.append(
            f"**Missed: the median latency, {median.ratio:.2f} times the bare bot's.** The "
            "same cause as the throughput below: every resident waits for each answer before "
            "the next tap, so latency is residents ÷ rate"
            + (
                f" (1 / {throughput.ratio:.3f} = {1 / throughput.ratio:.2f})"
                if throughput is not None and throughput.ratio
                else ""
            )
            + ". Ours' updates do that waiting in the queue for the database lock"
            + wait
            + ", the bare bot's in its update queue. Next step: as for throughput."
        )
    if throughput_missed and throughput is not None and throughput.ratio is not None:
        if ours_busy >= 0.85 and throughput.ratio >= 0.9 * cpu_ratio:
            notes.append(
                f"**Missed: ours handles {throughput.ratio:.2f} of the bare bot's updates a "
                "second.** Cause: each bot is one Python process held to one core by the "
                "interpreter lock (CPU figures above), so the ratio is the ratio of CPU per "
                f"update ({cpu_ratio:.2f}), and ours' extra CPU is the database thread's and the "
                "event loop's above. The earlier next step, one call in the database thread per "
                "unit of work, is dropped: trips are not what costs. "
                + (
                    "On this shared machine a round's rate moves by up to ±10 % (the rounds "
                    "above), so a ratio this near 0.8 falls either side of it. "
                    if throughput.ratio >= 0.75
                    else ""
                )
                + "Next step: a second core, not a leaner core. Several processes cannot share "
                "one token's long polling but can share a "
                "webhook (python-telegram-bot's webhook server behind a load balancer; the "
                "conversation state is already in the database, so any worker can take any "
                "update); the design work is keeping each chat's updates in order across "
                "workers. For scale: one core answers about "
                f"{throughput.ours:.0f} updates a second, {throughput.ours / 25:.0f} times the 25 "
                "messages a second at which Telegram lets the bot broadcast."
            )
        else:
            notes.append(
                f"**Missed: ours handles {throughput.ratio:.2f} of the bare bot's updates a "
                f"second, below what its CPU per update allows ({cpu_ratio:.2f}).** So the bot "
                "is not simply busy: updates wait. The likely cause is serialisation on the "
                "single database lock (`storage/database.py`, `Database.transaction`; hold and "
                "wait times above). Next step: find what holds it (`bench/diagnose.py` times "
                "every unit of work) and re-measure with `python -m bench --only conversation`."
            )
    return notes


def _writes(figure: Figure) -> list[str]:
    x = figure.extra
    found = figure.result("Durable writes")
    ours = found.ours if found is not None and found.ours else float("nan")
    return [
        f"{x['responses']:,} residents at the survey's summary tap Confirm, "
        f"{x['concurrency']} at a time, through the production `ConversationService.tap` "
        f"(resident, claimed update, flow state, response and {x['answers'] // x['responses']} "
        "answers, state cleared, `COMMIT` with `synchronous=FULL`); no Telegram. Baseline: "
        "plain `sqlite3` `executemany` of the same rows in one transaction, same schema and "
        'pragmas. One durable transaction per response is the price of "saved before thank '
        'you"; for scale, plain `sqlite3` committing each response on its own manages '
        f"{x['plain_commit_per_response_per_s']:,} responses/s on this disk (ours is "
        f"{x['ours_over_commit_per_response']} of that). "
        + (
            f"Group commit's ceiling: plain `sqlite3` committing {x['group_size']} responses "
            f"per transaction, a savepoint each, manages {x['plain_group_commit_per_s']:,} "
            f"responses/s. Ours confirms a response every {1000 / ours:.2f} ms (wall time, "
            f"{x['concurrency']} at once), of which a plain durable commit is "
            f"{1000 / x['plain_commit_per_response_per_s']:.2f} ms: sharing the commit among "
            "residents could save at most that part, so our own work per confirmation, not "
            "the `fsync`, is what to shorten first."
            if "plain_group_commit_per_s" in x
            else ""
        )
        + " The issue sets no target.",
    ]


def _broadcast(figure: Figure) -> list[str]:
    x = figure.extra
    rate = figure.result("Broadcast rate")
    notes = [
        f"{x['recipients']:,} recipients of one non-urgent safety notice, production "
        f"`BroadcastEngine` + `TelegramDelivery` ({x['in_flight']} in flight), emulator "
        f"enforcing {x['emulator_global_limit']:g} messages/s overall and "
        f"{x['emulator_per_chat_limit']} per chat (429 with `retry_after` above them). "
        "Production is configured for 25/s under Telegram's ~30/s; to fit the 10-minute budget "
        f"both are scaled by the same factor here: configured {x['configured_rate']:g}/s under "
        f"a limit of {x['emulator_global_limit']:g}/s (the same 5/6). Achieved rate = "
        "(recipients − 1) / (last delivery − first delivery), measured at the emulator; "
        f"sending took {x['seconds_sending']} s. Duplicates and losses are counted per "
        f"emulated chat; outbox rows at the end: {x['outbox']}. Residents were seeded in "
        f"{x['seconds_seeding']} s; writing the outbox took {x['seconds_enqueue']} s.",
        f"Database lock held {x['db_lock_ms_per_message']} ms per message in all "
        f"({x['db_lock']['transactions']:,} units of work, "
        f"{x['db_lock']['sqlite_calls_per_transaction']} aiosqlite calls each); at "
        f"{x['configured_rate']:g}/s the budget is {1000 / x['configured_rate']:.0f} ms. One "
        f"progress-statistics query over this outbox takes "
        f"{x['stats_query_ms_over_whole_outbox']} ms.",
    ]
    if rate is not None and rate.met is False:
        notes.append(
            "**Missed: the engine sends below 0.95 of its configured rate.** Cause (ours): after "
            "*every* message `BroadcastEngine._progress` (`bot/broadcasting/engine.py`) runs "
            "`complete_if_drained` and `stats()` in a unit of work; `stats()` "
            "(`storage/broadcasts.py`) groups the broadcast's whole outbox, so it costs O(N) per "
            "message and O(N²) per broadcast, although its result is thrown away unless a "
            "report is due (every 2 s). `claim()` also sorts every pending row (`ORDER BY "
            "b.urgent DESC, o.id` uses a temporary B-tree) for each message. Both run under the "
            "one database lock, so the per-message database time above exceeds the budget. "
            "Checked while writing this benchmark: with `stats()` computed only when a report "
            "is due (everything else unchanged) the same run achieved 95.7 of 100 messages/s. "
            "Next step (product code, not changed here): in `_progress`, check the 2-second "
            "throttle before querying; give `claim()` an index that serves its order (e.g. pick "
            "the most urgent active broadcast first, then its lowest pending id from an index on "
            "`outbox (broadcast_id, status, id)`); re-measure with `python -m bench --only "
            "broadcast`. At the production rate (25/s, a 40 ms budget) 10,000 recipients are "
            "within budget, but the per-message cost grows with the outbox, so a large enough "
            "borough-wide broadcast would fall behind even there."
        )
    return notes


def _digest(figure: Figure) -> list[str]:
    x = figure.extra
    result = figure.result("Digest")
    queries = x.get("reads_ms", {})
    notes = [
        f"{x['answers']:,} answers in {x['responses']:,} responses from {x['residents']:,} "
        f"residents, {x['wards']} wards, two years to now (`bench/digest_data.py`, "
        f"{x['generation_seconds']} s to generate; no `ANALYZE`, as in production). Ward "
        f"`{x['ward']}` (the busiest), week {x['period']}: {x['responses_this_week']} "
        "responses. Ours: `DigestService.ward_digest` in one unit of work, computing this week "
        "and the week before (stored figures deleted before each run), median of "
        f"{x['runs']} runs after a cold one ({x['ours_cold_ms']} ms). Baseline: one "
        "hand-written `GROUP BY` over the same ward's answers in the same two weeks "
        f"({x['answers_in_two_weeks']:,} answers).",
        f"Steady state (last week already published, as the weekly job leaves it): "
        f"{_ms(x['steady_ms'])}, against {x['sql_one_week_ms']} ms for the hand-written "
        "aggregate of one week. Both weeks already published (the weekly job has run, or an "
        f"officer asks again): {_ms(x['reused_ms'])}. The digest as delivered (text and PNG "
        "chart): "
        f"{_ms(x['delivered_ms'])} (first {_ms(x['delivered_first_ms'])}). The digest's reads "
        "for both weeks, each on its own (median of 5): "
        + ", ".join(f"{k} {_ms(v)}" for k, v in queries.items())
        + ".",
    ]
    if result is not None and result.met is False:
        comments = float(queries.get("comments", 0.0))
        dominated = comments > 10 * sum(float(v) for k, v in queries.items() if k != "comments")
        if dominated:
            notes.append(
                "**Missed.** Cause (ours): `SqliteDigests.comments` (`storage/digests.py`) picks "
                "each comment's priorities with a correlated subquery `(SELECT "
                "group_concat(p.choice_id) FROM answers p WHERE p.response_id = r.id AND "
                "p.question_id = ?)`. Without an index on `(response_id, question_id)` and "
                "without statistics SQLite plans it on `answers_by_question (question_id=?)`, so "
                "for *every* comment it scans every priorities answer in the database, and the "
                "comments query dominates the digest (above). Next step (product code, not "
                "changed here): a migration adding `CREATE INDEX answers_by_response_question "
                "ON answers (response_id, question_id)` (or `PRAGMA optimize` after migrations)."
            )
        else:
            reads = sum(float(v) for v in queries.values())
            counting = float(queries.get("counts", 0.0))
            rest = (result.ours or 0.0) - reads
            baseline = result.baseline or 0.0
            fixed = (result.ours or 0.0) - counting
            notes.append(
                f"**Missed: the ratio.** The digest is far inside its {result.value_target:,.0f}"
                " ms target, but it is more than 1.5 times one aggregate query, because it is "
                "more than one aggregate query. Its counting (the baseline's query plus a count "
                f"of responses by language, both weeks in one pass) takes {_ms(counting)}, "
                f"{counting / baseline:.2f} times the baseline: the part that grows with the "
                "answers stored keeps pace with hand-written SQL. All its reads together take "
                f"{_ms(reads)}. The other {_ms(max(rest, 0.0))} are the digest's own work: "
                "picking and scrubbing comment excerpts, disclosure control (suppressing and "
                "rounding small counts), and storing the published figures in a durable "
                "`COMMIT`, so that a later request for the same week gets the same figures and "
                "cannot be differenced. Were counting free, the rest would still be "
                f"{_ms(fixed)}, {fixed / baseline:.1f} times the baseline: no faster counting "
                "can meet this ratio. That includes the one considered before, daily counts per "
                "ward kept as responses are confirmed, now not to be taken: it would add a write "
                "to every confirmation and a second copy of every count to keep right through "
                "erasure and retention, for a digest already "
                f"{(result.value_target or 0.0) / (result.ours or 1.0):.0f} times inside its time "
                "target. "
                "Next step, should the ratio have to hold: take the fixed work out of the "
                "request, scrubbing each comment once as it is confirmed and publishing each "
                "week as it closes, so that a digest on demand reads stored figures (as it does "
                "once the weekly job has run, above); both add work elsewhere, the first to "
                "every confirmation. Until then the counting ratio is the one to watch as "
                "answers pile up."
            )
    return notes


def _language(figure: Figure) -> list[str]:
    x = figure.extra
    ours_mem, stock_mem = x["ours_memory"], x["stock_memory"]
    return [
        f"{x['samples']} labelled messages, {x['samples'] // x['languages']} in each of "
        f"{x['languages']} languages (`bench/data/language_samples.tsv`, written for the "
        "benchmark, not collected from residents; the translations await native review). Ours: "
        "`LanguageDetector.language_of` (profiles for our eleven languages only, fixed seed; "
        "`unknown` below 0.80 confidence counts as wrong). Baseline: stock `langdetect.detect` "
        "(all 55 profiles, same seed). "
        f"Ours misread: {x['ours_misses'] or 'none'}; stock misread: "
        f"{x['stock_misses'] or 'none'}. Ours' top guess (`detect`, before the confidence "
        f"threshold) was right for {x['ours_detect_top1_accuracy']:.1%}. Time per call over "
        f"{x['passes']} passes, each a first look at every text"
        + (
            f" (the detector's per-text cache emptied before each pass; a repeated look at the "
            f"same text, as when the bot checks a comment a second time, costs "
            f"{x['ours_repeat_us']} µs)"
            if x.get("ours_has_cache")
            else ""
        )
        + f". Memory in a fresh process each, RSS before importing langdetect "
        f"to after the detector is ready: ours {ours_mem['rss_added_mib']} MiB (import "
        f"{ours_mem['rss_import_mib']} MiB, Python objects {ours_mem['traced_mib']} MiB), stock "
        f"{stock_mem['rss_added_mib']} MiB (objects {stock_mem['traced_mib']} MiB). The issue "
        "sets no targets here.",
    ]


def _memory(figure: Figure) -> list[str]:
    x = figure.extra
    shrinking = x["growth_second_half_kib"] < x["growth_first_half_kib"]
    return [
        f"{x['residents_mid_survey']:,} residents at question 2 of the survey in the database "
        f"(seeded in {x['seconds_seeding']} s). The production bot in its own process: idle "
        f"{x['idle_mib']} MiB (the baseline). Then residents come back, 200 at a time "
        "(`/survey`, which shows where they were, then an answer): after the first "
        f"{x['warm_up_group']} (warm-up: first use of each locale's formatting and the like) "
        f"{x['after_warm_up_mib']} MiB; after {x['middle']:,} {x['after_half_mib']} MiB; after "
        f"{x['sample_returning']:,} {x['after_sample_mib']} MiB (peak {x['peak_mib']} MiB). "
        f"After the warm-up that is {x['growth_first_half_kib']} KiB per returning resident in "
        f"the first half and {x['growth_second_half_kib']} KiB in the second "
        f"({x['updates_per_s_after_warm_up']} updates/s). A bare python-telegram-bot bot idles "
        f"at {x['bare_ptb_idle_mib']} MiB on this machine.",
        "The issue sets no memory target. Conversation state lives in the database and the "
        "bot keeps nothing per chat in Python (no `chat_data`, the per-chat locks are dropped "
        "once a chat's updates are done), so what grows after the warm-up is caches filling: "
        "SQLite's page cache (2 MiB by default) as more residents' rows are read, and the "
        "allocator's high-water mark "
        + (
            "; the growth per resident shrinking from the first half to the second fits that."
            if shrinking
            else "; in this run the second half did not grow less than the first, so check "
            "with a longer sample (see the next line)."
        )
        + " Checked once while writing this benchmark: with 8,000 of the 10,000 coming back, "
        "RSS was 62.3 MiB idle, 65.9 after 200, 68.8 after 2,000, 70.0 after 4,000, 72.0 after "
        "6,000 and 72.2 after 8,000; and with `tracemalloc` running inside the bot "
        "(`python -m bench.botproc … --heap-snapshots DIR`), the Python heap grew by 0.1 MiB "
        "from 200 to 1,000 returning residents (no objects kept per chat) while RSS grew by "
        "3.4 MiB.",
    ]


def _safeguarding(figure: Figure) -> list[str]:
    x = figure.extra
    per = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x["per_language"].items()
    )
    rules = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x["per_language_rules"].items()
    )
    second = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x["second_per_language"].items()
    )
    third = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x.get("third_per_language", {}).items()
    )
    fourth = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x.get("fourth_per_language", {}).items()
    )
    fifth = ", ".join(
        f"{lang} {v['recall']:.2f}/{v['false_alarms']:.2f}"
        for lang, v in x.get("fifth_per_language", {}).items()
    )
    pooled = x.get("all_held_out", {})
    return [
        "Five frozen evaluation sets, each written blind in eleven languages by helpers who "
        "saw neither the rules nor the model (see their READMEs): the first "
        f"(`tests/data/safeguarding/`, {x['held_out']} held-out messages), a second "
        f"written later by others (`tests/data/safeguarding_2/`, {x['second_set']} held-out "
        "messages), a third, a fourth and a fifth by others again "
        f"(`tests/data/safeguarding_3/`, "
        f"{x.get('third_set', 0)}, `tests/data/safeguarding_4/`, {x.get('fourth_set', 0)}, "
        f"and `tests/data/safeguarding_5/`, {x.get('fifth_set', 0)} held-out messages). The "
        f"first four development parts ({x['dev']} messages in the first) train the model out "
        "of fold and choose its thresholds; the fifth set has never been fitted to. The "
        "held-out parts are measured here and never tuned on. Ours is "
        "`Safeguarding.load()` as the bot runs it; the baseline is the wording rules alone. "
        f"All held-out parts together ({pooled.get('messages', 0)} messages): recall "
        f"{pooled.get('recall', 0):.3f}, false alarms {pooled.get('false_alarms', 0):.3f}. "
        f"First set, held-out recall / false alarms by language, ours: {per}; rules alone: "
        f"{rules}. Second set, ours: {second}. Third set, ours: {third}. Fourth set, ours: "
        f"{fourth}. Fifth set, ours: {fifth}. First set's development part (trained on by "
        "the other folds' models and by the shipped one, so optimistic): recall "
        f"{x['dev_recall']:.3f}, false alarms {x['dev_false_alarms']:.3f} (rules alone: "
        f"recall {x['dev_rules_recall']:.3f}).",
        'The gentler line ("if anyone is in danger right now, call 999") is counted apart: '
        f"with it, {x['gentle_recall']:.3f} of held-out emergencies got a 999 line of some kind "
        f"and {x['gentle_false_alarms']:.3f} of non-emergencies did. Domestic abuse found: "
        f"{x['abuse_recall']} (rules alone {x['rules_abuse_recall']}; second set "
        f"{x['second_abuse_recall']}); self-harm found: {x['harm_recall']} (rules alone "
        f"{x['rules_harm_recall']}; second set {x['second_harm_recall']}). Method and known "
        "misses: `docs/safeguarding.md`.",
    ]


NOTES: dict[str, tuple[str, Callable[[Figure], list[str]]]] = {
    "conversation": ("1. Conversation throughput and latency", _conversation),
    "writes": ("2. Durable writes", _writes),
    "broadcast": ("3. Broadcast under flood limits", _broadcast),
    "digest": ("4. Digest over a million answers", _digest),
    "language": ("5. Language detection", _language),
    "memory": ("6. Memory with 10,000 residents mid-survey", _memory),
    "safeguarding": ("7. Safeguarding on messages written blind", _safeguarding),
}


def markdown(
    figures: Sequence[Figure],
    machine: Mapping[str, str],
    *,
    command: str,
    started: str,
    seconds: float,
    findings: str,
) -> str:
    missed = [
        f"{r.figure} ({_number(r.ours, r.precision)} {r.unit}; target {r.target_text})"
        for f in figures
        for r in f.results
        if r.met is False
    ] + [f"{f.name}: failed to run" for f in figures if f.error]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {started} (UTC); the whole run took {seconds:.0f} s. Run the "
        "same command to measure again and rewrite this file; `python -m bench --quick` is a "
        "short smoke run that leaves it alone. Every ratio is ours / baseline, from the same "
        "run; the *met?* column checks the target.",
        "",
        "## Machine",
        "",
        *(f"- **{key}**: {value}" for key, value in machine.items()),
        "- **load average** (1 min) before → after each figure: "
        + ", ".join(f"{f.name} {f.load[0]:.2f} → {f.load[1]:.2f}" for f in figures if f.load)
        + ". Other work on the machine slows figures down; see each note.",
        "",
        "## Results",
        "",
        _md_table(figures),
        "",
    ]
    if missed:
        summary = "; ".join(missed)
        lines += [f"**Targets missed:** {summary}. Causes and next steps below.", ""]
    else:
        lines += ["Every target was met.", ""]
    lines += ["## What each figure measures", ""]
    for figure in figures:
        title, notes = NOTES[figure.name]
        lines += [f"### {title}", ""]
        if figure.error:
            lines += ["**Failed to run:**", "", "```", figure.error.strip()[-2000:], "```", ""]
            continue
        for note in notes(figure):
            lines += [note, ""]
        lines += [f"_Figure run time: {figure.seconds:.0f} s._", ""]
    if findings:
        lines += [findings.strip(), ""]
    return "\n".join(lines)
