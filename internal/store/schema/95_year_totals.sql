-- Year totals: the ledger's money per obligation and financial year, and
-- the homes per development grouped as the public overview reports them,
-- kept so the read models built from the whole register cost what they
-- show, not what the register holds (issue 22, item 2).
--
-- Figures defined here:
--   received, spent, returned and interest paid per obligation and
--     financial year, from the standing entries (ledger_year_totals;
--     entries counts them, so a year whose entries were all reversed is no
--     year): the public overview's money by purpose and by year, the
--     public CIL page's section 106 money beside the levy, the dashboard's
--     money this year;
--   the homes of each development (archived homes left out) by the tenure
--     secured, exit route, financial years completed and exited, whether
--     transferred and whether affordable today's tenure
--     (development_home_totals): the public overview's homes by tenure,
--     route and year. A financial year is named by the calendar year it
--     starts in: extract(year FROM date - interval '3 months').
-- Pages that read them: /public, /public/cil (internal/public), /dashboard
-- (internal/dashboard).
--
-- How they are kept: ledger_year_totals by a statement trigger on
-- ledger_entries that moves each new entry's obligation and year by its
-- amount (a reversal moves the reversed entry's back), as the project
-- totals are moved (10_ledger_totals.sql): increments commute, and the
-- obligation's row is already locked by the obligation totals' refresh,
-- so concurrent writers add one after the other.
-- development_home_totals is recomputed per development, after locking
-- the developments' rows (FOR NO KEY UPDATE), when homes are added,
-- removed, or change tenure, archive state or development, and when home
-- events are recorded (after home_event_dates, which it reads, is
-- refreshed: triggers of one event fire in name order, and
-- home_events_dates sorts before home_events_development_totals). Nothing
-- in Go writes these tables. Each has a *_computed view; year_totals_drift
-- lists the rows that differ from it (90_drift.sql's drift_report counts
-- it), and refresh_year_totals(), called by refresh_all_derived_totals(),
-- rebuilds both. Re-applied after every migrate (see 10_ledger_totals.sql);
-- the tables were made by migration 00220.

-- Kept tables ------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS ledger_year_totals (
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    fy            integer NOT NULL,
    entries       integer NOT NULL,
    received      numeric NOT NULL,
    spent         numeric NOT NULL,
    returned      numeric NOT NULL,
    interest      numeric NOT NULL,
    PRIMARY KEY (obligation_id, fy)
);
CREATE INDEX IF NOT EXISTS ledger_year_totals_fy_idx ON ledger_year_totals (fy);

CREATE TABLE IF NOT EXISTS development_home_totals (
    development_id    bigint NOT NULL REFERENCES developments (id),
    tenure            text NOT NULL,
    exit_route        text NOT NULL,
    completed_fy      integer,
    exited_fy         integer,
    transferred       boolean NOT NULL,
    affordable_tenure boolean NOT NULL,
    homes             integer NOT NULL
);
CREATE INDEX IF NOT EXISTS development_home_totals_development_idx ON development_home_totals (development_id);

-- From-scratch computations ------------------------------------------------------

-- Receipts, spends and returns that stand (ledger_effective), per
-- obligation and financial year of their entry date.
CREATE OR REPLACE VIEW ledger_year_totals_computed AS
SELECT e.obligation_id, extract(year FROM e.entry_date - interval '3 months')::int AS fy, count(*)::int AS entries,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0)  AS received,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0)    AS spent,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'return'), 0)   AS returned,
       coalesce(sum(e.interest) FILTER (WHERE e.kind = 'return'), 0) AS interest
FROM ledger_effective e
WHERE e.kind IN ('receipt', 'spend', 'return')
GROUP BY 1, 2;

-- Every home not archived, as home_state has it (the home's own tenure
-- unless an event changed it), grouped.
CREATE OR REPLACE VIEW development_home_totals_computed AS
SELECT h.development_id, h.tenure, coalesce(d.exit_route, '') AS exit_route,
       extract(year FROM d.completed_on - interval '3 months')::int AS completed_fy,
       extract(year FROM d.exited_on - interval '3 months')::int AS exited_fy,
       d.transferred_on IS NOT NULL AS transferred,
       coalesce(d.changed_tenure, h.tenure) <> 'market' AS affordable_tenure,
       count(*)::int AS homes
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id
WHERE h.archived_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Refreshes and triggers ----------------------------------------------------------

