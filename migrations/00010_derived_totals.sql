-- +goose Up
-- Derived totals kept by the database, so pages stop re-aggregating the
-- whole ledger on every request.
--
-- Until now obligation_balances, obligation_status and home_state grouped
-- every ledger entry, event or home each time they were read: on a large
-- council (200,000 ledger entries, 150,000 home events) any page that
-- joined them paid 0.3–2 s, however few rows it showed. The views keep
-- their names and columns, but now read three small tables that triggers
-- on the append-only ledgers keep up to date in the same transaction as
-- each entry:
--   obligation_ledger_totals  money per obligation (standing entries)
--   receipt_share_positions   each receipt share's running total
--   obligation_event_dates    trigger-met / delivered / discharged dates
--   home_event_dates          a home's life-event dates, exit and changes
-- They are not copies an application can let drift: only these triggers
-- write them, each recomputes an entity's row from its standing entries
-- (so a reversal is handled like any entry), and derived_totals_drift
-- lists any row that differs from a from-scratch computation (tests and
-- the bulk loader check it is empty).
--
-- Concurrency: each recomputation first locks the entities' rows (FOR NO
-- KEY UPDATE, the lock the ledger's balance checks already take), so a
-- second writer waits for the first to commit and then, READ COMMITTED
-- giving each statement a new snapshot, counts the first writer's entries
-- too. Under REPEATABLE READ or SERIALIZABLE the second writer's upsert
-- fails with a serialization error instead of losing the first's entries.

CREATE TABLE obligation_ledger_totals (
    obligation_id     bigint PRIMARY KEY REFERENCES obligations (id),
    invoiced          numeric NOT NULL,
    received          numeric NOT NULL,
    allocated         numeric NOT NULL,
    spent             numeric NOT NULL,
    returned          numeric NOT NULL,
    interest_paid     numeric NOT NULL,
    first_received_on date
);

-- Each standing receipt share with the running total of its obligation's
-- receipts up to and including it (first received, first used).
CREATE TABLE receipt_share_positions (
    entry_id      bigint PRIMARY KEY REFERENCES ledger_entries (id),
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    receipt_id    bigint NOT NULL REFERENCES receipts (id),
    received_on   date NOT NULL,
    amount        numeric(14,2) NOT NULL,
    cum_end       numeric NOT NULL
);
CREATE INDEX receipt_share_positions_obligation_idx ON receipt_share_positions (obligation_id);
CREATE INDEX receipt_share_positions_receipt_idx ON receipt_share_positions (receipt_id);

CREATE TABLE obligation_event_dates (
    obligation_id  bigint PRIMARY KEY REFERENCES obligations (id),
    trigger_met_on date,
    delivered_on   date,
    discharged_on  date
);

CREATE TABLE home_event_dates (
    home_id        bigint PRIMARY KEY REFERENCES homes (id),
    started_on     date,
    completed_on   date,
    transferred_on date,
    occupied_on    date,
    exit_route     text,
    exited_on      date,
    changed_tenure text,
    transferred_to bigint
);
CREATE INDEX home_event_dates_transferred_to_idx ON home_event_dates (transferred_to);

-- The from-scratch computations, shared by the refresh functions and the
-- drift check.
CREATE VIEW obligation_ledger_totals_computed AS
SELECT e.obligation_id,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'invoice'), 0)    AS invoiced,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0)    AS received,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'allocation'), 0)
         - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'deallocation'), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0)      AS spent,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'return'), 0)     AS returned,
       coalesce(sum(e.interest) FILTER (WHERE e.kind = 'return'), 0)   AS interest_paid,
       min(e.entry_date) FILTER (WHERE e.kind = 'receipt')             AS first_received_on
FROM ledger_effective e
GROUP BY e.obligation_id;

CREATE VIEW receipt_share_positions_computed AS
SELECT e.id AS entry_id, e.obligation_id, e.receipt_id, e.entry_date AS received_on, e.amount,
       sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum_end
FROM ledger_effective e
WHERE e.kind = 'receipt';

CREATE VIEW obligation_event_dates_computed AS
SELECT e.obligation_id,
       max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
       max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
       max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on
FROM obligation_events_effective e
GROUP BY e.obligation_id;

