create table autoconf_gadget_rows (
    id    varchar(100) primary key,
    label varchar(200) not null
);
