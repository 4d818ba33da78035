-- +goose Up
-- Security events (issue 17, item 18), kept apart from the audit trail of
-- data changes: sign-in and sign-out, failures and lockouts, wrong current
-- passwords, CSRF refusals, 403s, rate limiting, locks cleared. They hold
-- what an anonymous visitor typed (a sign-in address), so only
-- administrators read them, and they are not in the register export.
CREATE TABLE security_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    user_id     bigint REFERENCES users (id),
    actor_label text        NOT NULL,
    event       text        NOT NULL CHECK (event <> ''),
    email       text        NOT NULL DEFAULT '',
    summary     text        NOT NULL DEFAULT '',
    method      text        NOT NULL DEFAULT '',
    path        text        NOT NULL DEFAULT '',
    remote_addr text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT ''
);
CREATE INDEX security_events_occurred_idx ON security_events (occurred_at DESC, id DESC);
CREATE INDEX security_events_user_idx ON security_events (user_id, occurred_at DESC) WHERE user_id IS NOT NULL;

CREATE TRIGGER security_events_append_only
    BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Append-only by permission too (migration 00040 explains).
REVOKE UPDATE, DELETE ON security_events FROM s106_app;

-- The sign-in events written to the audit trail before this migration
-- stay there (it is append-only); new ones go here.

-- +goose Down
DROP TABLE security_events;
