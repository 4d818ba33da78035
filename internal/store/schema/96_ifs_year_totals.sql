-- IFS year totals: the standing ledger entries summed per obligation,
-- project, financial year and, for allocations, the financial year they
-- were decided in, in whole pence: everything the Infrastructure Funding
-- Statement's section 106 report reads of the ledger (issue 22, item 2).
--
-- Figures defined here: none new. ifs_year_totals holds, per obligation,
-- project (0: none), financial year of the entry date (fy) and decided_fy
-- (an allocation's or de-allocation's year by allocation_decided_on, 9999
-- while undecided; the entry's own year for every other kind), the pence
-- received, spent, returned, interest paid on returns, invoiced, spent by
-- transfer to another body, and allocated (less de-allocated). The IFS
-- (moneyGroups, internal/ifs/statement.go) adds the rows up to a year's
-- end: before the year is fy < Y, in it fy = Y, an allocation decided
-- before, in or after the year by decided_fy. A financial year is named by
-- the calendar year it starts in: extract(year FROM date - interval '3
-- months').
-- Pages that read it: /ifs/{year}, the statement API and downloads, the
-- published statement.
--
-- How it is kept: a statement trigger on ledger_entries moves each new
-- entry's row by its amount (a reversal moves the reversed entry's back).
-- When a project's decision date changes, its rows are recomputed
-- (decided_fy depends on it). The two take a transaction advisory lock
-- per project (shared by the entries of allocations and their reversals,
-- exclusive by the recompute), so a decision date cannot change between
-- an entry reading it and committing, whichever comes first; an advisory
-- lock rather than the project's row, because a reversal has locked its
-- obligation already and an allocation locks the project before the
-- obligation (a row lock here would deadlock the two). Nothing in Go writes the table;
-- ifs_year_totals_computed is the computation from scratch, which
-- ifs_year_totals_drift compares it with and refresh_all_ifs_year_totals()
-- (called by refresh_all_derived_totals()) rebuilds it from. Re-applied
-- after every migrate (see 10_ledger_totals.sql); the table was made by
-- migration 00221.

CREATE TABLE IF NOT EXISTS ifs_year_totals (
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    project_id    bigint NOT NULL,
    fy            integer NOT NULL,
    decided_fy    integer NOT NULL,
    entries       integer NOT NULL,
    received      bigint NOT NULL,
    spent         bigint NOT NULL,
    returned      bigint NOT NULL,
    interest      bigint NOT NULL,
    invoiced      bigint NOT NULL,
    transferred   bigint NOT NULL,
    allocated     bigint NOT NULL,
    PRIMARY KEY (obligation_id, project_id, fy, decided_fy)
);
CREATE INDEX IF NOT EXISTS ifs_year_totals_project_idx ON ifs_year_totals (project_id) WHERE project_id <> 0;

-- The standing entries (those of ledger_effective, written out with the
-- columns it leaves out) summed from scratch.
CREATE OR REPLACE VIEW ifs_year_totals_computed AS
SELECT e.obligation_id, coalesce(e.project_id, 0) AS project_id,
       extract(year FROM e.entry_date - interval '3 months')::int AS fy,
       CASE WHEN e.kind IN ('allocation', 'deallocation')
            THEN coalesce(extract(year FROM allocation_decided_on(e.entry_date, e.decision_evidence, pr.decision_date) - interval '3 months')::int, 9999)
            ELSE extract(year FROM e.entry_date - interval '3 months')::int END AS decided_fy,
       count(*)::int AS entries,
       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.kind = 'receipt'), 0) AS received,
       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.kind = 'spend'), 0) AS spent,
       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.kind = 'return'), 0) AS returned,
       coalesce(sum((e.interest * 100)::bigint) FILTER (WHERE e.kind = 'return'), 0) AS interest,
       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.kind = 'invoice'), 0) AS invoiced,
       coalesce(sum((e.amount * 100)::bigint) FILTER (WHERE e.kind = 'spend' AND e.transfer_to <> ''), 0) AS transferred,
       coalesce(sum(CASE e.kind WHEN 'allocation' THEN (e.amount * 100)::bigint
                                WHEN 'deallocation' THEN -(e.amount * 100)::bigint END), 0) AS allocated
FROM ledger_entries e
LEFT JOIN projects pr ON pr.id = e.project_id
WHERE e.kind <> 'reversal'
  AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id)
GROUP BY 1, 2, 3, 4;

