package dbroles_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/datastandard"
	"github.com/s106monitor/s106/internal/fixture"
	"github.com/s106monitor/s106/internal/ifs"
	"github.com/s106monitor/s106/internal/testdb"
	"github.com/s106monitor/s106/internal/users"
)

// Item 9: totals are wide enough whatever the kept amounts add up to. Three
// receipts of £999,999,999,999.99 on one obligation (accepted before the
// bound of migration 00044, which does not re-check kept rows) used to make
// the public CSVs and publishing the statement fail with "numeric field
// overflow".
func TestTotalsOfHugeKeptAmountsDoNotOverflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.URL(t)
	owner := testdb.Open(t, testdb.As(t, url, testdb.Owner))
	// Rows kept from before the bound: the owner lifts it to write them, in
	// SQL on purpose (the services refuse such amounts today).
	for _, stmt := range []string{
		`ALTER TABLE receipts DROP CONSTRAINT receipts_total_plausible`,
		`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_amount_plausible`,
		`ALTER TABLE obligations DROP CONSTRAINT obligations_base_plausible`,
	} {
		if _, err := owner.Pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var obligation int64
	err := pgx.BeginFunc(ctx, owner.Pool, func(tx pgx.Tx) error {
		var dev, agreement int64
		if err := tx.QueryRow(ctx, `INSERT INTO developments (name) VALUES ('Big Park') RETURNING id`).Scan(&dev); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO agreements (reference, development_id, agreement_type, status, date_signed)
			VALUES ('24/1/S106', $1, 'section-106', 'live', '2024-05-01') RETURNING id`, dev).Scan(&agreement); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO obligations (agreement_id, kind, purpose_code, description, base_amount)
			VALUES ($1, 'financial', 'education', 'Pay for schools', 999999999999.99) RETURNING id`, agreement).Scan(&obligation); err != nil {
			return err
		}
		for range 3 {
			var rid int64
			if err := tx.QueryRow(ctx, `INSERT INTO receipts (received_on, payer, total) VALUES ('2024-06-01', 'Big Developer', 999999999999.99) RETURNING id`).Scan(&rid); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id) VALUES ($1, 'receipt', '2024-06-01', 999999999999.99, $2)`, obligation, rid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testdb.Open(t, url)
	for _, public := range []bool{true, false} {
		if _, err := datastandard.Export(ctx, app.Pool, datastandard.Options{Organisation: "local-authority:TST", Public: public}); err != nil {
			t.Errorf("data-standard export (public %v): %v", public, err)
		}
	}
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	svc := &ifs.Service{DB: app, Organisation: "local-authority:TST", Now: func() time.Time { return now }}
	st, err := svc.Build(ctx, 2024)
	if err != nil {
		t.Fatalf("statement: %v", err)
	}
	manager := fixture.New(t, app).User("M", "m@council.example", users.RoleManager).ID
	pv, err := svc.PublishPreview(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, audit.Actor{UserID: manager, Label: "M"}, 2024, pv.Checksum, func(ifs.Statement) ([]byte, error) { return []byte("<p>statement</p>"), nil }); err != nil {
		t.Fatalf("publish the statement: %v", err)
	}
	if got := st.B.String(); got != "2999999999999.97" {
		t.Errorf("received in the year: %s, want 2999999999999.97", got)
	}
}
