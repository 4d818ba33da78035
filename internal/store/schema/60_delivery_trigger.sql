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
