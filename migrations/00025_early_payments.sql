-- +goose Up
-- Receipts against no trigger.
--
-- Developers do pay early: a payment for an obligation whose trigger was
-- not met, or that was never invoiced, by the day it arrived is allowed,
-- but flagged so an officer checks it was meant for that obligation.
-- receipt_shares_paid_early is the one definition of "paid early": each
-- standing receipt share with no invoice of its obligation dated on or
-- before it, or whose obligation's trigger was not met by then.

CREATE VIEW receipt_shares_paid_early AS
SELECT e.id AS entry_id, e.receipt_id, e.obligation_id, e.entry_date,
       NOT EXISTS (SELECT 1 FROM ledger_effective i
                   WHERE i.obligation_id = e.obligation_id AND i.kind = 'invoice' AND i.entry_date <= e.entry_date) AS not_invoiced,
       (d.trigger_met_on IS NULL OR d.trigger_met_on > e.entry_date) AS trigger_not_met
FROM ledger_effective e
LEFT JOIN obligation_event_dates d ON d.obligation_id = e.obligation_id
WHERE e.kind = 'receipt'
  AND (NOT EXISTS (SELECT 1 FROM ledger_effective i
                   WHERE i.obligation_id = e.obligation_id AND i.kind = 'invoice' AND i.entry_date <= e.entry_date)
       OR d.trigger_met_on IS NULL OR d.trigger_met_on > e.entry_date);

-- +goose Down
DROP VIEW receipt_shares_paid_early;
