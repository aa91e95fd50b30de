create table backfill_subscribers (
    id             varchar(100) primary key,
    name           text         not null,
    home_street    text,
    home_city      text,
    home_postcode  varchar(10),
    work_street    text,
    work_city      text,
    work_postcode  varchar(10),
    tier           varchar(10),
    price_amount   numeric(10, 2),
    price_currency char(3),
    renews         date,
    since          timestamp with time zone not null
);
