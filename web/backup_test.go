package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/testdb"
)

// Item 19: a backup is known to restore. The demo database is dumped with
// pg_dump (as the README's deployment section says), restored into an
// empty database with the two roles, and the statement, the dashboard and
// the audit trail are the same; the server's role is still only the
// server's role there.
func TestBackupRestoresIntoAnEmptyDatabaseIdentically(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: apt-get install postgresql-client)", tool)
		}
	}
	ctx := context.Background()
	srcURL := testdb.URL(t)
	if _, err := seed.Demo(ctx, testdb.Open(t, srcURL)); err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "s106.dump")
	run := func(name string, args ...string) {
		t.Helper()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	// As the owner role, which can read everything it owns.
	run("pg_dump", "--format=custom", "--file="+dump, "--dbname="+testdb.As(t, srcURL, testdb.Owner))
	dstOwner := testdb.EmptyURL(t)
	run("pg_restore", "--exit-on-error", "--no-owner", "--single-transaction", "--dbname="+dstOwner, dump)
	dstURL := testdb.As(t, dstOwner, testdb.Server)

	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	type view struct{ audit, statement, dashboard, deadlines string }
	read := func(url string) view {
		t.Helper()
		db := testdb.Open(t, url)
		var v view
		var audit bytes.Buffer
		rows, err := db.Pool.Query(ctx, `SELECT id, occurred_at, coalesce(actor_id, 0), actor_label, action, entity_type, entity_id, summary,
			coalesce(before::text, ''), coalesce(after::text, '') FROM audit_events ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, _ := rows.Values()
			for _, x := range vals {
				audit.WriteString(fmtAny(x) + "|")
			}
			audit.WriteString("\n")
		}
		rows.Close()
		v.audit = audit.String()
		st, err := (&ifs.Service{DB: db, Organisation: "local-authority:WVD", Now: func() time.Time { return now }}).Build(ctx, 2025)
		if err != nil {
			t.Fatal(err)
		}
		v.statement = string(ifs.CSV(st.Rows()))
		app := New(testConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), db, Options{})
		app.Now = func() time.Time { return now }
		ts := newTestServer(t, app)
		ts.login(t, "admin@wessexvale.example", seed.DemoPassword)
		v.dashboard = stripTokens(ts.get(t, "/dashboard").body)
		v.deadlines = ts.get(t, "/deadlines.csv").body
		return v
	}
	src, dst := read(srcURL), read(dstURL)
	if len(src.audit) < 1000 || src.audit != dst.audit {
		t.Errorf("audit trail differs after restore (%d bytes before, %d after)", len(src.audit), len(dst.audit))
	}
	if src.statement != dst.statement || len(src.statement) < 200 {
		t.Errorf("statement differs after restore:\n%s\n---\n%s", src.statement, dst.statement)
	}
	if src.dashboard != dst.dashboard || len(src.dashboard) < 1000 {
		t.Errorf("dashboard differs after restore")
	}
	if src.deadlines != dst.deadlines {
		t.Errorf("deadlines differ after restore")
	}
	// The restored database keeps the two roles apart.
	db := testdb.Open(t, dstURL)
	if _, err := db.Pool.Exec(ctx, `TRUNCATE audit_events`); err == nil {
		t.Error("after restore, the server's role may TRUNCATE audit_events")
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_events (actor_label, action, entity_type, entity_id) VALUES ('t', 'x.y', 'thing', '1')`); err != nil {
		t.Errorf("after restore, the server's role may not add to the audit trail: %v", err)
	}
}

var tokenPattern = regexp.MustCompile(`value="[A-Za-z0-9_-]{40,}"`)

func stripTokens(s string) string { return tokenPattern.ReplaceAllString(s, `value=""`) }

func fmtAny(x any) string {
	switch v := x.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}
