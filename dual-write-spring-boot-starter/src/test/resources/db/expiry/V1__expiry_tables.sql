create table expiry_sessions (
    id         varchar(100) primary key,
    owner      varchar(100) not null,
    expires_at timestamptz
);
create index expiry_sessions_expires_at on expiry_sessions (expires_at);

create table expiry_visits (
    id         varchar(100) primary key,
    page       varchar(200) not null,
    expires_at timestamptz
);
create index expiry_visits_expires_at on expiry_visits (expires_at);

create table expiry_tallies (
    id         varchar(100) primary key,
    hits       bigint       not null,
    expires_at timestamptz
);
