-- A broadcast the bot carried on with after a restart: how many restarts it went through,
-- and how many of its rows were in flight at those moments. Each of those rows may have
-- reached its resident before the stop and is sent again, so ``resent`` is the most
-- residents who may have had the broadcast twice (never more than NV_BROADCAST_IN_FLIGHT a
-- restart). The admin's final report says so.
ALTER TABLE broadcasts ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
