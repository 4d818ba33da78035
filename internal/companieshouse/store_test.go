package companieshouse

import (
	"context"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// A developer in liquidation whose agreement still owes money raises an
// alert on the agreement; an active developer, or one whose agreement
// owes nothing, does not.
func TestDeveloperInLiquidationWhileOwingRaisesAnAlert(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	fx := fixture.New(t, db)
	agreement := func(ref, developer, number string, owes bool) int64 {
		a := fx.Agreement(fixture.Agreement{Reference: ref, Site: ref + " site", Signed: "2022-01-01",
			Parties: []agreements.PartyInput{{Role: "developer", Name: developer, CompanyNumber: number}}})
		ob := fx.Obligation(a.ID, fixture.Obligation{Clause: "Sch 3", Description: "Education", Amount: "100000"})
		if !owes {
			on := fx.Date("2024-01-01")
			if _, err := fx.Register.RecordEvent(ctx, fx.Actor, ob.ID, agreements.EventInput{Kind: agreements.EventDischarged, Date: &on, Note: "Paid in full"}); err != nil {
				t.Fatal(err)
			}
		}
		return a.ID
	}
	owing := agreement("22/S106/1", "Harbour Homes plc", "01234567", true)
	agreement("22/S106/2", "Harbour Homes plc", "01234567", false)
	agreement("22/S106/3", "Castlegate Living Limited", "11223344", true)
	fx.User("Olu Officer", "o@test.example", users.RoleOfficer)

	ts := standIn(t, "key")
	defer ts.Close()
	svc := &Service{DB: db, Client: &Client{BaseURL: ts.URL, APIKey: "key"}}
	if n, err := svc.CheckAll(ctx, audit.Actor{Label: "test"}); err != nil || n != 2 {
		t.Fatalf("checked %d: %v", n, err)
	}
	st, err := svc.Statuses(ctx)
	if err != nil || len(st) != 2 || st[0].Status != "liquidation" || st[0].Source != "api" {
		t.Fatalf("statuses %+v %v", st, err)
	}
	// Without a key nothing is asked.
	if n, err := (&Service{DB: db}).CheckAll(ctx, audit.Actor{Label: "test"}); n != 0 || err != nil {
		t.Fatalf("no key: %d %v", n, err)
	}
	al := &alerts.Service{DB: db, Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }}
	if _, err := al.Evaluate(ctx, al.Now()); err != nil {
		t.Fatal(err)
	}
	var n int
	var subject int64
	var detail string
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), min(subject_id), min(detail) FROM alerts WHERE rule_code = 'developer-insolvent'`).Scan(&n, &subject, &detail); err != nil {
		t.Fatal(err)
	}
	if n != 1 || subject != owing || detail == "" {
		t.Fatalf("%d alerts on %d: %q", n, subject, detail)
	}
}
