-- The demand notices list's figures, kept so the list, its CSV and a
-- notice's page read them per row instead of summing every instalment's
-- receipts for every notice on each request (issue 22, item 1).
--
-- Figures defined here:
--   paid on an instalment (cil_instalments.paid): the sum of
--     cil_receipt_instalments over the standing receipts
--     (cil_ledger_effective) that paid it.
--   per notice (cil_demand_notices.list_paid, list_next_due,
--     list_next_due_amount): the paid of its instalments summed; the
--     earliest due day of an instalment not paid in full (NULL: all paid);
--     what is unpaid on the first such instalment (by due day, then seq).
--   Overdue is not kept (it changes with the day): a notice is overdue when
--     list_next_due is before today, and its overdue amount is the unpaid of
--     its instalments due before today (internal/cil demands.go).
-- Pages that read them: /cil/demand-notices and its CSV, a demand notice's
-- page, a development's page (internal/cil demands.go).
--
-- How they are kept: a statement trigger on cil_receipt_instalments adds
-- each new allocation of a standing receipt to its instalment's paid, and
-- one on cil_ledger_entries takes a reversed receipt's allocations back
-- out; both then recompute the keys of the notices touched from their
-- instalments, as does a trigger on cil_instalments for a new notice's
-- instalments. The notices are locked (FOR UPDATE, in id order) before
-- anything is read, so a second writer to the same notice waits and then
-- reads what the first committed. The tables written to are append-only.
-- Nothing in Go writes these columns. cil_demand_list_keys_computed is the
-- computation from scratch; cil_demand_list_keys_drift lists the notices
-- and instalments that differ from it (drift_report counts it,
-- 90_drift.sql), and refresh_cil_demand_list_keys() rebuilds them (called
-- by refresh_all_derived_totals). Re-applied after every migrate; the
-- columns were added by migration 00247.

CREATE OR REPLACE VIEW cil_instalment_paid_computed AS
SELECT i.id, i.demand_notice_id, i.seq, i.due_on, i.amount,
       coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri JOIN cil_ledger_effective e ON e.id = ri.receipt_id
                 WHERE ri.instalment_id = i.id), 0) AS paid
FROM cil_instalments i;

CREATE OR REPLACE VIEW cil_demand_list_keys_computed AS
SELECT d.id,
       coalesce(x.paid, 0) AS list_paid, x.next_due AS list_next_due, x.next_amount AS list_next_due_amount
FROM cil_demand_notices d
LEFT JOIN (SELECT i.demand_notice_id, sum(i.paid) AS paid, min(i.due_on) FILTER (WHERE i.paid < i.amount) AS next_due,
                  (array_agg(i.amount - i.paid ORDER BY i.due_on, i.seq) FILTER (WHERE i.paid < i.amount))[1] AS next_amount
           FROM cil_instalment_paid_computed i GROUP BY 1) x ON x.demand_notice_id = d.id;

CREATE OR REPLACE VIEW cil_demand_list_keys_drift AS
SELECT 'instalment' AS what, i.id
FROM cil_instalments i JOIN cil_instalment_paid_computed c ON c.id = i.id
WHERE i.paid <> c.paid
UNION ALL
SELECT 'notice', d.id
FROM cil_demand_notices d JOIN cil_demand_list_keys_computed c ON c.id = d.id
WHERE (d.list_paid, d.list_next_due, d.list_next_due_amount) IS DISTINCT FROM (c.list_paid, c.list_next_due, c.list_next_due_amount);

-- The notices' keys from their instalments' kept paid.
CREATE OR REPLACE FUNCTION cil_demand_list_keys_recompute(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cil_demand_notices d SET list_paid = coalesce(x.paid, 0), list_next_due = x.next_due, list_next_due_amount = x.next_amount
    FROM (SELECT n.id, sum(i.paid) AS paid, min(i.due_on) FILTER (WHERE i.paid < i.amount) AS next_due,
                 (array_agg(i.amount - i.paid ORDER BY i.due_on, i.seq) FILTER (WHERE i.paid < i.amount))[1] AS next_amount
          FROM unnest(ids) n(id) LEFT JOIN cil_instalments i ON i.demand_notice_id = n.id GROUP BY 1) x
    WHERE d.id = x.id
      AND (d.list_paid, d.list_next_due, d.list_next_due_amount) IS DISTINCT FROM (coalesce(x.paid, 0), x.next_due, x.next_amount);
END;
$$;

CREATE OR REPLACE FUNCTION refresh_cil_demand_list_keys() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cil_instalments i SET paid = c.paid FROM cil_instalment_paid_computed c WHERE c.id = i.id AND i.paid <> c.paid;
    PERFORM cil_demand_list_keys_recompute(ARRAY(SELECT id FROM cil_demand_notices));
END;
$$;

-- Allocations of receipts to instalments: those of standing receipts add to
-- what the instalment was paid.
CREATE OR REPLACE FUNCTION cil_receipt_instalments_move_demand_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT i.demand_notice_id FROM new_rows n JOIN cil_instalments i ON i.id = n.instalment_id ORDER BY 1);
    PERFORM 1 FROM cil_demand_notices WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    UPDATE cil_instalments i SET paid = i.paid + x.amount
    FROM (SELECT n.instalment_id, sum(n.amount) AS amount FROM new_rows n JOIN cil_ledger_effective e ON e.id = n.receipt_id GROUP BY 1) x
    WHERE x.instalment_id = i.id;
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
    PERFORM 1 FROM cil_demand_notices WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    UPDATE cil_instalments i SET paid = i.paid - x.amount
    FROM (SELECT ri.instalment_id, sum(ri.amount) AS amount
          FROM new_rows r
          JOIN cil_ledger_entries e ON e.id = r.reverses_id AND e.kind <> 'reversal'
          JOIN cil_receipt_instalments ri ON ri.receipt_id = e.id
          WHERE r.kind = 'reversal' GROUP BY 1) x
    WHERE x.instalment_id = i.id;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

-- A new notice's instalments set its next due day.
CREATE OR REPLACE FUNCTION cil_instalments_move_demand_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT DISTINCT demand_notice_id FROM new_rows ORDER BY 1);
    PERFORM 1 FROM cil_demand_notices WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    PERFORM cil_demand_list_keys_recompute(ids);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER cil_receipt_instalments_demand_keys
    AFTER INSERT ON cil_receipt_instalments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_receipt_instalments_move_demand_keys();
CREATE OR REPLACE TRIGGER cil_ledger_entries_demand_keys
    AFTER INSERT ON cil_ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_ledger_entries_move_demand_keys();
CREATE OR REPLACE TRIGGER cil_instalments_demand_keys
    AFTER INSERT ON cil_instalments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cil_instalments_move_demand_keys();
