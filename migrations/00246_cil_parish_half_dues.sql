-- What each parish is due per half-year under regulation 59D, kept
-- (issue 22, item 1): the parishes list, each parish's page and the parish
-- payments page summed every neighbourhood portion of every standing
-- receipt (cil_parish_dues) for each parish on each request, ~35,000
-- portions at five times the large council. The view now reads these
-- few rows. The triggers that keep the table, the refresh and the drift
-- view are internal/store/schema/86_cil_parish_dues.sql (re-applied after
-- every migrate); this migration makes the table and fills it.

-- +goose Up
CREATE TABLE cil_parish_half_dues (
    parish_code  text NOT NULL REFERENCES cil_parishes (code),
    period_start date NOT NULL,
    portions     integer NOT NULL,
    due          numeric NOT NULL,
    PRIMARY KEY (parish_code, period_start)
);

INSERT INTO cil_parish_half_dues
SELECT p.parish_code,
       CASE WHEN extract(month FROM e.entry_date) BETWEEN 4 AND 9 THEN make_date(extract(year FROM e.entry_date)::int, 4, 1)
            WHEN extract(month FROM e.entry_date) >= 10 THEN make_date(extract(year FROM e.entry_date)::int, 10, 1)
            ELSE make_date(extract(year FROM e.entry_date)::int - 1, 10, 1) END,
       count(*)::int, sum(p.amount)
FROM cil_receipt_portions p
JOIN cil_ledger_entries e ON e.id = p.receipt_id AND e.kind <> 'reversal'
WHERE p.portion = 'neighbourhood'
  AND NOT EXISTS (SELECT 1 FROM cil_ledger_entries r WHERE r.reverses_id = e.id)
GROUP BY 1, 2;

-- +goose Down
DROP TRIGGER IF EXISTS cil_receipt_portions_half_dues ON cil_receipt_portions;
DROP TRIGGER IF EXISTS cil_ledger_entries_half_dues ON cil_ledger_entries;
DROP VIEW IF EXISTS cil_parish_half_dues_drift;
DROP VIEW IF EXISTS cil_parish_half_dues_computed;
-- The view cil_parish_dues (schema file 86) reads it: it goes too, and the
-- schema files make it again after the next migrate up.
DROP TABLE cil_parish_half_dues CASCADE;
