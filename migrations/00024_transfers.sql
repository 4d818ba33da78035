-- +goose Up
-- Transfers to another body to spend.
--
-- Schedule 2 paragraph 3(f) counts money "spent by the authority
-- (including transferring it to another person to spend)". A transfer to a
-- health trust, a parish council or the county council is recorded as its
-- own ledger entry of kind 'spend' that names the recipient and the
-- recipient's reference: it draws on the project's allocated money exactly
-- as a spend does, so every balance rule, kept total and drift view that
-- counts spend (check_ledger_balances, obligation_ledger_totals,
-- obligation_project_totals, project_ledger_totals) counts it unchanged,
-- and the database refuses a transfer of money that is not allocated. The
-- data standard reports it with the status "transferred".

ALTER TABLE ledger_entries
    ADD COLUMN transfer_to        text NOT NULL DEFAULT '',
    ADD COLUMN transfer_reference text NOT NULL DEFAULT '',
    ADD CONSTRAINT ledger_entries_transfer_is_spend CHECK (transfer_to = '' OR kind = 'spend'),
    ADD CONSTRAINT ledger_entries_transfer_reference CHECK (transfer_reference = '' OR transfer_to <> '');

-- +goose Down
ALTER TABLE ledger_entries DROP COLUMN transfer_reference, DROP COLUMN transfer_to;
