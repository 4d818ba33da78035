-- The agreements list now pages by keyset with its count capped (issue
-- 22): each order is its sort key, the reference and the id, all in one
-- direction, so one index per order serves both directions (read
-- backwards for descending). The status and type indexes of migration
-- 00210 already have that shape; their descending twins are no longer
-- used. The signed order sorts agreements without a date last in both
-- directions, by a null flag as listing.Keyset writes it, as the API's
-- indexes of migration 00152 do.

-- +goose Up
DROP INDEX agreements_list_signed_idx;
DROP INDEX agreements_list_signed_desc_idx;
DROP INDEX agreements_list_status_desc_idx;
DROP INDEX agreements_list_type_desc_idx;
CREATE INDEX agreements_list_signed_idx ON agreements
    ((date_signed IS NULL), coalesce(date_signed, 'epoch'::date), upper(reference), id);
CREATE INDEX agreements_list_signed_desc_idx ON agreements
    ((date_signed IS NOT NULL), coalesce(date_signed, 'epoch'::date), upper(reference), id);

-- +goose Down
DROP INDEX agreements_list_signed_desc_idx;
DROP INDEX agreements_list_signed_idx;
CREATE INDEX agreements_list_signed_idx ON agreements (date_signed ASC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_signed_desc_idx ON agreements (date_signed DESC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_status_desc_idx ON agreements
    (array_position(ARRAY['draft', 'completed', 'live', 'discharged', 'superseded'], status) DESC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_type_desc_idx ON agreements
    (array_position(ARRAY['section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278'], agreement_type) DESC NULLS LAST, upper(reference), id);
