-- +goose Up
-- The agreement register: developments, planning applications, agreements
-- with their parties, and obligations with their terms. An obligation's
-- status is never stored: obligation_status derives it from events.

-- Reference data ---------------------------------------------------------

-- The government developer-contributions data standard's
-- contribution-purpose codelist, plus local sub-purposes that each map to
-- one national code (parent_code) so national reporting still works.
CREATE TABLE contribution_purposes (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    parent_code text REFERENCES contribution_purposes (code),
    national    boolean NOT NULL DEFAULT false,
    CHECK (national = (parent_code IS NULL))
);
INSERT INTO contribution_purposes (code, name, national) VALUES
    ('affordable-housing', 'Affordable housing', true),
    ('bonds', 'Bonds', true),
    ('community-facilities', 'Community facilities', true),
    ('digital-infrastructure', 'Digital infrastructure', true),
    ('economic-development', 'Economic development', true),
    ('education', 'Education', true),
    ('flood-and-water-management', 'Flood and water management', true),
    ('green-infrastructure', 'Green infrastructure', true),
    ('health', 'Health', true),
    ('highways', 'Highways', true),
    ('land', 'Land', true),
    ('monitoring-fees', 'Monitoring fees', true),
    ('open-space-and-leisure', 'Open space and leisure', true),
    ('transport-and-travel', 'Transport and travel', true),
    ('other', 'Other', true);

-- Index series used to index-link contributions; their values arrive with
-- the ledger. 'none' is not a series: an obligation says index_series
-- IS NULL plus indexation_none = true when the deed has no indexation.
CREATE TABLE index_series (
    code text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name text NOT NULL
);
INSERT INTO index_series (code, name) VALUES
    ('rpi', 'RPI (Retail Prices Index, ONS CHAW)'),
    ('cpi', 'CPI (Consumer Prices Index, ONS D7BT)'),
    ('bcis-tpi', 'BCIS All-in Tender Price Index');

-- Developments -----------------------------------------------------------

CREATE TABLE developments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (btrim(name) <> ''),
    address        text NOT NULL DEFAULT '',
    postcode       text NOT NULL DEFAULT '',
    ward           text NOT NULL DEFAULT '',
    easting        integer CHECK (easting BETWEEN 0 AND 700000),
    northing       integer CHECK (northing BETWEEN 0 AND 1300000),
    latitude       numeric(8,6) CHECK (latitude BETWEEN 49 AND 61),
    longitude      numeric(9,6) CHECK (longitude BETWEEN -9 AND 2),
    homes_proposed integer CHECK (homes_proposed >= 0),
    notes          text NOT NULL DEFAULT '',
    archived_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1
);
CREATE INDEX developments_name_idx ON developments (lower(name));
CREATE INDEX developments_ward_idx ON developments (ward);
CREATE INDEX developments_postcode_idx ON developments (postcode);

CREATE TABLE planning_applications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    development_id bigint NOT NULL REFERENCES developments (id),
    reference      text NOT NULL CHECK (btrim(reference) <> ''),
    description    text NOT NULL DEFAULT '',
    decision_date  date,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX planning_applications_reference_key ON planning_applications (upper(reference));
CREATE INDEX planning_applications_development_idx ON planning_applications (development_id);

-- Agreements ------------------------------------------------------------

CREATE TABLE organisations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (btrim(name) <> ''),
    company_number text NOT NULL DEFAULT '' CHECK (company_number ~ '^([A-Z0-9]{8})?$'),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_number_key ON organisations (lower(name), company_number);

