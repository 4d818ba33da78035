-- The demand notices list's figures kept (issue 22, item 1): what was paid
-- on each instalment by the standing receipts, and per notice what was
-- paid, the next day an instalment is due unpaid and what is unpaid on it.
-- The list, its CSV and a notice's page summed every instalment's receipts
-- for every notice on each request, because paid, overdue and next due
-- sort and filter the list. Notices and instalments are append-only, so
-- the figures are kept in tables of their own. The triggers that keep
-- them, the refresh and the drift view are
-- internal/store/schema/87_cil_demand_list.sql (re-applied after every
-- migrate); this migration makes the tables and fills them.

-- +goose Up
CREATE TABLE cil_instalment_paid (
    instalment_id    bigint PRIMARY KEY REFERENCES cil_instalments (id),
    demand_notice_id bigint NOT NULL REFERENCES cil_demand_notices (id),
    paid             numeric(14,2) NOT NULL
);
CREATE INDEX cil_instalment_paid_notice ON cil_instalment_paid (demand_notice_id);

CREATE TABLE cil_demand_list_keys (
    demand_notice_id bigint PRIMARY KEY REFERENCES cil_demand_notices (id),
    paid             numeric(14,2) NOT NULL,
    next_due         date,
    next_due_amount  numeric(14,2)
);
CREATE INDEX cil_demand_list_keys_next_due ON cil_demand_list_keys (next_due, demand_notice_id);

INSERT INTO cil_instalment_paid
SELECT i.id, i.demand_notice_id, coalesce(x.paid, 0)
FROM cil_instalments i
LEFT JOIN (SELECT ri.instalment_id, sum(ri.amount) AS paid
      FROM cil_receipt_instalments ri
      JOIN cil_ledger_entries e ON e.id = ri.receipt_id AND e.kind <> 'reversal'
      WHERE NOT EXISTS (SELECT 1 FROM cil_ledger_entries r WHERE r.reverses_id = e.id)
      GROUP BY 1) x ON x.instalment_id = i.id;

INSERT INTO cil_demand_list_keys
SELECT i.demand_notice_id, sum(p.paid), min(i.due_on) FILTER (WHERE p.paid < i.amount),
       (array_agg(i.amount - p.paid ORDER BY i.due_on, i.seq) FILTER (WHERE p.paid < i.amount))[1]
FROM cil_instalments i JOIN cil_instalment_paid p ON p.instalment_id = i.id
GROUP BY 1;

-- +goose Down
DROP TRIGGER IF EXISTS cil_receipt_instalments_demand_keys ON cil_receipt_instalments;
DROP TRIGGER IF EXISTS cil_ledger_entries_unpaid_keys ON cil_ledger_entries;
DROP TRIGGER IF EXISTS cil_instalments_demand_keys ON cil_instalments;
DROP VIEW IF EXISTS cil_demand_list_keys_drift;
DROP VIEW IF EXISTS cil_demand_list_keys_computed;
DROP VIEW IF EXISTS cil_instalment_paid_computed;
DROP TABLE cil_demand_list_keys;
DROP TABLE cil_instalment_paid;
