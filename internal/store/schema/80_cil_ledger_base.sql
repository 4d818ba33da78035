-- The levy's ledger: the entries that stand.
--
-- Figures defined here: none; cil_ledger_effective is what every figure of
-- the levy (its kept totals in 84_cil_ledger.sql, the CIL report, the
-- dashboard, the public page) is summed from: the entries of
-- cil_ledger_entries (migrations/00160_cil.sql) that are not reversals and
-- have not been reversed, as ledger_effective is for section 106 money.
-- Re-applied after every migrate (see 10_ledger_totals.sql).

CREATE OR REPLACE VIEW cil_ledger_effective AS
SELECT e.id, e.kind, e.entry_date, e.amount, e.charging_authority, e.cil_development_id, e.demand_notice_id,
       e.method, e.parish_code, e.pot, e.project_id, e.payer, e.reference, e.recorded_by, e.recorded_at
FROM cil_ledger_entries e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM cil_ledger_entries r WHERE r.reverses_id = e.id);
