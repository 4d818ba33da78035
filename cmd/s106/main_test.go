package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/config"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestUserAddCreatesAUserWithAOneTimePasswordOrOneFromStdin(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)

	if err := runUser([]string{"add", "--email", "Pat@Council.example", "--name", "Pat Example", "--role", "officer,manager"}); err != nil {
		t.Fatal(err)
	}
	// --password-stdin takes the first line of standard input.
	r, w, _ := os.Pipe()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	_, _ = w.WriteString("a chosen password of mine\n")
	w.Close()
	if err := runUser([]string{"add", "--email", "lee@council.example", "--name", "Lee", "--role", "viewer", "--password-stdin"}); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &users.Service{DB: db, MaxFailures: 5, Lockout: 1}
	list, _ := svc.List(context.Background())
	if len(list) != 2 {
		t.Fatalf("%d users, want 2", len(list))
	}
	for _, u := range list {
		switch u.Email {
		case "pat@council.example":
			if !u.HasRole(users.RoleOfficer) || !u.HasRole(users.RoleManager) || !u.MustChangePassword {
				t.Errorf("pat: %+v", u)
			}
		case "lee@council.example":
			if u.MustChangePassword {
				t.Error("a password given on stdin is not one-time")
			}
			if _, err := svc.Authenticate(context.Background(), audit.Actor{Label: "test"}, "lee@council.example", "a chosen password of mine"); err != nil {
				t.Errorf("stdin password does not work: %v", err)
			}
		}
	}
	if err := runUser([]string{"add", "--email", "bad", "--name", "", "--role", "wizard"}); err == nil {
		t.Error("invalid user accepted")
	}
}

func TestHelpExitsCleanly(t *testing.T) {
	t.Parallel()
	for name, run := range map[string]func([]string) error{"serve": runServe, "migrate": runMigrate, "seed": runSeed, "devdb": runDevDB} {
		if err := run([]string{"--help"}); !errors.Is(err, flag.ErrHelp) && err != nil {
			t.Errorf("%s --help: %v", name, err)
		}
	}
}

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestMigrateAndSeedCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.EmptyURL(t))
	if err := runMigrate([]string{"up"}); err != nil {
		t.Fatal(err)
	}
	if err := runSeed([]string{"--scale", "demo"}); err != nil {
		t.Fatal(err)
	}
	if err := runSeed([]string{"--scale", "galactic"}); err == nil {
		t.Error("unknown scale accepted")
	}
	if err := runMigrate([]string{"sideways"}); err == nil {
		t.Error("unknown migrate direction accepted")
	}
}

// Not parallel: it sets environment variables (t.Setenv), which Go
// refuses in a parallel test.
func TestServeRefusesASchemaNewerThanItKnows(t *testing.T) {
	url := testdb.URL(t)
	owner, err := store.Open(context.Background(), testdb.As(t, url, testdb.Owner))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	// SQL on purpose: a migration the binary does not know, as goose would record it.
	if _, err := owner.Pool.Exec(context.Background(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", url)
	t.Setenv("S106_ADDR", "127.0.0.1:0")
	t.Setenv("S106_SCHEDULER", "off")
	err = runServe(nil)
	if !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("serve against a newer schema: %v", err)
	}
}

// In production, serve refuses a database role that could erase the audit
// trail (a superuser or a table owner); the server's role passes.
func TestServeRefusesAnOwnerRoleInProduction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	cfg := config.Config{Environment: "production", LogLevel: "error"}
	for role, wantErr := range map[testdb.Role]bool{testdb.Server: false, testdb.Owner: true, testdb.Super: true} {
		db, err := store.Open(ctx, testdb.As(t, url, role))
		if err != nil {
			t.Fatal(err)
		}
		err = checkServerRole(ctx, db, cfg, newLogger(cfg))
		db.Close()
		if (err != nil) != wantErr {
			t.Errorf("role %d: %v, want error %v", role, err, wantErr)
		}
	}
}