CREATE VIEW home_event_dates_computed AS
SELECT e.home_id,
       max(e.event_date) FILTER (WHERE e.kind = 'started')     AS started_on,
       max(e.event_date) FILTER (WHERE e.kind = 'completed')   AS completed_on,
       max(e.event_date) FILTER (WHERE e.kind = 'transferred') AS transferred_on,
       max(e.event_date) FILTER (WHERE e.kind = 'occupied')    AS occupied_on,
       (array_agg(e.kind ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind IN
           ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')))[1] AS exit_route,
       max(e.event_date) FILTER (WHERE e.kind IN
           ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')) AS exited_on,
       (array_agg(e.new_tenure ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'tenure-changed'))[1] AS changed_tenure,
       (array_agg(e.registered_provider_id ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'transferred'))[1] AS transferred_to
FROM home_events_effective e
GROUP BY e.home_id;

-- +goose StatementBegin
CREATE FUNCTION refresh_obligation_ledger_totals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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

CREATE FUNCTION refresh_obligation_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM obligations WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM obligation_event_dates WHERE obligation_id = ANY (ids);
    INSERT INTO obligation_event_dates
    SELECT c.* FROM obligation_event_dates_computed c WHERE c.obligation_id = ANY (ids);
END;
$$;

CREATE FUNCTION refresh_home_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM homes WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM home_event_dates WHERE home_id = ANY (ids);
    INSERT INTO home_event_dates
    SELECT c.* FROM home_event_dates_computed c WHERE c.home_id = ANY (ids);
END;
$$;

-- Recomputes every derived row: after a bulk load that bypassed the
-- triggers (seed --scale large), and to repair after restoring a backup
-- taken without them.
CREATE FUNCTION refresh_all_derived_totals() RETURNS void LANGUAGE plpgsql AS $$
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

CREATE FUNCTION ledger_entries_refresh_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_obligation_ledger_totals(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE FUNCTION obligation_events_refresh_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_obligation_event_dates(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE FUNCTION home_events_refresh_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_home_event_dates(ARRAY(SELECT DISTINCT home_id FROM new_rows));
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_entries_totals
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refresh_totals();
CREATE TRIGGER obligation_events_dates
    AFTER INSERT ON obligation_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION obligation_events_refresh_dates();
CREATE TRIGGER home_events_dates
    AFTER INSERT ON home_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION home_events_refresh_dates();

-- Rows where the kept totals differ from a computation from scratch.
CREATE VIEW derived_totals_drift AS
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

SELECT refresh_all_derived_totals();

-- The views keep their columns; they now read the kept totals.
CREATE OR REPLACE VIEW obligation_balances AS
SELECT o.id AS obligation_id,
       coalesce(t.invoiced, 0)::numeric      AS invoiced,
       coalesce(t.received, 0)::numeric      AS received,
       coalesce(t.allocated, 0)::numeric     AS allocated,
       coalesce(t.spent, 0)::numeric         AS spent,
       coalesce(t.returned, 0)::numeric      AS returned,
       coalesce(t.interest_paid, 0)::numeric AS interest_paid,
       t.first_received_on
FROM obligations o
LEFT JOIN obligation_ledger_totals t ON t.obligation_id = o.id;

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

CREATE OR REPLACE VIEW home_state AS
SELECT h.id AS home_id, d.started_on, d.completed_on, d.transferred_on, d.occupied_on, d.exit_route, d.exited_on,
       coalesce(d.changed_tenure, h.tenure) AS current_tenure,
       coalesce(d.transferred_to, h.registered_provider_id) AS current_provider_id,
       CASE
           WHEN d.exit_route IS NOT NULL THEN 'left-stock'
           WHEN d.occupied_on IS NOT NULL THEN 'occupied'
           WHEN d.transferred_on IS NOT NULL THEN 'transferred'
           WHEN d.completed_on IS NOT NULL THEN 'completed'
           WHEN d.started_on IS NOT NULL THEN 'started'
           ELSE 'secured'
       END AS state
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id;

CREATE OR REPLACE VIEW receipt_share_balances AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       CASE WHEN o.spend_by_months IS NULL THEN NULL
            ELSE (s.received_on + make_interval(months => o.spend_by_months))::date END AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM receipt_share_positions s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_ledger_totals b ON b.obligation_id = s.obligation_id;

-- The receipt shares' recomputation reads an obligation's receipts only.
CREATE INDEX ledger_entries_receipts_idx ON ledger_entries (obligation_id, entry_date, id) WHERE kind = 'receipt';

-- +goose Down
DROP INDEX ledger_entries_receipts_idx;
CREATE OR REPLACE VIEW receipt_share_balances AS
WITH shares AS (
    SELECT e.id AS entry_id, e.obligation_id, e.receipt_id, e.entry_date AS received_on, e.amount,
           sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum_end
    FROM ledger_effective e
    WHERE e.kind = 'receipt'
)
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       CASE WHEN o.spend_by_months IS NULL THEN NULL
            ELSE (s.received_on + make_interval(months => o.spend_by_months))::date END AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM shares s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_balances b ON b.obligation_id = s.obligation_id;
CREATE OR REPLACE VIEW home_state AS
WITH ev AS (
    SELECT h.id AS home_id,
           max(e.event_date) FILTER (WHERE e.kind = 'started')     AS started_on,
           max(e.event_date) FILTER (WHERE e.kind = 'completed')   AS completed_on,
           max(e.event_date) FILTER (WHERE e.kind = 'transferred') AS transferred_on,
           max(e.event_date) FILTER (WHERE e.kind = 'occupied')    AS occupied_on,
           (array_agg(e.kind ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind IN
               ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')))[1] AS exit_route,
           max(e.event_date) FILTER (WHERE e.kind IN
               ('right-to-buy', 'right-to-acquire', 'staircased', 'sold', 'demolished', 'converted-to-market', 'other-exit')) AS exited_on,
           (array_agg(e.new_tenure ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'tenure-changed'))[1] AS changed_tenure,
           (array_agg(e.registered_provider_id ORDER BY e.event_date DESC, e.id DESC) FILTER (WHERE e.kind = 'transferred'))[1] AS transferred_to
    FROM homes h
    LEFT JOIN home_events_effective e ON e.home_id = h.id
    GROUP BY h.id
)
SELECT ev.home_id, ev.started_on, ev.completed_on, ev.transferred_on, ev.occupied_on, ev.exit_route, ev.exited_on,
       coalesce(ev.changed_tenure, h.tenure) AS current_tenure,
       coalesce(ev.transferred_to, h.registered_provider_id) AS current_provider_id,
       CASE
           WHEN ev.exit_route IS NOT NULL THEN 'left-stock'
           WHEN ev.occupied_on IS NOT NULL THEN 'occupied'
           WHEN ev.transferred_on IS NOT NULL THEN 'transferred'
           WHEN ev.completed_on IS NOT NULL THEN 'completed'
           WHEN ev.started_on IS NOT NULL THEN 'started'
           ELSE 'secured'
       END AS state
FROM ev JOIN homes h ON h.id = ev.home_id;
CREATE OR REPLACE VIEW obligation_status AS
WITH ev AS (
    SELECT o.id AS obligation_id,
           max(e.event_date) FILTER (WHERE e.kind = 'trigger-met') AS trigger_met_on,
           max(e.event_date) FILTER (WHERE e.kind = 'delivered')   AS delivered_on,
           max(e.event_date) FILTER (WHERE e.kind = 'discharged')  AS discharged_on
    FROM obligations o
    LEFT JOIN obligation_events_effective e ON e.obligation_id = o.id
    GROUP BY o.id
)
SELECT ev.obligation_id, ev.trigger_met_on, ev.delivered_on, ev.discharged_on,
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
FROM ev JOIN obligation_balances b ON b.obligation_id = ev.obligation_id;
CREATE OR REPLACE VIEW obligation_balances AS
SELECT o.id AS obligation_id,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'invoice'), 0)    AS invoiced,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0)    AS received,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'allocation'), 0)
         - coalesce(sum(e.amount) FILTER (WHERE e.kind = 'deallocation'), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0)      AS spent,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'return'), 0)     AS returned,
       coalesce(sum(e.interest) FILTER (WHERE e.kind = 'return'), 0)   AS interest_paid,
       min(e.entry_date) FILTER (WHERE e.kind = 'receipt')             AS first_received_on
FROM obligations o
LEFT JOIN ledger_effective e ON e.obligation_id = o.id
GROUP BY o.id;
DROP VIEW derived_totals_drift;
DROP TRIGGER home_events_dates ON home_events;
DROP TRIGGER obligation_events_dates ON obligation_events;
DROP TRIGGER ledger_entries_totals ON ledger_entries;
DROP FUNCTION home_events_refresh_dates();
DROP FUNCTION obligation_events_refresh_dates();
DROP FUNCTION ledger_entries_refresh_totals();
DROP FUNCTION refresh_all_derived_totals();
DROP FUNCTION refresh_home_event_dates(bigint[]);
DROP FUNCTION refresh_obligation_event_dates(bigint[]);
DROP FUNCTION refresh_obligation_ledger_totals(bigint[]);
DROP VIEW home_event_dates_computed;
DROP VIEW receipt_share_positions_computed;
DROP VIEW obligation_event_dates_computed;
DROP VIEW obligation_ledger_totals_computed;
DROP TABLE home_event_dates;
DROP TABLE obligation_event_dates;
DROP TABLE receipt_share_positions;
DROP TABLE obligation_ledger_totals;
