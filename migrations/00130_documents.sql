-- +goose Up
-- Documents attached to records (issue 24): the signed deed and its plans,
-- deeds of variation, notices, evidence, the letters the service writes.
--
-- Files live in PostgreSQL so that one backup holds everything. They are
-- content-addressed: a file's bytes are stored once under their SHA-256,
-- however many records or versions hold them. The bytes are kept in
-- chunks of at most 1 MiB, so a 20 MB deed is written and read a chunk at
-- a time and neither the server nor the driver ever holds it whole.
CREATE TABLE document_blobs (
    sha256      bytea PRIMARY KEY CHECK (length(sha256) = 32),
    size        bigint NOT NULL CHECK (size > 0),
    chunks      integer NOT NULL CHECK (chunks > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document_blob_chunks (
    sha256  bytea NOT NULL REFERENCES document_blobs (sha256),
    seq     integer NOT NULL CHECK (seq >= 0),
    data    bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 1048576),
    PRIMARY KEY (sha256, seq)
);

-- The text layer of a file that has one (PDF), for full-text search; kept
-- per blob, so a file attached twice is read once.
CREATE TABLE document_texts (
    sha256  bytea PRIMARY KEY REFERENCES document_blobs (sha256),
    body    text NOT NULL,
    tsv     tsvector NOT NULL
);
CREATE INDEX document_texts_tsv_idx ON document_texts USING gin (tsv);

-- A document belongs to exactly one record. One nullable key per kind of
-- record (not a type name and an untyped id) so that the database checks
-- that the record exists. A deed of variation is an agreement.
CREATE TABLE documents (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id        bigint REFERENCES agreements (id),
    obligation_id       bigint REFERENCES obligations (id),
    ledger_entry_id     bigint REFERENCES ledger_entries (id),
    obligation_event_id bigint REFERENCES obligation_events (id),
    home_id             bigint REFERENCES homes (id),
    home_event_id       bigint REFERENCES home_events (id),
    project_id          bigint REFERENCES projects (id),
    title               text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    -- The public (redacted) copy of a deed: one version of one of an
    -- agreement's documents, marked by an officer. Only it is ever served
    -- on the public pages.
    public_version_id   bigint,
    archived_at         timestamptz,
    archived_by         bigint REFERENCES users (id),
    archive_reason      text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(agreement_id, obligation_id, ledger_entry_id, obligation_event_id, home_id, home_event_id, project_id) = 1),
    CHECK (public_version_id IS NULL OR agreement_id IS NOT NULL),
    CHECK (archived_at IS NULL OR (btrim(archive_reason) <> '' AND public_version_id IS NULL))
);
CREATE INDEX documents_agreement_idx ON documents (agreement_id) WHERE agreement_id IS NOT NULL;
CREATE INDEX documents_obligation_idx ON documents (obligation_id) WHERE obligation_id IS NOT NULL;
CREATE INDEX documents_entry_idx ON documents (ledger_entry_id) WHERE ledger_entry_id IS NOT NULL;
CREATE INDEX documents_oevent_idx ON documents (obligation_event_id) WHERE obligation_event_id IS NOT NULL;
CREATE INDEX documents_home_idx ON documents (home_id) WHERE home_id IS NOT NULL;
CREATE INDEX documents_hevent_idx ON documents (home_event_id) WHERE home_event_id IS NOT NULL;
CREATE INDEX documents_project_idx ON documents (project_id) WHERE project_id IS NOT NULL;
-- One public copy per agreement.
CREATE UNIQUE INDEX documents_one_public_idx ON documents (agreement_id) WHERE public_version_id IS NOT NULL;

-- Each upload of a document is a version; replacing a file adds one and
-- keeps the old. Append-only.
CREATE TABLE document_versions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id   bigint NOT NULL REFERENCES documents (id),
    version_no    integer NOT NULL CHECK (version_no > 0),
    sha256        bytea NOT NULL REFERENCES document_blobs (sha256),
    file_name     text NOT NULL CHECK (btrim(file_name) <> '' AND length(file_name) <= 255),
    content_type  text NOT NULL CHECK (content_type <> ''),
    size          bigint NOT NULL CHECK (size > 0),
    note          text NOT NULL DEFAULT '',
    uploaded_by   bigint REFERENCES users (id),
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (document_id, version_no),
    UNIQUE (id, document_id)
);
CREATE INDEX document_versions_sha_idx ON document_versions (sha256);

-- The public copy must be a version of the same document.
ALTER TABLE documents ADD CONSTRAINT documents_public_version_fk
    FOREIGN KEY (public_version_id, id) REFERENCES document_versions (id, document_id);

CREATE TRIGGER document_versions_append_only
    BEFORE UPDATE OR DELETE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER document_blobs_append_only
    BEFORE UPDATE OR DELETE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER document_blob_chunks_append_only
    BEFORE UPDATE OR DELETE ON document_blob_chunks
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER document_texts_append_only
    BEFORE UPDATE OR DELETE ON document_texts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The server adds versions, files and their text, and never changes or
-- removes them (documents themselves are archived, not deleted).
REVOKE UPDATE, DELETE ON document_versions, document_blobs, document_blob_chunks, document_texts FROM s106_app;
REVOKE DELETE ON documents FROM s106_app;

-- +goose Down
DROP TABLE documents CASCADE;
DROP TABLE document_versions;
DROP TABLE document_texts;
DROP TABLE document_blob_chunks;
DROP TABLE document_blobs;
