-- +goose Up
-- The Infrastructure Funding Statement: published snapshots of a year's
-- section 106 report, frozen with their files, and the flag that marks a
-- project as repaying money borrowed to forward-fund infrastructure
-- (Schedule 2 paragraph 3(h)(ii)).

ALTER TABLE projects
    ADD COLUMN repays_borrowing boolean NOT NULL DEFAULT false;

-- One row per publication of a year's statement. Republishing a year adds
-- a new row; the newest for a year is the current one. Append-only.
CREATE TABLE ifs_publications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The calendar year the financial year starts in: 2025 = 1 April 2025
    -- to 31 March 2026.
    year         integer NOT NULL CHECK (year BETWEEN 1990 AND 2200),
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by bigint NOT NULL REFERENCES users (id),
    -- sha256 (hex) of the source rows the figures were computed from.
    checksum     text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    -- When the data was read (the statement's data cut-off).
    data_cutoff  timestamptz NOT NULL,
    figures      jsonb NOT NULL
);
CREATE INDEX ifs_publications_year_idx ON ifs_publications (year, published_at DESC, id DESC);

CREATE TRIGGER ifs_publications_append_only
    BEFORE UPDATE OR DELETE ON ifs_publications
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The frozen downloads of a publication.
CREATE TABLE ifs_publication_files (
    publication_id bigint NOT NULL REFERENCES ifs_publications (id),
    name           text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9.-]*$'),
    content_type   text NOT NULL,
    data           bytea NOT NULL,
    PRIMARY KEY (publication_id, name)
);

CREATE TRIGGER ifs_publication_files_append_only
    BEFORE UPDATE OR DELETE ON ifs_publication_files
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE ifs_publication_files;
DROP TABLE ifs_publications;
ALTER TABLE projects DROP COLUMN repays_borrowing;
