-- +goose Up
-- Every sort and filter of the homes list served by an index.
--
-- Migration 00013 kept the development and plot keys on each home. The
-- list's other sorts and filters (current tenure, state, current
-- provider) came from the home_state view — the home joined to its kept
-- event dates — so sorting 50,320 homes by tenure sorted every home on
-- every request (55–85 ms, and 20 users doing it at once saturated two
-- cores). Those values are now kept on the home too, as list_*:
--   * by a BEFORE trigger when a home is added or its tenure or provider
--     changes (a new home has no events: it is secured);
--   * after its event dates change (home_event_dates, itself kept by the
--     home_events triggers of 00010), set-wise through home_state;
--   * after a provider is renamed.
-- The state's rule is one function, home_state_of, which home_state uses
-- too, so the two cannot disagree.

-- +goose StatementBegin
CREATE FUNCTION home_state_of(exit_route text, occupied_on date, transferred_on date, completed_on date, started_on date)
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

-- The list's orders of tenures and states (the order the forms offer them).
CREATE FUNCTION home_tenure_rank(tenure text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
    SELECT array_position(ARRAY['social-rent','london-affordable-rent','affordable-rent','london-living-rent','intermediate-rent',
        'shared-ownership','first-homes','discount-market-sale','other-intermediate','market'], tenure)
$fn$;

CREATE FUNCTION home_state_rank(state text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
    SELECT array_position(ARRAY['secured','started','completed','transferred','occupied','left-stock'], state)
$fn$;
-- +goose StatementEnd

CREATE OR REPLACE VIEW home_state AS
SELECT h.id AS home_id, d.started_on, d.completed_on, d.transferred_on, d.occupied_on, d.exit_route, d.exited_on,
       coalesce(d.changed_tenure, h.tenure) AS current_tenure,
       coalesce(d.transferred_to, h.registered_provider_id) AS current_provider_id,
       home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on) AS state
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id;

ALTER TABLE homes
    ADD COLUMN list_tenure text,
    ADD COLUMN list_state text,
    ADD COLUMN list_provider_id bigint,
    ADD COLUMN list_provider_sort text;

-- +goose StatementBegin
CREATE FUNCTION homes_set_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d home_event_dates;
BEGIN
    SELECT * INTO d FROM home_event_dates WHERE home_id = NEW.id;
    -- As home_state: the event dates' changes win over the home's own.
    NEW.list_tenure := coalesce(d.changed_tenure, NEW.tenure);
    NEW.list_provider_id := coalesce(d.transferred_to, NEW.registered_provider_id);
    NEW.list_state := home_state_of(d.exit_route, d.occupied_on, d.transferred_on, d.completed_on, d.started_on);
    NEW.list_provider_sort := (SELECT lower(p.name) FROM registered_providers p WHERE p.id = NEW.list_provider_id);
    RETURN NEW;
END;
$$;

CREATE FUNCTION refresh_home_list_keys(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    UPDATE homes h
    SET list_tenure = st.current_tenure, list_state = st.state,
        list_provider_id = st.current_provider_id, list_provider_sort = lower(p.name)
    FROM home_state st
    LEFT JOIN registered_providers p ON p.id = st.current_provider_id
    WHERE st.home_id = h.id AND h.id = ANY (ids)
      AND (h.list_tenure, h.list_state, h.list_provider_id, h.list_provider_sort)
          IS DISTINCT FROM (st.current_tenure, st.state, st.current_provider_id, lower(p.name));
$fn$;

CREATE FUNCTION home_event_dates_refresh_list_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_home_list_keys(ARRAY(SELECT DISTINCT home_id FROM old_rows));
    ELSE
        PERFORM refresh_home_list_keys(ARRAY(SELECT DISTINCT home_id FROM new_rows));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION providers_rename_homes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes SET list_provider_sort = lower(NEW.name)
    WHERE list_provider_id = NEW.id AND list_provider_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

-- For bulk loads that bypass triggers (seed --scale large): every kept key.
CREATE OR REPLACE FUNCTION refresh_home_sort_keys() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes h SET development_sort = lower(d.name)
    FROM developments d
    WHERE d.id = h.development_id AND h.development_sort IS DISTINCT FROM lower(d.name);
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER homes_list_keys BEFORE INSERT OR UPDATE OF tenure, registered_provider_id ON homes
    FOR EACH ROW EXECUTE FUNCTION homes_set_list_keys();
CREATE TRIGGER home_event_dates_list_keys_insert AFTER INSERT ON home_event_dates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
CREATE TRIGGER home_event_dates_list_keys_update AFTER UPDATE ON home_event_dates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
CREATE TRIGGER home_event_dates_list_keys_delete AFTER DELETE ON home_event_dates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
CREATE TRIGGER providers_rename_homes AFTER UPDATE OF name ON registered_providers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION providers_rename_homes();

SELECT refresh_home_list_keys(ARRAY(SELECT id FROM homes));
ALTER TABLE homes ALTER COLUMN list_tenure SET NOT NULL, ALTER COLUMN list_state SET NOT NULL;

-- Kept keys that drift from what home_state computes (none, normally).
CREATE VIEW home_list_keys_drift AS
SELECT h.id
FROM homes h
JOIN home_state st ON st.home_id = h.id
LEFT JOIN registered_providers p ON p.id = st.current_provider_id
WHERE (h.list_tenure, h.list_state, h.list_provider_id, h.list_provider_sort)
      IS DISTINCT FROM (st.current_tenure, st.state, st.current_provider_id, lower(p.name));

-- One index per remaining sort, each followed by the default order's keys
-- (the list breaks ties by development and plot); nullable keys sort by a
-- null flag first, as listing.Keyset orders them.
CREATE INDEX homes_list_tenure_idx ON homes
    (home_tenure_rank(list_tenure), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_state_idx ON homes
    (home_state_rank(list_state), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_provider_idx ON homes
    ((list_provider_sort IS NULL), (coalesce(list_provider_sort, '')), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_uprn_idx ON homes
    ((uprn::bigint IS NULL), (coalesce(uprn::bigint, 0)), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_postcode_idx ON homes
    ((nullif(postcode, '') IS NULL), (coalesce(nullif(postcode, ''), '')), development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_bedrooms_idx ON homes
    (bedrooms, development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_updated_idx ON homes
    (updated_at, development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
-- The list's filters (and their counts).
CREATE INDEX homes_list_provider_id_idx ON homes (list_provider_id) WHERE archived_at IS NULL;
CREATE INDEX homes_list_tenure_filter_idx ON homes (list_tenure) WHERE archived_at IS NULL;
CREATE INDEX homes_list_state_filter_idx ON homes (list_state) WHERE archived_at IS NULL;

-- +goose Down
DROP INDEX homes_list_state_filter_idx;
DROP INDEX homes_list_tenure_filter_idx;
DROP INDEX homes_list_provider_id_idx;
DROP INDEX homes_list_updated_idx;
DROP INDEX homes_list_bedrooms_idx;
DROP INDEX homes_list_postcode_idx;
DROP INDEX homes_list_uprn_idx;
DROP INDEX homes_list_provider_idx;
DROP INDEX homes_list_state_idx;
DROP INDEX homes_list_tenure_idx;
DROP VIEW home_list_keys_drift;
DROP TRIGGER providers_rename_homes ON registered_providers;
DROP TRIGGER home_event_dates_list_keys_delete ON home_event_dates;
DROP TRIGGER home_event_dates_list_keys_update ON home_event_dates;
DROP TRIGGER home_event_dates_list_keys_insert ON home_event_dates;
DROP TRIGGER homes_list_keys ON homes;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_home_sort_keys() RETURNS void LANGUAGE sql AS $fn$
    UPDATE homes h SET development_sort = lower(d.name)
    FROM developments d
    WHERE d.id = h.development_id AND h.development_sort IS DISTINCT FROM lower(d.name);
$fn$;
-- +goose StatementEnd
DROP FUNCTION providers_rename_homes();
DROP FUNCTION home_event_dates_refresh_list_keys();
DROP FUNCTION refresh_home_list_keys(bigint[]);
DROP FUNCTION homes_set_list_keys();
ALTER TABLE homes DROP COLUMN list_provider_sort, DROP COLUMN list_provider_id, DROP COLUMN list_state, DROP COLUMN list_tenure;
CREATE OR REPLACE VIEW home_state AS
SELECT h.id AS home_id, d.started_on, d.completed_on, d.transferred_on, d.occupied_on, d.exit_route, d.exited_on,
       coalesce(d.changed_tenure, h.tenure) AS current_tenure,
       coalesce(d.transferred_to, h.registered_provider_id) AS current_provider_id,
       CASE
           WHEN d.exit_route IS NOT NULL THEN 'left-stock'
           WHEN d.occupied_on IS NOT NULL THEN 'occupied'
           WHEN d.transferred_on IS NOT NULL THEN 'transferred'
           WHEN d.completed_on IS NOT NULL THEN 'completed'
           WHEN d.started_on IS NOT NULL THEN 'started'
           ELSE 'secured'
       END AS state
FROM homes h
LEFT JOIN home_event_dates d ON d.home_id = h.id;
DROP FUNCTION home_state_rank(text);
DROP FUNCTION home_tenure_rank(text);
DROP FUNCTION home_state_of(text, date, date, date, date);
