-- +goose Up
-- Affordable homes, one by one: registered providers, the agreed mix of an
-- affordable-housing obligation, every home with its UPRN, and each home's
-- append-only life events from which its state and tenure are derived.

CREATE TABLE registered_providers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    -- Regulator of Social Housing registration number, e.g. 4567 or L0123.
    rsh_number    text NOT NULL DEFAULT '' CHECK (rsh_number ~ '^([A-Z]{0,2}[0-9]{1,6})?$'),
    contact_name  text NOT NULL DEFAULT '',
    contact_email text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    archived_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX registered_providers_name_key ON registered_providers (lower(name));
CREATE UNIQUE INDEX registered_providers_rsh_key ON registered_providers (rsh_number) WHERE rsh_number <> '';

-- Tenures, as a CHECK list shared by the tables below.
-- social-rent, london-affordable-rent, affordable-rent, london-living-rent,
-- intermediate-rent, shared-ownership, first-homes, discount-market-sale,
-- other-intermediate, market.

-- What an affordable-housing obligation secured.
CREATE TABLE affordable_mixes (
    obligation_id            bigint PRIMARY KEY REFERENCES obligations (id),
    affordable_homes         integer CHECK (affordable_homes >= 0),
    affordable_percent       numeric(5,2) CHECK (affordable_percent > 0 AND affordable_percent <= 100),
    percent_basis            text NOT NULL DEFAULT 'units' CHECK (percent_basis IN ('units', 'habitable-rooms')),
    registered_provider_id   bigint REFERENCES registered_providers (id),
    delivery_trigger         text NOT NULL DEFAULT '',
    -- "No more than N% of market homes occupied until every affordable home
    -- is transferred": N, or NULL when the deed has no such trigger.
    market_occupation_limit  integer CHECK (market_occupation_limit BETWEEN 0 AND 100),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    version                  integer NOT NULL DEFAULT 1
);

CREATE TABLE affordable_mix_lines (
    obligation_id    bigint NOT NULL REFERENCES affordable_mixes (obligation_id),
    tenure           text NOT NULL CHECK (tenure IN ('social-rent', 'london-affordable-rent', 'affordable-rent',
                     'london-living-rent', 'intermediate-rent', 'shared-ownership', 'first-homes',
                     'discount-market-sale', 'other-intermediate', 'market')),
    bedrooms         integer NOT NULL CHECK (bedrooms BETWEEN 0 AND 10),
    homes            integer NOT NULL CHECK (homes > 0),
    wheelchair_homes integer NOT NULL DEFAULT 0 CHECK (wheelchair_homes >= 0 AND wheelchair_homes <= homes),
    habitable_rooms  integer CHECK (habitable_rooms > 0),
    PRIMARY KEY (obligation_id, tenure, bedrooms)
);

-- Every dwelling of a development: affordable (delivering an obligation)
-- and, where known, market.
CREATE TABLE homes (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    development_id         bigint NOT NULL REFERENCES developments (id),
    obligation_id          bigint REFERENCES obligations (id),
    plot                   text NOT NULL CHECK (btrim(plot) <> ''),
    tenure                 text NOT NULL CHECK (tenure IN ('social-rent', 'london-affordable-rent', 'affordable-rent',
                           'london-living-rent', 'intermediate-rent', 'shared-ownership', 'first-homes',
                           'discount-market-sale', 'other-intermediate', 'market')),
    bedrooms               integer NOT NULL CHECK (bedrooms BETWEEN 0 AND 10),
    habitable_rooms        integer CHECK (habitable_rooms BETWEEN 1 AND 20),
    floor_area_m2          numeric(7,2) CHECK (floor_area_m2 > 0),
    wheelchair             text NOT NULL DEFAULT 'none' CHECK (wheelchair IN ('none', 'm4-2', 'm4-3')),
    floor_block            text NOT NULL DEFAULT '',
    registered_provider_id bigint REFERENCES registered_providers (id),
    address                text NOT NULL DEFAULT '',
    postcode               text NOT NULL DEFAULT '',
    -- Unique Property Reference Number: digits only, 1 to 12 of them.
    uprn                   text CHECK (uprn ~ '^[0-9]{1,12}$'),
    archived_at            timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1,
    -- A market home delivers no affordable-housing obligation.
    CHECK (tenure <> 'market' OR obligation_id IS NULL)
);
-- UPRNs compare as numbers: 00123 and 123 are the same property.
CREATE UNIQUE INDEX homes_uprn_key ON homes ((uprn::bigint)) WHERE uprn IS NOT NULL;
CREATE UNIQUE INDEX homes_plot_key ON homes (development_id, lower(plot));
CREATE INDEX homes_obligation_idx ON homes (obligation_id);
CREATE INDEX homes_provider_idx ON homes (registered_provider_id);
CREATE INDEX homes_postcode_idx ON homes (postcode);

