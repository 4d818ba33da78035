-- +goose Up
-- Registered providers get a type and a company number; tenure products
-- become data the admin can extend.
--
-- The type decides which statutory exit fits a home: right to buy belongs
-- to secure tenants, whose landlord is (for new homes) a local authority
-- (Housing Act 1985 s.118, s.80); housing-association tenants have the
-- right to acquire (Housing Act 1996 s.16; now Housing and Regeneration
-- Act 2008 s.180 in England). homes/exits.go quotes the words.
ALTER TABLE registered_providers
    ADD COLUMN provider_type text NOT NULL DEFAULT 'private-registered-provider'
        CHECK (provider_type IN ('local-authority', 'private-registered-provider', 'other')),
    -- Companies House number: 8 digits, or 2 letters and 6 digits (SC, NI, OC, ...).
    ADD COLUMN company_number text NOT NULL DEFAULT ''
        CHECK (company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6}|[A-Z]{2}[0-9]{5}R)?$');

-- The regulator numbers local authorities differently (e.g. 45UB) from
-- private providers (e.g. L4821, 4567).
ALTER TABLE registered_providers DROP CONSTRAINT registered_providers_rsh_number_check;
ALTER TABLE registered_providers ADD CONSTRAINT registered_providers_rsh_number_check
    CHECK (rsh_number ~ '^([A-Z0-9]{2,10})?$');

-- Tenure products, as councils name them. The first ten are the ones the
-- application was built with; the rest are the other products in use
-- (NPPF Annex 2 "affordable housing for rent", "discounted market sales
-- housing", "other affordable routes to home ownership"). An admin adds
-- more; built-in ones cannot be removed.
CREATE TABLE tenure_products (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{1,40}$'),
    label       text NOT NULL CHECK (btrim(label) <> ''),
    -- rent: let at a sub-market rent; ownership: a share or a discount on
    -- sale; market: not affordable.
    category    text NOT NULL CHECK (category IN ('rent', 'ownership', 'market')),
    -- Shared ownership and the like, where the occupier can buy out the
    -- rest (staircase to 100%): a sale after that is expected.
    staircasing boolean NOT NULL DEFAULT false,
    description text NOT NULL DEFAULT '',
    sort_order  integer NOT NULL,
    built_in    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenure_products_label_key ON tenure_products (lower(label));

INSERT INTO tenure_products (code, label, category, staircasing, sort_order, built_in, description) VALUES
    ('social-rent', 'Social rent', 'rent', false, 10, true, 'Rent set by the government''s formula for social rents.'),
    ('london-affordable-rent', 'London Affordable Rent', 'rent', false, 20, true, 'The Mayor of London''s benchmark rents.'),
    ('affordable-rent', 'Affordable rent', 'rent', false, 30, true, 'At least 20% below local market rent.'),
    ('london-living-rent', 'London Living Rent', 'rent', false, 40, true, 'Intermediate rent set at a third of local household incomes, to help renters save.'),
    ('intermediate-rent', 'Intermediate rent', 'rent', false, 50, true, 'Above social rent, below market rent.'),
    ('shared-ownership', 'Shared ownership', 'ownership', true, 60, true, 'A share bought, rent paid on the rest; the owner can staircase to 100%.'),
    ('first-homes', 'First Homes', 'ownership', false, 70, true, 'Sold at least 30% below market value to first-time buyers, with the discount kept on resale.'),
    ('discount-market-sale', 'Discount market sale', 'ownership', false, 80, true, 'Sold at a discount of at least 20% below local market value, kept in perpetuity.'),
    ('other-intermediate', 'Other intermediate', 'ownership', false, 90, true, ''),
    ('market', 'Market', 'market', false, 1000, true, 'Not affordable housing.'),
    ('discount-market-rent', 'Discount market rent', 'rent', false, 55, true, 'Let at least 20% below local market rent (affordable private rent in build to rent).'),
    ('rent-to-buy', 'Rent to buy', 'rent', false, 57, true, 'Let at an intermediate rent so the tenant can save to buy.'),
    ('shared-equity', 'Shared equity', 'ownership', false, 65, true, 'Bought with an equity loan or the seller keeping a share.'),
    ('older-persons-shared-ownership', 'Older people''s shared ownership', 'ownership', true, 66, true, 'Shared ownership for people aged 55 or over, up to a 75% share.');

ALTER TABLE homes DROP CONSTRAINT homes_tenure_check,
    ADD CONSTRAINT homes_tenure_fkey FOREIGN KEY (tenure) REFERENCES tenure_products (code);
ALTER TABLE affordable_mix_lines DROP CONSTRAINT affordable_mix_lines_tenure_check,
    ADD CONSTRAINT affordable_mix_lines_tenure_fkey FOREIGN KEY (tenure) REFERENCES tenure_products (code);
ALTER TABLE home_events DROP CONSTRAINT home_events_new_tenure_check,
    ADD CONSTRAINT home_events_new_tenure_fkey FOREIGN KEY (new_tenure) REFERENCES tenure_products (code);

-- The homes list sorts tenures in the forms' order. The rank must stay
-- IMMUTABLE (an index uses it), so it names the built-in order; a product
-- the admin adds sorts after them, before market.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION home_tenure_rank(tenure text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
    SELECT coalesce(array_position(ARRAY['social-rent','london-affordable-rent','affordable-rent','london-living-rent','intermediate-rent',
        'shared-ownership','first-homes','discount-market-sale','other-intermediate','market'], tenure),
        CASE tenure WHEN 'discount-market-rent' THEN 5 WHEN 'rent-to-buy' THEN 5 WHEN 'shared-equity' THEN 7
                    WHEN 'older-persons-shared-ownership' THEN 6 ELSE 9 END)
$fn$;
-- +goose StatementEnd
REINDEX INDEX homes_list_tenure_idx;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION home_tenure_rank(tenure text) RETURNS integer LANGUAGE sql IMMUTABLE AS $fn$
    SELECT array_position(ARRAY['social-rent','london-affordable-rent','affordable-rent','london-living-rent','intermediate-rent',
        'shared-ownership','first-homes','discount-market-sale','other-intermediate','market'], tenure)
$fn$;
-- +goose StatementEnd
REINDEX INDEX homes_list_tenure_idx;
ALTER TABLE home_events DROP CONSTRAINT home_events_new_tenure_fkey;
ALTER TABLE affordable_mix_lines DROP CONSTRAINT affordable_mix_lines_tenure_fkey;
ALTER TABLE homes DROP CONSTRAINT homes_tenure_fkey;
DROP TABLE tenure_products;
ALTER TABLE registered_providers DROP CONSTRAINT registered_providers_rsh_number_check;
ALTER TABLE registered_providers ADD CONSTRAINT registered_providers_rsh_number_check
    CHECK (rsh_number ~ '^([A-Z]{0,2}[0-9]{1,6})?$');
ALTER TABLE registered_providers DROP COLUMN company_number, DROP COLUMN provider_type;
