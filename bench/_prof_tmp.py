import asyncio, sys, tempfile, time
from pathlib import Path
from bench import conversation as c
from bench.common import TOKEN
from bench.harness import Steps, bot_process
from bench.language import load_samples
from bot.emulator import BotApiEmulator

async def main(kind, n):
    samples = load_samples()
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator(token=TOKEN, record_requests=False) as emu, bot_process(kind, emu, db=Path(tmp)/"x.sqlite3", lock_stats=Path(f"/tmp/lock-{kind}.json")) as bot:
            crowd = c._residents(emu, 7_000_000, n, samples)
            t=time.perf_counter()
            res = c.ours_resident if kind=="ours" else c.bare_resident
            await asyncio.gather(*(res(Steps(u), l, cm) for u,l,cm in crowd))
            print(kind, n*18/(time.perf_counter()-t))
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
