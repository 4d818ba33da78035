-- The homes search matches a home by its development's name through the
-- name kept on each home (development_sort, lower(name), kept by
-- internal/store/schema/50_homes_totals.sql), so the whole search is
-- one OR over the home's own columns (issue 22): PostgreSQL can then
-- either combine the trigram indexes (a rare term) or read the list's
-- order index and stop after one page (a common term such as "Plot 12",
-- which matches 11,111 homes at five times the large council), where a
-- union of ids had to collect every match before sorting.

-- +goose Up
CREATE INDEX homes_development_fold_idx ON homes USING gin (search_fold(development_sort) gin_trgm_ops);

-- +goose Down
DROP INDEX homes_development_fold_idx;
