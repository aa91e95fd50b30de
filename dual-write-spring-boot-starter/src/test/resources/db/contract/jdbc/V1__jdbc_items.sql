create table jdbc_items (
    id       varchar(100) primary key,
    name     varchar(200) not null,
    category varchar(100) not null,
    quantity integer      not null
);
