-- The demand notices list's figures, kept so the list, its CSV and a
-- notice's page read them per row instead of summing every instalment's
-- receipts for every notice on each request (issue 22, item 1).
--
-- Figures defined here:
--   paid on an instalment (cil_instalment_paid.paid): the sum of
--     cil_receipt_instalments over the standing receipts
--     (cil_ledger_effective) that paid it.
--   per notice (cil_demand_list_keys: paid, next_due, next_due_amount): the paid of its instalments summed; the
--     earliest due day of an instalment not paid in full (NULL: all paid);
--     what is unpaid on the first such instalment (by due day, then seq).
--   Overdue is not kept (it changes with the day): a notice is overdue when
--     next_due is before today, and its overdue amount is the unpaid of
--     its instalments due before today (internal/cil demands.go).
-- Pages that read them: /cil/demand-notices and its CSV, a demand notice's
-- page, a development's page (internal/cil demands.go).
--
-- How they are kept: a statement trigger on cil_receipt_instalments adds
-- each new allocation of a standing receipt to its instalment's paid, and
-- one on cil_ledger_entries takes a reversed receipt's allocations back
-- out; both then recompute the keys of the notices touched from their
-- instalments, as does a trigger on cil_instalments for a new notice's
-- instalments. The notices' kept rows are locked (FOR UPDATE, in id order)
-- before anything is read, so a second writer to the same notice waits and then
-- reads what the first committed. Notices, instalments, allocations and the
-- ledger are append-only (so the figures are in tables of their own).
-- Nothing in Go writes these tables. cil_demand_list_keys_computed is the
-- computation from scratch; cil_demand_list_keys_drift lists the notices
-- and instalments that differ from it (drift_report counts it,
-- 90_drift.sql), and refresh_cil_demand_list_keys() rebuilds them (called
-- by refresh_all_derived_totals). Re-applied after every migrate; the
-- tables were made by migration 00247.

CREATE OR REPLACE VIEW cil_instalment_paid_computed AS
SELECT i.id AS instalment_id, i.demand_notice_id, i.seq, i.due_on, i.amount,
       coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri JOIN cil_ledger_effective e ON e.id = ri.receipt_id
                 WHERE ri.instalment_id = i.id), 0) AS paid
FROM cil_instalments i;

CREATE OR REPLACE VIEW cil_demand_list_keys_computed AS
SELECT i.demand_notice_id, sum(i.paid) AS paid, min(i.due_on) FILTER (WHERE i.paid < i.amount) AS next_due,
       (array_agg(i.amount - i.paid ORDER BY i.due_on, i.seq) FILTER (WHERE i.paid < i.amount))[1] AS next_due_amount
FROM cil_instalment_paid_computed i GROUP BY 1;

CREATE OR REPLACE VIEW cil_demand_list_keys_drift AS
SELECT 'instalment' AS what, coalesce(k.instalment_id, c.instalment_id) AS id
FROM cil_instalment_paid k FULL JOIN cil_instalment_paid_computed c ON c.instalment_id = k.instalment_id
WHERE k.paid IS DISTINCT FROM c.paid
UNION ALL
SELECT 'notice', coalesce(k.demand_notice_id, c.demand_notice_id)
FROM cil_demand_list_keys k FULL JOIN cil_demand_list_keys_computed c ON c.demand_notice_id = k.demand_notice_id
WHERE (k.paid, k.next_due, k.next_due_amount) IS DISTINCT FROM (c.paid, c.next_due, c.next_due_amount);

