package seed

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/testdb"
)

func TestDemoLoadsAUserPerRoleAndARegisterAndIsIdempotent(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	logins, err := Demo(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 5 {
		t.Fatalf("%d demo logins, want one per role", len(logins))
	}
	for _, role := range []string{"admin", "officer", "housing", "manager", "viewer"} {
		if count(`SELECT count(*) FROM users WHERE '`+role+`' = ANY(roles)`) == 0 {
			t.Errorf("no demo user with role %s", role)
		}
	}
	before := map[string]int{
		"developments": count(`SELECT count(*) FROM developments`),
		"agreements":   count(`SELECT count(*) FROM agreements`),
		"obligations":  count(`SELECT count(*) FROM obligations`),
		"events":       count(`SELECT count(*) FROM obligation_events`),
		"audit":        count(`SELECT count(*) FROM audit_events`),
		"ledger":       count(`SELECT count(*) FROM ledger_entries`),
		"homes":        count(`SELECT count(*) FROM homes`),
		"counts":       count(`SELECT count(*) FROM market_occupation_counts`),
		"links":        count(`SELECT count(*) FROM capability_links`),
		"pending":      count(`SELECT count(*) FROM pending_changes`),
	}
	if before["developments"] < 4 || before["agreements"] < 5 || before["obligations"] < 10 {
		t.Fatalf("demo register too small: %v", before)
	}
	// A realistic spread: every kind of obligation, met and pending triggers,
	// a deed of variation and a draft.
	if n := count(`SELECT count(DISTINCT kind) FROM obligations`); n != 6 {
		t.Errorf("%d kinds of obligation in the demo, want all 6", n)
	}
	if count(`SELECT count(*) FROM obligation_status WHERE status = 'triggered'`) == 0 || count(`SELECT count(*) FROM obligation_status WHERE status = 'pending'`) == 0 {
		t.Error("demo should have both triggered and pending obligations")
	}
	if count(`SELECT count(*) FROM obligation_variations`) == 0 || count(`SELECT count(*) FROM agreements WHERE status = 'draft'`) == 0 {
		t.Error("demo should have a deed of variation with a recorded change, and a draft")
	}

	// Money: a payment split across two obligations, invoices, a project
	// with allocation and spend, and each money status represented.
	if count(`SELECT count(*) FROM receipts r WHERE (SELECT count(*) FROM ledger_entries e WHERE e.receipt_id = r.id) > 1`) == 0 {
		t.Error("demo should have a payment split across obligations")
	}
	for _, status := range []string{"part-spent", "allocated", "paid", "invoiced"} {
		if count(`SELECT count(*) FROM obligation_status WHERE status = '`+status+`'`) == 0 {
			t.Errorf("no demo obligation is %s", status)
		}
	}
	if count(`SELECT count(*) FROM index_values WHERE source NOT LIKE 'demo data: fictional%'`) != 0 {
		t.Error("demo index values must be labelled as fictional")
	}

	// Homes: delivery that does not match the agreed mix, and a home that
	// left the affordable stock through right to acquire.
	if count(`SELECT count(*) FROM home_state WHERE exit_route = 'right-to-acquire'`) != 1 {
		t.Error("demo should have a home that left through right to acquire")
	}
	if count(`SELECT count(*) FROM homes h JOIN home_state s ON s.home_id = h.id
		WHERE h.obligation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM affordable_mix_lines l
		WHERE l.obligation_id = h.obligation_id AND l.tenure = s.current_tenure AND l.bedrooms = h.bedrooms)`) == 0 {
		t.Error("demo should deliver homes of a tenure the agreement did not secure")
	}

	// After occupation: Mill Lane's delivery trigger is breached, counted
	// from the 84 homes agreed (7 recorded and transferred) and a council
	// tax count of 11 of 20 market homes occupied.
	bs, err := (&homes.Service{DB: db}).Breaches(ctx)
	if err != nil || len(bs) != 1 || bs[0].Check.Text() != "11 of 20 market homes occupied (55.0%) while 77 affordable homes are not transferred; the limit is 50%" {
		t.Errorf("demo breach: %+v, %v", bs, err)
	}

	// Links at work: a developer's submission waiting, a return in progress.
	if count(`SELECT count(*) FROM pending_changes WHERE status = 'pending' AND kind = 'home-details'`) != 1 {
		t.Error("demo should have a developer's pending submission")
	}
	if count(`SELECT count(*) FROM provider_return_requests WHERE completed_at IS NULL AND sent_at IS NOT NULL`) != 1 ||
		count(`SELECT count(*) FROM provider_return_answers`) != 1 {
		t.Error("demo should have a provider's return in progress")
	}

	if count(`SELECT count(*) FROM suspicious_sales`) != 1 {
		t.Error("demo should have a suspicious sale")
	}
	if count(`SELECT count(*) FROM developer_insolvency WHERE status = 'dissolved'`) == 0 {
		t.Error("demo should have a dissolved developer still owing")
	}

	if _, err := Demo(ctx, db); err != nil {
		t.Fatalf("second load: %v", err)
	}
	after := map[string]int{
		"developments": count(`SELECT count(*) FROM developments`),
		"agreements":   count(`SELECT count(*) FROM agreements`),
		"obligations":  count(`SELECT count(*) FROM obligations`),
		"events":       count(`SELECT count(*) FROM obligation_events`),
		"audit":        count(`SELECT count(*) FROM audit_events`),
		"ledger":       count(`SELECT count(*) FROM ledger_entries`),
		"homes":        count(`SELECT count(*) FROM homes`),
		"counts":       count(`SELECT count(*) FROM market_occupation_counts`),
		"links":        count(`SELECT count(*) FROM capability_links`),
		"pending":      count(`SELECT count(*) FROM pending_changes`),
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d after a second load, want %d (seed must be idempotent)", k, after[k], v)
		}
	}
}
