create table autoconf_widgets (
    id       varchar(100) primary key,
    name     varchar(200) not null,
    quantity integer      not null
);
