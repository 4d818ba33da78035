-- The levy's charging schedules and chargeable developments (issue 20,
-- part A; tables in migrations/00160_cil.sql and 00161_cil_schedules.sql).
--
-- Figures defined here: cil_in_use(), the in-use test of Schedule 1
-- para 1(10) (regulation 40(11) as substituted in 2014): "in-use building"
-- means a building which "contains a part that has been in lawful use for a
-- continuous period of at least six months within the period of three years
-- ending on the day planning permission first permits the chargeable
-- development". internal/cil.InUse applies the same test in Go when a floor
-- area is saved; cil_floor_areas_in_use_drift lists every existing part
-- whose recorded period of use says one thing and its in_use flag another,
-- and is checked empty at the end of every database test (90_drift.sql).
-- Re-applied after every migrate (see 10_ledger_totals.sql).

-- cil_in_use reports whether lawful use from use_from to use_until (both
-- inclusive) gives a continuous period of at least six months inside the
-- three years ending on the permission day. The three years ending on 1 June
-- 2024 begin on 2 June 2021; six months from 1 January end on 30 June.
CREATE OR REPLACE FUNCTION cil_in_use(use_from date, use_until date, permission date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT use_from IS NOT NULL AND use_until IS NOT NULL AND permission IS NOT NULL
       AND least(use_until, permission)
           >= (greatest(use_from, (permission - interval '3 years')::date + 1) + interval '6 months')::date - 1
$$;

CREATE OR REPLACE VIEW cil_floor_areas_in_use_drift AS
SELECT a.id, a.cil_development_id, a.in_use, cil_in_use(a.use_from, a.use_until, d.permission_date) AS computed
FROM cil_floor_areas a
JOIN cil_developments d ON d.id = a.cil_development_id
WHERE a.use_from IS NOT NULL AND a.use_until IS NOT NULL
  AND a.in_use IS DISTINCT FROM cil_in_use(a.use_from, a.use_until, d.permission_date);
