create table control_tickets (
    id      varchar(100) primary key,
    owner   varchar(100) not null,
    version bigint       not null
);
