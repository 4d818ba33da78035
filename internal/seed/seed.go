// Package seed loads the demo data: a fictional council with users for
// each role (no real people) and its agreement register. Every function is idempotent, so `make run`
// can call it on each start.
package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/users"
)

// DemoPassword is the password of every demo user. Demo data only.
const DemoPassword = "s106-demo-password"

// Login is a demo sign-in, printed by `s106 seed`.
type Login struct {
	Email string
	Roles string
}

var demoUsers = []struct {
	name, email string
	roles       []string
}{
	{"Alex Morgan", "admin@wessexvale.example", []string{"admin"}},
	{"Sam Okafor", "officer@wessexvale.example", []string{"officer"}},
	{"Jo Lindqvist", "housing@wessexvale.example", []string{"housing"}},
	{"Ruth Adeyemi", "manager@wessexvale.example", []string{"manager"}},
	{"Chris Byrne", "viewer@wessexvale.example", []string{"viewer"}},
}

var seedActor = audit.Actor{Label: "demo data"}

// Demo loads the demo data and returns the demo sign-ins.
func Demo(ctx context.Context, db *store.DB) ([]Login, error) { return DemoAt(ctx, db, time.Now) }

// DemoAt is Demo with a clock: what the demo dates from today (this year's
// provider return, its due date, the links' expiry) follows now, so a test
// with a fixed clock loads the same council every day.
func DemoAt(ctx context.Context, db *store.DB, now func() time.Time) ([]Login, error) {
	logins, err := ensureDemoUsers(ctx, db)
	if err != nil {
		return nil, err
	}
	var officerID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'officer@wessexvale.example'`).Scan(&officerID); err != nil {
		return nil, fmt.Errorf("seed: find the demo officer: %w", err)
	}
	if err := loadDemoRegister(ctx, db, officerID, now); err != nil {
		return nil, fmt.Errorf("seed register: %w", err)
	}
	if err := loadDemoLedger(ctx, db, now); err != nil {
		return nil, fmt.Errorf("seed ledger: %w", err)
	}
	if err := loadDemoHomes(ctx, db, now); err != nil {
		return nil, fmt.Errorf("seed homes: %w", err)
	}
	if err := loadDemoAfterOccupation(ctx, db, now); err != nil {
		return nil, fmt.Errorf("seed homes after occupation: %w", err)
	}
	if err := loadDemoLinks(ctx, db, now); err != nil {
		return nil, fmt.Errorf("seed links: %w", err)
	}
	if err := loadDemoSales(ctx, db); err != nil {
		return nil, fmt.Errorf("seed sales: %w", err)
	}
	if err := loadDemoCompanies(ctx, db); err != nil {
		return nil, fmt.Errorf("seed companies: %w", err)
	}
	if err := DemoPlaces(ctx, db); err != nil {
		return nil, fmt.Errorf("seed places: %w", err)
	}
	if err := loadDemoCIL(ctx, db, officerID); err != nil {
		return nil, fmt.Errorf("seed CIL: %w", err)
	}
	return logins, nil
}

// ensureDemoUsers creates the demo users that do not exist yet.
func ensureDemoUsers(ctx context.Context, db *store.DB) ([]Login, error) {
	svc := &users.Service{DB: db}
	var logins []Login
	for _, du := range demoUsers {
		var exists bool
		if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, du.email).Scan(&exists); err != nil {
			return nil, fmt.Errorf("seed users: %w", err)
		}
		if !exists {
			_, _, err := svc.Create(ctx, seedActor, users.Input{Name: du.name, Email: du.email, Roles: du.roles}, DemoPassword)
			if err != nil {
				return nil, fmt.Errorf("seed user %s: %w", du.email, err)
			}
		}
		logins = append(logins, Login{Email: du.email, Roles: strings.Join(du.roles, ", ")})
	}
	return logins, nil
}