-- +goose StatementBegin
-- A home's obligation must be an affordable-housing obligation of an
-- agreement for the home's own development.
CREATE FUNCTION check_home_obligation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.obligation_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM obligations o JOIN agreements a ON a.id = o.agreement_id
        WHERE o.id = NEW.obligation_id AND o.kind = 'affordable-housing' AND a.development_id = NEW.development_id
    ) THEN
        RAISE EXCEPTION 'a home can only deliver an affordable-housing obligation of its own development'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_obligation_of_development';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER homes_obligation_check
    BEFORE INSERT OR UPDATE ON homes
    FOR EACH ROW EXECUTE FUNCTION check_home_obligation();

CREATE TABLE home_events (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id                bigint NOT NULL REFERENCES homes (id),
    kind                   text NOT NULL CHECK (kind IN ('started', 'completed', 'transferred', 'occupied', 'tenure-changed',
                           'right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market',
                           'other-exit', 'reversal')),
    event_date             date NOT NULL,
    new_tenure             text CHECK (new_tenure IN ('social-rent', 'london-affordable-rent', 'affordable-rent',
                           'london-living-rent', 'intermediate-rent', 'shared-ownership', 'first-homes',
                           'discount-market-sale', 'other-intermediate', 'market')),
    registered_provider_id bigint REFERENCES registered_providers (id),
    evidence               text NOT NULL DEFAULT '',
    note                   text NOT NULL DEFAULT '',
    reverses_id            bigint UNIQUE REFERENCES home_events (id),
    recorded_by            bigint REFERENCES users (id),
    recorded_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    CHECK ((kind = 'tenure-changed') = (new_tenure IS NOT NULL)),
    CHECK (kind <> 'transferred' OR registered_provider_id IS NOT NULL),
    CHECK (kind NOT IN ('reversal', 'tenure-changed', 'other-exit') OR btrim(note) <> '')
);
CREATE INDEX home_events_home_idx ON home_events (home_id, event_date, id);

CREATE TRIGGER home_events_append_only
    BEFORE UPDATE OR DELETE ON home_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose StatementBegin
-- A home is completed only with a UPRN; a reversal names an event of the
-- same home that is not itself a reversal.
CREATE FUNCTION check_home_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target home_events%ROWTYPE;
BEGIN
    IF NEW.kind = 'completed' AND EXISTS (SELECT 1 FROM homes WHERE id = NEW.home_id AND uprn IS NULL) THEN
        RAISE EXCEPTION 'a home needs its UPRN before it can be marked completed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_completed_needs_uprn';
    END IF;
    IF NEW.reverses_id IS NOT NULL THEN
        SELECT * INTO target FROM home_events WHERE id = NEW.reverses_id;
        IF target.home_id <> NEW.home_id OR target.kind = 'reversal' THEN
            RAISE EXCEPTION 'a reversal must name an event of the same home that is not a reversal'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'home_event_reversal';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER home_events_check
    BEFORE INSERT ON home_events
    FOR EACH ROW EXECUTE FUNCTION check_home_event();

