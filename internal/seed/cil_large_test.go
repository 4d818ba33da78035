package seed

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// cilFingerprint summarises the levy's generated rows.
func cilFingerprint(t *testing.T, db *store.DB) string {
	t.Helper()
	var s string
	err := db.Pool.QueryRow(context.Background(), `
		SELECT concat_ws(' | ',
			(SELECT count(*) FROM cil_developments), (SELECT sum(chargeable_amount) FROM cil_liability_notices),
			(SELECT count(*) || '/' || sum(amount) FROM cil_demand_notices), (SELECT count(*) FROM cil_instalments),
			(SELECT string_agg(kind || '=' || n || '/' || total, ',' ORDER BY kind)
			   FROM (SELECT kind, count(*) n, sum(amount) total FROM cil_ledger_entries GROUP BY kind) k),
			(SELECT md5(string_agg(concat_ws(',', kind, entry_date, amount, parish_code, pot, project_id, reverses_id), ';' ORDER BY id)) FROM cil_ledger_entries))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The generated council charges the levy: its rows load with the levy's
// triggers on, pass the set-wise checks inside Large and every drift view
// when the test ends (internal/testdb), are the same for the same seed,
// and have the variety the pages and the bench need.
func TestLargeChargesTheLevy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scale := 0.04
	if v, err := strconv.ParseFloat(os.Getenv("S106_TEST_LARGE_SCALE"), 64); err == nil {
		scale = v
	}
	a, b := testdb.NewAs(t, testdb.Super), testdb.NewAs(t, testdb.Super)
	stats, err := Large(ctx, a, LargeOptions{Scale: scale, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(stats)
	if want := max(30, int(1500*scale)); stats.CILDevelopments != want {
		t.Errorf("%d chargeable developments, want %d", stats.CILDevelopments, want)
	}
	if _, err := Large(ctx, b, LargeOptions{Scale: scale, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	if fa, fb := cilFingerprint(t, a), cilFingerprint(t, b); fa != fb {
		t.Fatalf("same seed, different levy:\n%s\n%s", fa, fb)
	}

	var got struct {
		notices, revised, demands, deemed, receipts, multi, parishPaid, admin, strategicSpend, neighbourhoodSpend, reversals int
		overdue, reliefs, withdrawn, surcharges, twentyFive, listed                                                          int
	}
	if err := a.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM cil_liability_notices),
		       (SELECT count(*) FROM cil_liability_notices WHERE supersedes_id IS NOT NULL),
		       (SELECT count(*) FROM cil_demand_notices),
		       (SELECT count(*) FROM cil_commencements WHERE kind = 'deemed'),
		       (SELECT count(*) FROM cil_ledger_entries WHERE kind = 'receipt'),
		       (SELECT count(*) FROM (SELECT receipt_id FROM cil_receipt_instalments GROUP BY 1 HAVING count(*) > 1) s),
		       (SELECT count(DISTINCT parish_code) FROM cil_ledger_effective WHERE kind = 'parish-payment'),
		       (SELECT count(*) FROM cil_ledger_effective WHERE kind = 'admin'),
		       (SELECT count(*) FROM cil_ledger_effective WHERE kind = 'spend' AND pot = 'strategic'),
		       (SELECT count(*) FROM cil_ledger_effective WHERE kind = 'spend' AND pot = 'neighbourhood'),
		       (SELECT count(*) FROM cil_ledger_entries WHERE kind = 'reversal'),
		       (SELECT count(*) FROM cil_instalments i WHERE due_on < DATE '2026-11-01'
		          AND i.amount > coalesce((SELECT sum(amount) FROM cil_receipt_instalments r WHERE r.instalment_id = i.id), 0)),
		       (SELECT count(*) FROM cil_reliefs WHERE decision = 'granted'),
		       (SELECT count(*) FROM cil_reliefs WHERE clawed_back IS NOT NULL),
		       (SELECT count(*) FROM cil_charges),
		       (SELECT count(*) FROM cil_receipt_portions p JOIN cil_ledger_entries e ON e.id = p.receipt_id WHERE p.portion = 'neighbourhood' AND p.amount = round(e.amount * 0.25, 2)),
		       (SELECT count(*) FROM projects p JOIN infrastructure_list_items i ON p.name = i.name || ' (CIL)')`).
		Scan(&got.notices, &got.revised, &got.demands, &got.deemed, &got.receipts, &got.multi, &got.parishPaid, &got.admin, &got.strategicSpend,
			&got.neighbourhoodSpend, &got.reversals, &got.overdue, &got.reliefs, &got.withdrawn, &got.surcharges, &got.twentyFive, &got.listed); err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if got.notices == 0 || got.demands == 0 || got.receipts == 0 || got.multi == 0 || got.parishPaid < 3 || got.admin == 0 ||
		got.strategicSpend == 0 || got.neighbourhoodSpend == 0 || got.reliefs == 0 || got.surcharges == 0 || got.twentyFive == 0 || got.listed != 10 {
		t.Errorf("the generated levy lacks variety: %+v", got)
	}
	// Every receipt's portions are the regulation's shares: 5% admin,
	// the neighbourhood portion at 15 or 25 per cent (or less where the
	// 15 per cent cap of 59A(7) bit), the strategic rest.
	var bad int
	if err := a.Pool.QueryRow(ctx, `
		SELECT count(*) FROM cil_ledger_entries e
		JOIN cil_receipt_portions ad ON ad.receipt_id = e.id AND ad.portion = 'admin'
		JOIN cil_receipt_portions nb ON nb.receipt_id = e.id AND nb.portion = 'neighbourhood'
		WHERE e.kind = 'receipt' AND (ad.amount <> round(e.amount * 0.05, 2) OR nb.amount > round(e.amount * 0.25, 2))`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d receipts split otherwise than the regulations say", bad)
	}
	// The set-wise checks catch what the levy's rules forbid: each
	// tampering, made with the triggers off as the bulk load runs, is
	// named, and rolled back.
	// SQL on purpose: rows the services and triggers would refuse.
	for _, c := range []struct{ sql, want string }{
		{`INSERT INTO cil_ledger_entries (kind, entry_date, amount, parish_code, reference)
			SELECT 'parish-payment', DATE '2026-10-31', sum(amount) + 1, parish_code, 'tampered' FROM cil_receipt_portions
			WHERE portion = 'neighbourhood' AND parish_code = (SELECT min(code) FROM cil_parishes WHERE receives_cil) GROUP BY parish_code`, "passed to a parish"},
		{`INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id, reference)
			SELECT 'allocation', DATE '2026-10-31', 900000000, 'strategic', min(project_id), 'tampered' FROM cil_ledger_entries WHERE pot = 'strategic'`, "a pot allocates no more"},
		{`INSERT INTO cil_ledger_entries (kind, entry_date, amount, pot, project_id, reference)
			SELECT 'spend', DATE '2026-10-31', 900000000, 'strategic', min(project_id), 'tampered' FROM cil_ledger_entries WHERE pot = 'strategic'`, "spends no more than was allocated"},
	} {
		tx, err := a.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, c.sql); err != nil {
			t.Fatalf("%s: %v", c.want, err)
		}
		if err := verifyCIL(ctx, tx); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("tampering %q: got %v", c.want, err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The rules over several rows that verifyCIL leaves to the database
	// (parts B and C) refuse a tampering of the loaded rows, named by
	// their constraint, with the triggers on as the levy loads.
	// SQL on purpose: rows the services would refuse.
	for _, c := range []struct{ sql, want string }{
		{`INSERT INTO cil_receipt_portions (receipt_id, portion, amount) SELECT min(id), 'mayor', 1 FROM cil_ledger_entries WHERE kind = 'receipt'`, "cil_portions_sum_to_receipt"},
		{`INSERT INTO cil_instalments (demand_notice_id, seq, due_on, amount) SELECT min(id), 99, DATE '2026-01-01', 1 FROM cil_demand_notices`, "cil_demand_instalments_sum"},
	} {
		tx, err := a.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, c.sql)
		if err == nil {
			_, err = tx.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`)
		}
		if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.ConstraintName != c.want {
			t.Errorf("tampering %q: got %v", c.want, err)
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// New rows after the load take ids past the loaded ones (the schedule
	// ends before the generated ones begin: part A's schedules never
	// overlap).
	// SQL on purpose: the sequences after the bulk load are under test.
	if _, err := a.Pool.Exec(ctx, `INSERT INTO cil_schedules (name, takes_effect, ends) VALUES ('After the load', DATE '2012-04-01', DATE '2015-03-31');
		INSERT INTO cil_ledger_entries (kind, entry_date, amount, reference) VALUES ('admin', DATE '2026-11-01', 1, 'after the load')`); err != nil {
		t.Fatal(err)
	}
}
