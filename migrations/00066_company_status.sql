-- +goose Up
-- Companies House: the status of each developer's and provider's company,
-- from the public data API (when the council configures a key) or the free
-- bulk company data file. A developer that is dissolved, in liquidation or
-- in administration while its agreement still owes money or homes raises
-- a 'developer-insolvent' alert on that agreement.
CREATE TABLE company_statuses (
    company_number text PRIMARY KEY CHECK (company_number ~ '^[A-Z0-9]{8}$'),
    company_name   text NOT NULL DEFAULT '',
    -- Companies House's codes: active, dissolved, liquidation,
    -- administration, receivership, voluntary-arrangement,
    -- insolvency-proceedings, converted-closed, ...
    status         text NOT NULL CHECK (btrim(status) <> ''),
    status_detail  text NOT NULL DEFAULT '',
    source         text NOT NULL CHECK (source IN ('api', 'bulk', 'demo')),
    checked_at     timestamptz NOT NULL DEFAULT now()
);

-- Agreements whose developer is in trouble and which still owe: money
-- (a financial obligation or monitoring fee not paid, spent or
-- discharged) or homes (an affordable-housing obligation not discharged
-- with fewer homes transferred than agreed).
CREATE VIEW developer_insolvency AS
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

INSERT INTO alert_rules (code, name, description, position) VALUES
    ('developer-insolvent', 'Developer dissolved or insolvent', 'Companies House shows an agreement''s developer dissolved, in liquidation or in administration while the agreement still owes money or homes.', 10);

-- +goose Down
DELETE FROM alert_recipients WHERE alert_id IN (SELECT id FROM alerts WHERE rule_code = 'developer-insolvent');
DELETE FROM alerts WHERE rule_code = 'developer-insolvent';
DELETE FROM alert_rules WHERE code = 'developer-insolvent';
DROP VIEW developer_insolvency;
DROP TABLE company_statuses;
