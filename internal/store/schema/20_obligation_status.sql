-- Obligation status: the dates an obligation's trigger was met, it was
-- delivered or discharged, and the status derived from them and its money.
--
-- Figures defined here:
--   trigger met / delivered / discharged dates (obligation_event_dates,
--     kept from the append-only obligation_events);
--   an obligation's status, pending → triggered → invoiced → part-paid →
--     paid → allocated → part-spent → spent / returned, or delivered /
--     discharged, and its money held (received - returned - spent)
--     (obligation_status: never stored by Go, derived from events);
--   the same status kept per obligation for the lists' sorts and filters
--     (obligation_states).
-- Pages that read them: the obligations list (status, trigger met), the
-- agreement and obligation pages, the alerts (no invoice, agreement
-- review), the dashboard, the developer-insolvency watch (70_watch.sql),
-- the public pages.
--
-- How they are kept: obligation_event_dates by a statement trigger on
-- obligation_events that recomputes the obligations it touched, after
-- locking their rows; obligation_states by the refreshes of an
-- obligation's totals (10_ledger_totals.sql) and event dates, and when
-- an obligation is added. Re-applied after every migrate (see
-- 10_ledger_totals.sql for the rules).

-- Events that stand: not reversals, and not reversed (columns named, as
-- for ledger_effective).
CREATE OR REPLACE VIEW obligation_events_effective AS
SELECT e.id, e.obligation_id, e.kind, e.event_date, e.evidence, e.note, e.reverses_id, e.recorded_by, e.recorded_at
FROM obligation_events e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM obligation_events r WHERE r.reverses_id = e.id);

CREATE TABLE IF NOT EXISTS obligation_event_dates (
    obligation_id  bigint PRIMARY KEY REFERENCES obligations (id),
    trigger_met_on date,
    delivered_on   date,
    discharged_on  date
);

CREATE OR REPLACE VIEW obligation_event_dates_computed AS
SELECT e.obligation_id,
       max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
       max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
       max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on
FROM obligation_events_effective e
GROUP BY e.obligation_id;

CREATE OR REPLACE FUNCTION refresh_obligation_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_event_dates WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_event_dates
    SELECT c.* FROM obligation_event_dates_computed c WHERE c.obligation_id = ANY (ids);
    PERFORM refresh_obligation_states(ids);
END;
$$;

CREATE OR REPLACE FUNCTION obligation_events_refresh_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_obligation_event_dates(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER obligation_events_dates
    AFTER INSERT ON obligation_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obligation_events_refresh_dates();

-- The status rule: the first that holds, top to bottom.
CREATE OR REPLACE VIEW obligation_status AS
SELECT o.id AS obligation_id, ev.trigger_met_on, ev.delivered_on, ev.discharged_on,
       b.invoiced, b.received, b.allocated, b.spent, b.returned, b.interest_paid,
       b.received - b.returned - b.spent AS held,
       CASE
           WHEN ev.discharged_on IS NOT NULL THEN 'discharged'
           WHEN b.returned > 0 AND b.returned >= b.received THEN 'returned'
           WHEN b.received > 0 AND b.spent >= b.received - b.returned THEN 'spent'
           WHEN b.spent > 0 THEN 'part-spent'
           WHEN b.allocated > 0 THEN 'allocated'
           WHEN b.received > 0 AND b.received < b.invoiced THEN 'part-paid'
           WHEN b.received > 0 THEN 'paid'
           WHEN b.invoiced > 0 THEN 'invoiced'
           WHEN ev.delivered_on IS NOT NULL THEN 'delivered'
           WHEN ev.trigger_met_on IS NOT NULL THEN 'triggered'
           ELSE 'pending'
       END AS status
FROM obligations o
JOIN obligation_balances b ON b.obligation_id = o.id
LEFT JOIN obligation_event_dates ev ON ev.obligation_id = o.id;

-- The lists' sort and filter keys: obligation_status's status and
-- trigger-met date, kept per obligation.
CREATE TABLE IF NOT EXISTS obligation_states (
    obligation_id  bigint PRIMARY KEY REFERENCES obligations (id),
    status         text NOT NULL,
    trigger_met_on date
);
CREATE INDEX IF NOT EXISTS obligation_states_status_idx ON obligation_states (status, obligation_id);
CREATE INDEX IF NOT EXISTS obligation_states_trigger_met_idx ON obligation_states (trigger_met_on, obligation_id);
CREATE INDEX IF NOT EXISTS obligation_states_trigger_met_keyset_idx ON obligation_states
    ((trigger_met_on IS NULL), (coalesce(trigger_met_on, 'epoch'::date)), obligation_id);

-- Called by the refreshes above and in 10_ledger_totals.sql, after they
-- have locked the obligations' rows.
CREATE OR REPLACE FUNCTION refresh_obligation_states(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM obligation_states WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM obligation_status s WHERE s.obligation_id = ANY (ids);
END;
$$;

CREATE OR REPLACE FUNCTION obligations_added_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO obligation_states (obligation_id, status, trigger_met_on)
    SELECT s.obligation_id, s.status, s.trigger_met_on FROM new_rows n JOIN obligation_status s ON s.obligation_id = n.id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER obligations_states
    AFTER INSERT ON obligations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obligations_added_states();
