-- +goose Up
-- Indices have their frequency.
--
-- The BCIS All-in Tender Price Index is published quarterly, and each
-- quarter's value is first a forecast, then provisional, then firm; RPI and
-- CPI are monthly. A series says its frequency; a value of a quarterly
-- series is stored for the first month of its quarter, with its status;
-- an invoice keeps the status of the value it used, so a later firm value
-- can be compared with what was invoiced.

ALTER TABLE index_series
    ADD COLUMN frequency text NOT NULL DEFAULT 'monthly' CHECK (frequency IN ('monthly', 'quarterly', 'annual'));
UPDATE index_series SET frequency = 'quarterly' WHERE code = 'bcis-tpi';

ALTER TABLE index_values
    ADD COLUMN status text NOT NULL DEFAULT 'firm' CHECK (status IN ('forecast', 'provisional', 'firm'));

ALTER TABLE ledger_entries
    ADD COLUMN calc_index_status text CHECK (calc_index_status IN ('forecast', 'provisional', 'firm'));

-- +goose Down
ALTER TABLE ledger_entries DROP COLUMN calc_index_status;
ALTER TABLE index_values DROP COLUMN status;
ALTER TABLE index_series DROP COLUMN frequency;
