-- +goose Up
-- Letters from templates (issue 24): invoices, reminders, spend-by
-- notices, discharge confirmations. Each letter is produced as a PDF and
-- kept as a document of the record it concerns; this table says which
-- letter it was, from which wording, and to whom it was e-mailed.

-- The council's letterhead: one row, changed by an admin with optimistic
-- locking. The logo is a stored file (PNG or JPEG) by its SHA-256.
CREATE TABLE letter_settings (
    id              smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    council_name    text NOT NULL DEFAULT '',
    address         text NOT NULL DEFAULT '',
    signatory_name  text NOT NULL DEFAULT '',
    signatory_title text NOT NULL DEFAULT '',
    logo_sha256     bytea REFERENCES document_blobs (sha256),
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO letter_settings DEFAULT VALUES;

-- The wording of each kind of letter, versioned: an edit adds a version
-- and the highest is in use; the built-in wording stands until the first
-- edit. Append-only.
CREATE TABLE letter_templates (
    kind        text NOT NULL CHECK (kind IN ('invoice', 'monitoring-fee-invoice', 'payment-reminder', 'final-reminder', 'spend-by-notice', 'discharge-confirmation')),
    version_no  integer NOT NULL CHECK (version_no > 0),
    subject     text NOT NULL CHECK (btrim(subject) <> ''),
    body        text NOT NULL CHECK (btrim(body) <> ''),
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version_no)
);

-- Every letter produced. Append-only.
CREATE TABLE letters (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('invoice', 'monitoring-fee-invoice', 'payment-reminder', 'final-reminder', 'spend-by-notice', 'discharge-confirmation')),
    obligation_id    bigint NOT NULL REFERENCES obligations (id),
    -- The invoice a letter is about, or the discharge it confirms.
    ledger_entry_id  bigint REFERENCES ledger_entries (id),
    obligation_event_id bigint REFERENCES obligation_events (id),
    document_id      bigint NOT NULL REFERENCES documents (id),
    template_version integer NOT NULL CHECK (template_version >= 0), -- 0: the built-in wording
    letter_date      date NOT NULL,
    emailed_to       text NOT NULL DEFAULT '',
    issued_by        bigint REFERENCES users (id),
    issued_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX letters_obligation_idx ON letters (obligation_id, kind, issued_at DESC);

CREATE TRIGGER letter_templates_append_only
    BEFORE UPDATE OR DELETE ON letter_templates
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER letters_append_only
    BEFORE UPDATE OR DELETE ON letters
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
REVOKE UPDATE, DELETE ON letter_templates, letters FROM s106_app;
REVOKE INSERT, DELETE ON letter_settings FROM s106_app;

-- +goose Down
DROP TABLE letters;
DROP TABLE letter_templates;
DROP TABLE letter_settings;
