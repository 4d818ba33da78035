-- +goose Up
-- The infrastructure list of regulation 121A(1)(a): "a statement of the
-- infrastructure projects or types of infrastructure which the charging
-- authority intends will be, or may be, wholly or partly funded by CIL".
-- It is kept by the council, item by item, with the financial year each
-- item was added and (when it was) removed, and published with each year's
-- statement as it stood in that year. It is not the list of S106 projects.

CREATE TABLE infrastructure_list_items (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (btrim(name) <> ''),
    description  text NOT NULL DEFAULT '',
    purpose_code text NOT NULL REFERENCES contribution_purposes (code),
    added_year   integer NOT NULL CHECK (added_year BETWEEN 2000 AND 2100),
    removed_year integer CHECK (removed_year BETWEEN 2000 AND 2100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CHECK (removed_year IS NULL OR removed_year > added_year)
);

-- +goose Down
DROP TABLE infrastructure_list_items;
