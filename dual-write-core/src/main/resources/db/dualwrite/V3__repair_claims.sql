-- Claims of the reconciler (issue 4): which instance is repairing a key right now, until
-- when (a lease, so a crashed instance's claims lapse), and how often repairing it failed
-- (for the per-key backoff). A record is claimable when claimed_until is null or past.
alter table dualwrite_repair add column claimed_by       varchar(200);
alter table dualwrite_repair add column claimed_until    timestamptz;
alter table dualwrite_repair add column repair_failures  integer not null default 0;

create index dualwrite_repair_claimable on dualwrite_repair (repository, claimed_until);
