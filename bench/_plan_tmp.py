import asyncio, sqlite3, tempfile, time
from pathlib import Path
from bench.seeding import seed_residents
from storage.repositories import Store
from storage.models import Broadcast

async def main():
    tmp = tempfile.mkdtemp()
    store = Store(Path(tmp)/"x.sqlite3"); await store.open()
    await seed_residents(store, 10000, first_chat_id=1, step=None, topic="safety")
    async with store.unit() as uow:
        ids = await uow.broadcasts.audience("safety", None)
        bid = await uow.broadcasts.create(Broadcast(kind="notice", topic="safety", texts={"en":"x"}, wards=None, created_by=1), ids, "2000-01-01T00:00:00+00:00")
    await store.close()
    c = sqlite3.connect(Path(tmp)/"x.sqlite3")
    q_claim = ("SELECT o.id FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id"
        " WHERE o.status = 'pending' AND o.not_before <= ? AND b.status = 'sending'"
        " ORDER BY b.urgent DESC, o.id LIMIT 1")
    q_stats = ("SELECT status, not_before > ? AS later, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY status, later")
    q_drained = "SELECT 1 FROM outbox WHERE broadcast_id = ? AND status IN ('pending', 'sending')"
    q_since = ("SELECT COUNT(*) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id WHERE o.respondent_id = ? AND o.status = 'sent' AND b.urgent = 0 AND o.sent_at >= ?")
    now = "2030-01-01T00:00:00+00:00"
    rid = ids[5000]
    for name, q, p in (("claim", q_claim, (now,)), ("stats", q_stats, (now, bid)), ("drained", q_drained, (bid,)), ("sent_since", q_since, (rid, "2000")) ):
        print(name, c.execute("EXPLAIN QUERY PLAN "+q, p).fetchall())
        t=time.perf_counter()
        for _ in range(50): c.execute(q, p).fetchall()
        print(f"  {1000*(time.perf_counter()-t)/50:.3f} ms with 10,000 pending")
    # half sent
    c.execute("UPDATE outbox SET status='sent', sent_at=? WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 9000)", (now,)); c.commit()
    for name, q, p in (("claim", q_claim, (now,)), ("stats", q_stats, (now, bid)), ("drained", q_drained, (bid,))):
        t=time.perf_counter()
        for _ in range(50): c.execute(q, p).fetchall()
        print(f"{name} {1000*(time.perf_counter()-t)/50:.3f} ms with 1,000 pending, 9,000 sent")
asyncio.run(main())
