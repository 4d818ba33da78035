-- +goose Up
-- GOV.UK Notify as an e-mail channel beside SMTP (issue 23, item 2). Each
-- outbox message records which channel sent it and, for Notify, the
-- notification id Notify gave it and the delivery status Notify last
-- reported (created, sending, delivered, permanent-failure,
-- temporary-failure, technical-failure), polled until it is final.
ALTER TABLE mail_outbox
    ADD COLUMN channel           text NOT NULL DEFAULT '' CHECK (channel IN ('', 'smtp', 'notify')),
    ADD COLUMN notify_id         uuid,
    ADD COLUMN notify_status     text NOT NULL DEFAULT '',
    ADD COLUMN notify_checked_at timestamptz,
    ADD CONSTRAINT mail_outbox_notify_id_sent CHECK (notify_id IS NULL OR (channel = 'notify' AND sent_at IS NOT NULL));
-- The messages whose Notify status is not final yet, oldest check first.
CREATE INDEX mail_outbox_notify_pending_idx ON mail_outbox (notify_checked_at NULLS FIRST)
    WHERE notify_id IS NOT NULL AND notify_status IN ('created', 'sending', 'pending');

-- +goose Down
DROP INDEX mail_outbox_notify_pending_idx;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_notify_id_sent,
    DROP COLUMN notify_checked_at, DROP COLUMN notify_status, DROP COLUMN notify_id, DROP COLUMN channel;
