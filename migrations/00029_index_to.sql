-- +goose Up
-- An invoice indexes to the period the agreement names: usually the
-- quarter or month in which the trigger was met, sometimes the one in
-- which the council invoices. The invoice form starts there (never before
-- the base date).
ALTER TABLE obligations
    ADD COLUMN index_to text NOT NULL DEFAULT 'trigger' CHECK (index_to IN ('trigger', 'invoice'));

-- +goose Down
ALTER TABLE obligations DROP COLUMN index_to;
