package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/dbroles"
)

// runRoles implements `s106 roles setup`: as DATABASE_URL's role (which
// may create roles and databases: a superuser in development), create the
// owner role, the server's role and s106_app, and a database owned by the
// owner, then print the two URLs as shell exports. make run and
// docker-compose use it; a council's DBA does the same by hand (README).
func runRoles(args []string) error {
	return runRolesTo(context.Background(), args, os.Stdout)
}

func runRolesTo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("roles", flag.ContinueOnError)
	database := fs.String("database", "s106_app", "the database to create (owned by the owner role) if missing")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: s106 roles setup [--database NAME]

Connects as DATABASE_URL (a role that may create roles and databases),
creates the owner role (S106_DB_OWNER, default s106_owner), the server's
role (S106_DB_APP, default s106_web, a member of s106_app) and the database
NAME owned by the owner, and prints on stdout:

  export S106_OWNER_DATABASE_URL=…   (migrations: s106 migrate)
  export DATABASE_URL=…              (the server: s106 serve)

Passwords come from S106_DB_OWNER_PASSWORD and S106_DB_APP_PASSWORD
(development defaults otherwise; never use those on a shared server).
`)
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "setup" {
		if err := fs.Parse(args); err != nil {
			return err
		}
		fs.Usage()
		return errors.New("roles: want `s106 roles setup`")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("roles setup: unexpected arguments %q", fs.Args())
	}
	admin, err := databaseURL()
	if err != nil {
		return err
	}
	r := dbroles.Dev
	for _, v := range []struct {
		env string
		to  *string
	}{{"S106_DB_OWNER", &r.Owner}, {"S106_DB_OWNER_PASSWORD", &r.OwnerPassword}, {"S106_DB_APP", &r.App}, {"S106_DB_APP_PASSWORD", &r.AppPassword}} {
		if s := strings.TrimSpace(os.Getenv(v.env)); s != "" {
			*v.to = s
		}
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect as DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if err := dbroles.Ensure(ctx, conn, r); err != nil {
		return err
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, *database).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if err := dbroles.CreateDatabase(ctx, conn, *database, r.Owner, ""); err != nil {
			return err
		}
	}
	ownerURL, err := dbroles.WithUser(admin, r.Owner, r.OwnerPassword, *database)
	if err != nil {
		return err
	}
	appURL, err := dbroles.WithUser(admin, r.App, r.AppPassword, *database)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "export S106_OWNER_DATABASE_URL='%s'\nexport DATABASE_URL='%s'\n", ownerURL, appURL)
	return err
}
