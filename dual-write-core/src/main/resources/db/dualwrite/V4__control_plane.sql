-- The control plane (issue 8). The stage of each repository, shared by every instance: the
-- epoch counts the moves, so an instance can say exactly which stage it applies.
create table dualwrite_stage (
    repository varchar(200) not null primary key,
    strategy   varchar(32)  not null,
    epoch      bigint       not null,
    changed_at timestamptz  not null default clock_timestamp(),
    changed_by varchar(200) not null,
    reason     text
);

-- Instances heartbeat here; one that stops is left out once its last_seen_at is older than
-- the configured instance timeout.
create table dualwrite_instance (
    instance_id  varchar(200) not null primary key,
    host         varchar(255) not null,
    started_at   timestamptz  not null,
    last_seen_at timestamptz  not null default now()
);

-- The stage (and its epoch) each instance applies per repository: acknowledged only once the
-- instance's calls begun under the previous stage have ended.
create table dualwrite_instance_stage (
    instance_id varchar(200) not null references dualwrite_instance (instance_id) on delete cascade,
    repository  varchar(200) not null,
    strategy    varchar(32)  not null,
    epoch       bigint       not null,
    applied_at  timestamptz  not null default now(),
    primary key (instance_id, repository)
);

-- Append-only record of every stage change and operation, with who and why. Times are
-- clock_timestamp(), not the transaction's start: a move's gates may take a moment, and an
-- operation that starts meanwhile must not look older than the move.
create table dualwrite_ledger (
    id         bigserial    primary key,
    at         timestamptz  not null default clock_timestamp(),
    repository varchar(200) not null,
    action     varchar(32)  not null,
    from_stage varchar(32),
    to_stage   varchar(32),
    epoch      bigint,
    actor      varchar(200) not null,
    reason     text,
    forced     boolean      not null default false,
    mode       varchar(32),
    outcome    varchar(32),
    started_at timestamptz,
    details    text
);

create index dualwrite_ledger_by_repository on dualwrite_ledger (repository, action, id);
