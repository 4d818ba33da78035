package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// roles setup gives two URLs: migrations run as the owner, and the server's
// URL reaches the migrated schema but may not erase the audit trail.
// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestRolesSetupGivesAnOwnerAndAServerRole(t *testing.T) {
	ctx := context.Background()
	// A database testdb drops afterwards; roles setup finds it and keeps it.
	empty := testdb.EmptyURL(t)
	cfg, _ := pgx.ParseConfig(empty)
	t.Setenv("DATABASE_URL", testdb.As(t, empty, testdb.Super))
	var out bytes.Buffer
	if err := runRolesTo(ctx, []string{"setup", "--database", cfg.Database}, &out); err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		urls[k] = strings.Trim(v, "'")
	}
	if err := store.Migrate(ctx, urls["S106_OWNER_DATABASE_URL"], "up"); err != nil {
		t.Fatal(err)
	}
	app, err := store.Open(ctx, urls["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := store.CheckSchema(ctx, app.Pool); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `TRUNCATE audit_events`); err == nil {
		t.Error("the server's role may TRUNCATE audit_events")
	}
}
