-- +goose Up
-- Files attached to an outbox message (issue 24: a letter e-mailed with
-- its PDF). A row names the stored document version, whose bytes
-- internal/documents keeps content-addressed (in PostgreSQL or S3): the
-- outbox never holds a second copy. The file is read when the message is
-- sent. Append-only, like the versions it names.
CREATE TABLE mail_outbox_attachments (
    message_id          bigint NOT NULL REFERENCES mail_outbox (id),
    seq                 smallint NOT NULL CHECK (seq BETWEEN 0 AND 9),
    document_version_id bigint NOT NULL REFERENCES document_versions (id),
    PRIMARY KEY (message_id, seq)
);
CREATE INDEX mail_outbox_attachments_version_idx ON mail_outbox_attachments (document_version_id);

CREATE TRIGGER mail_outbox_attachments_append_only
    BEFORE UPDATE OR DELETE ON mail_outbox_attachments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
REVOKE UPDATE, DELETE ON mail_outbox_attachments FROM s106_app;

-- +goose Down
DROP TABLE mail_outbox_attachments;
