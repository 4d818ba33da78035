package cil_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// These tests write the levy's tables with SQL as the server's role, as
// an import or a mistaken script would: Go's checks are bypassed, and the
// database alone must refuse what breaks the ledger's rules.

type pgxTx = pgx.Tx

type world struct {
	db     *store.DB
	b      *fixture.Builder
	parish string
	dev    int64
	demand fixture.CILDemandRow
}

// newWorld: a parish that receives the levy, a development in it with a
// demand notice in two instalments (£60,000 and £40,000), and a receipt of
// £100,000 split 5% admin, 15% neighbourhood (£15,000), 80% strategic.
func newWorld(t *testing.T) world {
	t.Helper()
	db := testdb.New(t)
	b := fixture.New(t, db)
	w := world{db: db, b: b}
	w.parish = b.CILParish(fixture.CILParish{Dwellings: map[int]int{2024: 1000}})
	w.dev = b.CILDevelopment(fixture.CILDevelopment{Parish: w.parish})
	ln := b.CILLiability(w.dev, "2024-06-10", "100000")
	w.demand = b.CILDemand(w.dev, ln, fixture.CILDemand{Instalments: []fixture.CILInstalment{{Due: "2024-08-01", Amount: "60000"}, {Due: "2024-12-01", Amount: "40000"}}})
	return w
}

func (w world) receive(t *testing.T) int64 {
	t.Helper()
	return w.b.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-09-01", Amount: "100000", Parish: w.parish,
		Pays: map[int64]string{w.demand.Instalments[0]: "60000", w.demand.Instalments[1]: "40000"}})
}

// refused runs sql in one transaction and wants the commit (or a
// statement) refused with the named constraint.
func refused(t *testing.T, db *store.DB, constraint string, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx pgxTx) error {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.ConstraintName != constraint {
		t.Fatalf("want refusal by %s, got %v", constraint, err)
	}
}

func TestDatabaseRefusesPortionsThatDoNotSumToTheReceipt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	refused(t, w.db, "cil_portions_sum_to_receipt", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, demand_notice_id, method)
		           VALUES ('receipt', '2024-09-01', 1000, $1, $2, 'money') RETURNING id)
		INSERT INTO cil_receipt_portions (receipt_id, portion, amount) SELECT id, 'strategic', 900 FROM r`, w.dev, w.demand.ID)
	// A receipt with no portions at all.
	refused(t, w.db, "cil_portions_sum_to_receipt", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method)
		VALUES ('receipt', '2024-09-01', 1000, $1, 'money')`, w.dev)
}

func TestDatabaseRefusesAdminAbove5PerCentAndNeighbourhoodAbove25(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	refused(t, w.db, "cil_portions_admin_cap", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method)
		           VALUES ('receipt', '2024-09-01', 1000, $1, 'money') RETURNING id)
		INSERT INTO cil_receipt_portions (receipt_id, portion, amount) SELECT id, p, a FROM r, (VALUES ('admin', 60), ('strategic', 940)) v(p, a)`, w.dev)
	refused(t, w.db, "cil_portions_neighbourhood_cap", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method)
		           VALUES ('receipt', '2024-09-01', 1000, $1, 'money') RETURNING id)
		INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount)
		SELECT id, p, c, a FROM r, (VALUES ('neighbourhood', $2, 260), ('strategic', NULL, 740)) v(p, c, a)`, w.dev, w.parish)
}

// TestDatabaseTakesAnImportedReceiptOfOnePurpose: 59A and 61 limit the
// shares of the authority's receipts, not of one payment, so a receipt
// imported from a council's files (import_ref set) that is all one
// purpose's share stands; it must still sum to its portions and give the
// neighbourhood portion to the development's parish.
func TestDatabaseTakesAnImportedReceiptOfOnePurpose(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	// One statement writes the receipt and its portions; the kept pots
	// count them once (checked by the drift views at cleanup).
	if err := w.db.InTx(ctx, func(tx pgxTx) error {
		_, err := tx.Exec(ctx, `
			WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, import_ref)
			           VALUES ('receipt', '2024-09-01', 2000, $1, 'money', 'T-59') RETURNING id)
			INSERT INTO cil_receipt_portions (receipt_id, portion, amount)
			SELECT id, p, a FROM r, (VALUES ('admin', 0), ('strategic', 2000)) v(p, a)`, w.dev)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.InTx(ctx, func(tx pgxTx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, import_ref)
			VALUES ('receipt', '2024-09-01', 1000, $1, 'money', 'T-59A') RETURNING id`, w.dev).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount)
			VALUES ($1, 'neighbourhood', $2, 1000), ($1, 'admin', NULL, 0), ($1, 'strategic', NULL, 0)`, id, w.parish)
		return err
	}); err != nil {
		t.Fatalf("an imported neighbourhood-only receipt was refused: %v", err)
	}
	refused(t, w.db, "cil_portions_sum_to_receipt", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, import_ref)
		           VALUES ('receipt', '2024-09-01', 1000, $1, 'money', 'T-61') RETURNING id)
		INSERT INTO cil_receipt_portions (receipt_id, portion, amount) SELECT id, 'admin', 900 FROM r`, w.dev)
	other := w.b.CILParish(fixture.CILParish{})
	refused(t, w.db, "cil_portions_parish", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, method, import_ref)
		           VALUES ('receipt', '2024-09-01', 1000, $1, 'money', 'T-59A-2') RETURNING id)
		INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount) SELECT id, 'neighbourhood', $2, 1000 FROM r`, w.dev, other)
}

