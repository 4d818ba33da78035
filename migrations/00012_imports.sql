-- +goose Up
-- Moving in and out: stable references so a re-imported file updates the
-- same records instead of duplicating them, the saved column and value
-- mappings officers reuse, and a record of every import run with its files'
-- names and checksums.

ALTER TABLE developments   ADD COLUMN import_ref text;
ALTER TABLE obligations    ADD COLUMN import_ref text;
ALTER TABLE receipts       ADD COLUMN import_ref text;
ALTER TABLE ledger_entries ADD COLUMN import_ref text;
CREATE UNIQUE INDEX developments_import_ref_key   ON developments (upper(import_ref)) WHERE import_ref IS NOT NULL;
CREATE UNIQUE INDEX obligations_import_ref_key    ON obligations (upper(import_ref)) WHERE import_ref IS NOT NULL;
CREATE UNIQUE INDEX receipts_import_ref_key       ON receipts (upper(import_ref)) WHERE import_ref IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_import_ref_key ON ledger_entries (upper(import_ref)) WHERE import_ref IS NOT NULL;

CREATE TABLE import_mappings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    -- {"columns": {"obligations": {"heading": "field"}}, "values": {"purpose": {"school": "education"}}}
    mapping    jsonb NOT NULL DEFAULT '{}',
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX import_mappings_name_key ON import_mappings (lower(name));

CREATE TABLE import_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- [{"name": "agreements.csv", "sha256": "…", "rows": 12}]
    files       jsonb NOT NULL,
    created     integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated     integer NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged   integer NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    warnings    integer NOT NULL DEFAULT 0 CHECK (warnings >= 0),
    actor_id    bigint REFERENCES users (id),
    actor_label text NOT NULL,
    ran_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER import_runs_append_only
    BEFORE UPDATE OR DELETE ON import_runs
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE import_runs;
DROP TABLE import_mappings;
DROP INDEX ledger_entries_import_ref_key;
DROP INDEX receipts_import_ref_key;
DROP INDEX obligations_import_ref_key;
DROP INDEX developments_import_ref_key;
ALTER TABLE ledger_entries DROP COLUMN import_ref;
ALTER TABLE receipts       DROP COLUMN import_ref;
ALTER TABLE obligations    DROP COLUMN import_ref;
ALTER TABLE developments   DROP COLUMN import_ref;
