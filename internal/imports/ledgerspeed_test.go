package imports

import (
	"context"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// A 10,000-row ledger file (an allocation and a spend for each of 5,000
// obligations already holding money) imports in one transaction; its
// balances are checked in Go first and by the database at commit. How
// long it takes is measured by `make bench` (cmd/s106-bench, "ledger
// import"), not asserted here: a timed assertion fails on a busy machine.
func TestImportsTenThousandLedgerRows(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	if rep, err := Run(ctx, db, bigFiles(5000, false), Options{}); err != nil || !rep.Committed {
		t.Fatalf("%v %s", err, issues(rep))
	}
	rep, err := Run(ctx, db, SampleLedger(5000), Options{})
	if err != nil || !rep.Committed || rep.Created["ledger"] != 10000 {
		t.Fatalf("%v created %v\n%s", err, rep.Created, issues(rep))
	}
	var spent string
	db.Pool.QueryRow(ctx, `SELECT sum(spent)::text FROM obligation_status`).Scan(&spent)
	if spent != "2251250.00" { // 5,000 × £450.25
		t.Fatalf("spent %s", spent)
	}
}
