-- +goose Up
-- Annual provider returns: once a year the housing team asks each
-- registered provider, through a link, to confirm every home it holds from
-- planning agreements is still let at an affordable tenure, or to report
-- how and when it left the affordable stock. A tracker shows who has
-- returned; reminders go by e-mail; reported exits wait, like any answer
-- through a link, for a housing officer to accept them into lost stock.
CREATE TABLE provider_returns (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The financial year it covers (2025 = April 2025 to March 2026).
    year      integer NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
    due_on    date NOT NULL,
    opened_by bigint REFERENCES users (id),
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz
);

-- Each provider asked, and how far it has got.
CREATE TABLE provider_return_requests (
    return_id        bigint NOT NULL REFERENCES provider_returns (id),
    provider_id      bigint NOT NULL REFERENCES registered_providers (id),
    -- The link last sent (a reminder sends a fresh one: tokens are never kept).
    link_id          bigint REFERENCES capability_links (id),
    homes            integer NOT NULL CHECK (homes >= 0),
    sent_at          timestamptz,
    reminders        integer NOT NULL DEFAULT 0,
    last_reminded_at timestamptz,
    completed_at     timestamptz,
    PRIMARY KEY (return_id, provider_id)
);

-- A provider's answer for one home. The latest answer stands.
CREATE TABLE provider_return_answers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id   bigint NOT NULL REFERENCES provider_returns (id),
    provider_id bigint NOT NULL REFERENCES registered_providers (id),
    home_id     bigint NOT NULL REFERENCES homes (id),
    answer      text NOT NULL CHECK (answer IN ('affordable', 'exited')),
    exit_route  text CHECK (exit_route IN ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')),
    exited_on   date,
    link_id     bigint REFERENCES capability_links (id),
    answered_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((answer = 'exited') = (exit_route IS NOT NULL AND exited_on IS NOT NULL))
);
CREATE INDEX provider_return_answers_idx ON provider_return_answers (return_id, provider_id, home_id, answered_at DESC);

-- An exit reported in a return is a pending change like the others.
ALTER TABLE pending_changes DROP CONSTRAINT pending_changes_kind_check;
ALTER TABLE pending_changes ADD CONSTRAINT pending_changes_kind_check
    CHECK (kind IN ('home-details', 'occupation-count', 'provider-confirmation', 'return-exit'));

-- +goose Down
ALTER TABLE pending_changes DROP CONSTRAINT pending_changes_kind_check;
ALTER TABLE pending_changes ADD CONSTRAINT pending_changes_kind_check
    CHECK (kind IN ('home-details', 'occupation-count', 'provider-confirmation'));
DROP TABLE provider_return_answers;
DROP TABLE provider_return_requests;
DROP TABLE provider_returns;
