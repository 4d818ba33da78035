package seed

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"

	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// fingerprint summarises a loaded dataset: counts and money per kind.
func fingerprint(t *testing.T, db *store.DB) string {
	t.Helper()
	var s string
	err := db.Pool.QueryRow(context.Background(), `
		SELECT concat_ws(' | ',
			(SELECT count(*) FROM developments), (SELECT count(*) FROM agreements), (SELECT count(*) FROM obligations),
			(SELECT count(*) FROM homes), (SELECT count(*) FROM home_events), (SELECT count(*) FROM receipts),
			(SELECT string_agg(kind || '=' || n || '/' || total, ',' ORDER BY kind)
			   FROM (SELECT kind, count(*) n, sum(amount) total FROM ledger_entries GROUP BY kind) k),
			(SELECT md5(string_agg(concat_ws(',', obligation_id, kind, entry_date, amount, receipt_id, project_id, reverses_id), ';' ORDER BY id)) FROM ledger_entries))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLargeSatisfiesTheLedgerInvariantsAndIsDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scale := 0.03
	if v, err := strconv.ParseFloat(os.Getenv("S106_TEST_LARGE_SCALE"), 64); err == nil {
		scale = v
	}
	// The bulk load switches triggers off (replica mode): a superuser's.
	a, b := testdb.NewAs(t, testdb.Super), testdb.NewAs(t, testdb.Super)
	stats, err := Large(ctx, a, LargeOptions{Scale: scale, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(stats)
	if stats.Agreements != int(2000*scale) || stats.LedgerEntries == 0 || stats.Homes == 0 || stats.Receipts == 0 {
		t.Fatalf("unexpected sizes: %s", stats)
	}
	if _, err := Large(ctx, b, LargeOptions{Scale: scale, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if fa, fb := fingerprint(t, a), fingerprint(t, b); fa != fb {
		t.Fatalf("same seed, different data:\n%s\n%s", fa, fb)
	}

	// Every split receipt adds up, every balance holds (checked inside
	// Large too; here against the views the pages use).
	var bad int
	if err := a.Pool.QueryRow(ctx, `
		SELECT count(*) FROM obligation_balances
		WHERE allocated > received - returned OR spent > allocated OR returned > received`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Fatalf("%d obligations break a balance invariant", bad)
	}
	// Some receipts are split across several obligations; some entries are
	// reversed; some money was returned; some homes left the stock.
	var split, reversals, returns, exits int
	if err := a.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM (SELECT receipt_id FROM ledger_entries WHERE kind = 'receipt' GROUP BY receipt_id HAVING count(*) > 1) s),
		       (SELECT count(*) FROM ledger_entries WHERE kind = 'reversal'),
		       (SELECT count(*) FROM ledger_entries WHERE kind = 'return'),
		       (SELECT count(*) FROM home_state WHERE state = 'left-stock')`).Scan(&split, &reversals, &returns, &exits); err != nil {
		t.Fatal(err)
	}
	if split == 0 || reversals == 0 || returns == 0 || exits == 0 {
		t.Fatalf("dataset lacks variety: %d split receipts, %d reversals, %d returns, %d homes left the stock", split, reversals, returns, exits)
	}
	// Autovacuum, off for the load's tables while it ran, is back on.
	var off []string
	if err := a.Pool.QueryRow(ctx, `SELECT coalesce(array_agg(relname::text), '{}') FROM pg_class
		WHERE relnamespace = current_schema()::regnamespace AND array_to_string(reloptions, ',') LIKE '%autovacuum_enabled%'`).Scan(&off); err != nil {
		t.Fatal(err)
	}
	if len(off) > 0 {
		t.Fatalf("autovacuum still set on %v after the load", off)
	}
	// New entries go through the triggers as usual after the load: the
	// sequences were moved past the loaded ids.
	// SQL on purpose: the sequences after the bulk load are under test.
	if _, err := a.Pool.Exec(ctx, `INSERT INTO developments (name) VALUES ('After the load')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Large(ctx, a, LargeOptions{Scale: scale, Seed: 7}); !errors.Is(err, ErrRegisterNotEmpty) {
		t.Fatalf("loading twice: got %v, want ErrRegisterNotEmpty", err)
	}
}