-- Each new receipt, spend or return moves its obligation's year; a
-- reversal moves the reversed entry's year back.
CREATE OR REPLACE FUNCTION ledger_entries_move_year_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_year_totals AS t (obligation_id, fy, entries, received, spent, returned, interest)
    SELECT m.obligation_id, m.fy, sum(m.sign)::int,
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'receipt'), 0),
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'spend'), 0),
           coalesce(sum(m.sign * m.amount) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.interest) FILTER (WHERE m.kind = 'return'), 0)
    FROM (
        SELECT 1 AS sign, n.obligation_id, extract(year FROM n.entry_date - interval '3 months')::int AS fy,
               n.kind, n.amount, n.interest
        FROM new_rows n
        WHERE n.kind IN ('receipt', 'spend', 'return')
        UNION ALL
        SELECT -1, e.obligation_id, extract(year FROM e.entry_date - interval '3 months')::int, e.kind, e.amount, e.interest
        FROM new_rows n
        JOIN ledger_entries e ON e.id = n.reverses_id
        WHERE e.kind IN ('receipt', 'spend', 'return')
    ) m
    GROUP BY m.obligation_id, m.fy
    ORDER BY m.obligation_id, m.fy
    ON CONFLICT (obligation_id, fy) DO UPDATE
        SET entries = t.entries + excluded.entries, received = t.received + excluded.received,
            spent = t.spent + excluded.spent, returned = t.returned + excluded.returned,
            interest = t.interest + excluded.interest;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER ledger_entries_totals_years
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_year_totals();

-- Recomputes the developments' home groups. The lock makes a second
-- writer to the same development wait, then (READ COMMITTED: each
-- statement sees what committed before it) count the first one's homes.
CREATE OR REPLACE FUNCTION refresh_development_home_totals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM developments WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM development_home_totals WHERE development_id = ANY (ids);
    INSERT INTO development_home_totals
    SELECT c.* FROM development_home_totals_computed c WHERE c.development_id = ANY (ids);
END;
$$;

CREATE OR REPLACE FUNCTION home_events_refresh_development_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_development_home_totals(ARRAY(
        SELECT DISTINCT h.development_id FROM new_rows n JOIN homes h ON h.id = n.home_id));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER home_events_development_totals
    AFTER INSERT ON home_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION home_events_refresh_development_totals();

-- Homes added or removed: their developments. Homes updated: the
-- developments (before and after) of those whose tenure, archive state or
-- development changed; the list keys' own updates change none of these
-- and cost a join.
CREATE OR REPLACE FUNCTION homes_refresh_development_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_development_home_totals(ARRAY(SELECT DISTINCT development_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_development_home_totals(ARRAY(SELECT DISTINCT development_id FROM old_rows));
    ELSE
        PERFORM refresh_development_home_totals(ARRAY(
            SELECT o.development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenure, o.archived_at IS NULL, o.development_id) IS DISTINCT FROM (n.tenure, n.archived_at IS NULL, n.development_id)
            UNION
            SELECT n.development_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenure, o.archived_at IS NULL, o.development_id) IS DISTINCT FROM (n.tenure, n.archived_at IS NULL, n.development_id)));
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER homes_development_totals_insert
    AFTER INSERT ON homes REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION homes_refresh_development_totals();
CREATE OR REPLACE TRIGGER homes_development_totals_update
    AFTER UPDATE ON homes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION homes_refresh_development_totals();
CREATE OR REPLACE TRIGGER homes_development_totals_delete
    AFTER DELETE ON homes REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION homes_refresh_development_totals();

-- Both tables from scratch (refresh_all_derived_totals, after
-- home_event_dates).
CREATE OR REPLACE FUNCTION refresh_year_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ledger_year_totals;
    INSERT INTO ledger_year_totals SELECT * FROM ledger_year_totals_computed;
    DELETE FROM development_home_totals;
    INSERT INTO development_home_totals SELECT * FROM development_home_totals_computed;
END;
$$;

-- Drift ------------------------------------------------------------------------------

-- Kept rows that differ from the computation. A year kept with no entry
-- left (all reversed) is the computation's missing year. Home groups are
-- compared as multisets per development: their rows have no key.
CREATE OR REPLACE VIEW year_totals_drift AS
SELECT 'ledger_year_totals' AS derived, coalesce(k.obligation_id, c.obligation_id) AS id
FROM (SELECT * FROM ledger_year_totals
      WHERE entries <> 0 OR received <> 0 OR spent <> 0 OR returned <> 0 OR interest <> 0) k
FULL JOIN ledger_year_totals_computed c ON c.obligation_id = k.obligation_id AND c.fy = k.fy
WHERE (k.entries, k.received, k.spent, k.returned, k.interest) IS DISTINCT FROM (c.entries, c.received, c.spent, c.returned, c.interest)
UNION ALL
SELECT DISTINCT 'development_home_totals', coalesce(k.development_id, c.development_id)
FROM (SELECT development_id, tenure, exit_route, completed_fy, exited_fy, transferred, affordable_tenure, sum(homes) AS homes
      FROM development_home_totals GROUP BY 1, 2, 3, 4, 5, 6, 7) k
FULL JOIN development_home_totals_computed c
     ON c.development_id = k.development_id AND c.tenure = k.tenure AND c.exit_route = k.exit_route
    AND coalesce(c.completed_fy, -1) = coalesce(k.completed_fy, -1) AND coalesce(c.exited_fy, -1) = coalesce(k.exited_fy, -1)
    AND c.transferred = k.transferred AND c.affordable_tenure = k.affordable_tenure
WHERE k.homes IS DISTINCT FROM c.homes;
