-- +goose Up
-- Sort and filter keys for the obligations, receipts and projects lists.
--
-- On a large council the lists took 50–160 ms a page because each request
-- derived what it sorted and filtered by from every row:
--   * an obligation's status is a CASE over its kept totals and event
--     dates (obligation_status), so sorting or filtering by status, or by
--     the date its trigger was met, computed it for all 20,000 obligations;
--   * a project's allocated and spent money summed its standing ledger
--     entries (150,000 on that council) on every request.
-- Two tables, kept by triggers in the same transaction as the writes they
-- follow (like those of migration 00010), hold these keys instead:
--   obligation_states       each obligation's status and trigger-met date,
--                           recomputed from obligation_status when an
--                           obligation is added and by the refreshes of
--                           its kept totals and event dates;
--   project_ledger_totals   money allocated to and spent on each project,
--                           moved by each ledger entry (the ledger is
--                           append-only, so adding each entry's amounts,
--                           and taking away a reversed entry's, is exact).
-- derived_totals_drift now also lists any row of these that differs from a
-- computation from scratch, and refresh_all_derived_totals rebuilds them.
--
-- Concurrency: obligation_states is written by the refresh functions of
-- 00010 after they have locked the obligations' rows, so it follows them. The
-- project totals are moved by increments (allocated = allocated + x),
-- which two writers can apply in either order: the second waits for the
-- first's row lock and then adds to the committed row.

CREATE TABLE obligation_states (
    obligation_id  bigint PRIMARY KEY REFERENCES obligations (id),
    status         text NOT NULL,
    trigger_met_on date
);
CREATE INDEX obligation_states_status_idx ON obligation_states (status, obligation_id);
CREATE INDEX obligation_states_trigger_met_idx ON obligation_states (trigger_met_on, obligation_id);

CREATE TABLE project_ledger_totals (
    project_id bigint PRIMARY KEY REFERENCES projects (id),
    allocated  numeric NOT NULL,
    spent      numeric NOT NULL
);

CREATE VIEW project_ledger_totals_computed AS
SELECT e.project_id,
       coalesce(sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
FROM ledger_effective e
WHERE e.project_id IS NOT NULL
GROUP BY e.project_id;

-- +goose StatementBegin
CREATE FUNCTION refresh_obligation_states(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM obligation_states WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM obligation_status s WHERE s.obligation_id = ANY (ids);
END;
$$;

CREATE FUNCTION obligations_added_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM new_rows n JOIN obligation_status s ON s.obligation_id = n.id;
    RETURN NULL;
END;
$$;

-- The refreshes of migration 00010, each now ending with the states of
-- the obligations it refreshed.
CREATE OR REPLACE FUNCTION refresh_obligation_ledger_totals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_ledger_totals WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_ledger_totals
    SELECT c.* FROM obligation_ledger_totals_computed c WHERE c.obligation_id = ANY (ids);
    DELETE FROM receipt_share_positions WHERE obligation_id = ANY (ids);
    INSERT INTO receipt_share_positions
    SELECT c.* FROM receipt_share_positions_computed c WHERE c.obligation_id = ANY (ids);
    PERFORM refresh_obligation_states(ids);
END;
$$;

CREATE OR REPLACE FUNCTION refresh_obligation_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_event_dates WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_event_dates
    SELECT c.* FROM obligation_event_dates_computed c WHERE c.obligation_id = ANY (ids);
    PERFORM refresh_obligation_states(ids);
END;
$$;

-- Each new entry moves its project's totals by its amount; a reversal
-- moves the reversed entry's project back by that entry's amount.
CREATE FUNCTION ledger_entries_move_project_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_ledger_totals AS t (project_id, allocated, spent)
    SELECT m.project_id, sum(m.sign * m.allocated), sum(m.sign * m.spent)
    FROM (
        SELECT 1 AS sign, n.project_id,
               CASE n.kind WHEN 'allocation' THEN n.amount WHEN 'deallocation' THEN -n.amount ELSE 0 END AS allocated,
               CASE n.kind WHEN 'spend' THEN n.amount ELSE 0 END AS spent
        FROM new_rows n
        WHERE n.project_id IS NOT NULL
        UNION ALL
        SELECT -1, e.project_id,
               CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END,
               CASE e.kind WHEN 'spend' THEN e.amount ELSE 0 END
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.project_id IS NOT NULL
    ) m
    GROUP BY m.project_id
    ORDER BY m.project_id
    ON CONFLICT (project_id) DO UPDATE
        SET allocated = t.allocated + excluded.allocated, spent = t.spent + excluded.spent;
    RETURN NULL;
END;
$$;

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
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER obligations_states
    AFTER INSERT ON obligations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obligations_added_states();
-- Named to fire after ledger_entries_totals (triggers fire in name order).
CREATE TRIGGER ledger_entries_totals_projects
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_project_totals();

INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
SELECT obligation_id, status, trigger_met_on FROM obligation_status;
INSERT INTO project_ledger_totals SELECT * FROM project_ledger_totals_computed;

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
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0));

-- The lists' sort orders, each with the id that breaks ties.
CREATE INDEX obligations_list_kind_idx ON obligations (kind, id);
CREATE INDEX obligations_list_amount_idx ON obligations (base_amount, id);
CREATE INDEX obligations_list_updated_idx ON obligations (updated_at, id);
-- The purpose sort reads this index only (it joins the purposes for their names).
CREATE INDEX obligations_list_purpose_idx ON obligations (purpose_code, id) INCLUDE (archived_at);
-- Counting the obligations shown, and finding those of the agreements a
-- search matched, read this index only.
CREATE INDEX obligations_list_agreement_idx ON obligations (agreement_id, id) INCLUDE (archived_at);
-- The receipts paid towards the obligations a search matched.
CREATE INDEX ledger_entries_receipt_shares_idx ON ledger_entries (obligation_id, receipt_id) WHERE kind = 'receipt';
-- The list's search (pg_trgm, migration 00011).
CREATE INDEX obligations_description_trgm_idx ON obligations USING gin (description gin_trgm_ops);
CREATE INDEX obligations_clause_ref_trgm_idx ON obligations USING gin (clause_ref gin_trgm_ops);
CREATE INDEX receipts_list_received_idx ON receipts (received_on, id);
CREATE INDEX receipts_list_payer_idx ON receipts (lower(payer), id);
CREATE INDEX receipts_list_total_idx ON receipts (total, id);
CREATE INDEX receipts_list_reference_idx ON receipts (upper(finance_ref), id);
CREATE INDEX receipts_payer_trgm_idx ON receipts USING gin (payer gin_trgm_ops);
CREATE INDEX receipts_finance_ref_trgm_idx ON receipts USING gin (finance_ref gin_trgm_ops);
CREATE INDEX agreements_reference_trgm_idx ON agreements USING gin (reference gin_trgm_ops);

-- +goose Down
DROP INDEX agreements_reference_trgm_idx;
DROP INDEX receipts_finance_ref_trgm_idx;
DROP INDEX receipts_payer_trgm_idx;
DROP INDEX receipts_list_reference_idx;
DROP INDEX receipts_list_total_idx;
DROP INDEX receipts_list_payer_idx;
DROP INDEX receipts_list_received_idx;
DROP INDEX obligations_clause_ref_trgm_idx;
DROP INDEX obligations_description_trgm_idx;
DROP INDEX ledger_entries_receipt_shares_idx;
DROP INDEX obligations_list_agreement_idx;
DROP INDEX obligations_list_purpose_idx;
DROP INDEX obligations_list_updated_idx;
DROP INDEX obligations_list_amount_idx;
DROP INDEX obligations_list_kind_idx;
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
      IS DISTINCT FROM (c.started_on, c.completed_on, c.transferred_on, c.occupied_on, c.exit_route, c.exited_on, c.changed_tenure, c.transferred_to);
DROP TRIGGER ledger_entries_totals_projects ON ledger_entries;
DROP TRIGGER obligations_states ON obligations;
-- +goose StatementBegin
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
END;
$$;

CREATE OR REPLACE FUNCTION refresh_obligation_ledger_totals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_ledger_totals WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_ledger_totals
    SELECT c.* FROM obligation_ledger_totals_computed c WHERE c.obligation_id = ANY (ids);
    DELETE FROM receipt_share_positions WHERE obligation_id = ANY (ids);
    INSERT INTO receipt_share_positions
    SELECT c.* FROM receipt_share_positions_computed c WHERE c.obligation_id = ANY (ids);
END;
$$;

CREATE OR REPLACE FUNCTION refresh_obligation_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_event_dates WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_event_dates
    SELECT c.* FROM obligation_event_dates_computed c WHERE c.obligation_id = ANY (ids);
END;
$$;
-- +goose StatementEnd
DROP FUNCTION ledger_entries_move_project_totals();
DROP FUNCTION obligations_added_states();
DROP FUNCTION refresh_obligation_states(bigint[]);
DROP VIEW project_ledger_totals_computed;
DROP TABLE project_ledger_totals;
DROP TABLE obligation_states;
