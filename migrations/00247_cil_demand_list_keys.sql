-- The demand notices list's figures kept (issue 22, item 1): what was paid
-- on each instalment by the standing receipts, and per notice what was
-- paid, the next day an instalment is due unpaid and what is unpaid on it.
-- The list, its CSV and a notice's page summed every instalment's receipts
-- for every notice on each request, because paid, overdue and next due
-- sort and filter the list. The triggers that keep them, the refresh and
-- the drift view are internal/store/schema/87_cil_demand_list.sql
-- (re-applied after every migrate); this migration adds the columns and
-- fills them.

-- +goose Up
ALTER TABLE cil_instalments ADD COLUMN paid numeric(14,2) NOT NULL DEFAULT 0;
ALTER TABLE cil_demand_notices
    ADD COLUMN list_paid numeric(14,2) NOT NULL DEFAULT 0,
    ADD COLUMN list_next_due date,
    ADD COLUMN list_next_due_amount numeric(14,2);

UPDATE cil_instalments i SET paid = x.paid
FROM (SELECT ri.instalment_id, sum(ri.amount) AS paid
      FROM cil_receipt_instalments ri
      JOIN cil_ledger_entries e ON e.id = ri.receipt_id AND e.kind <> 'reversal'
      WHERE NOT EXISTS (SELECT 1 FROM cil_ledger_entries r WHERE r.reverses_id = e.id)
      GROUP BY 1) x
WHERE x.instalment_id = i.id;

UPDATE cil_demand_notices d SET list_paid = x.paid, list_next_due = x.next_due, list_next_due_amount = x.next_amount
FROM (SELECT i.demand_notice_id, sum(i.paid) AS paid, min(i.due_on) FILTER (WHERE i.paid < i.amount) AS next_due,
             (array_agg(i.amount - i.paid ORDER BY i.due_on, i.seq) FILTER (WHERE i.paid < i.amount))[1] AS next_amount
      FROM cil_instalments i GROUP BY 1) x
WHERE x.demand_notice_id = d.id;

CREATE INDEX cil_demand_notices_list_next_due ON cil_demand_notices (list_next_due, id);

-- +goose Down
DROP TRIGGER IF EXISTS cil_receipt_instalments_demand_keys ON cil_receipt_instalments;
DROP TRIGGER IF EXISTS cil_ledger_entries_demand_keys ON cil_ledger_entries;
DROP TRIGGER IF EXISTS cil_instalments_demand_keys ON cil_instalments;
DROP VIEW IF EXISTS cil_demand_list_keys_drift;
DROP VIEW IF EXISTS cil_demand_list_keys_computed;
DROP FUNCTION IF EXISTS refresh_cil_demand_list_keys();
DROP FUNCTION IF EXISTS cil_demand_list_keys_recompute(bigint[]);
DROP FUNCTION IF EXISTS cil_receipt_instalments_move_demand_keys();
DROP FUNCTION IF EXISTS cil_ledger_entries_move_demand_keys();
DROP FUNCTION IF EXISTS cil_instalments_move_demand_keys();
DROP INDEX cil_demand_notices_list_next_due;
ALTER TABLE cil_demand_notices DROP COLUMN list_paid, DROP COLUMN list_next_due, DROP COLUMN list_next_due_amount;
ALTER TABLE cil_instalments DROP COLUMN paid;
