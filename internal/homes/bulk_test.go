package homes

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/forms"
)

// createHomes adds many homes in one statement, each with its audit event,
// and when a constraint refuses one (a UPRN taken after the checks ran)
// names that home, writing nothing.
func TestCreateHomesAtOnceAndNamesTheHomeAConstraintRefuses(t *testing.T) {
	f := newHMFixture(t)
	area := decimal.RequireFromString("71.50")
	homes := []newHome{
		{In: HomeInput{Plot: "A1", Tenure: "social-rent", Wheelchair: "none", Bedrooms: hmInt(2), HabitableRooms: hmInt(3), FloorAreaM2: &area, UPRN: "9001", ProviderID: &f.providerID, ObligationID: &f.millOb}, Summary: "row 2"},
		{In: HomeInput{Plot: "a2", Tenure: "market", Wheelchair: "none", Bedrooms: hmInt(1)}},
		{In: HomeInput{Plot: "Garage", Tenure: "shared-ownership", Wheelchair: "none", Bedrooms: hmInt(0), Postcode: "WV1 1AA", Address: "Mill Lane"}},
	}
	err := f.svc.DB.InTx(f.ctx, func(tx pgx.Tx) error {
		i, err := createHomes(f.ctx, tx, f.actor, f.mill, homes, "home.import")
		if i != -1 {
			t.Errorf("index %d", i)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n, events int
	f.scan(`SELECT count(*) FROM homes WHERE development_id = $1 AND floor_area_m2 IS NOT DISTINCT FROM (CASE plot WHEN 'A1' THEN 71.50 END)`, []any{f.mill}, &n)
	f.scan(`SELECT count(*) FROM audit_events a JOIN homes h ON h.id::text = a.entity_id AND a.entity_type = 'home'
		WHERE a.action = 'home.import' AND h.development_id = $1 AND (a.after->>'plot') = h.plot`, []any{f.mill}, &events)
	if n != 3 || events != 3 {
		t.Fatalf("%d homes written as given, %d audit events naming them; want 3 and 3", n, events)
	}
	var summary string
	f.scan(`SELECT summary FROM audit_events WHERE action = 'home.import' ORDER BY id LIMIT 1`, nil, &summary)
	if summary != "row 2" {
		t.Fatalf("first summary %q", summary)
	}

	// The UPRN is taken by another development's home after the checks.
	if _, err := f.svc.CreateHome(f.ctx, f.actor, f.wharf, HomeInput{Plot: "1", Tenure: "social-rent", Wheelchair: "none", Bedrooms: hmInt(1), UPRN: "777"}); err != nil {
		t.Fatal(err)
	}
	clash := []newHome{
		{In: HomeInput{Plot: "B1", Tenure: "social-rent", Wheelchair: "none", Bedrooms: hmInt(1)}},
		{In: HomeInput{Plot: "B2", Tenure: "social-rent", Wheelchair: "none", Bedrooms: hmInt(1), UPRN: "777"}},
	}
	err = f.svc.DB.InTx(context.Background(), func(tx pgx.Tx) error {
		i, err := createHomes(f.ctx, tx, f.actor, f.mill, clash, "home.import")
		if i != 1 {
			t.Errorf("refused home %d, want 1", i)
		}
		return err
	})
	var verrs *forms.Errors
	if !errors.As(err, &verrs) || !strings.Contains(verrs.Get("uprn"), "UPRN 777 is already used") {
		t.Fatalf("got %v", err)
	}
	f.scan(`SELECT count(*) FROM homes WHERE plot LIKE 'B%'`, nil, &n)
	if n != 0 {
		t.Fatalf("%d homes written by a refused change", n)
	}
}
