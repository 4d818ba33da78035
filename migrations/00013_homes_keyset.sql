-- +goose Up
-- Sort keys for paging through the homes list by keyset.
--
-- The list's default order is the development's name, then the plot in
-- natural order (A-2 before A-10), then the id; "plot" sorts by plot first.
-- An OFFSET deep into 50,000 homes made PostgreSQL compute and sort every
-- home's keys (~300 ms for the last page). Paging by keyset ("the 50 homes
-- after this one") needs the whole order in one index, so the keys are
-- stored on the home:
--   * plot_prefix and plot_number: the plot's leading letters and its first
--     number, generated from the plot;
--   * development_sort: the development's name as the list sorts it,
--     copied from developments and kept by the triggers below (a rename
--     rewrites its homes' copies in the same transaction).
ALTER TABLE homes
    ADD COLUMN plot_prefix text GENERATED ALWAYS AS (lower(substring(plot FROM '^[^0-9]*'))) STORED,
    ADD COLUMN plot_number numeric GENERATED ALWAYS AS (nullif(substring(plot FROM '[0-9]+'), '')::numeric) STORED,
    ADD COLUMN development_sort text;

-- +goose StatementBegin
CREATE FUNCTION homes_set_development_sort() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.development_sort := (SELECT lower(d.name) FROM developments d WHERE d.id = NEW.development_id);
    RETURN NEW;
END;
$$;

CREATE FUNCTION developments_rename_homes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE homes SET development_sort = lower(NEW.name)
    WHERE development_id = NEW.id AND development_sort IS DISTINCT FROM lower(NEW.name);
    RETURN NULL;
END;
$$;

-- For bulk loads that bypass triggers (seed --scale large).
CREATE FUNCTION refresh_home_sort_keys() RETURNS void LANGUAGE sql AS $fn$
    UPDATE homes h SET development_sort = lower(d.name)
    FROM developments d
    WHERE d.id = h.development_id AND h.development_sort IS DISTINCT FROM lower(d.name);
$fn$;
-- +goose StatementEnd

CREATE TRIGGER homes_development_sort BEFORE INSERT OR UPDATE OF development_id ON homes
    FOR EACH ROW EXECUTE FUNCTION homes_set_development_sort();
CREATE TRIGGER developments_rename_homes AFTER UPDATE OF name ON developments
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION developments_rename_homes();

SELECT refresh_home_sort_keys();
ALTER TABLE homes ALTER COLUMN development_sort SET NOT NULL;

-- One index per order the list pages by keyset, over the homes it shows by
-- default (not archived). A plot with no number sorts after those with one
-- (PostgreSQL's NULLS LAST ascending), hence the flag before the number.
CREATE INDEX homes_list_development_idx ON homes
    (development_sort, plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), id)
    WHERE archived_at IS NULL;
CREATE INDEX homes_list_plot_idx ON homes
    (plot_prefix, (plot_number IS NULL), (coalesce(plot_number, 0)), lower(plot), development_sort, id)
    WHERE archived_at IS NULL;

-- +goose Down
DROP INDEX homes_list_plot_idx;
DROP INDEX homes_list_development_idx;
DROP TRIGGER developments_rename_homes ON developments;
DROP TRIGGER homes_development_sort ON homes;
DROP FUNCTION refresh_home_sort_keys();
DROP FUNCTION developments_rename_homes();
DROP FUNCTION homes_set_development_sort();
ALTER TABLE homes DROP COLUMN development_sort, DROP COLUMN plot_number, DROP COLUMN plot_prefix;
