-- The clients' new home (profile sqlite): the table the SQLite file's rows are migrated to.
create table clients (
    id            text primary key,
    name          text        not null,
    contact_email text,
    registered_at timestamptz not null
);
