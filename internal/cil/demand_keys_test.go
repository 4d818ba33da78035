package cil_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/testdb"
)

// What each instalment was paid, and each demand notice's paid, next due
// day and amount unpaid on it (kept by triggers, 87_cil_demand_list.sql),
// equal a computation from scratch after receipts, a reversal, and
// writers in concurrent transactions paying the same notice and reversing
// receipts at once.
func TestDemandListKeysFollowReceiptsAndReversals(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	f := fixture.New(t, db)
	dev := f.CILDevelopment(fixture.CILDevelopment{})
	ln := f.CILLiability(dev, "2024-06-10", "3000")
	f.CILCommencement(dev, "2024-07-01", "2024-07-02")
	dn := f.CILDemand(dev, ln, fixture.CILDemand{Instalments: []fixture.CILInstalment{
		{Due: "2024-08-31", Amount: "1000"}, {Due: "2025-02-28", Amount: "1000"}, {Due: "2025-08-31", Amount: "1000"}}})
	keys := func(when, want string) {
		t.Helper()
		var drift int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_demand_list_keys_drift`).Scan(&drift); err != nil || drift != 0 {
			t.Fatalf("%s: %d kept figures differ from a computation from scratch (%v)", when, drift, err)
		}
		var got string
		if err := db.Pool.QueryRow(ctx, `SELECT paid::text || ' ' || coalesce(next_due::text, '-') || ' ' || coalesce(next_due_amount::text, '-')
			FROM cil_demand_list_keys WHERE demand_notice_id = $1`, dn.ID).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: paid, next due and its amount %q, want %q", when, got, want)
		}
	}
	keys("nothing paid", "0.00 2024-08-31 1000.00")
	f.CILReceive(fixture.CILReceipt{Development: dev, Demand: dn.ID, On: "2024-08-30", Amount: "1400", Pays: map[int64]string{dn.Instalments[0]: "1000", dn.Instalments[1]: "400"}})
	keys("first paid, second in part", "1400.00 2025-02-28 600.00")
	wrong := f.CILReceive(fixture.CILReceipt{Development: dev, Demand: dn.ID, On: "2025-02-01", Amount: "600", Pays: map[int64]string{dn.Instalments[1]: "600"}})
	keys("second paid", "2000.00 2025-08-31 1000.00")
	f.CILReverse(wrong, "2025-02-02", "Bounced")
	keys("second's payment reversed", "1400.00 2025-02-28 600.00")

	var reversible []int64
	for range 3 {
		reversible = append(reversible, f.CILReceive(fixture.CILReceipt{Development: dev, Demand: dn.ID, On: "2025-02-10", Amount: "100", Pays: map[int64]string{dn.Instalments[2]: "100"}}))
	}
	keys("three on the third", "1700.00 2025-02-28 600.00")
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 6 {
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
			if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, demand_notice_id, method, reference)
				VALUES ('receipt', '2025-02-20', 100, 'council', $1, $2, 'money', $3) RETURNING id`, dev, dn.ID, fmt.Sprintf("concurrent %d", i)).Scan(&id); err != nil {
				errs <- err
				return
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount) VALUES ($1, 'admin', NULL, 5), ($1, 'strategic', NULL, 95)`, id); err != nil {
				errs <- err
				return
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) VALUES ($1, $2, 100)`, id, dn.Instalments[1]); err != nil {
				errs <- err
				return
			}
			errs <- tx.Commit(ctx)
		}()
	}
	for _, id := range reversible {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Pool.Exec(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, reverses_id, note)
				SELECT 'reversal', '2025-02-21', amount, charging_authority, cil_development_id, id, 'Concurrent' FROM cil_ledger_entries WHERE id = $1`, id)
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
	// The second instalment paid in full (400 + 6 × 100), the third's three receipts reversed.
	keys("concurrent writers", "2000.00 2025-08-31 1000.00")
}
