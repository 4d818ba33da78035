-- +goose Up
-- Amounts are bounded to what a planning obligation can plausibly be
-- (issue 17, item 9): less than £1,000,000,000 each. The largest section
-- 106 agreements in England run to a few hundred million pounds in all;
-- a single figure of a billion or more is a typing slip (an extra 000).
-- Three receipts of £999,999,999,999.99 on one obligation used to
-- overflow the numeric(14,2) casts of the public CSVs and the statement.
-- NOT VALID: rows already kept are not re-checked (they were accepted under
-- the old rule); every new or changed row is.
ALTER TABLE receipts       ADD CONSTRAINT receipts_total_plausible        CHECK (total < 1000000000) NOT VALID;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_amount_plausible CHECK (amount < 1000000000) NOT VALID;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_base_plausible   CHECK (base_amount < 1000000000 AND calculated_amount < 1000000000) NOT VALID;
ALTER TABLE obligations    ADD CONSTRAINT obligations_base_plausible      CHECK (base_amount < 1000000000) NOT VALID;

-- Totals are unbounded numeric everywhere; the one kept total with a
-- narrow type, an alert's amount (a sum of an obligation's money), is
-- widened so no sum can overflow it.
ALTER TABLE alerts ALTER COLUMN amount TYPE numeric;

-- +goose Down
ALTER TABLE alerts ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE obligations    DROP CONSTRAINT obligations_base_plausible;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_base_plausible;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_amount_plausible;
ALTER TABLE receipts       DROP CONSTRAINT receipts_total_plausible;
