// Package testdb gives each test its own fresh PostgreSQL database, cloned
// from a migrated template, so tests run in parallel and never see each
// other's rows. It needs DATABASE_URL (make test starts a private cluster
// and sets it); without it tests fail rather than silently skip.
//
// The databases use the two roles production uses (internal/dbroles): the
// owner role migrates the template and owns every database, and URL and
// New connect as the server's role, which owns nothing, so every test
// proves the server works with only its grants. As gives the same
// database as the owner or as the superuser, for tests that must tamper
// with it or bulk-load it.
//
// Only tests import testdb.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/dbroles"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/migrations"
)

// startURL is DATABASE_URL as the test binary started: tests that set
// DATABASE_URL (to a test database's URL, for a command) must not change
// where new test databases are made.
var startURL = os.Getenv("DATABASE_URL")

func adminURL(t testing.TB) string {
	t.Helper()
	url := startURL
	if url == "" {
		t.Fatal("DATABASE_URL is not set: run tests with `make test`, which starts a local PostgreSQL, or point DATABASE_URL at a server where this user may CREATE DATABASE")
	}
	return url
}

// withDatabase returns url with its database name replaced.
func withDatabase(t testing.TB, url, name string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name) + password(cfg)
}

func password(cfg *pgx.ConnConfig) string {
	if cfg.Password == "" {
		return ""
	}
	return "&password=" + cfg.Password
}

// migrationsHash names the template after the migrations' content and
// the kept totals' definitions (store.Definitions, re-applied after the
// migrations), so a changed migration or definition gets a new template
// instead of a stale one.
func migrationsHash() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations.FS, ".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	defs, _ := store.DefinitionsChecksum()
	h.Write([]byte(defs))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	return conn
}

// ensureTemplate creates the migrated template database once per
// migrations version, under an advisory lock so parallel test binaries
// don't race.
func ensureTemplate(t testing.TB, admin *pgx.Conn, base string) string {
	t.Helper()
	ctx := context.Background()
	hash := migrationsHash()
	name := "s106_tmpl_" + hash
	lockKey := int64(binary.BigEndian.Uint64([]byte(hash[:8])))
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		t.Fatalf("lock template: %v", err)
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatalf("look for template: %v", err)
	}
	if exists {
		return name
	}
	building := randomName("s106_build_")
	if err := dbroles.CreateDatabase(ctx, admin, building, dbroles.Dev.Owner, ""); err != nil {
		t.Fatalf("create template: %v", err)
	}
	if err := store.Migrate(ctx, As(t, withDatabase(t, base, building), Owner), "up"); err != nil {
		t.Fatalf("migrate template: %v", err)
	}
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		t.Fatalf("rename template: %v", err)
	}
	return name
}

// URL creates a fresh, migrated database for this test and returns its
// URL for the server's role. The database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return As(t, create(t, true), Server)
}

// EmptyURL creates a fresh database with no migrations applied and
// returns its URL for the owner role (which migrates it).
func EmptyURL(t testing.TB) string {
	t.Helper()
	return As(t, create(t, false), Owner)
}

func create(t testing.TB, migrated bool) string {
	t.Helper()
	base := adminURL(t)
	admin := connect(t, base)
	defer admin.Close(context.Background())
	if err := dbroles.Ensure(context.Background(), admin, dbroles.Dev); err != nil {
		t.Fatalf("test database roles: %v", err)
	}
	name := randomName("s106_test_")
	template := ""
	if migrated {
		template = ensureTemplate(t, admin, base)
	}
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		// Another process may be briefly connected to the template.
		if err = dbroles.CreateDatabase(context.Background(), admin, name, dbroles.Dev.Owner, template); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c := connect(t, base)
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	url := withDatabase(t, base, name)
	if migrated {
		// Registered after the drop, so it runs before it (and after the
		// test's own cleanups, which close its pools).
		t.Cleanup(func() { checkDrift(t, url) })
	}
	return url
}

// checkDrift fails the test when any drift view (every view named *_drift,
// through drift_report(), internal/store/schema/90_drift.sql) has rows:
// every database test thereby checks that the kept tables the triggers
// maintain still equal the ledger and events they are kept from. One query.
// A test that tampers with a kept table puts it right before it ends
// (SELECT refresh_all_derived_totals()).
func checkDrift(t testing.TB, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, As(t, url, Owner))
	if err != nil {
		t.Errorf("drift check: connect: %v", err)
		return
	}
	defer c.Close(context.Background())
	var report string
	if err := c.QueryRow(ctx, `SELECT coalesce(string_agg(drift_view || ': ' || drift_rows || ' rows', '; '), '') FROM drift_report()`).Scan(&report); err != nil {
		t.Errorf("drift check: %v", err)
		return
	}
	if report != "" {
		t.Errorf("kept totals drifted from a computation from scratch when the test ended (%s): a trigger in internal/store/schema missed a change, or the test wrote a kept table; SELECT * FROM derived_totals_drift names the rows", report)
	}
}

// Role is one of the roles a test may connect as.
type Role int

const (
	// Server is the role the web server runs as: it owns nothing.
	Server Role = iota
	// Owner owns the schema and runs migrations.
	Owner
	// Super is DATABASE_URL's role, a superuser in the dev cluster.
	Super
)

// As returns url (a test database's URL, as any role) as the given role.
func As(t testing.TB, url string, role Role) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse test database URL: %v", err)
	}
	var out string
	switch role {
	case Server:
		out, err = dbroles.WithUser(url, dbroles.Dev.App, dbroles.Dev.AppPassword, "")
	case Owner:
		out, err = dbroles.WithUser(url, dbroles.Dev.Owner, dbroles.Dev.OwnerPassword, "")
	default:
		out = withDatabase(t, adminURL(t), cfg.Database)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// New returns a connection pool, as the server's role, on a fresh,
// migrated database for this test.
func New(t testing.TB) *store.DB {
	t.Helper()
	return Open(t, URL(t))
}

// Open returns a connection pool on url, closed when the test ends.
func Open(t testing.TB, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// NewAs is New connected as the given role: Super for tests that bulk-load
// with triggers switched off (seed.Large), Owner for tests that tamper.
func NewAs(t testing.TB, role Role) *store.DB {
	t.Helper()
	return Open(t, As(t, URL(t), role))
}
