-- +goose Up
-- The server runs as a role that owns nothing (issue 17, item 13). Its
-- login role is a member of the group role s106_app, which gets only what
-- the server needs. The owner role (the one running these migrations)
-- keeps ownership, so only it can ALTER, DROP, TRUNCATE or disable a
-- trigger; the server's role, not being a superuser, cannot set
-- session_replication_role either.
--
-- s106_app is created here if missing, which needs CREATEROLE; on a
-- council's own PostgreSQL the DBA creates it first (README, "Database
-- roles") and this step is skipped.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 's106_app') THEN
        CREATE ROLE s106_app NOLOGIN;
    END IF;
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO s106_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO s106_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO s106_app;

-- Tables and sequences that later migrations create (as this same owner
-- role) get the same ordinary grants automatically.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO s106_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO s106_app;

-- Append-only tables: the server may read and add rows, never change or
-- remove them (the refuse_change triggers say so too; this makes it a
-- permission the server's role does not have, not only a trigger the
-- table's owner could switch off). A migration adding an append-only
-- table must add the same REVOKE for it; TestServerRoleCannotChange-
-- AppendOnlyTables fails for any table with a refuse_change trigger that
-- the server's role may still UPDATE or DELETE.
REVOKE UPDATE, DELETE ON
    audit_events, obligation_events, receipts, ledger_entries, home_events,
    housing_verifications, ifs_publications, ifs_publication_files, import_runs,
    suspense_entries
FROM s106_app;

-- The migration history: the server reads it (to refuse a schema newer
-- than it knows) and never writes it.
REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM s106_app;

-- +goose Down
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM s106_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM s106_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM s106_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM s106_app;
REVOKE USAGE ON SCHEMA public FROM s106_app;
