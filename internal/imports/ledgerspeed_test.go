package imports

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/s106monitor/s106/internal/testdb"
)

// A 10,000-row ledger file (an allocation and a spend for each of 5,000
// obligations already holding money) imports in one transaction; its
// balances are checked in Go first and by the database at commit.
func TestImportsTenThousandLedgerRows(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if rep, err := Run(ctx, db, append(bigFiles(5000, false), csvFile("projects.csv", "project,purpose", "School,education")), Options{}); err != nil || !rep.Committed {
		t.Fatalf("%v %s", err, issues(rep))
	}
	var b strings.Builder
	b.WriteString("entry_ref,obligation_ref,kind,entry_date,amount,project\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "A%d,OB%d,allocation,2023-05-01,600.00,School\n", i, i)
		fmt.Fprintf(&b, "S%d,OB%d,spend,2023-06-01,450.25,School\n", i, i)
	}
	start := time.Now()
	rep, err := Run(ctx, db, []File{{Name: "ledger.csv", Data: []byte(b.String())}}, Options{})
	took := time.Since(start)
	if err != nil || !rep.Committed || rep.Created["ledger"] != 10000 {
		t.Fatalf("%v created %v\n%s", err, rep.Created, issues(rep))
	}
	t.Logf("10,000 ledger rows imported in %s", took)
	var spent string
	db.Pool.QueryRow(ctx, `SELECT sum(spent)::text FROM obligation_status`).Scan(&spent)
	if spent != "2251250.00" { // 5,000 × £450.25
		t.Fatalf("spent %s", spent)
	}
	if took > 15*time.Second {
		t.Errorf("took %s", took)
	}
}
