-- +goose Up
-- The kept totals restated in full, in one place (issue 19, item 1).
--
-- Migrations 00003, 00010, 00014, 00016-00019, 00023-00026 and 00060
-- built the kept totals up piecemeal, and 00018 and 00019 extended
-- refresh_all_derived_totals and derived_totals_drift by renaming the old
-- one and calling it. From here on their live definitions are the files
-- of internal/store/schema/ (one per subsystem, each saying which figures
-- it defines and which pages read them), re-applied after every
-- `s106 migrate up`. This migration removes the renamed layers and
-- restates every view, kept table, refresh function, trigger and drift
-- view as those files stood when it was written; later changes are made
-- in the files (and, for a new or changed table or column, a migration).
--
-- Two changes come with it:
--   * the tenure list is data: a home's place in the homes list by tenure
--     is its tenure product's sort_order (tenure_products, the order the
--     forms offer them), kept on the home as list_tenure_order like its
--     other list keys. The IMMUTABLE home_tenure_rank, which named the
--     tenures in code and had to be redefined with a REINDEX when one was
--     added, and its index are gone; the index is on the kept column;
--   * delivery_trigger_numbers also says not_transferred and breach, so
--     the judgement has one definition too (homes, alerts, dashboard).
-- And schema_definitions records the checksum of the files last applied,
-- so a server start re-applies them only when they changed.

-- +goose StatementBegin
DROP VIEW derived_totals_drift;
DROP VIEW derived_totals_drift_before_pairs;
DROP FUNCTION refresh_all_derived_totals();
DROP FUNCTION refresh_all_derived_totals_before_home_keys();
DROP FUNCTION refresh_all_derived_totals_before_pairs();

