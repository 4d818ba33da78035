-- +goose Up
-- Foundation: users and roles, sessions (scs), login throttling, audit trail.

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text        NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    name            text        NOT NULL CHECK (btrim(name) <> ''),
    password_hash   text        NOT NULL,
    roles           text[]      NOT NULL DEFAULT '{}'
                    CHECK (roles <@ ARRAY['admin','officer','housing','manager','viewer']::text[]),
    must_change_password boolean NOT NULL DEFAULT false,
    disabled_at     timestamptz,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- version supports optimistic locking: every UPDATE must name the
    -- version it read and bump it.
    version         integer     NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Sessions, in the schema alexedwards/scs/pgxstore expects.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins per e-mail address, whether or not a user has that address,
-- so a lockout reveals nothing about which addresses exist.
CREATE TABLE login_throttle (
    email           text PRIMARY KEY,
    failures        integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz
);

-- The audit trail: one row per change made by a person or a process.
-- Append-only: the trigger below refuses UPDATE and DELETE.
CREATE TABLE audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id),
    actor_label  text        NOT NULL,
    action       text        NOT NULL CHECK (action <> ''),
    entity_type  text        NOT NULL CHECK (entity_type <> ''),
    entity_id    text        NOT NULL,
    summary      text        NOT NULL DEFAULT '',
    before       jsonb,
    after        jsonb,
    request_id   text        NOT NULL DEFAULT '',
    remote_addr  text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION refuse_change();
DROP TABLE login_throttle;
DROP TABLE sessions;
DROP TABLE users;
