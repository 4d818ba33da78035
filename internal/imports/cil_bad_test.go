package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/testdb"
)

// TestCILBadRowsAreNamed: each CIL row the import cannot take is named by
// file, row and column with the reason, in the file's own words; without
// --skip-invalid nothing is written, with it the good rows import and the
// bad ones (and the rows that depend on them) are listed as left out with
// their money.
func TestCILBadRowsAreNamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := dsFiles(
		// row 2: good; row 3: no issue date; row 4: not a date; row 5: good.
		"N1,x,2020-04-06,2019-06-11,,19/1,,community-infrastructure-levy\n"+
			"N2,x,2020-04-06,,,19/2,,community-infrastructure-levy\n"+
			"N3,x,2020-04-06,31/02/2020,,19/3,,CIL\n"+
			"N4,x,2020-04-06,2019-07-01,,19/4,,community-infrastructure-levy\n",
		"N1_59,N1,community-infrastructure-levy,8000,,2020-04-06,2019-06-11,\n"+ // row 2
			"N1_59A,N1,neighbourhood-community-infrastructure-levy,1500,,2020-04-06,2019-06-11,\n"+ // row 3
			"N1_61,N1,cil-administration-costs,500,,2020-04-06,2019-06-11,\n"+ // row 4
			"N2_59,N2,community-infrastructure-levy,100,,2020-04-06,,\n"+ // row 5: its notice is left out
			"N4_59,N4,education,100,,2020-04-06,,\n"+ // row 6: not a levy purpose
			"N4_61,N4,cil-administration-costs,ten pounds,,2020-04-06,,\n"+ // row 7: not money
			"N4_59A,N4,neighbourhood-community-infrastructure-levy,-5,,2020-04-06,,\n"+ // row 8: negative
			"N4_X,N4,community-infrastructure-levy,100,,2020-04-06,2019-13-01,\n"+ // row 9: not a date (and N4 is left out whole)
			"N4_Y,N9,community-infrastructure-levy,100,,2020-04-06,,\n", // row 10: no such notice
		"T1,N1_59,received,8000,,2020-04-06,2019-07-01,\n"+ // row 2: good
			"T2,N1_59A,paid,1500,,2020-04-06,2019-07-01,\n"+ // row 3: not a status
			"T3,N1_61,received,5OO,,2020-04-06,2019-07-01,\n"+ // row 4: not money
			"T4,N1_61,received,500,,2020-04-06,yesterday,\n"+ // row 5: not a date
			"T5,N1_61,allocated,500,,2020-04-06,2019-07-01,\n"+ // row 6: administration money cannot be allocated
			"T6,N2_59,received,100,,2020-04-06,2019-07-01,\n"+ // row 7: its contribution is left out
			"T7,N1_59A,transferred,1000,,2020-04-06,2019-08-01,\n") // row 8: good: passed to a parish
	type want struct {
		file   string
		row    int
		column string
		msg    string
	}
	wants := []want{
		{"developer-agreement.csv", 3, "start-date", "the date the demand notice was issued is required"},
		{"developer-agreement.csv", 4, "start-date", `"31/02/2020" is not a date`},
		{"developer-agreement-contribution.csv", 5, "developer-agreement", "belongs to the CIL demand notice N2, which is left out (developer-agreement row 3)"},
		{"developer-agreement-contribution.csv", 6, "contribution-purpose", `"education" is not a purpose of the levy`},
		{"developer-agreement-contribution.csv", 7, "amount", `"ten pounds" is not an amount of money`},
		{"developer-agreement-contribution.csv", 8, "amount", "a negative amount cannot be demanded"},
		{"developer-agreement-contribution.csv", 9, "start-date", `"2019-13-01" is not a date`},
		{"developer-agreement-contribution.csv", 10, "developer-agreement", `no CIL demand notice "N9"`},
		{"developer-agreement.csv", 5, "developer-agreement", "the CIL demand notice N4 cannot be written without its contributions on rows 7, 8, 9 of the contribution file"},
		{"developer-agreement-transaction.csv", 3, "contribution-funding-status", `"paid" is not a contribution funding status`},
		{"developer-agreement-transaction.csv", 4, "amount", `"5OO" is not an amount of money`},
		{"developer-agreement-transaction.csv", 5, "start-date", `"yesterday" is not a date`},
		{"developer-agreement-transaction.csv", 6, "contribution-funding-status", "cil-administration-costs money cannot be allocated"},
	}
	check := func(t *testing.T, list []Issue, what string) {
		t.Helper()
		for _, w := range wants {
			found := false
			for _, is := range list {
				if !is.Warning && is.File == w.file && is.Row == w.row && is.Column == w.column && strings.Contains(is.Message, w.msg) {
					found = true
				}
			}
			if !found {
				var b strings.Builder
				for _, is := range list {
					b.WriteString(is.String() + "\n")
				}
				t.Errorf("%s: no error %s row %d column %s %q:\n%s", what, w.file, w.row, w.column, w.msg, b.String())
			}
		}
	}

	// All or nothing: every fault is an error and nothing is written.
	db := testdb.New(t)
	rep, err := Run(ctx, db, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Committed {
		t.Fatal("committed with errors")
	}
	check(t, rep.Issues, "all or nothing")
	var n int
	db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM cil_demand_notices) + (SELECT count(*) FROM cil_ledger_entries) + (SELECT count(*) FROM cil_developments)`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows of the levy written by a refused import", n)
	}

	// --skip-invalid: the good rows import, the bad are left out with their money.
	rep, err = Run(ctx, db, files, Options{SkipInvalid: true})
	if err != nil || !rep.Committed {
		t.Fatalf("not committed: %v\n%s", err, issues(rep))
	}
	check(t, rep.LeftOut, "skip invalid")
	for _, l := range rep.LeftOut {
		if l.File == "developer-agreement-transaction.csv" && l.Row == 7 && (l.Money != "100.00" || !strings.Contains(l.Message, "N2")) {
			t.Errorf("the transaction of a left-out notice: %+v", l)
		}
	}
	// 15% of £10,000 demanded on N1; £8,000 received as the strategic
	// share; £1,000 passed to the parish with no neighbourhood receipt
	// recorded implies one of £1,000 (warned of).
	var got string
	db.Pool.QueryRow(ctx, `SELECT string_agg(n.reference || '=' || n.amount || '/' || (SELECT count(*) FROM cil_instalments i WHERE i.demand_notice_id = n.id), ' ' ORDER BY n.reference) FROM cil_demand_notices n`).Scan(&got)
	if got != "N1=10000.00/1" {
		t.Errorf("notices: %s", got)
	}
	db.Pool.QueryRow(ctx, `SELECT string_agg(e.import_ref || ':' || e.kind || '=' || e.amount || coalesce('@' || e.parish_code, ''), ' ' ORDER BY e.id) FROM cil_ledger_entries e`).Scan(&got)
	if got != "T1:receipt=8000.00 T7#implied-receipt:receipt=1000.00 T7:parish-payment=1000.00@not-recorded" {
		t.Errorf("entries: %s", got)
	}
	warned := false
	for _, is := range rep.Issues {
		if is.Warning && is.Row == 8 && is.File == "developer-agreement-transaction.csv" && strings.Contains(is.Message, "a receipt of £1000.00 on the same date is implied") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning of the implied receipt:\n%s", issues(rep))
	}

	// A notice is never changed: the same reference demanding another
	// amount is refused on its row.
	changed := dsFiles("N1,x,2020-04-06,2019-06-11,,19/1,,community-infrastructure-levy\n",
		"N1_59,N1,community-infrastructure-levy,9000,,2020-04-06,2019-06-11,\n", "")
	rep, err = Run(ctx, db, changed, Options{})
	if err != nil || rep.Committed {
		t.Fatalf("a changed notice was taken: %v", err)
	}
	found := false
	for _, is := range rep.Issues {
		if !is.Warning && is.File == "developer-agreement.csv" && is.Row == 2 && is.Column == "developer-agreement" &&
			strings.Contains(is.Message, "was imported before demanding £10000.00; this file has it demand £9000.00") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error for the changed notice:\n%s", issues(rep))
	}
}