CREATE TABLE schema_definitions (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
-- Written by the owner role when it migrates; the server only reads it.
REVOKE INSERT, UPDATE, DELETE ON schema_definitions FROM s106_app;

ALTER TABLE homes ADD COLUMN list_tenure_order integer;
UPDATE homes h SET list_tenure_order = tp.sort_order FROM tenure_products tp WHERE tp.code = h.list_tenure;
ALTER TABLE homes ALTER COLUMN list_tenure_order SET NOT NULL;
DROP INDEX homes_list_tenure_idx;
CREATE INDEX homes_list_tenure_idx ON homes
    (list_tenure_order, development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
DROP FUNCTION home_tenure_rank(text);

-- ==== restated from internal/store/schema/10_ledger_totals.sql ====
-- Ledger totals: the money of each obligation, receipt share, project and
-- obligation-and-project pair, kept from the append-only ledger.
--
-- Figures defined here:
--   received, allocated, spent, returned, invoiced, interest paid per
--     obligation (obligation_ledger_totals, read through obligation_balances);
--     "held" is received - returned - spent (obligation_status, next file);
--   each receipt share's running total, first received first used
--     (receipt_share_positions), from which deadlines.sql works out what of
--     each share is unallocated and unspent;
--   allocated and spent per project (project_ledger_totals) and per
--     obligation and project (obligation_project_totals).
-- Pages that read them: the obligation and agreement pages (money panel),
-- the obligations, receipts and projects lists, the dashboard, the public
-- overview and development pages, the IFS, the data-standard export.
--
-- How they are kept: statement triggers on ledger_entries, in the writing
-- transaction. obligation_ledger_totals and receipt_share_positions are
-- recomputed per obligation from the standing entries (a reversal is
-- handled like any entry), after locking the obligations' rows (FOR NO KEY
-- UPDATE, the lock the ledger's balance checks take), so a second writer
-- waits for the first and, under READ COMMITTED, then counts its entries.
-- The project and pair totals are moved by each entry's amount (a
-- reversal moves its entry's back): increments commute, so concurrent
-- writers add to the committed row one after the other. Nothing in Go
-- writes these tables. Each has a *_computed view, the from-scratch
-- computation the refreshes and the drift check (90_drift.sql) share.
--
-- This file is re-applied after every `s106 migrate up` (internal/store,
-- Migrate): edit a definition here, in place. A new kept table, a changed
-- column or a dropped object needs a migration as well (CREATE OR REPLACE
-- VIEW cannot drop or retype a column; CREATE TABLE IF NOT EXISTS does not
-- alter a table). Then run `go run ./cmd/s106 schema` to refresh schema.sql.

-- Entries that stand: not reversals, and not reversed. The columns are
-- named (as "e.*" stood when the view was first made): "e.*" would grow
-- with each new ledger column on every re-apply and then block dropping
-- that column.
CREATE OR REPLACE VIEW ledger_effective AS
SELECT e.id, e.obligation_id, e.kind, e.entry_date, e.amount, e.receipt_id, e.project_id, e.interest,
       e.reference, e.evidence, e.note, e.base_amount, e.index_series, e.base_index_date, e.base_index_value,
       e.calc_index_date, e.calc_index_value, e.calculated_amount, e.override_reason, e.due_date,
       e.reverses_id, e.recorded_by, e.recorded_at
FROM ledger_entries e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id);

-- Kept tables ---------------------------------------------------------------

CREATE TABLE IF NOT EXISTS obligation_ledger_totals (
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
CREATE TABLE IF NOT EXISTS receipt_share_positions (
    entry_id      bigint PRIMARY KEY REFERENCES ledger_entries (id),
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    receipt_id    bigint NOT NULL REFERENCES receipts (id),
    received_on   date NOT NULL,
    amount        numeric(14,2) NOT NULL,
    cum_end       numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS receipt_share_positions_obligation_idx ON receipt_share_positions (obligation_id);
CREATE INDEX IF NOT EXISTS receipt_share_positions_receipt_idx ON receipt_share_positions (receipt_id);

CREATE TABLE IF NOT EXISTS project_ledger_totals (
    project_id bigint PRIMARY KEY REFERENCES projects (id),
    allocated  numeric NOT NULL,
    spent      numeric NOT NULL
);

CREATE TABLE IF NOT EXISTS obligation_project_totals (
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    project_id    bigint NOT NULL REFERENCES projects (id),
    allocated     numeric NOT NULL,
    spent         numeric NOT NULL,
    PRIMARY KEY (obligation_id, project_id)
);

-- From-scratch computations ---------------------------------------------------

-- What each entry kind does to an obligation's money: a receipt adds to
-- received, an allocation to allocated (a de-allocation takes away), a
-- spend (including a transfer to another body to spend, Schedule 2
-- paragraph 3(f)) to spent, a return to returned.
CREATE OR REPLACE VIEW obligation_ledger_totals_computed AS
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

CREATE OR REPLACE VIEW receipt_share_positions_computed AS
SELECT e.id AS entry_id, e.obligation_id, e.receipt_id, e.entry_date AS received_on, e.amount,
       sum(e.amount) OVER (PARTITION BY e.obligation_id ORDER BY e.entry_date, e.id) AS cum_end
FROM ledger_effective e
WHERE e.kind = 'receipt';

CREATE OR REPLACE VIEW project_ledger_totals_computed AS
SELECT e.project_id,
       coalesce(sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
FROM ledger_effective e
WHERE e.project_id IS NOT NULL
GROUP BY e.project_id;

CREATE OR REPLACE VIEW obligation_project_totals_computed AS
SELECT e.obligation_id, e.project_id,
       coalesce(sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
FROM ledger_effective e
WHERE e.project_id IS NOT NULL
GROUP BY e.obligation_id, e.project_id;

-- Refreshes and triggers --------------------------------------------------------

-- Recomputes the obligations' totals and receipt shares, then what is
-- kept from them: their states (20_obligation_status.sql) and their
-- shares' deadline figures (30_deadlines.sql).
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

CREATE OR REPLACE FUNCTION ledger_entries_refresh_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_obligation_ledger_totals(ARRAY(SELECT DISTINCT obligation_id FROM new_rows));
    RETURN NULL;
END;
$$;

-- Each new entry moves its project's totals by its amount; a reversal
-- moves the reversed entry's project back by that entry's amount.
CREATE OR REPLACE FUNCTION ledger_entries_move_project_totals() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- The same per obligation and project pair.
CREATE OR REPLACE FUNCTION ledger_entries_move_pair_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO obligation_project_totals AS t (obligation_id, project_id, allocated, spent)
    SELECT m.obligation_id, m.project_id, sum(m.sign * m.allocated), sum(m.sign * m.spent)
    FROM (
        SELECT 1 AS sign, n.obligation_id, n.project_id,
               CASE n.kind WHEN 'allocation' THEN n.amount WHEN 'deallocation' THEN -n.amount ELSE 0 END AS allocated,
               CASE n.kind WHEN 'spend' THEN n.amount ELSE 0 END AS spent
        FROM new_rows n
        WHERE n.project_id IS NOT NULL
        UNION ALL
        SELECT -1, e.obligation_id, e.project_id,
               CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END,
               CASE e.kind WHEN 'spend' THEN e.amount ELSE 0 END
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.project_id IS NOT NULL
    ) m
    GROUP BY m.obligation_id, m.project_id
    ORDER BY m.obligation_id, m.project_id
    ON CONFLICT (obligation_id, project_id) DO UPDATE
        SET allocated = t.allocated + excluded.allocated, spent = t.spent + excluded.spent;
    RETURN NULL;
END;
$$;

-- Triggers of one event fire in name order: the obligations' totals first.
CREATE OR REPLACE TRIGGER ledger_entries_totals
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refresh_totals();
CREATE OR REPLACE TRIGGER ledger_entries_totals_pairs
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_pair_totals();
CREATE OR REPLACE TRIGGER ledger_entries_totals_projects
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_project_totals();

-- What pages read -----------------------------------------------------------------

-- Money per obligation, every obligation (zero when it has no entries).
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

-- ==== restated from internal/store/schema/20_obligation_status.sql ====
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

-- ==== restated from internal/store/schema/30_deadlines.sql ====
-- Deadlines: each receipt share's spend-by deadline and what of it is
-- unallocated, unspent and returned.
--
-- Figures defined here:
--   "unspent" and "unallocated" money, per receipt share, first received
--     first used: returns take the oldest money first, then allocations
--     and spend (receipt_share_balances, from the kept running totals of
--     10_ledger_totals.sql);
--   the spend-by deadline of each share (spend_by_deadline: the one rule,
--     following the agreement's clock: each payment, the final instalment,
--     a dated event or a fixed date);
--   the same kept per share, with the obligation's filters, for the
--     deadlines list (receipt_share_deadlines).
-- Pages that read them: the deadlines list and its RAG totals, the
-- dashboard's money at risk and timeline, the spend-by and unallocated
-- alerts, the obligation page's receipts, the calendar feeds, the IFS
-- (money retained). A share's RAG rating depends on today, so it is never
-- kept: it is worked out from the kept deadline (ledger.RateShare).
--
-- How they are kept: refresh_obligation_ledger_totals (10_ledger_totals.sql)
-- ends with refresh_receipt_share_deadlines for its obligations; a change
-- to an obligation's clock, amount, agreement, purpose or service area, or
-- to an agreement's reference, recomputes its shares. Re-applied after
-- every migrate (see 10_ledger_totals.sql for the rules).

-- A share has no deadline while the period is unknown, the final
-- instalment is not yet paid or the event has no date.
CREATE OR REPLACE FUNCTION spend_by_deadline(spend_from text, months integer, received_on date, start date, final_instalment date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN months IS NULL THEN NULL
                ELSE (CASE spend_from
                          WHEN 'payment' THEN received_on
                          WHEN 'final-instalment' THEN final_instalment
                          ELSE start
                      END + make_interval(months => months))::date
           END
$$;

-- Each standing receipt share: its deadline, and what of it is still
-- unallocated and unspent, or was returned. The final instalment is the
-- last payment once the money due (the invoices, else the base amount) is
-- received in full.
CREATE OR REPLACE VIEW receipt_share_balances AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount,
       spend_by_deadline(o.spend_by_from, o.spend_by_months, s.received_on, o.spend_by_start,
           CASE WHEN o.spend_by_from = 'final-instalment'
                 AND b.received >= coalesce(nullif(b.invoiced, 0), o.base_amount)
                THEN (SELECT max(p.received_on) FROM receipt_share_positions p WHERE p.obligation_id = s.obligation_id)
           END) AS deadline,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.allocated)) AS unallocated,
       greatest(0, least(s.amount, s.cum_end - b.returned - b.spent)) AS unspent,
       greatest(0, least(s.amount, b.returned - (s.cum_end - s.amount))) AS returned
FROM receipt_share_positions s
JOIN obligations o ON o.id = s.obligation_id
JOIN obligation_ledger_totals b ON b.obligation_id = s.obligation_id;

-- receipt_share_balances' rows, with the obligation's agreement, purpose
-- and service area for the list's filters and the agreement's reference
-- for its sort, so the list filters, sorts and pages the kept shares alone.
CREATE TABLE IF NOT EXISTS receipt_share_deadlines (
    entry_id      bigint PRIMARY KEY REFERENCES ledger_entries (id),
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    receipt_id    bigint NOT NULL REFERENCES receipts (id),
    received_on   date NOT NULL,
    amount        numeric(14,2) NOT NULL,
    deadline      date,
    unallocated   numeric NOT NULL,
    unspent       numeric NOT NULL,
    returned      numeric NOT NULL,
    agreement_id  bigint NOT NULL,
    purpose_code  text NOT NULL,
    service_area  text NOT NULL,
    agreement_key text NOT NULL
);
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_obligation_idx ON receipt_share_deadlines (obligation_id);
-- One index for each sort and direction of the list, over the shares with
-- money unspent, in the list's order: the sort, then the deadline, the day
-- received and the entry. The rating filters are ranges of deadlines.
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_list_idx ON receipt_share_deadlines (deadline, received_on, entry_id) INCLUDE (unallocated) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_deadline_desc_idx ON receipt_share_deadlines (deadline DESC NULLS LAST, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_received_idx ON receipt_share_deadlines (received_on, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_received_desc_idx ON receipt_share_deadlines (received_on DESC NULLS LAST, deadline, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_unspent_idx ON receipt_share_deadlines (unspent, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_unspent_desc_idx ON receipt_share_deadlines (unspent DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_agreement_idx ON receipt_share_deadlines (agreement_key, deadline, received_on, entry_id) WHERE unspent > 0;
CREATE INDEX IF NOT EXISTS receipt_share_deadlines_agreement_desc_idx ON receipt_share_deadlines (agreement_key DESC NULLS LAST, deadline, received_on, entry_id) WHERE unspent > 0;
-- Every ledger entry rewrites its obligation's rows, and a page reads the
-- indexes alone only where pages are all-visible: vacuum it often.
ALTER TABLE receipt_share_deadlines SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

CREATE OR REPLACE VIEW receipt_share_deadlines_computed AS
SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
       o.agreement_id, o.purpose_code, o.service_area, upper(a.reference) AS agreement_key
FROM receipt_share_balances s
JOIN obligations o ON o.id = s.obligation_id
JOIN agreements a ON a.id = o.agreement_id;

CREATE OR REPLACE FUNCTION refresh_receipt_share_deadlines(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- A new clock or amount moves the deadline of every share already paid; a
-- new agreement, purpose or service area moves them between the filters.
-- The update holds the obligation's row lock, so no ledger refresh of it
-- runs meanwhile.
CREATE OR REPLACE FUNCTION obligations_deadline_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

-- A new reference moves the agreement's shares in the agreement sort.
CREATE OR REPLACE FUNCTION agreements_deadline_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_receipt_share_deadlines(ARRAY(SELECT id FROM obligations WHERE agreement_id = NEW.id));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER obligations_share_deadlines
    AFTER UPDATE OF spend_by_months, spend_by_from, spend_by_start, base_amount, agreement_id, purpose_code, service_area ON obligations
    FOR EACH ROW WHEN ((OLD.spend_by_months, OLD.spend_by_from, OLD.spend_by_start, OLD.base_amount, OLD.agreement_id, OLD.purpose_code, OLD.service_area)
                       IS DISTINCT FROM (NEW.spend_by_months, NEW.spend_by_from, NEW.spend_by_start, NEW.base_amount, NEW.agreement_id, NEW.purpose_code, NEW.service_area))
    EXECUTE FUNCTION obligations_deadline_keys_changed();
CREATE OR REPLACE TRIGGER agreements_share_deadlines
    AFTER UPDATE OF reference ON agreements
    FOR EACH ROW WHEN (upper(OLD.reference) IS DISTINCT FROM upper(NEW.reference))
    EXECUTE FUNCTION agreements_deadline_key_changed();

-- ==== restated from internal/store/schema/40_payments.sql ====
-- Payments: what of a payment is held in suspense, and which receipt
-- shares were paid early.
--
-- Figures defined here:
--   each payment's suspense: held (the overpaid part, above what was
--     invoiced), refunded, assigned to an obligation, and the balance
--     (suspense_balances, from the append-only suspense_entries). Money in
--     suspense has no spend-by deadline and counts in no IFS item;
--   "paid early": a standing receipt share with no invoice of its
--     obligation dated on or before it, or whose obligation's trigger was
--     not met by then (receipt_shares_paid_early).
-- Pages that read them: the receipt page and receipts list (suspense,
-- paid-early flag), the suspense list, the dashboard. Both are plain views
-- (nothing kept). Re-applied after every migrate (see 10_ledger_totals.sql).

CREATE OR REPLACE VIEW suspense_balances AS
SELECT s.receipt_id,
       min(s.entry_date) FILTER (WHERE s.kind = 'held')              AS held_since,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'held'), 0)       AS held,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'refund'), 0)     AS refunded,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'assignment'), 0) AS assigned,
       coalesce(sum(CASE s.kind WHEN 'held' THEN s.amount ELSE -s.amount END), 0) AS balance
FROM suspense_entries s
GROUP BY s.receipt_id;

CREATE OR REPLACE VIEW receipt_shares_paid_early AS
SELECT e.id AS entry_id, e.receipt_id, e.obligation_id, e.entry_date,
       NOT EXISTS (SELECT 1 FROM ledger_effective i
                   WHERE i.obligation_id = e.obligation_id AND i.kind = 'invoice' AND i.entry_date <= e.entry_date) AS not_invoiced,
       (d.trigger_met_on IS NULL OR d.trigger_met_on > e.entry_date) AS trigger_not_met
FROM ledger_effective e
LEFT JOIN obligation_event_dates d ON d.obligation_id = e.obligation_id
WHERE e.kind = 'receipt'
  AND (NOT EXISTS (SELECT 1 FROM ledger_effective i
                   WHERE i.obligation_id = e.obligation_id AND i.kind = 'invoice' AND i.entry_date <= e.entry_date)
       OR d.trigger_met_on IS NULL OR d.trigger_met_on > e.entry_date);

-- ==== restated from internal/store/schema/50_homes_totals.sql ====
-- Homes: each home's life-event dates, its current state, tenure and
-- provider, and the keys the homes list sorts and filters by.
--
-- Figures defined here:
--   a home's started / completed / transferred / occupied dates, its exit
--     from the affordable stock and its tenure changes (home_event_dates,
--     kept from the append-only home_events);
--   its state: secured → started → completed → transferred → occupied, or
--     left-stock (home_state_of, the one rule, used by home_state and the
--     kept keys), its current tenure and current provider (home_state);
--   "affordable today": a home that is not market tenure and has not left
--     the stock, counted from home_state / home_event_dates by the public
--     overview, the dashboard and the lost-stock report;
--   the list keys kept on each home (homes.list_tenure, list_tenure_order,
--     list_state, list_provider_id, list_provider_sort, development_sort).
--     A tenure's place in the list is its tenure_products.sort_order (the
--     order the forms offer tenures), kept on the home as
--     list_tenure_order, so the index on it stays right when an admin adds
--     a product or reorders one (no IMMUTABLE function to redefine).
-- Pages that read them: the homes list, a home's page, the housing
-- compliance and breaches pages, lost stock, the dashboard's homes, the
-- public development pages, provider returns, the IFS's homes completed.
--
-- How they are kept: home_event_dates by a statement trigger on
-- home_events that recomputes the homes it touched (after locking their
-- rows) and then their list keys; the list keys also by a BEFORE trigger
-- when a home is added or its tenure or provider changes, and after a
-- provider is renamed, a development renamed or a tenure product
-- reordered. Re-applied after every migrate (see 10_ledger_totals.sql).

-- Events that stand: not reversals, and not reversed (columns named, as
-- for ledger_effective).
CREATE OR REPLACE VIEW home_events_effective AS
SELECT e.id, e.home_id, e.kind, e.event_date, e.new_tenure, e.registered_provider_id, e.evidence, e.note,
       e.reverses_id, e.recorded_by, e.recorded_at
FROM home_events e
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM home_events r WHERE r.reverses_id = e.id);

CREATE TABLE IF NOT EXISTS home_event_dates (
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
CREATE INDEX IF NOT EXISTS home_event_dates_transferred_to_idx ON home_event_dates (transferred_to);
-- The dashboard's homes completed and lost in the year.
CREATE INDEX IF NOT EXISTS home_event_dates_completed_idx ON home_event_dates (completed_on) WHERE completed_on IS NOT NULL;
CREATE INDEX IF NOT EXISTS home_event_dates_exited_idx ON home_event_dates (exited_on) WHERE exited_on IS NOT NULL;

-- The newest exit and tenure change win; the latest transfer names the
-- provider.
CREATE OR REPLACE VIEW home_event_dates_computed AS
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

-- A home's state: left-stock if it has an exit; else the furthest of
-- occupied, transferred, completed, started; else secured. Not used by an
-- index, so it may be redefined here.
CREATE OR REPLACE FUNCTION home_state_of(exit_route text, occupied_on date, transferred_on date, completed_on date, started_on date)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE
        WHEN exit_route IS NOT NULL THEN 'left-stock'
        WHEN occupied_on IS NOT NULL THEN 'occupied'
        WHEN transferred_on IS NOT NULL THEN 'transferred'
        WHEN completed_on IS NOT NULL THEN 'completed'
        WHEN started_on IS NOT NULL THEN 'started'
        ELSE 'secured'
    END
$fn$;

-- Tenure: the newest tenure change, else the tenure it was secured as.
CREATE OR REPLACE VIEW home_state AS
SELECT h.id AS home_id, d.started_on, d.completed_on, d.transferred_on, d.occupied_on, d.exit_route, d.exited_on,
       coalesce(d.changed_tenure, h.tenure) AS current_tenure,
       coalesce(d.transferred_to, h.registered_provider_id) AS current_provider_id,
       home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on) AS state
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id;

-- List keys ---------------------------------------------------------------------

-- Recomputes the homes' list keys from home_state; writes only the homes
-- whose keys differ.
CREATE OR REPLACE FUNCTION refresh_home_list_keys(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    UPDATE homes h
    SET list_tenure = st.current_tenure, list_tenure_order = tp.sort_order, list_state = st.state,
        list_provider_id = st.current_provider_id, list_provider_sort = lower(p.name)
    FROM home_state st
    JOIN tenure_products tp ON tp.code = st.current_tenure
    LEFT JOIN registered_providers p ON p.id = st.current_provider_id
    WHERE st.home_id = h.id AND h.id = ANY (ids)
      AND (h.list_tenure, h.list_tenure_order, h.list_state, h.list_provider_id, h.list_provider_sort)
          IS DISTINCT FROM (st.current_tenure, tp.sort_order, st.state, st.current_provider_id, lower(p.name));
$fn$;

CREATE OR REPLACE FUNCTION refresh_home_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM homes WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM home_event_dates WHERE home_id = ANY (ids);
    INSERT INTO home_event_dates
    SELECT c.* FROM home_event_dates_computed c WHERE c.home_id = ANY (ids);
    PERFORM refresh_home_list_keys(ids);
END;
$$;

CREATE OR REPLACE FUNCTION home_events_refresh_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_home_event_dates(ARRAY(SELECT DISTINCT home_id FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER home_events_dates
    AFTER INSERT ON home_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION home_events_refresh_dates();

-- A home added, or its tenure or provider changed: as home_state, the
-- event dates' changes win over the home's own.
CREATE OR REPLACE FUNCTION homes_set_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d home_event_dates;
BEGIN
    SELECT * INTO d FROM home_event_dates WHERE home_id = NEW.id;
    NEW.list_tenure := coalesce(d.changed_tenure, NEW.tenure);
    NEW.list_tenure_order := (SELECT tp.sort_order FROM tenure_products tp WHERE tp.code = NEW.list_tenure);
    NEW.list_provider_id := coalesce(d.transferred_to, NEW.registered_provider_id);
    NEW.list_state := home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on);
    NEW.list_provider_sort := (SELECT lower(p.name) FROM registered_providers p WHERE p.id = NEW.list_provider_id);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER homes_list_keys BEFORE INSERT OR UPDATE OF tenure, registered_provider_id ON homes
    FOR EACH ROW EXECUTE FUNCTION homes_set_list_keys();

CREATE OR REPLACE FUNCTION providers_rename_homes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes SET list_provider_sort = lower(NEW.name)
    WHERE list_provider_id = NEW.id AND list_provider_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER providers_rename_homes AFTER UPDATE OF name ON registered_providers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION providers_rename_homes();

CREATE OR REPLACE FUNCTION tenure_products_reorder_homes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes SET list_tenure_order = NEW.sort_order
    WHERE list_tenure = NEW.code AND list_tenure_order IS DISTINCT FROM NEW.sort_order;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER tenure_products_reorder_homes AFTER UPDATE OF sort_order ON tenure_products
    FOR EACH ROW WHEN (OLD.sort_order IS DISTINCT FROM NEW.sort_order) EXECUTE FUNCTION tenure_products_reorder_homes();

-- The development's name as the list sorts it, copied onto its homes.
CREATE OR REPLACE FUNCTION homes_set_development_sort() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.development_sort := (SELECT lower(d.name) FROM developments d WHERE d.id = NEW.development_id);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER homes_development_sort BEFORE INSERT OR UPDATE OF development_id ON homes
    FOR EACH ROW EXECUTE FUNCTION homes_set_development_sort();

CREATE OR REPLACE FUNCTION developments_rename_homes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes SET development_sort = lower(NEW.name)
    WHERE development_id = NEW.id AND development_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER developments_rename_homes AFTER UPDATE OF name ON developments
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION developments_rename_homes();

-- For bulk loads that bypass triggers (seed --scale large): every kept key.
CREATE OR REPLACE FUNCTION refresh_home_sort_keys() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes h SET development_sort = lower(d.name)
    FROM developments d
    WHERE d.id = h.development_id AND h.development_sort IS DISTINCT FROM lower(d.name);
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
END;
$$;

-- Kept keys that differ from what home_state and the tenure products say
-- (none, normally).
CREATE OR REPLACE VIEW home_list_keys_drift AS
SELECT h.id
FROM homes h
JOIN home_state st ON st.home_id = h.id
JOIN tenure_products tp ON tp.code = st.current_tenure
LEFT JOIN registered_providers p ON p.id = st.current_provider_id
LEFT JOIN developments d ON d.id = h.development_id
WHERE (h.list_tenure, h.list_tenure_order, h.list_state, h.list_provider_id, h.list_provider_sort, h.development_sort)
      IS DISTINCT FROM (st.current_tenure, tp.sort_order, st.state, st.current_provider_id, lower(p.name), lower(d.name));

-- ==== restated from internal/store/schema/60_delivery_trigger.sql ====
-- The affordable-housing delivery trigger: the numbers a clause like "not
-- to permit Occupation of more than 50% of the Market Housing Units until
-- all of the Affordable Housing Units have been transferred to a
-- Registered Provider" is judged on, and the judgement.
--
-- Figures defined here:
--   the affordable homes an obligation secured (obligation_agreed_homes:
--     the mix's number, else the affordable lines of its schedule, else
--     the obligation's units);
--   for each live affordable-housing obligation with a market occupation
--     limit (delivery_trigger_numbers): the limit; affordable homes agreed,
--     recorded and transferred (handed to the provider, or further on:
--     occupied or since left the stock); the development's market homes
--     and market homes occupied (the larger of those recorded one by one
--     and the latest dated count); not_transferred, the larger of (agreed -
--     transferred) and (recorded - transferred); and breach: more than the
--     limit's share of market homes occupied (exactly the limit is allowed)
--     while any affordable home is not transferred
--     (delivery_trigger_not_transferred, delivery_trigger_breach: the rule,
--     once; Go reads the view's answer and never recomputes it).
-- Pages that read them: the housing compliance page and the breaches list
-- (internal/homes), the homes-breach alert (internal/alerts) and the
-- dashboard's breaches (internal/dashboard), all through
-- homes.TriggerChecks; the public overview reads obligation_agreed_homes.
-- Plain views (nothing kept): each lateral reads only its own obligation's
-- or development's homes, by index. Re-applied after every migrate (see
-- 10_ledger_totals.sql).

CREATE OR REPLACE VIEW obligation_agreed_homes AS
SELECT o.id AS obligation_id,
       coalesce(m.affordable_homes,
                (SELECT nullif(sum(l.homes), 0)::int FROM affordable_mix_lines l
                 WHERE l.obligation_id = o.id AND l.tenure <> 'market'),
                o.units, 0) AS agreed
FROM obligations o
LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
WHERE o.kind = 'affordable-housing';

-- The affordable homes not yet transferred: homes agreed but not yet
-- recorded are not transferred either.
CREATE OR REPLACE FUNCTION delivery_trigger_not_transferred(agreed integer, recorded integer, transferred integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT greatest(agreed - transferred, recorded - transferred, 0)
$$;

-- The breach: more than the limit's share of market homes occupied
-- (exactly the limit is allowed) while affordable homes are not
-- transferred; none while no market homes are known.
CREATE OR REPLACE FUNCTION delivery_trigger_breach(occupation_limit integer, market_homes integer, market_occupied integer, not_transferred integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT market_homes > 0 AND not_transferred > 0 AND market_occupied * 100 > occupation_limit * market_homes
$$;

-- The limit is the one the agreed mix records, else the obligation's own
-- trigger when it is "occupation of N% of the market dwellings".
CREATE OR REPLACE VIEW delivery_trigger_numbers AS
SELECT o.id AS obligation_id, a.development_id, lim.occupation_limit,
       ag.agreed,
       af.recorded, af.transferred,
       greatest(mk.homes, coalesce(c.market_homes, 0)) AS market_homes,
       mk.homes AS market_homes_recorded,
       mk.occupied AS market_occupied_recorded,
       c.counted_on, c.occupied AS market_occupied_counted,
       greatest(mk.occupied, coalesce(c.occupied, 0)) AS market_occupied,
       j.not_transferred,
       delivery_trigger_breach(lim.occupation_limit, greatest(mk.homes, coalesce(c.market_homes, 0)),
                               greatest(mk.occupied, coalesce(c.occupied, 0)), j.not_transferred) AS breach
FROM obligations o
JOIN agreements a ON a.id = o.agreement_id
LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
JOIN obligation_agreed_homes ag ON ag.obligation_id = o.id
CROSS JOIN LATERAL (
    SELECT coalesce(m.market_occupation_limit,
                    CASE WHEN o.trigger_type = 'occupation-percent' THEN o.trigger_quantity END) AS occupation_limit
) lim
CROSS JOIN LATERAL (
    SELECT count(*)::int AS recorded,
           count(*) FILTER (WHERE d.transferred_on IS NOT NULL OR d.occupied_on IS NOT NULL
                            OR d.exit_route IS NOT NULL)::int AS transferred
    FROM homes h LEFT JOIN home_event_dates d ON d.home_id = h.id
    WHERE h.obligation_id = o.id AND h.archived_at IS NULL
) af
CROSS JOIN LATERAL (
    SELECT count(*)::int AS homes, count(d.occupied_on)::int AS occupied
    FROM homes h LEFT JOIN home_event_dates d ON d.home_id = h.id
    WHERE h.development_id = a.development_id AND h.tenure = 'market' AND h.archived_at IS NULL
) mk
LEFT JOIN LATERAL (
    SELECT k.counted_on, k.market_homes, k.occupied
    FROM market_occupation_counts k
    WHERE k.development_id = a.development_id
    ORDER BY k.counted_on DESC, k.id DESC
    LIMIT 1
) c ON true
CROSS JOIN LATERAL (
    SELECT delivery_trigger_not_transferred(ag.agreed, af.recorded, af.transferred) AS not_transferred
) j
WHERE o.kind = 'affordable-housing' AND o.archived_at IS NULL AND lim.occupation_limit IS NOT NULL;

-- ==== restated from internal/store/schema/70_watch.sql ====
-- Watch lists from outside data: sales of affordable homes in HM Land
-- Registry's price paid data, and developers Companies House shows in
-- trouble while their agreements still owe.
--
-- Figures defined here:
--   suspicious_sales: the matched sales the housing team should
--     investigate (a home that should still be affordable), with the
--     home's obligation;
--   developer_insolvency: agreements whose developer is dissolved, in
--     liquidation, administration or receivership, or in insolvency
--     proceedings, and which still owe money (a financial obligation or
--     monitoring fee not yet paid) or homes (an affordable-housing
--     obligation with fewer homes transferred than agreed).
-- Pages that read them: the suspicious-sale and developer-insolvent
-- alerts, the price paid and companies pages. Plain views (nothing kept).
-- Re-applied after every migrate (see 10_ledger_totals.sql).

CREATE OR REPLACE VIEW suspicious_sales AS
SELECT m.transaction_id, m.home_id, h.obligation_id, s.price, s.sold_on, m.reason
FROM price_paid_matches m
JOIN price_paid_sales s ON s.transaction_id = m.transaction_id
JOIN homes h ON h.id = m.home_id
WHERE m.suspicious AND h.obligation_id IS NOT NULL AND h.archived_at IS NULL;

-- "Transferred" here is a home with a transfer date, which is narrower
-- than the delivery trigger's (transferred, occupied or left the stock,
-- 60_delivery_trigger.sql); kept as it was built.
CREATE OR REPLACE VIEW developer_insolvency AS
SELECT a.id AS agreement_id, org.name AS developer, org.company_number, cs.status, cs.status_detail, cs.checked_at
FROM agreements a
JOIN agreement_parties ap ON ap.agreement_id = a.id AND ap.party_role = 'developer'
JOIN organisations org ON org.id = ap.organisation_id
JOIN company_statuses cs ON cs.company_number = org.company_number
WHERE cs.status IN ('dissolved', 'liquidation', 'administration', 'receivership', 'insolvency-proceedings')
  AND a.archived_at IS NULL AND a.status NOT IN ('discharged', 'superseded')
  AND EXISTS (
      SELECT 1 FROM obligations o JOIN obligation_status s ON s.obligation_id = o.id
      LEFT JOIN obligation_agreed_homes ag ON ag.obligation_id = o.id
      WHERE o.agreement_id = a.id AND o.archived_at IS NULL AND s.status <> 'discharged'
        AND ((o.kind IN ('financial', 'monitoring-fee') AND s.status IN ('pending', 'triggered', 'invoiced', 'part-paid'))
          OR (o.kind = 'affordable-housing' AND coalesce(ag.agreed, 0) > (
                SELECT count(*) FROM homes h JOIN home_event_dates d ON d.home_id = h.id
                WHERE h.obligation_id = o.id AND h.archived_at IS NULL AND d.transferred_on IS NOT NULL))));

-- ==== restated from internal/store/schema/90_drift.sql ====
-- Drift: proof that every kept table equals a computation from scratch,
-- and the one function that rebuilds them all.
--
-- Figures defined here: none new. derived_totals_drift lists each row of a
-- kept table (10_ledger_totals.sql, 20_obligation_status.sql,
-- 30_deadlines.sql, 50_homes_totals.sql) that differs from its *_computed
-- view; home_list_keys_drift (50_homes_totals.sql) does the same for the
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
END;
$$;

-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DROP FUNCTION drift_report();
DROP TRIGGER tenure_products_reorder_homes ON tenure_products;
DROP FUNCTION tenure_products_reorder_homes();

-- The delivery-trigger view without the judgement (00060).
DROP VIEW delivery_trigger_numbers;
CREATE VIEW delivery_trigger_numbers AS
SELECT o.id AS obligation_id, a.development_id, lim.occupation_limit,
       ag.agreed,
       af.recorded, af.transferred,
       greatest(mk.homes, coalesce(c.market_homes, 0)) AS market_homes,
       mk.homes AS market_homes_recorded,
       mk.occupied AS market_occupied_recorded,
       c.counted_on, c.occupied AS market_occupied_counted,
       greatest(mk.occupied, coalesce(c.occupied, 0)) AS market_occupied
FROM obligations o
JOIN agreements a ON a.id = o.agreement_id
LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
JOIN obligation_agreed_homes ag ON ag.obligation_id = o.id
CROSS JOIN LATERAL (
    SELECT coalesce(m.market_occupation_limit,
                    CASE WHEN o.trigger_type = 'occupation-percent' THEN o.trigger_quantity END) AS occupation_limit
) lim
CROSS JOIN LATERAL (
    SELECT count(*)::int AS recorded,
           count(*) FILTER (WHERE d.transferred_on IS NOT NULL OR d.occupied_on IS NOT NULL
                            OR d.exit_route IS NOT NULL)::int AS transferred
    FROM homes h LEFT JOIN home_event_dates d ON d.home_id = h.id
    WHERE h.obligation_id = o.id AND h.archived_at IS NULL
) af
CROSS JOIN LATERAL (
    SELECT count(*)::int AS homes, count(d.occupied_on)::int AS occupied
    FROM homes h LEFT JOIN home_event_dates d ON d.home_id = h.id
    WHERE h.development_id = a.development_id AND h.tenure = 'market' AND h.archived_at IS NULL
) mk
LEFT JOIN LATERAL (
    SELECT k.counted_on, k.market_homes, k.occupied
    FROM market_occupation_counts k
    WHERE k.development_id = a.development_id
    ORDER BY k.counted_on DESC, k.id DESC
    LIMIT 1
) c ON true
WHERE o.kind = 'affordable-housing' AND o.archived_at IS NULL AND lim.occupation_limit IS NOT NULL;

-- The homes' list keys without the tenure order (00016).
CREATE OR REPLACE VIEW home_list_keys_drift AS
SELECT h.id
FROM homes h
JOIN home_state st ON st.home_id = h.id
LEFT JOIN registered_providers p ON p.id = st.current_provider_id
WHERE (h.list_tenure, h.list_state, h.list_provider_id, h.list_provider_sort)
      IS DISTINCT FROM (st.current_tenure, st.state, st.current_provider_id, lower(p.name));

CREATE OR REPLACE FUNCTION homes_set_list_keys() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    d home_event_dates;
BEGIN
    SELECT * INTO d FROM home_event_dates WHERE home_id = NEW.id;
    NEW.list_tenure := coalesce(d.changed_tenure, NEW.tenure);
    NEW.list_provider_id := coalesce(d.transferred_to, NEW.registered_provider_id);
    NEW.list_state := home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on);
    NEW.list_provider_sort := (SELECT lower(p.name) FROM registered_providers p WHERE p.id = NEW.list_provider_id);
    RETURN NEW;
END;
$fn$;

CREATE OR REPLACE FUNCTION refresh_home_list_keys(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    UPDATE homes h
    SET list_tenure = st.current_tenure, list_state = st.state,
        list_provider_id = st.current_provider_id, list_provider_sort = lower(p.name)
    FROM home_state st
    LEFT JOIN registered_providers p ON p.id = st.current_provider_id
    WHERE st.home_id = h.id AND h.id = ANY (ids)
      AND (h.list_tenure, h.list_state, h.list_provider_id, h.list_provider_sort)
          IS DISTINCT FROM (st.current_tenure, st.state, st.current_provider_id, lower(p.name));
$fn$;

CREATE FUNCTION home_tenure_rank(tenure text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
    SELECT coalesce(array_position(ARRAY['social-rent','london-affordable-rent','affordable-rent','london-living-rent','intermediate-rent',
        'shared-ownership','first-homes','discount-market-sale','other-intermediate','market'], tenure),
        CASE tenure WHEN 'discount-market-rent' THEN 5 WHEN 'rent-to-buy' THEN 5 WHEN 'shared-equity' THEN 7
                    WHEN 'older-persons-shared-ownership' THEN 6 ELSE 9 END)
$fn$;
DROP INDEX homes_list_tenure_idx;
CREATE INDEX homes_list_tenure_idx ON homes
    (home_tenure_rank(list_tenure), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
ALTER TABLE homes DROP COLUMN list_tenure_order;
DROP TABLE schema_definitions;

-- The renamed layers of 00018 and 00019, as they were.
DROP VIEW derived_totals_drift;
CREATE VIEW derived_totals_drift_before_pairs AS
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
CREATE VIEW derived_totals_drift AS
SELECT derived, id FROM derived_totals_drift_before_pairs
UNION ALL
SELECT 'obligation_project_totals', coalesce(k.obligation_id, c.obligation_id)
FROM obligation_project_totals k FULL JOIN obligation_project_totals_computed c
     ON c.obligation_id = k.obligation_id AND c.project_id = k.project_id
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0));

ALTER FUNCTION refresh_all_derived_totals() RENAME TO refresh_all_derived_totals_before_pairs;
CREATE OR REPLACE FUNCTION refresh_all_derived_totals_before_pairs() RETURNS void LANGUAGE plpgsql AS $fn$
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
$fn$;
CREATE FUNCTION refresh_all_derived_totals_before_home_keys() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM refresh_all_derived_totals_before_pairs();
    DELETE FROM obligation_project_totals;
    INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed;
END;
$fn$;
CREATE FUNCTION refresh_all_derived_totals() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM refresh_all_derived_totals_before_home_keys();
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
END;
$fn$;
-- +goose StatementEnd