CREATE OR REPLACE FUNCTION ledger_entries_move_ifs_year_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('ifs_year_totals'), (p.project_id % 2147483647)::int)
    FROM (SELECT n.project_id FROM new_rows n WHERE n.kind IN ('allocation', 'deallocation')
          UNION
          SELECT e.project_id FROM new_rows n JOIN ledger_entries e ON e.id = n.reverses_id
          WHERE e.kind IN ('allocation', 'deallocation')
          ORDER BY 1) p;
    INSERT INTO ifs_year_totals AS t (obligation_id, project_id, fy, decided_fy, entries, received, spent, returned, interest,
                                      invoiced, transferred, allocated)
    SELECT m.obligation_id, m.project_id, m.fy, m.decided_fy, sum(m.sign)::int,
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'receipt'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'spend'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.i) FILTER (WHERE m.kind = 'return'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'invoice'), 0),
           coalesce(sum(m.sign * m.c) FILTER (WHERE m.kind = 'spend' AND m.transfer), 0),
           coalesce(sum(m.sign * CASE m.kind WHEN 'allocation' THEN m.c WHEN 'deallocation' THEN -m.c END), 0)
    FROM (
        SELECT x.sign, x.obligation_id, coalesce(x.project_id, 0) AS project_id,
               extract(year FROM x.entry_date - interval '3 months')::int AS fy,
               CASE WHEN x.kind IN ('allocation', 'deallocation')
                    THEN coalesce(extract(year FROM allocation_decided_on(x.entry_date, x.decision_evidence, pr.decision_date) - interval '3 months')::int, 9999)
                    ELSE extract(year FROM x.entry_date - interval '3 months')::int END AS decided_fy,
               x.kind, (x.amount * 100)::bigint AS c, (x.interest * 100)::bigint AS i, x.transfer_to <> '' AS transfer
        FROM (
            SELECT 1 AS sign, n.obligation_id, n.project_id, n.entry_date, n.kind, n.amount, n.interest, n.decision_evidence, n.transfer_to
            FROM new_rows n
            WHERE n.kind <> 'reversal'
            UNION ALL
            SELECT -1, e.obligation_id, e.project_id, e.entry_date, e.kind, e.amount, e.interest, e.decision_evidence, e.transfer_to
            FROM new_rows n
            JOIN ledger_entries e ON e.id = n.reverses_id
            WHERE e.kind <> 'reversal'
        ) x
        LEFT JOIN projects pr ON pr.id = x.project_id
    ) m
    GROUP BY m.obligation_id, m.project_id, m.fy, m.decided_fy
    ORDER BY m.obligation_id, m.project_id, m.fy, m.decided_fy
    ON CONFLICT (obligation_id, project_id, fy, decided_fy) DO UPDATE
        SET entries = t.entries + excluded.entries, received = t.received + excluded.received,
            spent = t.spent + excluded.spent, returned = t.returned + excluded.returned,
            interest = t.interest + excluded.interest, invoiced = t.invoiced + excluded.invoiced,
            transferred = t.transferred + excluded.transferred, allocated = t.allocated + excluded.allocated;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER ledger_entries_totals_ifs_years
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_ifs_year_totals();

-- The projects' rows recomputed (their allocations' decided years).
CREATE OR REPLACE FUNCTION refresh_ifs_year_totals(project_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ifs_year_totals'), (x.p % 2147483647)::int)
    FROM (SELECT DISTINCT p FROM unnest(project_ids) p ORDER BY p) x;
    DELETE FROM ifs_year_totals WHERE project_id = ANY (project_ids);
    INSERT INTO ifs_year_totals
    SELECT c.* FROM ifs_year_totals_computed c WHERE c.project_id = ANY (project_ids);
END;
$$;

CREATE OR REPLACE FUNCTION projects_refresh_ifs_year_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_ifs_year_totals(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER projects_ifs_year_totals AFTER UPDATE OF decision_date ON projects
    FOR EACH ROW WHEN (OLD.decision_date IS DISTINCT FROM NEW.decision_date)
    EXECUTE FUNCTION projects_refresh_ifs_year_totals();

CREATE OR REPLACE FUNCTION refresh_all_ifs_year_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ifs_year_totals;
    -- In key order, the order the IFS reads them in (as migration 00221).
    INSERT INTO ifs_year_totals SELECT * FROM ifs_year_totals_computed ORDER BY 1, 2, 3, 4;
END;
$$;

-- Kept rows that differ from the computation; a row whose entries were
-- all reversed is the computation's missing row.
CREATE OR REPLACE VIEW ifs_year_totals_drift AS
SELECT coalesce(k.obligation_id, c.obligation_id) AS obligation_id, coalesce(k.project_id, c.project_id) AS project_id,
       coalesce(k.fy, c.fy) AS fy, coalesce(k.decided_fy, c.decided_fy) AS decided_fy
FROM (SELECT * FROM ifs_year_totals
      WHERE entries <> 0 OR received <> 0 OR spent <> 0 OR returned <> 0 OR interest <> 0 OR invoiced <> 0
         OR transferred <> 0 OR allocated <> 0) k
FULL JOIN ifs_year_totals_computed c
     ON c.obligation_id = k.obligation_id AND c.project_id = k.project_id AND c.fy = k.fy AND c.decided_fy = k.decided_fy
WHERE (k.entries, k.received, k.spent, k.returned, k.interest, k.invoiced, k.transferred, k.allocated)
      IS DISTINCT FROM (c.entries, c.received, c.spent, c.returned, c.interest, c.invoiced, c.transferred, c.allocated);
