-- +goose Up
-- The Regulator of Social Housing's list of registered providers, as last
-- imported from its published spreadsheet, to check providers'
-- registration numbers and types against.
CREATE TABLE rsh_register (
    registration_number text PRIMARY KEY CHECK (registration_number ~ '^[A-Z0-9]{2,10}$'),
    name                text NOT NULL,
    -- The list's designation: Local Authority, Non-profit or Profit.
    designation         text NOT NULL DEFAULT '',
    corporate_form      text NOT NULL DEFAULT '',
    registered_on       date,
    imported_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rsh_register_name_idx ON rsh_register (lower(name));

-- +goose Down
DROP TABLE rsh_register;