-- A home with a completed event cannot lose its UPRN.
-- +goose StatementBegin
CREATE FUNCTION check_home_uprn_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.uprn IS NULL AND OLD.uprn IS NOT NULL AND EXISTS (
        SELECT 1 FROM home_events e WHERE e.home_id = NEW.id AND e.kind = 'completed'
          AND NOT EXISTS (SELECT 1 FROM home_events r WHERE r.reverses_id = e.id)
    ) THEN
        RAISE EXCEPTION 'a completed home must keep its UPRN'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'home_completed_needs_uprn';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER homes_uprn_kept
    BEFORE UPDATE ON homes
    FOR EACH ROW EXECUTE FUNCTION check_home_uprn_kept();

CREATE VIEW home_events_effective AS
SELECT e.*
FROM home_events e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM home_events r WHERE r.reverses_id = e.id);

-- A home's current state and tenure, derived from its standing events.
-- State: left-stock if it has an exit; else the furthest of occupied,
-- transferred, completed, started; else secured. Tenure: the newest
-- tenure change, else the tenure it was secured as.
CREATE VIEW home_state AS
WITH ev AS (
    SELECT h.id AS home_id,
           max(e.event_date) FILTER (WHERE e.kind = 'started')     AS started_on,
           max(e.event_date) FILTER (WHERE e.kind = 'completed')   AS completed_on,
           max(e.event_date) FILTER (WHERE e.kind = 'transferred') AS transferred_on,
           max(e.event_date) FILTER (WHERE e.kind = 'occupied')    AS occupied_on,
           (array_agg(e.kind ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind IN
               ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')))[1] AS exit_route,
           max(e.event_date) FILTER (WHERE e.kind IN
               ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')) AS exited_on,
           (array_agg(e.new_tenure ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'tenure-changed'))[1] AS changed_tenure,
           (array_agg(e.registered_provider_id ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'transferred'))[1] AS transferred_to
    FROM homes h
    LEFT JOIN home_events_effective e ON e.home_id = h.id
    GROUP BY h.id
)
SELECT ev.home_id, ev.started_on, ev.completed_on, ev.transferred_on, ev.occupied_on, ev.exit_route, ev.exited_on,
       coalesce(ev.changed_tenure, h.tenure) AS current_tenure,
       coalesce(ev.transferred_to, h.registered_provider_id) AS current_provider_id,
       CASE
           WHEN ev.exit_route IS NOT NULL THEN 'left-stock'
           WHEN ev.occupied_on IS NOT NULL THEN 'occupied'
           WHEN ev.transferred_on IS NOT NULL THEN 'transferred'
           WHEN ev.completed_on IS NOT NULL THEN 'completed'
           WHEN ev.started_on IS NOT NULL THEN 'started'
           ELSE 'secured'
       END AS state
FROM ev JOIN homes h ON h.id = ev.home_id;

-- The housing team's sign-off that an obligation's delivered homes match
-- what was agreed. It stands only while no home of the obligation (or
-- its events) changed after it: see housing_verification_status.
CREATE TABLE housing_verifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    verified_by   bigint NOT NULL REFERENCES users (id),
    verified_at   timestamptz NOT NULL DEFAULT now(),
    comment       text NOT NULL DEFAULT ''
);
CREATE INDEX housing_verifications_obligation_idx ON housing_verifications (obligation_id, verified_at DESC);

CREATE TRIGGER housing_verifications_append_only
    BEFORE UPDATE OR DELETE ON housing_verifications
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE housing_verifications;
DROP VIEW home_state;
DROP VIEW home_events_effective;
DROP TABLE home_events;
DROP FUNCTION check_home_event();
DROP TABLE homes;
DROP FUNCTION check_home_uprn_kept();
DROP FUNCTION check_home_obligation();
DROP TABLE affordable_mix_lines;
DROP TABLE affordable_mixes;
DROP TABLE registered_providers;
