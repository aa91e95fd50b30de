create table backfill_gizmos (
    id       varchar(100) primary key,
    name     varchar(200) not null,
    quantity integer      not null check (quantity >= 0)
);

create table backfill_sprockets (
    id    varchar(100) primary key,
    name  varchar(200) not null,
    teeth integer      not null
);
