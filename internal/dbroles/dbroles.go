// Package dbroles sets up the two database roles S106 Monitor runs with:
//
//   - the owner role, which owns the schema and runs the migrations
//     (`s106 migrate`, S106_OWNER_DATABASE_URL);
//   - the server's role, a login role that owns nothing and is a member of
//     the group role s106_app, which holds only the grants the server needs
//     (migration 00040): SELECT, INSERT, UPDATE and DELETE on ordinary
//     tables; only SELECT and INSERT on the append-only ones; no TRUNCATE,
//     no REFERENCES or TRIGGER, and, owning nothing and not being a
//     superuser, no ALTER TABLE … DISABLE TRIGGER and no
//     session_replication_role.
//
// Setup needs a role that may CREATE ROLE and CREATE DATABASE (a
// superuser in development and tests; a council's DBA does the same by
// hand, as the README says).
package dbroles

import (
	"context"
	"fmt"
	neturl "net/url"

	"github.com/jackc/pgx/v5"
)

// AppGroup is the group role migration 00040 grants to. The server's login
// role must be a member of it.
const AppGroup = "s106_app"

// Roles names the owner and server login roles and their passwords (empty
// for trust or peer authentication).
type Roles struct {
	Owner, OwnerPassword string
	App, AppPassword     string
}

// Dev is what the development cluster, the tests and docker-compose use.
var Dev = Roles{Owner: "s106_owner", OwnerPassword: "s106_owner", App: "s106_web", AppPassword: "s106_web"}

// Ensure creates the group role and the two login roles if they are
// missing, under an advisory lock so parallel callers don't race (roles
// belong to the whole cluster). admin must be allowed to create roles.
func Ensure(ctx context.Context, admin *pgx.Conn, r Roles) error {
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtext('s106 roles'))`); err != nil {
		return fmt.Errorf("lock roles: %w", err)
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('s106 roles'))`) //nolint:errcheck
	stmts := []struct{ role, create string }{
		{AppGroup, `CREATE ROLE ` + AppGroup + ` NOLOGIN`},
		{r.Owner, `CREATE ROLE ` + pgx.Identifier{r.Owner}.Sanitize() + ` LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB` + password(r.OwnerPassword)},
		{r.App, `CREATE ROLE ` + pgx.Identifier{r.App}.Sanitize() + ` LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB` + password(r.AppPassword)},
	}
	for _, s := range stmts {
		var exists bool
		if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, s.role).Scan(&exists); err != nil {
			return fmt.Errorf("look for role %s: %w", s.role, err)
		}
		if !exists {
			if _, err := admin.Exec(ctx, s.create); err != nil {
				return fmt.Errorf("create role %s: %w", s.role, err)
			}
		}
	}
	var member bool
	if err := admin.QueryRow(ctx, `SELECT pg_has_role($1, $2, 'MEMBER')`, r.App, AppGroup).Scan(&member); err != nil {
		return fmt.Errorf("look for %s's membership of %s: %w", r.App, AppGroup, err)
	}
	if member {
		return nil
	}
	if _, err := admin.Exec(ctx, `GRANT `+AppGroup+` TO `+pgx.Identifier{r.App}.Sanitize()); err != nil {
		return fmt.Errorf("grant %s to %s: %w", AppGroup, r.App, err)
	}
	return nil
}

func password(p string) string {
	if p == "" {
		return ""
	}
	return " PASSWORD '" + escapeLiteral(p) + "'"
}

func escapeLiteral(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// CreateDatabase creates name owned by the owner role (so the owner may
// create the schema's objects, and the server's role may not), optionally
// from a template.
func CreateDatabase(ctx context.Context, admin *pgx.Conn, name, owner, template string) error {
	stmt := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize() + ` OWNER ` + pgx.Identifier{owner}.Sanitize()
	if template != "" {
		stmt += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
	}
	if _, err := admin.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// WithUser returns url (a postgres:// URL) with its user, password and, if
// db is not empty, database replaced; other settings (sslmode, host) stay.
func WithUser(rawURL, user, pw, db string) (string, error) {
	u, err := neturl.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("database URL must be a postgres:// URL")
	}
	if pw != "" {
		u.User = neturl.UserPassword(user, pw)
	} else {
		u.User = neturl.User(user)
	}
	q := u.Query()
	q.Del("password")
	q.Del("user")
	u.RawQuery = q.Encode()
	if db != "" {
		u.Path = "/" + db
	}
	return u.String(), nil
}
