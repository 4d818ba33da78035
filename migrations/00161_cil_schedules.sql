-- The levy's charging schedules and chargeable developments: the rules the
-- tables of 00160_cil.sql cannot state by themselves (issue 20, part A).

-- +goose Up

-- The schedules of one charging authority never overlap in time: on any day
-- at most one is "in effect" for the council and one for the Mayor, so the
-- "relevant charging schedules" of a permission (the rates "taken from the
-- relevant charging schedules", Schedule 1 para 1(3)) are never in doubt.
-- ends is the last day a schedule is in effect (inclusive); an open-ended
-- schedule runs until one is set. One partial exclusion per authority
-- (range types have their own GiST operator class, so no extension is
-- needed), so the council's schedules and the Mayor's may overlap each
-- other, as London's do.
ALTER TABLE cil_schedules
    ADD CONSTRAINT cil_schedules_council_no_overlap EXCLUDE USING gist (daterange(takes_effect, ends, '[]') WITH &&)
        WHERE (charging_authority = 'council'),
    ADD CONSTRAINT cil_schedules_mayor_no_overlap EXCLUDE USING gist (daterange(takes_effect, ends, '[]') WITH &&)
        WHERE (charging_authority = 'mayor');

-- A rate's zone, and a development's zone, belong to the schedule named
-- beside it: a rate of one schedule can never be read for another's zone.
ALTER TABLE cil_zones ADD CONSTRAINT cil_zones_id_schedule_key UNIQUE (id, schedule_id);
ALTER TABLE cil_rates
    ADD CONSTRAINT cil_rates_zone_of_schedule FOREIGN KEY (zone_id, schedule_id) REFERENCES cil_zones (id, schedule_id);
ALTER TABLE cil_development_zones
    ADD CONSTRAINT cil_development_zones_zone_of_schedule FOREIGN KEY (zone_id, schedule_id) REFERENCES cil_zones (id, schedule_id);

-- The in-use test (Schedule 1 para 1(10)): "in-use building" means a
-- building which "contains a part that has been in lawful use for a
-- continuous period of at least six months within the period of three years
-- ending on the day planning permission first permits the chargeable
-- development". use_from and use_until record the officer's evidence of
-- the latest continuous lawful use of an existing part; in_use (00160) is
-- the result the service derives from them. Proposed floor space has no
-- earlier use.
ALTER TABLE cil_floor_areas
    ADD COLUMN use_from  date,
    ADD COLUMN use_until date,
    ADD CONSTRAINT cil_floor_areas_use_period CHECK (use_until IS NULL OR use_from IS NULL OR use_until >= use_from),
    ADD CONSTRAINT cil_floor_areas_use_only_existing CHECK (kind <> 'proposed' OR (use_from IS NULL AND use_until IS NULL));

-- A revised liability notice (regulation 65(4), (5)) supersedes a notice of
-- the same chargeable development and the same charging authority.
ALTER TABLE cil_liability_notices
    ADD CONSTRAINT cil_liability_notices_development_key UNIQUE (id, cil_development_id, charging_authority),
    ADD CONSTRAINT cil_liability_notices_supersedes_same FOREIGN KEY (supersedes_id, cil_development_id, charging_authority)
        REFERENCES cil_liability_notices (id, cil_development_id, charging_authority);

CREATE INDEX cil_floor_areas_development ON cil_floor_areas (cil_development_id);
CREATE INDEX cil_liability_notices_development ON cil_liability_notices (cil_development_id);
CREATE INDEX cil_developments_permission ON cil_developments (permission_date);

-- +goose Down
-- The in-use test's function and drift view (81_cil_schedules.sql) read
-- the columns dropped here.
DROP VIEW IF EXISTS cil_floor_areas_in_use_drift;
DROP FUNCTION IF EXISTS cil_in_use(date, date, date);
DROP INDEX cil_developments_permission;
DROP INDEX cil_liability_notices_development;
DROP INDEX cil_floor_areas_development;
ALTER TABLE cil_liability_notices
    DROP CONSTRAINT cil_liability_notices_supersedes_same,
    DROP CONSTRAINT cil_liability_notices_development_key;
ALTER TABLE cil_floor_areas
    DROP CONSTRAINT cil_floor_areas_use_only_existing,
    DROP CONSTRAINT cil_floor_areas_use_period,
    DROP COLUMN use_until,
    DROP COLUMN use_from;
ALTER TABLE cil_development_zones DROP CONSTRAINT cil_development_zones_zone_of_schedule;
ALTER TABLE cil_rates DROP CONSTRAINT cil_rates_zone_of_schedule;
ALTER TABLE cil_zones DROP CONSTRAINT cil_zones_id_schedule_key;
ALTER TABLE cil_schedules
    DROP CONSTRAINT cil_schedules_mayor_no_overlap,
    DROP CONSTRAINT cil_schedules_council_no_overlap;
