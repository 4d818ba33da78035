-- +goose Up
-- The deadlines list's figures, kept per receipt share.
--
-- The list (and its totals by rating) read receipt_share_balances, a view
-- that works out each share's deadline, unallocated, unspent and returned
-- money from the kept positions and totals of migration 00010 with
-- numeric arithmetic and two joins, then joined every share to its
-- obligation, agreement, development and receipt to filter and sort: on a
-- large council (15,000 shares) every filter, sort or page not already
-- cached cost 90–200 ms to build. receipt_share_deadlines holds the view's
-- rows, with the obligation's agreement, purpose and service area for the
-- filters and the agreement's reference for its sort, so the list filters, sorts and pages the kept shares alone (by
-- index where it can) and joins the rest only to the rows of its page. It
-- is kept like the tables of 00010 and 00014:
--   * refresh_obligation_ledger_totals, after recomputing an obligation's
--     totals and receipt shares, recomputes its rows here too;
--   * changing an obligation's spend-by period (its shares' deadline),
--     agreement, purpose or service area, or an agreement's reference,
--     recomputes them;
--   * refresh_all_derived_totals rebuilds it, and derived_totals_drift
--     lists any row that differs from a computation from
--     receipt_share_balances.
-- A share's rating depends on today's date, so it is not kept: the list
-- works it out from the kept deadline, and the bands are ranges of
-- deadlines (an index on deadline serves them).

CREATE TABLE receipt_share_deadlines (
    entry_id      bigint PRIMARY KEY REFERENCES ledger_entries (id),
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    receipt_id    bigint NOT NULL REFERENCES receipts (id),
    received_on   date NOT NULL,
    amount        numeric(14,2) NOT NULL,
    deadline      date,
    unallocated   numeric NOT NULL,
    unspent       numeric NOT NULL,
    returned      numeric NOT NULL,
    -- The obligation's, for the list's filters, and its agreement's
    -- reference as the list sorts it.
    agreement_id  bigint NOT NULL,
    purpose_code  text NOT NULL,
    service_area  text NOT NULL,
    agreement_key text NOT NULL
);
CREATE INDEX receipt_share_deadlines_obligation_idx ON receipt_share_deadlines (obligation_id);
-- The list shows the shares with money unspent, soonest deadline first;
-- the rating filters are ranges of deadlines (amber and green also look at
-- the money unallocated). A page picks its shares from one of these
-- indexes alone, one for each sort and direction, in the list's order:
-- the sort, then the deadline, the day received and the entry.
CREATE INDEX receipt_share_deadlines_list_idx ON receipt_share_deadlines (deadline, received_on, entry_id) INCLUDE (unallocated) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_deadline_desc_idx ON receipt_share_deadlines (deadline DESC NULLS LAST, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_received_idx ON receipt_share_deadlines (received_on, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_received_desc_idx ON receipt_share_deadlines (received_on DESC NULLS LAST, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_unspent_idx ON receipt_share_deadlines (unspent, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_unspent_desc_idx ON receipt_share_deadlines (unspent DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_agreement_idx ON receipt_share_deadlines (agreement_key, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_agreement_desc_idx ON receipt_share_deadlines (agreement_key DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;
-- Every ledger entry rewrites its obligation's rows, and a page reads its
-- indexes alone only where the table's pages are marked all-visible: let
-- vacuum visit this small table after a few changes, not a fifth of it.
ALTER TABLE receipt_share_deadlines SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

-- The from-scratch computation, for the refreshes and the drift check.
CREATE VIEW receipt_share_deadlines_computed AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
       o.agreement_id, o.purpose_code, o.service_area, upper(a.reference) AS agreement_key
FROM receipt_share_balances s
JOIN obligations o ON o.id = s.obligation_id
JOIN agreements a ON a.id = o.agreement_id;

-- +goose StatementBegin
CREATE FUNCTION refresh_receipt_share_deadlines(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Taken already when called by the refreshes of the ledger's totals
    -- or by an update of the obligation; an agreement's new reference
    -- waits here for any ledger writer of its obligations.
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM receipt_share_deadlines WHERE obligation_id = ANY (ids);
    INSERT INTO receipt_share_deadlines
    SELECT c.* FROM receipt_share_deadlines_computed c WHERE c.obligation_id = ANY (ids);
END;
$$;

-- The refresh of migration 00014, now ending with the shares' deadline
-- figures of the obligations it refreshed.
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
    PERFORM refresh_receipt_share_deadlines(ids);
END;
$$;

-- A new spend-by period moves the deadline of every share already paid;
-- a new purpose or service area moves them between the list's filters.
-- The update holds the obligation's row lock, so no ledger refresh of it
-- runs meanwhile.
CREATE FUNCTION obligations_deadline_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

-- A new reference moves the agreement's shares in the agreement sort.
CREATE FUNCTION agreements_deadline_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY(SELECT id FROM obligations WHERE agreement_id = NEW.id));
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
    DELETE FROM receipt_share_deadlines;
    INSERT INTO receipt_share_deadlines SELECT * FROM receipt_share_deadlines_computed;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER obligations_share_deadlines
    AFTER UPDATE OF spend_by_months, agreement_id, purpose_code, service_area ON obligations
    FOR EACH ROW WHEN ((OLD.spend_by_months, OLD.agreement_id, OLD.purpose_code, OLD.service_area)
                       IS DISTINCT FROM (NEW.spend_by_months, NEW.agreement_id, NEW.purpose_code, NEW.service_area))
    EXECUTE FUNCTION obligations_deadline_keys_changed();
CREATE TRIGGER agreements_share_deadlines
    AFTER UPDATE OF reference ON agreements
    FOR EACH ROW WHEN (upper(OLD.reference) IS DISTINCT FROM upper(NEW.reference))
    EXECUTE FUNCTION agreements_deadline_key_changed();

INSERT INTO receipt_share_deadlines SELECT * FROM receipt_share_deadlines_computed;
ANALYZE receipt_share_deadlines;

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
       c.agreement_id, c.purpose_code, c.service_area, c.agreement_key);

-- +goose Down
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
DROP TRIGGER agreements_share_deadlines ON agreements;
DROP TRIGGER obligations_share_deadlines ON obligations;
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
    DELETE FROM obligation_states;
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT obligation_id, status, trigger_met_on FROM obligation_status;
    DELETE FROM project_ledger_totals;
    INSERT INTO project_ledger_totals SELECT * FROM project_ledger_totals_computed;
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
    PERFORM refresh_obligation_states(ids);
END;
$$;
-- +goose StatementEnd
DROP FUNCTION agreements_deadline_key_changed();
DROP FUNCTION obligations_deadline_keys_changed();
DROP FUNCTION refresh_receipt_share_deadlines(bigint[]);
DROP VIEW receipt_share_deadlines_computed;
DROP TABLE receipt_share_deadlines;
