-- +goose Up
-- Residents' e-mail subscriptions (issue 25, item 4): a weekly digest of
-- a development's or a ward's changes, with no account. Double opt-in: a
-- subscription sends nothing but its confirmation e-mail until the link
-- in it is used. Like capability links, tokens are stored only as their
-- SHA-256 hashes. Each digest carries a fresh unsubscribe token (the raw
-- token cannot be recovered from its hash to be sent again), and every
-- one of them unsubscribes.
CREATE TABLE subscriptions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL CHECK (email = lower(btrim(email)) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    development_id     bigint REFERENCES developments (id),
    ward               text CHECK (btrim(ward) <> ''),
    CHECK ((development_id IS NULL) <> (ward IS NULL)),
    confirm_token_hash bytea NOT NULL UNIQUE CHECK (length(confirm_token_hash) = 32),
    created_at         timestamptz NOT NULL,
    confirmed_at       timestamptz,
    unsubscribed_at    timestamptz,
    -- Changes recorded up to here have been sent (or the subscription
    -- was confirmed then); the next digest starts after it.
    digest_from        timestamptz,
    CHECK (confirmed_at IS NULL OR confirmed_at >= created_at),
    CHECK ((confirmed_at IS NULL) = (digest_from IS NULL))
);
-- One live subscription per address and subject.
CREATE UNIQUE INDEX subscriptions_live_idx ON subscriptions (email, coalesce(development_id, 0), lower(coalesce(ward, '')))
    WHERE unsubscribed_at IS NULL;
CREATE INDEX subscriptions_due_idx ON subscriptions (digest_from) WHERE confirmed_at IS NOT NULL AND unsubscribed_at IS NULL;

CREATE TABLE subscription_unsubscribe_tokens (
    token_hash      bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    subscription_id bigint NOT NULL REFERENCES subscriptions (id),
    created_at      timestamptz NOT NULL
);
CREATE INDEX subscription_unsubscribe_tokens_sub_idx ON subscription_unsubscribe_tokens (subscription_id);

-- The one-click unsubscribe address sent in the List-Unsubscribe header.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN list_unsubscribe;
DROP TABLE subscription_unsubscribe_tokens;
DROP TABLE subscriptions;
