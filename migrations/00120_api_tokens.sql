-- +goose Up
-- API tokens (issue 23, item 3): the credentials other council systems
-- (finance, planning back-office, GIS) use to call /api/v1. An admin issues
-- a token either to a user (it acts as that user, with the user's roles as
-- they are at each call) or to a named system (it acts with the roles the
-- admin chose). Like capability links and calendar feeds, only the SHA-256
-- hash of the token is stored: it is shown once, when issued. Every token
-- expires, and revoking it stops it at once; rows are kept after
-- revocation for the audit trail's sake.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    name         text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    user_id      bigint REFERENCES users (id),
    system_name  text CHECK (btrim(system_name) <> '' AND length(system_name) <= 200),
    system_roles text[] NOT NULL DEFAULT '{}'
        CHECK (system_roles <@ ARRAY['officer', 'housing', 'manager', 'viewer']::text[]),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_by   bigint REFERENCES users (id),
    last_used_at timestamptz,
    -- A token belongs to a user or to a system, never both.
    CHECK ((user_id IS NULL) <> (system_name IS NULL)),
    CHECK (system_name IS NULL OR cardinality(system_roles) > 0),
    CHECK (user_id IS NULL OR cardinality(system_roles) = 0),
    CHECK (expires_at > created_at),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id) WHERE user_id IS NOT NULL;

-- +goose Down
DROP TABLE api_tokens;
