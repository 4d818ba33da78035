-- +goose Up
-- The homes' kept list keys (00016) were refreshed by statement triggers
-- on home_event_dates. But the event dates are refreshed by deleting a
-- home's row and inserting it again, so every refresh rewrote its homes
-- twice: once as if they had no events, once as they are. For one event
-- that is cheap; for refresh_all_derived_totals (the large seed, repairs)
-- it rewrote 42,000 homes twice, about 12 of its 18 seconds. The refresh
-- now happens once, where the dates are refreshed.
DROP TRIGGER home_event_dates_list_keys_delete ON home_event_dates;
DROP TRIGGER home_event_dates_list_keys_update ON home_event_dates;
DROP TRIGGER home_event_dates_list_keys_insert ON home_event_dates;
DROP FUNCTION home_event_dates_refresh_list_keys();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_home_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM homes WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM home_event_dates WHERE home_id = ANY (ids);
    INSERT INTO home_event_dates
    SELECT c.* FROM home_event_dates_computed c WHERE c.home_id = ANY (ids);
    PERFORM refresh_home_list_keys(ids);
END;
$$;

-- refresh_all_derived_totals as the migrations before left it, then the
-- homes' list keys (only the homes whose keys differ are written).
ALTER FUNCTION refresh_all_derived_totals() RENAME TO refresh_all_derived_totals_before_home_keys;
CREATE FUNCTION refresh_all_derived_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_all_derived_totals_before_home_keys();
    PERFORM refresh_home_list_keys(ARRAY(SELECT id FROM homes));
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION refresh_all_derived_totals();
ALTER FUNCTION refresh_all_derived_totals_before_home_keys() RENAME TO refresh_all_derived_totals;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION refresh_home_event_dates(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM homes WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM home_event_dates WHERE home_id = ANY (ids);
    INSERT INTO home_event_dates
    SELECT c.* FROM home_event_dates_computed c WHERE c.home_id = ANY (ids);
END;
$$;

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
-- +goose StatementEnd
CREATE TRIGGER home_event_dates_list_keys_insert AFTER INSERT ON home_event_dates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
CREATE TRIGGER home_event_dates_list_keys_update AFTER UPDATE ON home_event_dates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
CREATE TRIGGER home_event_dates_list_keys_delete AFTER DELETE ON home_event_dates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION home_event_dates_refresh_list_keys();
