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
