-- Kept per-year totals for the read models built from the whole ledger and
-- every home (issue 22, item 2): the public overview, the dashboard and
-- the IFS read these few rows instead of adding up ~a million ledger
-- entries and a quarter of a million homes at every cold build.
-- Their live definition, with the triggers that keep them, the refresh
-- and the drift view, is internal/store/schema/95_year_totals.sql
-- (re-applied after every migrate); this migration makes the tables as
-- that file first stood and fills them from the data already there.

-- +goose Up
CREATE TABLE ledger_year_totals (
    obligation_id bigint NOT NULL REFERENCES obligations (id),
    fy            integer NOT NULL,
    entries       integer NOT NULL,
    received      numeric NOT NULL,
    spent         numeric NOT NULL,
    returned      numeric NOT NULL,
    interest      numeric NOT NULL,
    PRIMARY KEY (obligation_id, fy)
);
CREATE INDEX ledger_year_totals_fy_idx ON ledger_year_totals (fy);

INSERT INTO ledger_year_totals
SELECT e.obligation_id, extract(year FROM e.entry_date - interval '3 months')::int, count(*)::int,
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0),
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0),
       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'return'), 0),
       coalesce(sum(e.interest) FILTER (WHERE e.kind = 'return'), 0)
FROM ledger_entries e
WHERE e.kind IN ('receipt', 'spend', 'return')
  AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id)
GROUP BY 1, 2;

CREATE TABLE development_home_totals (
    development_id    bigint NOT NULL REFERENCES developments (id),
    tenure            text NOT NULL,
    exit_route        text NOT NULL,
    completed_fy      integer,
    exited_fy         integer,
    transferred       boolean NOT NULL,
    affordable_tenure boolean NOT NULL,
    homes             integer NOT NULL
);
CREATE INDEX development_home_totals_development_idx ON development_home_totals (development_id);

INSERT INTO development_home_totals
SELECT h.development_id, h.tenure, coalesce(d.exit_route, ''),
       extract(year FROM d.completed_on - interval '3 months')::int,
       extract(year FROM d.exited_on - interval '3 months')::int,
       d.transferred_on IS NOT NULL, coalesce(d.changed_tenure, h.tenure) <> 'market', count(*)::int
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id
WHERE h.archived_at IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7;

ANALYZE ledger_year_totals, development_home_totals;

-- +goose Down
DROP TABLE IF EXISTS ledger_year_totals, development_home_totals CASCADE;
DROP VIEW IF EXISTS year_totals_drift, ledger_year_totals_computed, development_home_totals_computed;
DROP TRIGGER IF EXISTS ledger_entries_totals_years ON ledger_entries;
DROP TRIGGER IF EXISTS home_events_development_totals ON home_events;
DROP TRIGGER IF EXISTS homes_development_totals_insert ON homes;
DROP TRIGGER IF EXISTS homes_development_totals_update ON homes;
DROP TRIGGER IF EXISTS homes_development_totals_delete ON homes;
DROP FUNCTION IF EXISTS ledger_entries_move_year_totals(), home_events_refresh_development_totals(), homes_refresh_development_totals(),
    refresh_development_home_totals(bigint[]), refresh_year_totals();
