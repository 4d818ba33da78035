package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

func tableCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	err := db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsGoUpDownAndUpAgainOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	url := testdb.EmptyURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("up: %v", err)
	}
	up := tableCount(t, db)
	if up == 0 {
		t.Fatal("no tables after migrating up")
	}
	if err := store.Migrate(ctx, url, "reset"); err != nil {
		t.Fatalf("down to zero: %v", err)
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("%d tables left after rolling every migration back", n)
	}
	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if n := tableCount(t, db); n != up {
		t.Fatalf("%d tables after up/down/up, want %d", n, up)
	}
	// Applying again is a no-op.
	if err := store.Migrate(ctx, url, "up"); err != nil {
		t.Fatalf("up when up to date: %v", err)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	// SQL on purpose: the audit trail's append-only trigger is under test.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id) VALUES ('test', 'x.y', 'thing', '1')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE audit_events SET summary = 'rewritten'`); err == nil {
		t.Error("UPDATE of audit_events was allowed")
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM audit_events`); err == nil {
		t.Error("DELETE of audit_events was allowed")
	}
}

// Several instances starting together each migrate; under goose's session
// lock they take turns instead of racing to create the same types.
func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	t.Parallel()
	url := testdb.EmptyURL(t)
	ctx := context.Background()
	const instances = 6
	errs := make(chan error, instances)
	for range instances {
		go func() { errs <- store.Migrate(ctx, url, "up") }()
	}
	for range instances {
		if err := <-errs; err != nil {
			t.Errorf("an instance failed to migrate: %v", err)
		}
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := store.CheckSchema(ctx, db.Pool); err != nil {
		t.Error(err)
	}
}

// A binary older than the schema refuses it, as does one newer.
func TestCheckSchemaRefusesAnotherVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	app := testdb.Open(t, url)
	if err := store.CheckSchema(ctx, app.Pool); err != nil {
		t.Fatalf("a freshly migrated database: %v", err)
	}
	owner := testdb.Open(t, testdb.As(t, url, testdb.Owner))
	// SQL on purpose: a migration the binary does not know, as goose would record it.
	if _, err := owner.Pool.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, app.Pool); !errors.Is(err, store.ErrSchemaNewer) || !strings.Contains(err.Error(), "99999") {
		t.Errorf("schema newer than the binary: got %v", err)
	}
	if _, err := owner.Pool.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id >= (SELECT max(version_id) FROM goose_db_version WHERE version_id < 99999)`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, app.Pool); !errors.Is(err, store.ErrSchemaOlder) {
		t.Errorf("schema older than the binary: got %v", err)
	}
}

// A binary refuses a database whose kept-totals definitions are another
// binary's (they change without a migration), until it migrates it.
func TestCheckSchemaRefusesOtherDefinitions(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	app := testdb.Open(t, url)
	owner := testdb.Open(t, testdb.As(t, url, testdb.Owner))
	if _, err := owner.Pool.Exec(ctx, `UPDATE schema_definitions SET checksum = 'another binary'`); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, app.Pool); !errors.Is(err, store.ErrDefinitionsDiffer) {
		t.Errorf("other definitions: got %v", err)
	}
	if err := store.Migrate(ctx, testdb.As(t, url, testdb.Owner), "up"); err != nil {
		t.Fatal(err)
	}
	if err := store.CheckSchema(ctx, app.Pool); err != nil {
		t.Errorf("after migrate up: %v", err)
	}
}
