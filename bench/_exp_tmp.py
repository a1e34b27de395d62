"""Scratch experiment (deleted afterwards): _progress computing stats only when a report is due."""
import time as _time
from bot import broadcasts as b
from bench import broadcast

async def _progress(self, broadcast):
    assert broadcast.id is not None
    now = _time.monotonic()
    due = now - self._last_report.get(broadcast.id, 0.0) >= 2.0
    async with self.store.unit() as uow:
        done = await uow.broadcasts.complete_if_drained(broadcast.id)
        if not (done or due):
            return
        stats = await uow.broadcasts.stats(broadcast.id, self._now().isoformat(timespec="seconds"))
    self._last_report[broadcast.id] = now
    if self.reporter is not None:
        await self.reporter(broadcast.id, stats, done)

b.BroadcastEngine._progress = _progress
for r in broadcast.run(False): print(r.figure, r.ours, r.baseline, r.ratio, r.met, r.extra)
