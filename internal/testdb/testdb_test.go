package testdb

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// Every database test ends with the drift check: a kept table that no
// longer equals a computation from scratch fails the test, whichever
// drift view (any view named *_drift) shows it.
func TestDriftCheckFailsATestThatLeavesKeptTotalsWrong(t *testing.T) {
	ctx := context.Background()
	url := URL(t)
	db := Open(t, As(t, url, Owner))
	// SQL on purpose: kept tables tampered with as only raw SQL can, for the drift check to catch.
	for _, tamper := range []struct{ sql, view string }{
		{`WITH p AS (INSERT INTO projects (name, purpose_code) VALUES ('Library', 'education') RETURNING id)
		  INSERT INTO project_ledger_totals SELECT id, 0, 1 FROM p`, "derived_totals_drift"},
		{`WITH d AS (INSERT INTO developments (name) VALUES ('Mill Lane') RETURNING id)
		  INSERT INTO homes (development_id, plot, tenure, bedrooms) SELECT id, 'A-1', 'market', 2 FROM d;
		  UPDATE homes SET list_tenure_order = 1`, "home_list_keys_drift"},
	} {
		if _, err := db.Pool.Exec(ctx, tamper.sql); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{TB: t}
		checkDrift(rec, url)
		if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], tamper.view+": 1 rows") {
			t.Errorf("after tampering for %s the check said %q", tamper.view, rec.errors)
		}
		if _, err := db.Pool.Exec(ctx, `SELECT refresh_all_derived_totals()`); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{TB: t}
	checkDrift(rec, url)
	if len(rec.errors) != 0 {
		t.Errorf("after the repair the check said %q", rec.errors)
	}
}
