-- +goose Up
-- documents.public_version_id names one of the document's own versions,
-- and each version names its document: the two tables refer to each other.
-- A restore (internal/imports/restore.go) loads tables parents first, which
-- a circle makes impossible, so this reference is checked at commit instead:
-- the restore defers it and loads documents before their versions. Every
-- other write still checks it at once (INITIALLY IMMEDIATE).
ALTER TABLE documents ALTER CONSTRAINT documents_public_version_fk DEFERRABLE INITIALLY IMMEDIATE;

-- +goose Down
ALTER TABLE documents ALTER CONSTRAINT documents_public_version_fk NOT DEFERRABLE;