-- The notices' keys from their instalments' kept paid (their rows locked).
CREATE OR REPLACE FUNCTION cil_demand_list_keys_recompute(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cil_demand_list_keys k SET paid = x.paid, next_due = x.next_due, next_due_amount = x.next_amount
    FROM (SELECT p.demand_notice_id, sum(p.paid) AS paid, min(i.due_on) FILTER (WHERE p.paid < i.amount) AS next_due,
                 (array_agg(i.amount - p.paid ORDER BY i.due_on, i.seq) FILTER (WHERE p.paid < i.amount))[1] AS next_amount
          FROM cil_instalment_paid p JOIN cil_instalments i ON i.id = p.instalment_id
          WHERE p.demand_notice_id = ANY (ids) GROUP BY 1) x
    WHERE k.demand_notice_id = x.demand_notice_id
      AND (k.paid, k.next_due, k.next_due_amount) IS DISTINCT FROM (x.paid, x.next_due, x.next_amount);
END;
$$;

CREATE OR REPLACE FUNCTION refresh_cil_demand_list_keys() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cil_demand_list_keys;
    DELETE FROM cil_instalment_paid;
    INSERT INTO cil_instalment_paid SELECT instalment_id, demand_notice_id, paid FROM cil_instalment_paid_computed;
    INSERT INTO cil_demand_list_keys SELECT * FROM cil_demand_list_keys_computed;
END;
$$;

-- Allocations of receipts to instalments: those of standing receipts add to
-- what the instalment was paid.
CREATE OR REPLACE FUNCTION cil_receipt_instalments_move_demand_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT i.demand_notice_id FROM new_rows n JOIN cil_instalments i ON i.id = n.instalment_id ORDER BY 1);
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    UPDATE cil_instalment_paid p SET paid = p.paid + x.amount
    FROM (SELECT n.instalment_id, sum(n.amount) AS amount FROM new_rows n JOIN cil_ledger_effective e ON e.id = n.receipt_id GROUP BY 1) x
    WHERE x.instalment_id = p.instalment_id;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- Reversals: the reversed receipts' allocations come back out.
CREATE OR REPLACE FUNCTION cil_ledger_entries_move_demand_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT i.demand_notice_id
                 FROM new_rows r
                 JOIN cil_receipt_instalments ri ON ri.receipt_id = r.reverses_id
                 JOIN cil_instalments i ON i.id = ri.instalment_id
                 WHERE r.kind = 'reversal' ORDER BY 1);
    IF cardinality(ids) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    UPDATE cil_instalment_paid p SET paid = p.paid - x.amount
    FROM (SELECT ri.instalment_id, sum(ri.amount) AS amount
          FROM new_rows r
          JOIN cil_ledger_entries e ON e.id = r.reverses_id AND e.kind <> 'reversal'
          JOIN cil_receipt_instalments ri ON ri.receipt_id = e.id
          WHERE r.kind = 'reversal' GROUP BY 1) x
    WHERE x.instalment_id = p.instalment_id;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- A new notice's instalments: nothing paid yet, and its next due day.
CREATE OR REPLACE FUNCTION cil_instalments_move_demand_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT demand_notice_id FROM new_rows ORDER BY 1);
    INSERT INTO cil_demand_list_keys (demand_notice_id, paid) SELECT unnest(ids), 0 ORDER BY 1 ON CONFLICT DO NOTHING;
    PERFORM 1 FROM cil_demand_list_keys WHERE demand_notice_id = ANY (ids) ORDER BY demand_notice_id FOR UPDATE;
    INSERT INTO cil_instalment_paid (instalment_id, demand_notice_id, paid) SELECT id, demand_notice_id, 0 FROM new_rows;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER cil_receipt_instalments_demand_keys
    AFTER INSERT ON cil_receipt_instalments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_receipt_instalments_move_demand_keys();
-- Named to fire after cil_ledger_entries_totals (triggers on one event
-- fire in name order): a receipt takes the totals' locks before its
-- allocations lock the notice, so a reversal must take them in that order too.
DROP TRIGGER IF EXISTS cil_ledger_entries_demand_keys ON cil_ledger_entries;
CREATE OR REPLACE TRIGGER cil_ledger_entries_unpaid_keys
    AFTER INSERT ON cil_ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_ledger_entries_move_demand_keys();
CREATE OR REPLACE TRIGGER cil_instalments_demand_keys
    AFTER INSERT ON cil_instalments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_instalments_move_demand_keys();
