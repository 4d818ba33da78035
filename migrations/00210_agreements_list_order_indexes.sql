-- The agreements list reads a page by ORDER BY … LIMIT (issue 22): each
-- sort it offers, in each direction, ends with upper(reference) and id
-- ascending, so an index per order lets PostgreSQL read the page's rows
-- in order and stop, instead of sorting every match (10,000 agreements
-- at five times the large council). The reference order already has
-- agreements_api_reference_idx.

-- +goose Up
CREATE INDEX agreements_list_signed_idx ON agreements (date_signed ASC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_signed_desc_idx ON agreements (date_signed DESC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_status_idx ON agreements
    (array_position(ARRAY['draft', 'completed', 'live', 'discharged', 'superseded'], status) ASC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_status_desc_idx ON agreements
    (array_position(ARRAY['draft', 'completed', 'live', 'discharged', 'superseded'], status) DESC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_type_idx ON agreements
    (array_position(ARRAY['section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278'], agreement_type) ASC NULLS LAST, upper(reference), id);
CREATE INDEX agreements_list_type_desc_idx ON agreements
    (array_position(ARRAY['section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278'], agreement_type) DESC NULLS LAST, upper(reference), id);

-- +goose Down
DROP INDEX agreements_list_type_desc_idx;
DROP INDEX agreements_list_type_idx;
DROP INDEX agreements_list_status_desc_idx;
DROP INDEX agreements_list_status_idx;
DROP INDEX agreements_list_signed_desc_idx;
DROP INDEX agreements_list_signed_idx;
