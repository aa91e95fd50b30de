create table durability_bolts (
    id    varchar(100) primary key,
    name  varchar(200) not null,
    turns integer      not null
);

create table durability_nuts (
    id    varchar(100) primary key,
    name  varchar(200) not null,
    size  integer      not null
);
