-- +goose Up
-- The obligations list pages by keyset (listing.Keyset): a position is
-- compared as one row, (key, id) > (…), which only an index on exactly
-- those expressions can seek. Amount and trigger date may be empty, and an
-- empty key sorts by a null flag then a placeholder value; 00014's indexes
-- on the bare columns cannot serve that order, these can.
CREATE INDEX obligations_list_amount_keyset_idx ON obligations ((base_amount IS NULL), (coalesce(base_amount, 0)), id);
CREATE INDEX obligation_states_trigger_met_keyset_idx ON obligation_states
    ((trigger_met_on IS NULL), (coalesce(trigger_met_on, 'epoch'::date)), obligation_id);

-- +goose Down
DROP INDEX obligation_states_trigger_met_keyset_idx;
DROP INDEX obligations_list_amount_keyset_idx;
