-- +goose Up
-- What developers and providers send through their links waits here as a
-- pending change until a housing officer accepts or rejects it with a
-- reason; only acceptance changes the register.
CREATE TABLE pending_changes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id        bigint NOT NULL REFERENCES capability_links (id),
    -- home-details (developer: a plot's address, UPRN, provider,
    -- completion), occupation-count (developer), provider-confirmation
    -- (provider: its reference, transfer, first let, tenure, rent).
    kind           text NOT NULL CHECK (kind IN ('home-details', 'occupation-count', 'provider-confirmation')),
    development_id bigint NOT NULL REFERENCES developments (id),
    home_id        bigint REFERENCES homes (id),
    proposed       jsonb NOT NULL,
    holder_name    text NOT NULL,
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
    decided_by     bigint REFERENCES users (id),
    decided_at     timestamptz,
    reason         text NOT NULL DEFAULT '',
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'rejected' OR btrim(reason) <> ''),
    CHECK ((kind = 'occupation-count') = (home_id IS NULL))
);
CREATE INDEX pending_changes_status_idx ON pending_changes (status, submitted_at);
CREATE INDEX pending_changes_development_idx ON pending_changes (development_id, submitted_at DESC);
CREATE INDEX pending_changes_home_idx ON pending_changes (home_id);

-- What a provider confirms about a home it holds.
ALTER TABLE homes
    ADD COLUMN provider_reference text NOT NULL DEFAULT '',
    ADD COLUMN weekly_rent numeric(8,2) CHECK (weekly_rent >= 0);

-- +goose Down
ALTER TABLE homes DROP COLUMN weekly_rent, DROP COLUMN provider_reference;
DROP TABLE pending_changes;