CREATE TABLE agreements (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference            text NOT NULL CHECK (btrim(reference) <> ''),
    development_id       bigint NOT NULL REFERENCES developments (id),
    -- developer-agreement-type from the data standard, plus unilateral
    -- undertakings and deeds of variation (reported as section-106).
    agreement_type       text NOT NULL CHECK (agreement_type IN
                         ('section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278')),
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN
                         ('draft', 'completed', 'live', 'discharged', 'superseded')),
    date_signed          date,
    deed_url             text NOT NULL DEFAULT '' CHECK (deed_url = '' OR deed_url ~ '^https?://'),
    responsible_officer_id bigint REFERENCES users (id),
    varies_agreement_id  bigint REFERENCES agreements (id),
    variation_summary    text NOT NULL DEFAULT '',
    notes                text NOT NULL DEFAULT '',
    archived_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    -- A deed of variation says which agreement it varies; nothing else does.
    CHECK ((agreement_type = 'deed-of-variation') = (varies_agreement_id IS NOT NULL)),
    CHECK (varies_agreement_id IS DISTINCT FROM id),
    -- Only a draft may lack its signing date.
    CHECK (status = 'draft' OR date_signed IS NOT NULL)
);
CREATE UNIQUE INDEX agreements_reference_key ON agreements (upper(reference));
CREATE INDEX agreements_development_idx ON agreements (development_id);
CREATE INDEX agreements_status_idx ON agreements (status);
CREATE INDEX agreements_signed_idx ON agreements (date_signed);
CREATE INDEX agreements_officer_idx ON agreements (responsible_officer_id);
CREATE INDEX agreements_varies_idx ON agreements (varies_agreement_id);

CREATE TABLE agreement_applications (
    agreement_id            bigint NOT NULL REFERENCES agreements (id),
    planning_application_id bigint NOT NULL REFERENCES planning_applications (id),
    PRIMARY KEY (agreement_id, planning_application_id)
);
CREATE INDEX agreement_applications_application_idx ON agreement_applications (planning_application_id);

CREATE TABLE agreement_parties (
    agreement_id    bigint NOT NULL REFERENCES agreements (id),
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    party_role      text NOT NULL CHECK (party_role IN ('owner', 'developer', 'mortgagee', 'other')),
    position        integer NOT NULL,
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_parties_organisation_idx ON agreement_parties (organisation_id);

-- Obligations -----------------------------------------------------------

CREATE TABLE obligations (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id      bigint NOT NULL REFERENCES agreements (id),
    kind              text NOT NULL CHECK (kind IN
                      ('financial', 'affordable-housing', 'works-in-kind', 'restriction', 'monitoring-fee', 'other')),
    purpose_code      text NOT NULL REFERENCES contribution_purposes (code),
    clause_ref        text NOT NULL DEFAULT '',
    description       text NOT NULL CHECK (btrim(description) <> ''),
    phase             text NOT NULL DEFAULT '',
    -- Trigger: what makes the obligation due.
    trigger_type      text CHECK (trigger_type IN
                      ('on-signing', 'commencement', 'occupation-count', 'occupation-percent',
                       'phase-completion', 'fixed-date', 'months-after-event', 'other')),
    trigger_quantity  integer CHECK (trigger_quantity > 0),
    trigger_date      date,
    trigger_detail    text NOT NULL DEFAULT '',
    CHECK (trigger_type NOT IN ('occupation-count', 'phase-completion', 'months-after-event') OR trigger_quantity IS NOT NULL),
    CHECK (trigger_type <> 'occupation-percent' OR trigger_quantity BETWEEN 1 AND 100),
    CHECK (trigger_type <> 'fixed-date' OR trigger_date IS NOT NULL),
    CHECK (trigger_type NOT IN ('other', 'months-after-event') OR btrim(trigger_detail) <> ''),
    -- Financial terms.
    base_amount       numeric(14,2) CHECK (base_amount > 0),
    index_series      text REFERENCES index_series (code),
    indexation_none   boolean NOT NULL DEFAULT false,
    base_date         date,
    base_index_value  numeric(12,4) CHECK (base_index_value > 0),
    payment_due_days  integer CHECK (payment_due_days >= 0),
    payment_due_from  text CHECK (payment_due_from IN ('trigger', 'invoice')),
    spend_by_months   integer CHECK (spend_by_months > 0),
    return_unspent    boolean NOT NULL DEFAULT false,
    interest_terms    text NOT NULL DEFAULT '',
    maintenance_sum   boolean NOT NULL DEFAULT false,
    CHECK (NOT (indexation_none AND index_series IS NOT NULL)),
    -- Non-monetary: what is to be delivered (for the IFS).
    units             integer CHECK (units > 0),
    school_places     integer CHECK (school_places > 0),
    school_category   text NOT NULL DEFAULT '' CHECK (school_category IN ('', 'early-years', 'primary', 'secondary', 'sixth-form', 'special', 'all-through')),
    open_space_m2     numeric(12,2) CHECK (open_space_m2 > 0),
    works_description text NOT NULL DEFAULT '',
    -- Who looks after it.
    service_area      text NOT NULL DEFAULT '',
    contact_name      text NOT NULL DEFAULT '',
    contact_email     text NOT NULL DEFAULT '',
    archived_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1
);
CREATE INDEX obligations_agreement_idx ON obligations (agreement_id);
CREATE INDEX obligations_purpose_idx ON obligations (purpose_code);
CREATE INDEX obligations_kind_idx ON obligations (kind);

-- A deed of variation records which obligations of the varied agreement it
-- changed, and how; the old terms stay in the obligation's audit history.
CREATE TABLE obligation_variations (
    variation_agreement_id bigint NOT NULL REFERENCES agreements (id),
    obligation_id          bigint NOT NULL REFERENCES obligations (id),
    change_summary         text NOT NULL CHECK (btrim(change_summary) <> ''),
    recorded_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (variation_agreement_id, obligation_id)
);
CREATE INDEX obligation_variations_obligation_idx ON obligation_variations (obligation_id);

-- Obligation events: dated facts about an obligation's life other than
-- money (the ledger adds money). Append-only: a mistake is corrected by a
-- reversal that names the event it reverses.
CREATE TABLE obligation_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    kind          text NOT NULL CHECK (kind IN ('trigger-met', 'delivered', 'discharged', 'reversal')),
    event_date    date NOT NULL,
    evidence      text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    reverses_id   bigint UNIQUE REFERENCES obligation_events (id),
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    CHECK (kind <> 'reversal' OR btrim(note) <> '')
);
CREATE INDEX obligation_events_obligation_idx ON obligation_events (obligation_id, event_date);

