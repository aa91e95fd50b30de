-- Partitioned backfill runs: several workers (processes) share one run of a repository. The
-- run's scan is split into partitions (one per Redis master; one, 'all', for a source that
-- cannot be split), each with its own position, claimed by one worker at a time under a lease
-- that the worker renews while it copies. A partition whose lease ran out (its worker died or
-- stalled) is claimed by another worker and resumed from its position. Every update of a
-- claimed partition names its owner, so a worker that lost its lease moves nothing.
-- The run as a whole (its id, mode, totals, completion) stays in dualwrite_backfill_checkpoint.
create table dualwrite_backfill_partition (
    repository    varchar(200) not null,
    partition_key varchar(200) not null,
    run_id        varchar(64)  not null,
    state         varchar(16)  not null,
    position      text         not null,
    owner         varchar(200),
    lease_until   timestamptz,
    claims        integer      not null default 0,
    rows_read     bigint       not null default 0,
    rows_written  bigint       not null default 0,
    rows_skipped  bigint       not null default 0,
    rows_rejected bigint       not null default 0,
    updated_at    timestamptz  not null default now(),
    primary key (repository, partition_key)
);
