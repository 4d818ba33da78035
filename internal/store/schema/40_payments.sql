-- Payments: what of a payment is held in suspense, and which receipt
-- shares were paid early.
--
-- Figures defined here:
--   each payment's suspense: held (the overpaid part, above what was
--     invoiced), refunded, assigned to an obligation, and the balance
--     (suspense_balances, from the append-only suspense_entries). Money in
--     suspense has no spend-by deadline and counts in no IFS item;
--   "paid early": a standing receipt share with no invoice of its
--     obligation dated on or before it, or whose obligation's trigger was
--     not met by then (receipt_shares_paid_early).
-- Pages that read them (internal/ledger): a payment's page and the
-- receipts list (its suspense, the paid-early flag), the suspense list and
-- its refund and assignment. Both are plain views (nothing kept). Re-applied after every migrate (see 10_ledger_totals.sql).

CREATE OR REPLACE VIEW suspense_balances AS
SELECT s.receipt_id,
       min(s.entry_date) FILTER (WHERE s.kind = 'held')              AS held_since,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'held'), 0)       AS held,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'refund'), 0)     AS refunded,
       coalesce(sum(s.amount) FILTER (WHERE s.kind = 'assignment'), 0) AS assigned,
       coalesce(sum(CASE s.kind WHEN 'held' THEN s.amount ELSE -s.amount END), 0) AS balance
FROM suspense_entries s
GROUP BY s.receipt_id;

CREATE OR REPLACE VIEW receipt_shares_paid_early AS
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
