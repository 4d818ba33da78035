-- +goose Up
-- The API's lists page by keyset (issue 23, item 3): a cursor names the
-- last row's sort key and id, and the next page is WHERE (key, id) >
-- (cursor's key, cursor's id) ORDER BY key, id LIMIT n. Each index below
-- holds exactly such a (key, id) tuple, so a page is an index range scan
-- that starts at the cursor and stops after n rows, however deep in the
-- list it is. A btree read backwards serves the descending order; a
-- nullable key is ordered by its null flag then its value (listing.Key),
-- and the flag flips descending so rows without a value stay last, hence
-- one index for each direction of those.

-- Agreements (agreements.agreementKeys). Sorting by development name (a
-- join) or by the number of obligations (a count) compares the same way
-- but no index serves it.
CREATE INDEX agreements_api_reference_idx ON agreements (upper(reference), id);
CREATE INDEX agreements_api_type_idx ON agreements
    (array_position(ARRAY['section-106', 'unilateral-undertaking', 'deed-of-variation', 'section-278'], agreement_type), id);
CREATE INDEX agreements_api_status_idx ON agreements
    (array_position(ARRAY['draft', 'completed', 'live', 'discharged', 'superseded'], status), id);
CREATE INDEX agreements_api_signed_idx ON agreements ((date_signed IS NULL), coalesce(date_signed, 'epoch'::date), id);
CREATE INDEX agreements_api_signed_desc_idx ON agreements ((date_signed IS NOT NULL), coalesce(date_signed, 'epoch'::date), id);

-- Projects (ledger.projectKeys): the default order, by name.
CREATE INDEX projects_api_name_idx ON projects (lower(name), id);

-- Deadlines (ledger.deadlineKeys), over the shares with money unspent as
-- the list's first condition selects them.
CREATE INDEX receipt_share_deadlines_api_deadline_idx ON receipt_share_deadlines
    ((deadline IS NULL), coalesce(deadline, 'epoch'::date), received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_api_deadline_desc_idx ON receipt_share_deadlines
    ((deadline IS NOT NULL), coalesce(deadline, 'epoch'::date), received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_api_received_idx ON receipt_share_deadlines (received_on, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_api_unspent_idx ON receipt_share_deadlines (unspent, entry_id) WHERE unspent > 0;
CREATE INDEX receipt_share_deadlines_api_agreement_idx ON receipt_share_deadlines (agreement_key, entry_id) WHERE unspent > 0;

-- +goose Down
DROP INDEX receipt_share_deadlines_api_agreement_idx;
DROP INDEX receipt_share_deadlines_api_unspent_idx;
DROP INDEX receipt_share_deadlines_api_received_idx;
DROP INDEX receipt_share_deadlines_api_deadline_desc_idx;
DROP INDEX receipt_share_deadlines_api_deadline_idx;
DROP INDEX projects_api_name_idx;
DROP INDEX agreements_api_signed_desc_idx;
DROP INDEX agreements_api_signed_idx;
DROP INDEX agreements_api_status_idx;
DROP INDEX agreements_api_type_idx;
DROP INDEX agreements_api_reference_idx;
