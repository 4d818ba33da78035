-- +goose Up
-- Search that finds what people type: case- and accent-insensitive, so
-- "wyn" finds "Ŵyn" and "maes" finds "Maes" (Welsh place names carry the
-- circumflex; people searching seldom type it).
--
-- unaccent ships with PostgreSQL and is a trusted extension from
-- PostgreSQL 13, so the database's owner may create it. unaccent() itself
-- is only STABLE (its dictionary could change), so it cannot index; this
-- wrapper names the dictionary explicitly and is declared IMMUTABLE, the
-- documented way to index it. Its SQL-standard body lets the planner see
-- through it. Every "contains" search that people type names into compares
-- search_fold(column) LIKE search_fold(pattern), and the trigram indexes
-- below are on the same expression, so the search stays index-backed.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(unaccent('unaccent'::regdictionary, $1));

-- The trigram indexes of migrations 00011 and 00014 on the columns that
-- hold names and words, on the folded text instead. Postcodes, UPRNs and
-- references have no accents and keep their indexes.
DROP INDEX homes_plot_trgm_idx;
DROP INDEX homes_address_trgm_idx;
DROP INDEX developments_name_trgm_idx;
DROP INDEX obligations_description_trgm_idx;
DROP INDEX obligations_clause_ref_trgm_idx;
DROP INDEX receipts_payer_trgm_idx;
CREATE INDEX homes_plot_fold_idx ON homes USING gin (search_fold(plot) gin_trgm_ops);
CREATE INDEX homes_address_fold_idx ON homes USING gin (search_fold(address) gin_trgm_ops);
CREATE INDEX developments_name_fold_idx ON developments USING gin (search_fold(name) gin_trgm_ops);
CREATE INDEX obligations_description_fold_idx ON obligations USING gin (search_fold(description) gin_trgm_ops);
CREATE INDEX obligations_clause_ref_fold_idx ON obligations USING gin (search_fold(clause_ref) gin_trgm_ops);
CREATE INDEX receipts_payer_fold_idx ON receipts USING gin (search_fold(payer) gin_trgm_ops);

-- +goose Down
DROP INDEX receipts_payer_fold_idx;
DROP INDEX obligations_clause_ref_fold_idx;
DROP INDEX obligations_description_fold_idx;
DROP INDEX developments_name_fold_idx;
DROP INDEX homes_address_fold_idx;
DROP INDEX homes_plot_fold_idx;
CREATE INDEX receipts_payer_trgm_idx ON receipts USING gin (payer gin_trgm_ops);
CREATE INDEX obligations_clause_ref_trgm_idx ON obligations USING gin (clause_ref gin_trgm_ops);
CREATE INDEX obligations_description_trgm_idx ON obligations USING gin (description gin_trgm_ops);
CREATE INDEX developments_name_trgm_idx ON developments USING gin (name gin_trgm_ops);
CREATE INDEX homes_address_trgm_idx ON homes USING gin (address gin_trgm_ops);
CREATE INDEX homes_plot_trgm_idx ON homes USING gin (plot gin_trgm_ops);
DROP FUNCTION search_fold(text);
DROP EXTENSION unaccent;
