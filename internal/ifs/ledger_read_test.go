package ifs

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/testdb"
)

// TestLedgerReadsAgree builds every year's statement of a generated
// council both ways a statement can read the ledger — the entries dated
// by the year end, or the kept all-time totals less the entries dated
// from the year start — and checks they give the same statement, after
// reversals written through the ledger's triggers (which keep
// obligation_project_totals) as well as after the bulk load (which
// rebuilds it with refresh_all_derived_totals).
func TestLedgerReadsAgree(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	// The bulk load switches triggers off (replica mode), which only a
	// superuser may; the statements are then read as the server's role.
	if _, err := seed.Large(ctx, testdb.Open(t, testdb.As(t, url, testdb.Super)), seed.LargeOptions{Scale: 0.03, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, url)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	byEnd := &Service{DB: db, Now: func() time.Time { return now }, ledgerRead: readByEnd}
	fromTotals := &Service{DB: db, Now: func() time.Time { return now }, ledgerRead: readFromTotals}
	cheaper := &Service{DB: db, Now: func() time.Time { return now }}

	compare := func(stage string) {
		t.Helper()
		for year := 2011; year <= CurrentYear(now); year++ {
			a, err := byEnd.Build(ctx, year)
			if err != nil {
				t.Fatal(err)
			}
			b, err := fromTotals.Build(ctx, year)
			if err != nil {
				t.Fatal(err)
			}
			c, err := cheaper.Build(ctx, year)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, c) {
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				t.Fatalf("%s: %s differs by the way the ledger is read:\nby year end:  %s\nfrom totals:  %s", stage, a.Label(), ja, jb)
			}
			if year == 2024 && (a.B.IsZero() || a.F.IsZero() || len(a.G) == 0) {
				t.Fatalf("%s: the generated council has no money in %s: %s %s %d", stage, a.Label(), a.B, a.F, len(a.G))
			}
		}
	}
	compare("after the bulk load")

	// Reverse a spend of each year, and allocations of obligations with no
	// spend or de-allocation (so every balance still holds), dated in the
	// current year: the reversed entries leave every year's figures.
	spends, err := db.Pool.Exec(ctx, `
		WITH picked AS (
		    SELECT DISTINCT ON (extract(year FROM e.entry_date), e.kind) e.id, e.obligation_id, e.amount
		    FROM ledger_entries e
		    WHERE e.kind = 'spend' AND e.reverses_id IS NULL
		      AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id)
		    ORDER BY extract(year FROM e.entry_date), e.kind, e.id
		)
		INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, reverses_id, note)
		SELECT obligation_id, 'reversal', DATE '2026-10-01', amount, id, 'test reversal' FROM picked`)
	if err != nil {
		t.Fatal(err)
	}
	allocations, err := db.Pool.Exec(ctx, `
		WITH picked AS (
		    SELECT a.id, a.obligation_id, a.amount
		    FROM ledger_entries a
		    WHERE a.kind = 'allocation'
		      AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = a.id)
		      AND NOT EXISTS (SELECT 1 FROM ledger_entries s WHERE s.obligation_id = a.obligation_id AND s.kind IN ('spend', 'deallocation'))
		    ORDER BY a.entry_date, a.id
		    LIMIT 5
		)
		INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, reverses_id, note)
		SELECT obligation_id, 'reversal', DATE '2026-10-02', amount, id, 'test reversal' FROM picked`)
	if err != nil {
		t.Fatal(err)
	}
	if spends.RowsAffected() < 5 || allocations.RowsAffected() == 0 {
		t.Fatalf("reversed %d spends and %d allocations, want several of each", spends.RowsAffected(), allocations.RowsAffected())
	}
	var drift int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM derived_totals_drift`).Scan(&drift); err != nil {
		t.Fatal(err)
	}
	if drift != 0 {
		t.Fatalf("%d kept totals differ from the ledger after reversals", drift)
	}
	compare("after reversals")
}
