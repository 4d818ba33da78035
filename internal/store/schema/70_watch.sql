-- Watch lists from outside data: sales of affordable homes in HM Land
-- Registry's price paid data, and developers Companies House shows in
-- trouble while their agreements still owe.
--
-- Figures defined here:
--   suspicious_sales: the matched sales the housing team should
--     investigate (a home that should still be affordable), with the
--     home's obligation;
--   developer_insolvency: agreements whose developer is dissolved, in
--     liquidation, administration or receivership, or in insolvency
--     proceedings, and which still owe money (a financial obligation or
--     monitoring fee not yet paid) or homes (an affordable-housing
--     obligation with fewer homes transferred than agreed).
-- Pages that read them: the suspicious-sale and developer-insolvent
-- alerts, the price paid and companies pages. Plain views (nothing kept).
-- Re-applied after every migrate (see 10_ledger_totals.sql).

CREATE OR REPLACE VIEW suspicious_sales AS
SELECT m.transaction_id, m.home_id, h.obligation_id, s.price, s.sold_on, m.reason
FROM price_paid_matches m
JOIN price_paid_sales s ON s.transaction_id = m.transaction_id
JOIN homes h ON h.id = m.home_id
WHERE m.suspicious AND h.obligation_id IS NOT NULL AND h.archived_at IS NULL;

-- "Transferred" here is a home with a transfer date, which is narrower
-- than the delivery trigger's (transferred, occupied or left the stock,
-- 60_delivery_trigger.sql); kept as it was built.
CREATE OR REPLACE VIEW developer_insolvency AS
SELECT a.id AS agreement_id, org.name AS developer, org.company_number, cs.status, cs.status_detail, cs.checked_at
FROM agreements a
JOIN agreement_parties ap ON ap.agreement_id = a.id AND ap.party_role = 'developer'
JOIN organisations org ON org.id = ap.organisation_id
JOIN company_statuses cs ON cs.company_number = org.company_number
WHERE cs.status IN ('dissolved', 'liquidation', 'administration', 'receivership', 'insolvency-proceedings')
  AND a.archived_at IS NULL AND a.status NOT IN ('discharged', 'superseded')
  AND EXISTS (
      SELECT 1 FROM obligations o JOIN obligation_status s ON s.obligation_id = o.id
      LEFT JOIN obligation_agreed_homes ag ON ag.obligation_id = o.id
      WHERE o.agreement_id = a.id AND o.archived_at IS NULL AND s.status <> 'discharged'
        AND ((o.kind IN ('financial', 'monitoring-fee') AND s.status IN ('pending', 'triggered', 'invoiced', 'part-paid'))
          OR (o.kind = 'affordable-housing' AND coalesce(ag.agreed, 0) > (
                SELECT count(*) FROM homes h JOIN home_event_dates d ON d.home_id = h.id
                WHERE h.obligation_id = o.id AND h.archived_at IS NULL AND d.transferred_on IS NOT NULL))));
