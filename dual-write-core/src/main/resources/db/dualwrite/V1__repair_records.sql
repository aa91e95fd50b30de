-- Keys whose stores may differ. One row per (repository, key, store to repair): recording a
-- key again updates the row, so the table never grows beyond the number of distinct keys.
-- In POSTGRES_PRIMARY the row is also the transactional outbox of the Redis write.
create table dualwrite_repair (
    repository        varchar(200)  not null,
    entity_key        varchar(1024) not null,
    target_store      varchar(16)   not null,
    reason            text          not null,
    first_recorded_at timestamptz   not null default now(),
    last_recorded_at  timestamptz   not null default now(),
    attempts          integer       not null default 0,
    primary key (repository, entity_key, target_store)
);

create index dualwrite_repair_age on dualwrite_repair (repository, first_recorded_at);
