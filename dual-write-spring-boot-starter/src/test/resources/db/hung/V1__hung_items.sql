create table hung_items (
    id       varchar(100) primary key,
    name     varchar(200) not null,
    quantity integer      not null
);
