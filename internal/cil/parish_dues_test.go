package cil_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/testdb"
)

// What each parish is due per half-year (kept in cil_parish_half_dues)
// equals a computation from scratch after receipts in two half-years,
// a reversal, and writers in concurrent transactions recording receipts
// and reversing others at once; cil_parish_dues shows the half-years
// whose receipts stand, and none whose receipts were all reversed.
func TestParishHalfYearDuesFollowReceiptsAndReversals(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	parish := f.CILParish(fixture.CILParish{})
	dev := f.CILDevelopment(fixture.CILDevelopment{Parish: parish})
	dues := func(when string, want map[string]string) {
		t.Helper()
		var drift int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_parish_half_dues_drift`).Scan(&drift); err != nil || drift != 0 {
			t.Fatalf("%s: %d kept half-years differ from a computation from scratch (%v)", when, drift, err)
		}
		rows, err := db.Pool.Query(ctx, `SELECT period_start::text, due::text FROM cil_parish_dues WHERE parish_code = $1 ORDER BY 1`, parish)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for rows.Next() {
			var start, due string
			if err := rows.Scan(&start, &due); err != nil {
				t.Fatal(err)
			}
			got[start] = due
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: dues %v, want %v", when, got, want)
		}
	}
	dues("no receipts", map[string]string{})
	f.CILReceive(fixture.CILReceipt{Development: dev, On: "2024-05-01", Amount: "1000", Parish: parish})        // 150 due, April half
	late := f.CILReceive(fixture.CILReceipt{Development: dev, On: "2024-11-01", Amount: "200", Parish: parish}) // 30, October half
	dues("two half-years", map[string]string{"2024-04-01": "150.00", "2024-10-01": "30.00"})
	f.CILReverse(late, "2024-11-02", "Recorded twice")
	dues("the October receipt reversed", map[string]string{"2024-04-01": "150.00"})

	var reversible []int64
	for range 5 {
		reversible = append(reversible, f.CILReceive(fixture.CILReceipt{Development: dev, On: "2025-02-01", Amount: "100", Parish: parish}))
	}
	dues("five more", map[string]string{"2024-04-01": "150.00", "2024-10-01": "75.00"})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.Pool.Begin(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer tx.Rollback(ctx)
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, method, reference)
				VALUES ('receipt', '2024-09-30', 100, 'council', $1, 'money', $2) RETURNING id`, dev, fmt.Sprintf("concurrent %d", i)).Scan(&id); err != nil {
				errs <- err
				return
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount)
				VALUES ($1, 'admin', NULL, 5), ($1, 'neighbourhood', $2, 15), ($1, 'strategic', NULL, 80)`, id, parish); err != nil {
				errs <- err
				return
			}
			errs <- tx.Commit(ctx)
		}()
	}
	for _, id := range reversible[:3] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Pool.Exec(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, reverses_id, note)
				SELECT 'reversal', '2025-02-02', amount, charging_authority, cil_development_id, id, 'Concurrent' FROM cil_ledger_entries WHERE id = $1`, id)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// April half: 150 + 10 × 15; October half: 2 of the 5 receipts stand.
	dues("concurrent writers", map[string]string{"2024-04-01": "300.00", "2024-10-01": "30.00"})
}
