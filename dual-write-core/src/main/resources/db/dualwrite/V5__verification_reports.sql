-- Verification reports (issue 9): one row per verification, written when it starts and
-- again when it ends, so a report outlives the instance that made it and every instance
-- serves it. Counts are complete; the differences listed are bounded (see below).
create table dualwrite_verification (
    id                    varchar(64)      not null primary key,
    repository            varchar(200)     not null,
    mode                  varchar(16)      not null,
    strategy              varchar(32)      not null,
    sample_percent        double precision not null default 100,
    -- Text: an actor's name is not bounded by the library.
    started_by            text             not null,
    background            boolean          not null default false,
    state                 varchar(16)      not null,
    -- Both the database's clock (never an instance's), so they sort and compare across
    -- instances: started_at when the row is inserted, finished_at when it is finished.
    started_at            timestamptz      not null default clock_timestamp(),
    finished_at           timestamptz,
    redis_keys            bigint,
    postgres_rows         bigint,
    compared              bigint,
    only_in_redis         bigint,
    only_in_postgres      bigint,
    content               bigint,
    unreadable_in_redis   bigint,
    differences_truncated boolean,
    -- Repair records pending when it ended, per store to repair; null when unknown.
    pending_postgres      bigint,
    pending_redis         bigint,
    agree                 boolean,
    error                 text,
    summary               text
);

create index dualwrite_verification_by_repository on dualwrite_verification (repository, started_at desc);

-- The first differences of a verification, in the order found; never values (they may
-- hold personal data). At most the configured number per verification.
create table dualwrite_verification_difference (
    verification_id varchar(64)   not null references dualwrite_verification (id) on delete cascade,
    position        integer       not null,
    -- Text: a key too long for a bounded column must not lose the whole report.
    entity_key      text          not null,
    kind            varchar(32)   not null,
    fields          text[]        not null,
    problem         text,
    primary key (verification_id, position)
);

-- Which instance runs the background verification of a repository, until when. A pass
-- renews the lease while it runs; when it ends, expires_at is set to the start of the next
-- pass (the pause), so that no instance starts one before.
create table dualwrite_verification_lease (
    repository  varchar(200) not null primary key,
    holder      varchar(200) not null,
    acquired_at timestamptz  not null default now(),
    expires_at  timestamptz  not null
);
