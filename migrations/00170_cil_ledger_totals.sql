-- The levy's kept totals (issue 20, item 4): what each pot (admin,
-- neighbourhood per parish, strategic, mayor) and each project's share of
-- a pot holds, kept from cil_ledger_entries and cil_receipt_portions.
-- Their live definition, with the triggers that keep them, the rules that
-- guard them and the drift view, is internal/store/schema/84_cil_ledger.sql
-- (re-applied after every migrate); this migration makes the tables as
-- that file first stood and, on the way down, removes them and what the
-- file made, so the schema can go down past 00160 and 00003 (projects).

-- +goose Up
CREATE TABLE cil_pot_totals (
    pot         text NOT NULL,
    parish_code text NOT NULL DEFAULT '',
    received    numeric NOT NULL DEFAULT 0,
    passed      numeric NOT NULL DEFAULT 0,
    recovered   numeric NOT NULL DEFAULT 0,
    applied     numeric NOT NULL DEFAULT 0,
    repaid      numeric NOT NULL DEFAULT 0,
    allocated   numeric NOT NULL DEFAULT 0,
    spent       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (pot, parish_code)
);

CREATE TABLE cil_project_totals (
    project_id  bigint NOT NULL REFERENCES projects (id),
    pot         text NOT NULL,
    parish_code text NOT NULL DEFAULT '',
    allocated   numeric NOT NULL DEFAULT 0,
    spent       numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, pot, parish_code)
);

-- +goose Down
DROP TABLE IF EXISTS cil_project_totals, cil_pot_totals CASCADE;
DROP VIEW IF EXISTS cil_totals_drift, cil_parish_dues, cil_pot_totals_computed, cil_project_totals_computed, cil_pot_movements;
DROP TRIGGER IF EXISTS cil_ledger_entries_totals ON cil_ledger_entries;
DROP TRIGGER IF EXISTS cil_receipt_portions_totals ON cil_receipt_portions;
DROP TRIGGER IF EXISTS cil_ledger_entries_check ON cil_ledger_entries;
DROP TRIGGER IF EXISTS cil_ledger_entries_portions_rule ON cil_ledger_entries;
DROP TRIGGER IF EXISTS cil_receipt_portions_rule ON cil_receipt_portions;
DROP TRIGGER IF EXISTS cil_receipt_instalments_rule ON cil_receipt_instalments;
DROP TRIGGER IF EXISTS cil_ledger_entries_repaid_rule ON cil_ledger_entries;
DROP FUNCTION IF EXISTS cil_check_pot_totals(), cil_check_project_totals(), refresh_cil_ledger_totals(), cil_check_development_repaid(), cil_check_receipt_instalments(),
    cil_check_receipt_portions(), cil_check_entry(), cil_receipt_portions_move_totals(), cil_ledger_entries_move_totals(),
    cil_move_project_totals(bigint[], integer), cil_move_pot_totals(bigint[], integer);
