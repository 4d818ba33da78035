package pricepaid_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/alerts"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/pricepaid"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// The sample file against homes in the database: the sale of flat 3 (still
// social rent) and of the shared ownership home with no staircasing raise
// alerts for the housing team; the staircased and right-to-buy homes' sales
// and the near misses do not. A second import changes nothing.
func TestImportMatchesSalesToHomesAndRaisesAlerts(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	fx := fixture.New(t, db)
	ag, obs := fx.AgreementWithObligations(fixture.Agreement{Reference: "20/S106/9", Site: "Millstream", Signed: "2020-01-01"},
		fixture.Obligation{Kind: "affordable-housing", Clause: "Sch 2", Description: "Affordable homes"})
	fx.User("Hana Housing", "h@test.example", users.RoleHousing)
	council := fx.ProviderFrom(homes.ProviderInput{Name: "Wessex Vale Council", RSHNumber: "45UB", Type: string(homes.LocalAuthority)}).ID
	home := func(plot, tenure, address string, events ...string) int64 {
		id := fx.Home(ag.DevelopmentID, fixture.Home{ObligationID: obs[0].ID, Plot: plot, Tenure: tenure, Address: address, Postcode: "WV3 7QB", UPRN: "10009" + plot}).ID
		for i := 0; i+1 < len(events); i += 2 {
			if events[i] == "transferred" {
				fx.HomeEvent(id, homes.EventKind(events[i]), events[i+1], council)
			} else {
				fx.HomeEvent(id, homes.EventKind(events[i]), events[i+1])
			}
		}
		return id
	}
	flat3 := home("1", "social-rent", "Flat 3, 12 Millstream Close, Ashford Vale", "completed", "2024-01-01")
	home("2", "shared-ownership", "14 Millstream Close", "completed", "2024-01-01", "staircased", "2025-10-01")
	so := home("3", "shared-ownership", "16 Millstream Close", "completed", "2024-01-01")
	home("4", "social-rent", "20 Millstream Close", "completed", "2024-01-01", "transferred", "2024-02-01", "right-to-buy", "2025-05-01")

	svc := &pricepaid.Service{DB: db}
	imp := func() pricepaid.Result {
		f, err := os.Open("testdata/pp-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := svc.Import(ctx, audit.Actor{Label: "test"}, f, "pp-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := imp()
	if res.Read != 10 || len(res.Bad) != 1 || res.Matched != 5 || res.Suspicious != 3 || res.Deleted != 1 {
		t.Fatalf("import %+v", res)
	}
	sus, err := svc.Suspicious(ctx)
	if err != nil || len(sus) != 3 {
		t.Fatalf("suspicious %+v %v", sus, err)
	}
	homesSeen := map[int64]int{}
	for _, s := range sus {
		homesSeen[s.HomeID]++
	}
	if homesSeen[flat3] != 2 || homesSeen[so] != 1 {
		t.Fatalf("suspicious homes %v", homesSeen)
	}
	if res := imp(); res.Suspicious != 3 {
		t.Fatalf("second import %+v", res)
	}
	if sus, _ := svc.Suspicious(ctx); len(sus) != 3 {
		t.Fatalf("after a second import: %d", len(sus))
	}

	al := &alerts.Service{DB: db, Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }}
	if _, err := al.Evaluate(ctx, al.Now()); err != nil {
		t.Fatal(err)
	}
	var n int
	var detail string
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), min(detail) FROM alerts WHERE rule_code = 'suspicious-sale'`).Scan(&n, &detail); err != nil {
		t.Fatal(err)
	}
	if n != 3 || !strings.Contains(detail, "Sold on") || !strings.Contains(detail, "for £255,000") {
		t.Fatalf("%d alerts, detail %q", n, detail)
	}
}
