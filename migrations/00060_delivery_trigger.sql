-- +goose Up
-- The delivery trigger, counted from what was agreed, in one place.
--
-- A typical clause: "not to permit Occupation of more than 50% of the
-- Market Housing Units until all of the Affordable Housing Units have been
-- transferred to a Registered Provider". Before this migration the check
-- counted only the affordable homes an officer had already recorded, so a
-- development with 84 affordable homes agreed and 7 recorded (all
-- transferred) read "every affordable home is transferred". The homes not
-- yet transferred are now the larger of (agreed - transferred) and
-- (recorded - transferred).
--
-- Market occupations can also be given as a dated count for the whole
-- development (from building control completions or council tax
-- registrations), since councils rarely record every market home one by
-- one. The larger of the latest count and the homes recorded as occupied
-- is what the check uses.
--
-- delivery_trigger_numbers is the only definition of these numbers: the
-- compliance page, the breaches list, the alerts and the dashboard all
-- read it, and homes.TriggerCheck decides from them what is a breach.

-- A count of a development's market homes occupied on a date. Append-only:
-- a mistaken count is put right by a later count (the latest by date, then
-- by entry, stands).
CREATE TABLE market_occupation_counts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    development_id bigint NOT NULL REFERENCES developments (id),
    counted_on     date NOT NULL,
    -- The development's market homes the count is out of, when the source
    -- gives it.
    market_homes   integer CHECK (market_homes >= 0),
    occupied       integer NOT NULL CHECK (occupied >= 0),
    source         text NOT NULL CHECK (source IN ('building-control', 'council-tax', 'developer', 'other')),
    evidence       text NOT NULL DEFAULT '',
    recorded_by    bigint REFERENCES users (id),
    -- Who gave it when it came through a capability link (a developer).
    given_by       text NOT NULL DEFAULT '',
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (market_homes IS NULL OR occupied <= market_homes)
);
CREATE INDEX market_occupation_counts_development_idx ON market_occupation_counts (development_id, counted_on DESC, id DESC);

CREATE TRIGGER market_occupation_counts_append_only
    BEFORE UPDATE OR DELETE ON market_occupation_counts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
-- Append-only for the server's role as a permission too (migration 00040).
REVOKE UPDATE, DELETE ON market_occupation_counts FROM s106_app;

-- The affordable homes an obligation secured: the number the mix records,
-- else the affordable lines of its schedule, else the obligation's units.
CREATE VIEW obligation_agreed_homes AS
SELECT o.id AS obligation_id,
       coalesce(m.affordable_homes,
                (SELECT nullif(sum(l.homes), 0)::int FROM affordable_mix_lines l
                 WHERE l.obligation_id = o.id AND l.tenure <> 'market'),
                o.units, 0) AS agreed
FROM obligations o
LEFT JOIN affordable_mixes m ON m.obligation_id = o.id
WHERE o.kind = 'affordable-housing';

-- Every live affordable-housing obligation with a market occupation limit,
-- and the numbers its delivery trigger is judged on. The limit is the one
-- the agreed mix records, else the obligation's own trigger when it is
-- "occupation of N% of the market dwellings" (how the register and its
-- import record a clause like the one above). Each lateral reads only its
-- own obligation's or development's homes (by index), so reading one
-- obligation costs what it shows.
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
    -- Transferred: handed to the provider, or further on (occupied, or
    -- since left the stock).
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

-- +goose Down
DROP VIEW delivery_trigger_numbers;
DROP VIEW obligation_agreed_homes;
DROP TABLE market_occupation_counts;