CREATE TRIGGER obligation_events_append_only
    BEFORE UPDATE OR DELETE ON obligation_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose StatementBegin
-- A reversal must name an event of the same obligation that is not itself
-- a reversal (a mistaken reversal is corrected by recording the event again).
CREATE FUNCTION check_obligation_reversal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target obligation_events%ROWTYPE;
BEGIN
    IF NEW.reverses_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO target FROM obligation_events WHERE id = NEW.reverses_id;
    IF target.obligation_id <> NEW.obligation_id THEN
        RAISE EXCEPTION 'a reversal must name an event of the same obligation' USING ERRCODE = 'check_violation';
    END IF;
    IF target.kind = 'reversal' THEN
        RAISE EXCEPTION 'a reversal cannot be reversed; record the event again' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER obligation_events_reversal_check
    BEFORE INSERT ON obligation_events
    FOR EACH ROW EXECUTE FUNCTION check_obligation_reversal();

-- Events that stand: not reversals, and not reversed.
CREATE VIEW obligation_events_effective AS
SELECT e.*
FROM obligation_events e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM obligation_events r WHERE r.reverses_id = e.id);

-- An obligation's derived status. The ledger extends this view with money
-- states (invoiced, part-paid, paid, allocated, part-spent, spent,
-- returned) between 'triggered' and 'discharged'.
CREATE VIEW obligation_status AS
SELECT o.id AS obligation_id,
       max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
       max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
       max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on,
       CASE
           WHEN bool_or(e.kind = 'discharged') THEN 'discharged'
           WHEN bool_or(e.kind = 'delivered')  THEN 'delivered'
           WHEN bool_or(e.kind = 'trigger-met') THEN 'triggered'
           ELSE 'pending'
       END AS status
FROM obligations o
LEFT JOIN obligation_events_effective e ON e.obligation_id = o.id
GROUP BY o.id;

-- +goose Down
DROP VIEW obligation_status;
DROP VIEW obligation_events_effective;
DROP TABLE obligation_events;
DROP FUNCTION check_obligation_reversal();
DROP TABLE obligation_variations;
DROP TABLE obligations;
DROP TABLE agreement_parties;
DROP TABLE agreement_applications;
DROP TABLE agreements;
DROP TABLE organisations;
DROP TABLE planning_applications;
DROP TABLE developments;
DROP TABLE index_series;
DROP TABLE contribution_purposes;
