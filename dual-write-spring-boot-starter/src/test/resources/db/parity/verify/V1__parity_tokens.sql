create table parity_tokens (
    id        varchar(100)   primary key,
    holder    varchar(200)   not null,
    amount    numeric(20, 6) not null,
    minted_at timestamptz    not null,
    quantity  integer        not null
);