func TestDatabaseRefusesAnOverpaidInstalment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.b.CILReceive(fixture.CILReceipt{Development: w.dev, Demand: w.demand.ID, On: "2024-07-01", Amount: "50000", Parish: w.parish,
		Pays: map[int64]string{w.demand.Instalments[0]: "50000"}})
	refused(t, w.db, "cil_instalment_not_overpaid", `
		WITH r AS (INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, demand_notice_id, method)
		           VALUES ('receipt', '2024-08-01', 20000, $1, $2, 'money') RETURNING id),
		     p AS (INSERT INTO cil_receipt_portions (receipt_id, portion, amount)
		           SELECT id, v.p, v.a FROM r, (VALUES ('admin', 1000), ('strategic', 19000)) v(p, a))
		INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) SELECT id, $3, 20000 FROM r`,
		w.dev, w.demand.ID, w.demand.Instalments[0])
}

func TestDatabaseRefusesInstalmentsAboveTheReceipt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	err := w.db.InTx(ctx, func(tx pgxTx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id, demand_notice_id, method)
			VALUES ('receipt', '2024-08-01', 1000, $1, $2, 'money') RETURNING id`, w.dev, w.demand.ID).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, amount) VALUES ($1, 'admin', 50), ($1, 'strategic', 950)`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) VALUES ($1, $2, 600), ($1, $3, 600)`,
			id, w.demand.Instalments[0], w.demand.Instalments[1])
		return err
	})
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.ConstraintName != "cil_receipt_instalments_within_receipt" {
		t.Fatalf("want cil_receipt_instalments_within_receipt, got %v", err)
	}
}

func TestDatabaseRefusesPassingAParishMoreThanItsPortions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.receive(t) // £15,000 neighbourhood portion
	refused(t, w.db, "cil_pot_within_received", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code) VALUES ('parish-payment', '2024-10-20', 15000.01, $1)`, w.parish)
	w.b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "15000", Parish: w.parish})
	// Recovered (59E) no more than was passed.
	refused(t, w.db, "cil_pot_recovered_within_passed", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code) VALUES ('parish-recovery', '2029-11-01', 15000.01, $1)`, w.parish)
}

func TestDatabaseRefusesPaymentToAParishThatDoesNotReceiveTheLevy(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	b := fixture.New(t, db)
	no := false
	parish := b.CILParish(fixture.CILParish{ReceivesCIL: &no})
	dev := b.CILDevelopment(fixture.CILDevelopment{Parish: parish})
	b.CILReceive(fixture.CILReceipt{Development: dev, On: "2024-09-01", Amount: "1000", Parish: parish})
	refused(t, db, "cil_parish_receives", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code) VALUES ('parish-payment', '2024-10-20', 10, $1)`, parish)
}

func TestDatabaseRefusesAllocatingOrSpendingBeyondThePot(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.receive(t) // £80,000 strategic, £5,000 admin
	project := w.b.Project(fixture.Project{}).ID
	refused(t, w.db, "cil_pot_within_received", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id) VALUES ('allocation', '2024-10-01', 80000.01, 'strategic', $1)`, project)
	refused(t, w.db, "cil_pot_spent_within_allocated", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id) VALUES ('spend', '2024-10-01', 1, 'strategic', $1)`, project)
	w.b.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2024-10-01", Amount: "30000", Project: project})
	// The pot has £30,000 allocated, but not to this other project.
	another := w.b.Project(fixture.Project{}).ID
	refused(t, w.db, "cil_project_spent_within_allocated", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id) VALUES ('spend', '2024-10-01', 1, 'strategic', $1)`, another)
	refused(t, w.db, "cil_project_allocated_not_negative", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id) VALUES ('deallocation', '2024-10-01', 1, 'strategic', $1)`, another)
	w.b.CILRecord(fixture.CILEntry{Kind: "spend", On: "2024-10-02", Amount: "30000", Project: project})
	refused(t, w.db, "cil_pot_within_received", `INSERT INTO cil_ledger_entries (kind, entry_date, amount) VALUES ('admin', '2024-10-01', 5000.01)`)
	// The neighbourhood money of a parish that receives it is the parish's,
	// not the council's, even while it waits to be paid (59A, 59D).
	refused(t, w.db, "cil_parish_money_is_the_parishs", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, parish_code, project_id) VALUES ('allocation', '2024-10-21', 1, 'neighbourhood', $1, $2)`, w.parish, project)
	// What the council recovers from it (59E) is the council's to spend.
	w.b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "15000", Parish: w.parish})
	w.b.CILRecord(fixture.CILEntry{Kind: "parish-recovery", On: "2029-11-01", Amount: "1000", Parish: w.parish})
	refused(t, w.db, "cil_parish_money_is_the_parishs", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, parish_code, project_id) VALUES ('allocation', '2029-11-02', 1000.01, 'neighbourhood', $1, $2)`, w.parish, project)
	w.b.CILRecord(fixture.CILEntry{Kind: "allocation", On: "2029-11-02", Amount: "1000", Pot: "neighbourhood", Parish: w.parish, Project: project})
}

