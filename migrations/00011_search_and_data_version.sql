-- +goose Up
-- Search indexes and the data version.
--
-- Trigram indexes for the lists' "contains" searches (ILIKE '%…%'), which
-- otherwise read every row: homes by plot, address and postcode, and
-- developments by name, on a council with 50,000 homes. pg_trgm ships
-- with PostgreSQL and is a trusted extension, so the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX homes_plot_trgm_idx ON homes USING gin (plot gin_trgm_ops);
CREATE INDEX homes_address_trgm_idx ON homes USING gin (address gin_trgm_ops);
CREATE INDEX homes_postcode_trgm_idx ON homes USING gin ((replace(postcode, ' ', '')) gin_trgm_ops);
CREATE INDEX developments_name_trgm_idx ON developments USING gin (name gin_trgm_ops);

-- The contribution-purpose codelist includes four Community Infrastructure
-- Levy purposes (migration 00008). They stay for reading the standard's
-- data, but a section 106 obligation or project cannot use them.
ALTER TABLE contribution_purposes ADD COLUMN levy boolean NOT NULL DEFAULT false;
UPDATE contribution_purposes SET levy = true WHERE code IN
    ('cil-administration-costs', 'community-infrastructure-levy',
     'mayoral-community-infrastructure-levy', 'neighbourhood-community-infrastructure-levy');

-- A number that goes up, in commit order, whenever data the pages show
-- changes: every user change writes audit_events in its transaction, and
-- the three ledgers are written by bulk loads too. Read models built from
-- the whole ledger (dashboard, deadlines, statements, public pages) are
-- cached per value, so they are computed once per change, not per request.
-- The bump runs at commit (deferred) and the row stays locked until the
-- commit completes, so writers pass it one at a time at the very end and a
-- reader never sees a new number before the change it stands for. Ids
-- (max(id)) would not do: a transaction that began first may commit last
-- with a smaller id. Everything else a writer locks (obligations, homes)
-- it locks before commit, so waiting here cannot deadlock.
CREATE TABLE data_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL,
    changed_at timestamptz NOT NULL
);
INSERT INTO data_version (version, changed_at) VALUES (1, now());

-- +goose StatementBegin
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = clock_timestamp();
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER audit_events_data_version AFTER INSERT ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER ledger_entries_data_version AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER obligation_events_data_version AFTER INSERT ON obligation_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();
CREATE CONSTRAINT TRIGGER home_events_data_version AFTER INSERT ON home_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_data_version();

-- +goose Down
DROP TRIGGER home_events_data_version ON home_events;
DROP TRIGGER obligation_events_data_version ON obligation_events;
DROP TRIGGER ledger_entries_data_version ON ledger_entries;
DROP TRIGGER audit_events_data_version ON audit_events;
DROP FUNCTION bump_data_version();
DROP TABLE data_version;
ALTER TABLE contribution_purposes DROP COLUMN levy;
DROP INDEX developments_name_trgm_idx;
DROP INDEX homes_postcode_trgm_idx;
DROP INDEX homes_address_trgm_idx;
DROP INDEX homes_plot_trgm_idx;
