-- +goose Up
-- The homes search (the largest table an officer searches) keeps each
-- home's folded plot and address in stored generated columns, indexed by
-- trigram. Matching on the expression search_fold(column) re-folds every
-- candidate row when the index's matches are rechecked, and unaccent's
-- dictionary lookup per row made "Plot 12" (thousands of candidates at the
-- large council) slower than the plain lower() it replaced. A stored
-- column is folded once, when the home is written.
ALTER TABLE homes
    ADD COLUMN plot_fold text GENERATED ALWAYS AS (search_fold(plot)) STORED,
    ADD COLUMN address_fold text GENERATED ALWAYS AS (search_fold(address)) STORED;
DROP INDEX homes_plot_fold_idx;
DROP INDEX homes_address_fold_idx;
CREATE INDEX homes_plot_fold_idx ON homes USING gin (plot_fold gin_trgm_ops);
CREATE INDEX homes_address_fold_idx ON homes USING gin (address_fold gin_trgm_ops);

-- +goose Down
DROP INDEX homes_plot_fold_idx;
DROP INDEX homes_address_fold_idx;
ALTER TABLE homes DROP COLUMN plot_fold, DROP COLUMN address_fold;
CREATE INDEX homes_plot_fold_idx ON homes USING gin (search_fold(plot) gin_trgm_ops);
CREATE INDEX homes_address_fold_idx ON homes USING gin (search_fold(address) gin_trgm_ops);