func TestDatabaseRefusesRepayingMoreThanWasReceived(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.receive(t)
	other := w.b.CILDevelopment(fixture.CILDevelopment{Parish: w.parish})
	w.b.CILReceive(fixture.CILReceipt{Development: other, On: "2024-09-01", Amount: "1000", Parish: w.parish})
	// The strategic pot holds enough; the other development's payer paid
	// only £1,000.
	refused(t, w.db, "cil_repaid_within_received", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id) VALUES ('repayment', '2024-10-01', 1000.01, $1)`, other)
	w.b.Exec(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, cil_development_id) VALUES ('repayment', '2024-10-01', 1000, $1)`, other)
}

func TestDatabaseKeepsTheLedgerAppendOnlyAndReversalsWhole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.receive(t)
	ctx := context.Background()
	if _, err := w.db.Pool.Exec(ctx, `UPDATE cil_ledger_entries SET amount = 1 WHERE id = $1`, id); err == nil {
		t.Fatal("an entry was changed")
	}
	if _, err := w.db.Pool.Exec(ctx, `DELETE FROM cil_receipt_portions WHERE receipt_id = $1`, id); err == nil {
		t.Fatal("a portion was deleted")
	}
	refused(t, w.db, "cil_reversal_amount", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2024-10-01', 5, $1, 'keyed twice')`, id)
	// A receipt whose neighbourhood money was passed on cannot be
	// reversed until the payment is.
	pay := w.b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "15000", Parish: w.parish})
	refused(t, w.db, "cil_pot_within_received", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2024-10-21', 100000, $1, 'bounced')`, id)
	w.b.Exec(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2024-10-21', 15000, $1, 'paid twice')`, pay)
	w.b.Exec(`INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2024-10-21', 100000, $1, 'bounced')`, id)
	var received string
	if err := w.db.Pool.QueryRow(ctx, `SELECT coalesce(sum(received), 0)::text FROM cil_pot_totals`).Scan(&received); err != nil || received != "0.00" {
		t.Fatalf("after the reversals the pots hold %s (%v), want 0.00", received, err)
	}
	// A reversal is not itself reversed.
	var rev int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT id FROM cil_ledger_entries WHERE reverses_id = $1`, id).Scan(&rev); err != nil {
		t.Fatal(err)
	}
	refused(t, w.db, "cil_reversal_of_reversal", `INSERT INTO cil_ledger_entries (kind, entry_date, amount, reverses_id, note) VALUES ('reversal', '2024-10-22', 100000, $1, 'undo')`, rev)
}

// The race of issue 20: two payments to one parish, each within what it
// holds alone but together more, are written at once with SQL; exactly one
// commits and the other is refused by the kept total's check.
func TestRacingOverdrawingParishPaymentsExactlyOneCommits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.receive(t) // £15,000 for the parish
	ctx := context.Background()
	const rounds = 5
	for round := range rounds {
		// Each round adds £1,000 of neighbourhood money and races two £800
		// payments for it.
		w.b.CILReceive(fixture.CILReceipt{Development: w.dev, On: "2024-09-02", Amount: "1000", Admin: "0", Neighbourhood: "250", Parish: w.parish})
		if round == 0 {
			w.b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-20", Amount: "15000", Parish: w.parish})
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = w.db.InTx(ctx, func(tx pgxTx) error {
					_, err := tx.Exec(ctx, `INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code) VALUES ('parish-payment', '2024-10-28', 200, $1)`, w.parish)
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range results {
			var pg *pgconn.PgError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &pg) && pg.ConstraintName == "cil_pot_within_received":
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d payments committed, want exactly 1", round, ok)
		}
		// Pay out the rest so the next round starts from nothing held.
		w.b.CILRecord(fixture.CILEntry{Kind: "parish-payment", On: "2024-10-28", Amount: "50", Parish: w.parish})
	}
	var held string
	if err := w.db.Pool.QueryRow(ctx, `SELECT (received - passed)::text FROM cil_pot_totals WHERE pot = 'neighbourhood' AND parish_code = $1`, w.parish).Scan(&held); err != nil || held != "0.00" {
		t.Fatalf("held %s (%v), want 0.00", held, err)
	}
}
