-- The catch-up backfill (mode CATCH_UP): a run resumes only a checkpoint of its own mode, since
-- a position reached by a run that left present rows alone says nothing about their freshness.
-- Existing checkpoints were written by runs that only copied missing rows.
alter table dualwrite_backfill_checkpoint add column mode varchar(16) not null default 'COPY_MISSING';
alter table dualwrite_backfill_checkpoint add column rows_refreshed bigint not null default 0;
alter table dualwrite_backfill_checkpoint add column rows_removed bigint not null default 0;
