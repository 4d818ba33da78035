-- +goose Up
-- Each session row names its user (issue 17, item 2), so a password
-- change, an administrator's reset, disabling a user or "sign out
-- everywhere" can end every other session of that user on the server, and
-- the user's page can list them. session_generation is kept in each
-- session too: a session whose generation is older than the user's is
-- ended at its next request even if a request in flight saved it again.
ALTER TABLE sessions
    ADD COLUMN user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN signed_in_at timestamptz,
    ADD COLUMN remote_addr  text NOT NULL DEFAULT '',
    ADD COLUMN user_agent   text NOT NULL DEFAULT '';
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE user_id IS NOT NULL;

ALTER TABLE users ADD COLUMN session_generation integer NOT NULL DEFAULT 1;

-- Failed sign-ins are counted per address AND per client (IP address), so
-- an attacker elsewhere cannot lock a user out (item 4).
ALTER TABLE login_throttle ADD COLUMN client text NOT NULL DEFAULT '';
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_pkey;
ALTER TABLE login_throttle ADD PRIMARY KEY (email, client);

-- +goose Down
DELETE FROM login_throttle WHERE client <> '';
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_pkey;
ALTER TABLE login_throttle ADD PRIMARY KEY (email);
ALTER TABLE login_throttle DROP COLUMN client;
ALTER TABLE users DROP COLUMN session_generation;
DROP INDEX sessions_user_idx;
ALTER TABLE sessions DROP COLUMN user_id, DROP COLUMN signed_in_at, DROP COLUMN remote_addr, DROP COLUMN user_agent;
