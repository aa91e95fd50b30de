-- Premium subscriptions, keyed by e-mail address (320 characters: RFC 5321's limit).
CREATE TABLE subscriptions (
    email      VARCHAR(320) PRIMARY KEY,
    plan       VARCHAR(50)  NOT NULL,
    status     VARCHAR(20)  NOT NULL,
    started_at TIMESTAMPTZ  NOT NULL,
    expires_at TIMESTAMPTZ,
    fid        BIGINT
);
CREATE INDEX idx_subscriptions_fid ON subscriptions (fid);
