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
