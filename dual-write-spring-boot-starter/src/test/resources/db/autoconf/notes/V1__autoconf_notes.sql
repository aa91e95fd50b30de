create table autoconf_notes (
    id   varchar(100) primary key,
    text varchar(200) not null
);
