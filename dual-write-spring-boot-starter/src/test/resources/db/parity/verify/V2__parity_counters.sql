create table parity_counters (
    id    bigint       primary key,
    label varchar(200) not null
);
