-- Uploaded register files waiting between the import's preview and its
-- confirmation (issue 22, item 5). The preview page carries only a random
-- token; the files stay here, in the database every app instance shares,
-- bound to the officer and the session that uploaded them, until they are
-- imported or expire. Only the token's SHA-256 is stored.

-- +goose Up
CREATE TABLE import_uploads (
    token_hash   bytea NOT NULL,
    position     integer NOT NULL,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_hash bytea NOT NULL,
    name         text NOT NULL,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (token_hash, position)
);
CREATE INDEX import_uploads_expires_idx ON import_uploads (expires_at);

-- +goose Down
DROP TABLE import_uploads;
