-- +goose Up
-- HM Land Registry price paid data, imported from its monthly or yearly
-- file, and the sales matched to homes (internal/pricepaid). A sale of a
-- home that should still be affordable raises a 'suspicious-sale' alert
-- for the housing team.
CREATE TABLE price_paid_sales (
    transaction_id text PRIMARY KEY,
    price          bigint NOT NULL CHECK (price >= 0),
    sold_on        date NOT NULL,
    postcode       text NOT NULL,
    property_type  text NOT NULL,
    new_build      boolean NOT NULL,
    tenure         text NOT NULL,
    paon           text NOT NULL,
    saon           text NOT NULL,
    street         text NOT NULL,
    locality       text NOT NULL,
    town           text NOT NULL,
    district       text NOT NULL,
    county         text NOT NULL,
    category       text NOT NULL,
    imported_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE price_paid_matches (
    transaction_id text NOT NULL REFERENCES price_paid_sales (transaction_id) ON DELETE CASCADE,
    home_id        bigint NOT NULL REFERENCES homes (id),
    suspicious     boolean NOT NULL,
    reason         text NOT NULL,
    matched_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (transaction_id, home_id)
);
CREATE INDEX price_paid_matches_home_idx ON price_paid_matches (home_id);

-- The sales the housing team should investigate, with the home's obligation.
CREATE VIEW suspicious_sales AS
SELECT m.transaction_id, m.home_id, h.obligation_id, s.price, s.sold_on, m.reason
FROM price_paid_matches m
JOIN price_paid_sales s ON s.transaction_id = m.transaction_id
JOIN homes h ON h.id = m.home_id
WHERE m.suspicious AND h.obligation_id IS NOT NULL AND h.archived_at IS NULL;

INSERT INTO alert_rules (code, name, description, position) VALUES
    ('suspicious-sale', 'Affordable home sold', 'HM Land Registry''s price paid data shows a sale of a home that should still be affordable (no staircasing to 100%, right to buy or right to acquire recorded): investigate.', 9);

-- +goose Down
DELETE FROM alert_recipients WHERE alert_id IN (SELECT id FROM alerts WHERE rule_code = 'suspicious-sale');
DELETE FROM alerts WHERE rule_code = 'suspicious-sale';
DELETE FROM alert_rules WHERE code = 'suspicious-sale';
DROP VIEW suspicious_sales;
DROP TABLE price_paid_matches;
DROP TABLE price_paid_sales;
