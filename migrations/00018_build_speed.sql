-- +goose Up
-- Keys for the whole-ledger builds: the Infrastructure Funding Statement
-- and the dashboard.
--
-- A year's statement needs, for each obligation and project, the money
-- allocated and spent by the year end. Until now it added up every
-- standing ledger entry dated by then (on a large council 170,000 of
-- 185,000 entries for the current year, 250–350 ms). It now reads the
-- entries dated from the start of the year on (one or two years' worth)
-- and takes what came before from all-time totals: those of obligations
-- (obligation_ledger_totals, migration 00010) and, new here, those of each
-- obligation and project pair:
--   obligation_project_totals  net allocations and spend per obligation
--                              and project (standing entries)
-- kept like project_ledger_totals (migration 00014): a trigger on the
-- ledger adds each statement's new entries in (a reversal takes its
-- entry out) in the same transaction, concurrent writers adding to the
-- same row one after the other; refresh_all_derived_totals rebuilds it
-- and derived_totals_drift lists any row that differs from a computation
-- from scratch.
--
-- Indexes: the statement's affordable homes completed in the year, and
-- the dashboard's homes completed or lost in the year and market homes
-- per development, each read the few rows they count instead of every
-- home or event.

CREATE TABLE obligation_project_totals (
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    project_id    bigint NOT NULL REFERENCES projects (id),
    allocated     numeric NOT NULL,
    spent         numeric NOT NULL,
    PRIMARY KEY (obligation_id, project_id)
);

CREATE VIEW obligation_project_totals_computed AS
SELECT e.obligation_id, e.project_id,
       coalesce(sum(CASE e.kind WHEN 'allocation' THEN e.amount WHEN 'deallocation' THEN -e.amount ELSE 0 END), 0) AS allocated,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0) AS spent
FROM ledger_effective e
WHERE e.project_id IS NOT NULL
GROUP BY e.obligation_id, e.project_id;

-- +goose StatementBegin
CREATE FUNCTION ledger_entries_move_pair_totals() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- refresh_all_derived_totals rebuilds the pairs' totals after everything
-- it rebuilt before (kept under a new name, so this migration does not
-- restate the earlier migrations' lists).
ALTER FUNCTION refresh_all_derived_totals() RENAME TO refresh_all_derived_totals_before_pairs;
CREATE FUNCTION refresh_all_derived_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_all_derived_totals_before_pairs();
    DELETE FROM obligation_project_totals;
    INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_entries_totals_pairs
    AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_move_pair_totals();

INSERT INTO obligation_project_totals SELECT * FROM obligation_project_totals_computed;
ANALYZE obligation_project_totals;

-- derived_totals_drift lists the pairs' rows too (the earlier list kept
-- under a new name, as for the function).
ALTER VIEW derived_totals_drift RENAME TO derived_totals_drift_before_pairs;
CREATE VIEW derived_totals_drift AS
SELECT derived, id FROM derived_totals_drift_before_pairs
UNION ALL
SELECT 'obligation_project_totals', coalesce(k.obligation_id, c.obligation_id)
FROM obligation_project_totals k FULL JOIN obligation_project_totals_computed c
     ON c.obligation_id = k.obligation_id AND c.project_id = k.project_id
WHERE (coalesce(k.allocated, 0), coalesce(k.spent, 0)) IS DISTINCT FROM (coalesce(c.allocated, 0), coalesce(c.spent, 0));

-- The statement's affordable homes completed in the year.
CREATE INDEX home_events_completed_idx ON home_events (event_date, home_id, id) WHERE kind = 'completed';
-- The dashboard's homes completed and lost in the year, and market homes
-- per development.
CREATE INDEX home_event_dates_completed_idx ON home_event_dates (completed_on) WHERE completed_on IS NOT NULL;
CREATE INDEX home_event_dates_exited_idx ON home_event_dates (exited_on) WHERE exited_on IS NOT NULL;
CREATE INDEX homes_market_idx ON homes (development_id) WHERE tenure = 'market' AND archived_at IS NULL;

-- +goose Down
DROP INDEX homes_market_idx;
DROP INDEX home_event_dates_exited_idx;
DROP INDEX home_event_dates_completed_idx;
DROP INDEX home_events_completed_idx;
DROP VIEW derived_totals_drift;
ALTER VIEW derived_totals_drift_before_pairs RENAME TO derived_totals_drift;
DROP TRIGGER ledger_entries_totals_pairs ON ledger_entries;
DROP FUNCTION refresh_all_derived_totals();
ALTER FUNCTION refresh_all_derived_totals_before_pairs() RENAME TO refresh_all_derived_totals;
DROP FUNCTION ledger_entries_move_pair_totals();
DROP VIEW obligation_project_totals_computed;
DROP TABLE obligation_project_totals;
