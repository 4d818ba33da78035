-- Drift: proof that every kept table equals a computation from scratch,
-- and the one function that rebuilds them all.
--
-- Figures defined here: none new. derived_totals_drift lists each row of a
-- kept table (10_ledger_totals.sql, 20_obligation_status.sql,
-- 30_deadlines.sql, 50_homes_totals.sql) that differs from its *_computed
-- view (95_year_totals.sql and 96_ifs_year_totals.sql have their own,
-- year_totals_drift and ifs_year_totals_drift); home_list_keys_drift (50_homes_totals.sql) does the same for the
-- keys kept on each home. drift_report() counts the rows of every view
-- named *_drift, so a new drift view is checked without listing it
-- anywhere: every database test checks it is empty when the test ends
-- (internal/testdb), as do the nightly check-kept-totals job and
-- `s106 recompute` (internal/jobs) and the large seed.
--
-- refresh_all_derived_totals() rebuilds every kept table: after a bulk
-- load that bypassed the triggers (seed --scale large), and to repair
-- (`s106 recompute`). Re-applied after every migrate (see
-- 10_ledger_totals.sql).

CREATE OR REPLACE VIEW derived_totals_drift AS
SELECT 'obligation_ledger_totals' AS derived, coalesce(k.obligation_id, c.obligation_id) AS id
FROM obligation_ledger_totals k FULL JOIN obligation_ledger_totals_computed c ON c.obligation_id = k.obligation_id
WHERE (k.invoiced, k.received, k.allocated, k.spent, k.returned, k.interest_paid, k.first_received_on)
      IS DISTINCT FROM (c.invoiced, c.received, c.allocated, c.spent, c.returned, c.interest_paid, c.first_received_on)
UNION ALL
SELECT 'receipt_share_positions', coalesce(k.entry_id, c.entry_id)
FROM receipt_share_positions k FULL JOIN receipt_share_positions_computed c ON c.entry_id = k.entry_id
WHERE (k.obligation_id, k.receipt_id, k.received_on, k.amount, k.cum_end)
      IS DISTINCT FROM (c.obligation_id, c.receipt_id, c.received_on, c.amount, c.cum_end)
UNION ALL
SELECT 'obligation_event_dates', coalesce(k.obligation_id, c.obligation_id)
FROM obligation_event_dates k FULL JOIN obligation_event_dates_computed c ON c.obligation_id = k.obligation_id
WHERE (k.trigger_met_on, k.delivered_on, k.discharged_on) IS DISTINCT FROM (c.trigger_met_on, c.delivered_on, c.discharged_on)
UNION ALL
SELECT 'home_event_dates', coalesce(k.home_id, c.home_id)
FROM home_event_dates k FULL JOIN home_event_dates_computed c ON c.home_id = k.home_id
WHERE (k.started_on, k.completed_on, k.transferred_on, k.occupied_on, k.exit_route, k.exited_on, k.changed_tenure, k.transferred_to)
      IS DISTINCT FROM (c.started_on, c.completed_on, c.transferred_on, c.occupied_on, c.exit_route, c.exited_on, c.changed_tenure, c.transferred_to)
UNION ALL
SELECT 'obligation_states', coalesce(k.obligation_id, c.obligation_id)
FROM obligation_states k FULL JOIN obligation_status c ON c.obligation_id = k.obligation_id
WHERE (k.status, k.trigger_met_on) IS DISTINCT FROM (c.status, c.trigger_met_on)
UNION ALL
SELECT 'project_ledger_totals', coalesce(k.project_id, c.project_id)
FROM project_ledger_totals k FULL JOIN project_ledger_totals_computed c ON c.project_id = k.project_id
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0))
UNION ALL
SELECT 'receipt_share_deadlines', coalesce(k.entry_id, c.entry_id)
FROM receipt_share_deadlines k FULL JOIN receipt_share_deadlines_computed c ON c.entry_id = k.entry_id
WHERE (k.obligation_id, k.receipt_id, k.received_on, k.amount, k.deadline, k.unallocated, k.unspent, k.returned,
       k.agreement_id, k.purpose_code, k.service_area, k.agreement_key)
      IS DISTINCT FROM (c.obligation_id, c.receipt_id, c.received_on, c.amount, c.deadline, c.unallocated, c.unspent, c.returned,
       c.agreement_id, c.purpose_code, c.service_area, c.agreement_key)
UNION ALL
SELECT 'obligation_project_totals', coalesce(k.obligation_id, c.obligation_id)
FROM obligation_project_totals k FULL JOIN obligation_project_totals_computed c
     ON c.obligation_id = k.obligation_id AND c.project_id = k.project_id
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0));

-- Rows in every view named *_drift, one row per view that has any.
CREATE OR REPLACE FUNCTION drift_report() RETURNS TABLE (drift_view text, drift_rows bigint) LANGUAGE plpgsql STABLE AS $$
DECLARE
    v text;
BEGIN
    FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'v' AND c.relname LIKE '%\_drift' ORDER BY c.relname
    LOOP
        drift_view := v;
        EXECUTE format('SELECT count(*) FROM %I', v) INTO drift_rows;
        IF drift_rows > 0 THEN
            RETURN NEXT;
        END IF;
    END LOOP;
END;
$$;

-- Every kept table rebuilt from scratch, each after those it is kept from.
CREATE OR REPLACE FUNCTION refresh_all_derived_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM obligation_ledger_totals;
    INSERT INTO obligation_ledger_totals SELECT * FROM obligation_ledger_totals_computed;
    DELETE FROM receipt_share_positions;
    INSERT INTO receipt_share_positions SELECT * FROM receipt_share_positions_computed;
    DELETE FROM obligation_event_dates;
    INSERT INTO obligation_event_dates SELECT * FROM obligation_event_dates_computed;
    DELETE FROM home_event_dates;
    INSERT INTO home_event_dates SELECT * FROM home_event_dates_computed;
    DELETE FROM obligation_states;
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT obligation_id, status, trigger_met_on FROM obligation_status;
    DELETE FROM project_ledger_totals;
    INSERT INTO project_ledger_totals SELECT * FROM project_ledger_totals_computed;
    DELETE FROM receipt_share_deadlines;
    INSERT INTO receipt_share_deadlines SELECT * FROM receipt_share_deadlines_computed;
    DELETE FROM obligation_project_totals;
    INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed;
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
    PERFORM refresh_cil_ledger_totals();
    PERFORM refresh_cil_development_list_keys(NULL);
    PERFORM refresh_cil_parish_half_dues();
    PERFORM refresh_cil_demand_list_keys();
    PERFORM refresh_year_totals();
    PERFORM refresh_all_ifs_year_totals();
END;
$$;
