package dbroles_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/testdb"
)

func permissionDenied(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "42501"
}

// The server's role cannot erase or rewrite the audit trail by any of the
// routes an owner or superuser has: TRUNCATE, switching the append-only
// trigger off, replica mode, or plain UPDATE/DELETE.
func TestServerRoleCannotEraseTheAuditTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	// SQL on purpose throughout: the server role's grants are under test.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id) VALUES ('test', 'x.y', 'thing', '1')`); err != nil {
		t.Fatalf("the server's role must be able to add to the audit trail: %v", err)
	}
	var super bool
	if err := db.Pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil || super {
		t.Fatalf("the server's role is a superuser (%v)", err)
	}
	for _, stmt := range []string{
		`TRUNCATE audit_events`,
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`,
		`ALTER TABLE audit_events DISABLE TRIGGER ALL`,
		`SET session_replication_role = replica`,
		`DELETE FROM audit_events`,
		`UPDATE audit_events SET summary = 'rewritten'`,
		`DROP TABLE audit_events`,
		`DELETE FROM ledger_entries`,
		`TRUNCATE ledger_entries CASCADE`,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`,
		`CREATE TABLE sneaky (x int)`,
	} {
		if _, err := db.Pool.Exec(ctx, stmt); !permissionDenied(err) {
			t.Errorf("%s: want permission denied, got %v", stmt, err)
		}
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit events: %d, %v", n, err)
	}
}

// Every table with an append-only trigger is also append-only by
// permission, so a migration that adds one without its REVOKE fails here.
func TestServerRoleCannotChangeAppendOnlyTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT c.relname,
		       has_table_privilege('s106_app', c.oid, 'UPDATE'), has_table_privilege('s106_app', c.oid, 'DELETE'),
		       has_table_privilege('s106_app', c.oid, 'INSERT'), has_table_privilege('s106_app', c.oid, 'TRUNCATE')
		FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
		WHERE g.tgfoid = 'refuse_change'::regproc`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var upd, del, ins, trunc bool
		if err := rows.Scan(&name, &upd, &del, &ins, &trunc); err != nil {
			t.Fatal(err)
		}
		seen++
		if upd || del || trunc {
			t.Errorf("%s is append-only but s106_app may UPDATE (%v), DELETE (%v) or TRUNCATE (%v) it: REVOKE UPDATE, DELETE ON %s FROM s106_app", name, upd, del, trunc, name)
		}
		if !ins {
			t.Errorf("s106_app may not INSERT into %s", name)
		}
	}
	if seen < 9 {
		t.Errorf("found %d append-only tables, want at least 9", seen)
	}
}

// A table a later migration creates (as the owner role) gets the ordinary
// grants through the default privileges, with no line in that migration.
func TestLaterTablesGetOrdinaryGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	owner := testdb.Open(t, testdb.As(t, url, testdb.Owner))
	if _, err := owner.Pool.Exec(ctx, `CREATE TABLE later_branch (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)`); err != nil {
		t.Fatal(err)
	}
	app := testdb.Open(t, url)
	// SQL on purpose: the default grants on a later table are under test.
	for _, stmt := range []string{
		`INSERT INTO later_branch (v) VALUES ('a')`,
		`UPDATE later_branch SET v = 'b'`,
		`SELECT count(*) FROM later_branch`,
		`DELETE FROM later_branch`,
	} {
		if _, err := app.Pool.Exec(ctx, stmt); err != nil {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	if _, err := app.Pool.Exec(ctx, `TRUNCATE later_branch`); !permissionDenied(err) {
		t.Errorf("TRUNCATE of a later table: want permission denied, got %v", err)
	}
}
