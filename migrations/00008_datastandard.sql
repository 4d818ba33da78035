-- +goose Up
-- The government developer-contributions data standard (MHCLG / digital-land):
-- its codelists, seeded with the published values, and how our agreement
-- types and ledger entry kinds map onto them for the export.
--
-- Sources (public GitHub, as stored when this was written):
--   developer-agreement-type:  digital-land/developer-contributions-collection
--     data/developer-agreement-type.csv @ 37f505447af17a66e6b5b4255cb526cf81e246cc
--   contribution-purpose:      digital-land/developer-contributions-collection
--     data/contribution-purpose.csv @ bcf2f91e8c2f1ba2055c59d37fe52497dd0f5006
--   contribution-funding-status: digital-land/developer-contributions-collection
--     pipeline/lookup.csv @ 38599e21de3cac0e007d5840fedf75b06c60d09f (the
--     prefix "contribution-funding-status" rows: secured, received, allocated,
--     transferred, spent = entities 16900000-16900004). No published names were
--     found; the names below are the codes capitalised, as the same
--     repository's pipeline/patch.csv spells them ("Secured", "Received",
--     "Allocated", "Spent").
--   Field lists: digital-land/specification content/dataset/developer-agreement*.md
--     @ 08839edc7223613c96b1451cfd0855c66e4f65e2.

CREATE TABLE developer_agreement_types (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name       text NOT NULL CHECK (btrim(name) <> ''),
    start_date date,
    end_date   date
);
INSERT INTO developer_agreement_types (code, name, start_date) VALUES
    ('section-106', 'Section 106', '2018-12-04'),
    ('community-infrastructure-levy', 'Community infrastructure levy', '2018-12-04'),
    ('section-278', 'Section 278', '2019-08-30');

CREATE TABLE contribution_funding_statuses (
    code text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name text NOT NULL CHECK (btrim(name) <> '')
);
INSERT INTO contribution_funding_statuses (code, name) VALUES
    ('secured', 'Secured'),
    ('received', 'Received'),
    ('allocated', 'Allocated'),
    ('transferred', 'Transferred'),
    ('spent', 'Spent');

-- contribution_purposes (migration 00002) holds the contribution-purpose
-- codelist. It matched the published list's current codes except for the four
-- Community Infrastructure Levy purposes, added here. The published list's
-- retired codes (flood, open-space, transport: all have an end-date) are not
-- added. These four are levy purposes: a section 106 obligation should not
-- normally use them.
INSERT INTO contribution_purposes (code, name, national) VALUES
    ('cil-administration-costs', 'CIL administration costs', true),
    ('community-infrastructure-levy', 'Community infrastructure levy', true),
    ('mayoral-community-infrastructure-levy', 'Mayoral Community Infrastructure Levy', true),
    ('neighbourhood-community-infrastructure-levy', 'Neighbourhood Community Infrastructure Levy', true)
ON CONFLICT (code) DO NOTHING;

-- Our agreement types as the standard's developer-agreement-type: unilateral
-- undertakings and deeds of variation are planning obligations under
-- section 106, so they are reported as section-106.
CREATE TABLE data_standard_agreement_types (
    agreement_type           text PRIMARY KEY,
    developer_agreement_type text NOT NULL REFERENCES developer_agreement_types (code)
);
INSERT INTO data_standard_agreement_types (agreement_type, developer_agreement_type) VALUES
    ('section-106', 'section-106'),
    ('unilateral-undertaking', 'section-106'),
    ('deed-of-variation', 'section-106'),
    ('section-278', 'section-278');

-- Ledger entry kinds as transactions. The codelist has no status for money
-- going back out, so a de-allocation is an "allocated" transaction with a
-- negative amount and a return to the developer a "received" one with a
-- negative amount (sign = -1): summing a status's amounts gives the net
-- figure. Invoices (a demand, not money) and reversals (they, and the entries
-- they reverse, are left out) are not exported.
CREATE TABLE data_standard_entry_kinds (
    kind           text PRIMARY KEY CHECK (kind IN ('receipt', 'allocation', 'deallocation', 'spend', 'return')),
    funding_status text NOT NULL REFERENCES contribution_funding_statuses (code),
    sign           smallint NOT NULL CHECK (sign IN (1, -1))
);
INSERT INTO data_standard_entry_kinds (kind, funding_status, sign) VALUES
    ('receipt', 'received', 1),
    ('return', 'received', -1),
    ('allocation', 'allocated', 1),
    ('deallocation', 'allocated', -1),
    ('spend', 'spent', 1);

-- For the year filter on transactions.
CREATE INDEX ledger_entries_entry_date_idx ON ledger_entries (entry_date);

-- +goose Down
DROP INDEX ledger_entries_entry_date_idx;
DROP TABLE data_standard_entry_kinds;
DROP TABLE data_standard_agreement_types;
DELETE FROM contribution_purposes WHERE code IN
    ('cil-administration-costs', 'community-infrastructure-levy',
     'mayoral-community-infrastructure-levy', 'neighbourhood-community-infrastructure-levy');
DROP TABLE contribution_funding_statuses;
DROP TABLE developer_agreement_types;
