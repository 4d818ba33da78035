package dbroles_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/s106monitor/s106/internal/testdb"
)

// Item 9: the database refuses an implausible amount (a billion pounds or
// more) whatever writes it, so no total of them can overflow.
func TestImplausibleAmountsAreRefusedByTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	// SQL on purpose: the database's own bound, with the service bypassed.
	for _, stmt := range []string{
		`INSERT INTO receipts (received_on, payer, finance_ref, total) VALUES ('2025-01-01', 'X', 'R1', 999999999999.99)`,
		`INSERT INTO receipts (received_on, payer, finance_ref, total) VALUES ('2025-01-01', 'X', 'R2', 1000000000)`,
	} {
		_, err := db.Pool.Exec(ctx, stmt)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != "23514" || pg.ConstraintName != "receipts_total_plausible" {
			t.Errorf("%s: want a check violation, got %v", stmt, err)
		}
	}
	var bounded int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_constraint WHERE conname IN
		('receipts_total_plausible', 'ledger_entries_amount_plausible', 'ledger_entries_base_plausible', 'obligations_base_plausible')`).Scan(&bounded); err != nil || bounded != 4 {
		t.Errorf("%d amount bounds, want 4 (%v)", bounded, err)
	}
	var typ string
	if err := db.Pool.QueryRow(ctx, `SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'alerts'::regclass AND attname = 'amount'`).Scan(&typ); err != nil || typ != "numeric" {
		t.Errorf("alerts.amount is %s, want unbounded numeric", typ)
	}
}
