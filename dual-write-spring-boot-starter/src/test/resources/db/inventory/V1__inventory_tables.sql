create table inventory_crates (
    id     varchar(100) primary key,
    colour varchar(50)  not null,
    weight integer      not null
);

create table inventory_parcels (
    id    varchar(100) primary key,
    label varchar(200) not null
);
