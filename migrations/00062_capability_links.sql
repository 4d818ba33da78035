-- +goose Up
-- Single-purpose capability links for people without an account
-- (developers, registered providers; later residents): a random token
-- given once and stored only as its SHA-256 hash, scoped to one
-- development or one provider's homes, with an expiry, revocation, a rate
-- limit and an audit of every use.
CREATE TABLE capability_links (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- What the link is for, e.g. 'developer-homes', 'provider-homes',
    -- 'provider-return'; the page that opens it checks it.
    purpose      text NOT NULL CHECK (purpose ~ '^[a-z][a-z-]{2,40}$'),
    scope_type   text NOT NULL CHECK (scope_type IN ('development', 'provider')),
    scope_id     bigint NOT NULL CHECK (scope_id > 0),
    -- A further subject within the scope (e.g. an annual return), or NULL.
    subject_id   bigint,
    holder_name  text NOT NULL CHECK (btrim(holder_name) <> ''),
    holder_email text NOT NULL CHECK (holder_email ~ '^[^@\s]+@[^@\s]+$'),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_by   bigint REFERENCES users (id),
    last_used_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX capability_links_scope_idx ON capability_links (scope_type, scope_id, created_at DESC);

-- Each request made with a link, for the rate limit and the record of use.
CREATE TABLE capability_link_hits (
    link_id bigint NOT NULL REFERENCES capability_links (id),
    at      timestamptz NOT NULL DEFAULT now(),
    method  text NOT NULL
);
CREATE INDEX capability_link_hits_idx ON capability_link_hits (link_id, at);

-- +goose Down
DROP TABLE capability_link_hits;
DROP TABLE capability_links;
