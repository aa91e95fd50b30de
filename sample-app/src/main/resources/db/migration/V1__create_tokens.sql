CREATE TABLE tokens (
    id                      VARCHAR(255) PRIMARY KEY,
    image_hash              VARCHAR(255),
    metadata_hash           VARCHAR(255),
    token_uri               TEXT,
    holder_address          VARCHAR(42)  NOT NULL,
    holder_username         VARCHAR(255),
    holder_fid              BIGINT,
    holder_display_name     VARCHAR(255),
    holder_pfp_url          TEXT,
    transaction_hash        VARCHAR(66),
    timestamp               TIMESTAMPTZ  NOT NULL,
    attributes              JSONB        NOT NULL DEFAULT '[]'::jsonb,
    source_type             VARCHAR(50),
    source_cast_hash        VARCHAR(66),
    total_eligible_reactors INTEGER,
    created_at              TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    updated_at              TIMESTAMPTZ  NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_tokens_holder_address ON tokens (holder_address);
CREATE INDEX idx_tokens_holder_fid ON tokens (holder_fid);
CREATE INDEX idx_tokens_attributes ON tokens USING GIN (attributes);
