-- +goose Up
-- Calendar feeds (issue 23, item 4): each user may have one secret
-- iCalendar address of the dates that concern them. Like capability links
-- (migration for capability_links, internal/links), the address's token is
-- stored only as its SHA-256 hash; revoking it (or replacing it with a new
-- one) stops the old address at once. Rows are kept after revocation, for
-- the audit trail's sake.
CREATE TABLE calendar_feeds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    uses         bigint NOT NULL DEFAULT 0 CHECK (uses >= 0),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
-- At most one live address per user.
CREATE UNIQUE INDEX calendar_feeds_live_idx ON calendar_feeds (user_id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE calendar_feeds;
