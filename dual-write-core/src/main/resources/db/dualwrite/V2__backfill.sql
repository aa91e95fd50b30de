-- Backfill checkpoints: one row per repository, the durable position of its last backfill run.
-- "position" holds one Redis SCAN/SSCAN cursor per node; everything before it has been
-- copied. A killed run resumes from here; rows after it are copied again, idempotently.
create table dualwrite_backfill_checkpoint (
    repository    varchar(200)  not null primary key,
    run_id        varchar(64)   not null,
    state         varchar(16)   not null,
    key_pattern   varchar(1024) not null,
    position      text          not null,
    rows_read     bigint        not null default 0,
    rows_written  bigint        not null default 0,
    rows_skipped  bigint        not null default 0,
    rows_rejected bigint        not null default 0,
    message       text,
    started_at    timestamptz   not null default now(),
    updated_at    timestamptz   not null default now(),
    finished_at   timestamptz
);

-- Values the backfill could not copy (not JSON, not the entity, a violated constraint), one
-- row per key: setting a key aside again updates its row. Kept until retried successfully or
-- deleted by the operator; raw_value may hold personal data.
create table dualwrite_backfill_reject (
    repository  varchar(200)  not null,
    entity_key  varchar(1024) not null,
    reason      text          not null,
    raw_value   text,
    run_id      varchar(64),
    attempts    integer       not null default 1,
    rejected_at timestamptz   not null default now(),
    primary key (repository, entity_key)
);

create index dualwrite_backfill_reject_time on dualwrite_backfill_reject (repository, rejected_at);
