package ledger

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
)

func frow(row int, date, amount, ref string) FinanceRow {
	return FinanceRow{Row: row, Date: isoDay(date), Amount: pounds(amount), Reference: ref, Payer: "Harbour Homes plc"}
}

func lrec(id int64, date, amount, ref string) LedgerReceipt {
	return LedgerReceipt{ID: id, ReceivedOn: isoDay(date), Total: pounds(amount), FinanceRef: ref, Payer: "Harbour Homes plc"}
}

func TestMatchReceipts(t *testing.T) {
	type pair struct {
		row int
		id  int64
		by  MatchMethod
	}
	cases := []struct {
		name        string
		finance     []FinanceRow
		receipts    []LedgerReceipt
		from, to    string
		want        []pair
		financeOnly []int
		ledgerOnly  []int64
	}{
		{
			name:     "by reference, ignoring case and spaces",
			finance:  []FinanceRow{frow(2, "2024-04-02", "1000.00", "  inv-001 ")},
			receipts: []LedgerReceipt{lrec(7, "2024-04-02", "1000.00", "INV-001")},
			want:     []pair{{2, 7, MatchByReference}},
		},
		{
			name:     "by reference even when amount and date differ",
			finance:  []FinanceRow{frow(2, "2024-04-02", "1000.00", "INV-001")},
			receipts: []LedgerReceipt{lrec(7, "2024-03-01", "900.00", "inv-001")},
			from:     "2024-03-01", to: "2024-04-30",
			want: []pair{{2, 7, MatchByReference}},
		},
		{
			name:     "reference beats an exact amount and date",
			finance:  []FinanceRow{frow(2, "2024-04-02", "100.00", "R-9")},
			receipts: []LedgerReceipt{lrec(1, "2024-04-02", "100.00", ""), lrec(2, "2024-04-22", "120.00", "R-9")},
			from:     "2024-04-01", to: "2024-04-30",
			want:       []pair{{2, 2, MatchByReference}},
			ledgerOnly: []int64{1},
		},
		{
			name:     "by amount within seven days",
			finance:  []FinanceRow{frow(2, "2024-04-10", "500.00", "")},
			receipts: []LedgerReceipt{lrec(3, "2024-04-03", "500.00", "")},
			from:     "2024-04-01", to: "2024-04-30",
			want: []pair{{2, 3, MatchByAmountAndDate}},
		},
		{
			name:     "not by amount eight days apart",
			finance:  []FinanceRow{frow(2, "2024-04-11", "500.00", "")},
			receipts: []LedgerReceipt{lrec(3, "2024-04-03", "500.00", "")},
			from:     "2024-04-01", to: "2024-04-30",
			financeOnly: []int{2},
			ledgerOnly:  []int64{3},
		},
		{
			name:     "not by date with a different amount",
			finance:  []FinanceRow{frow(2, "2024-04-03", "500.01", "")},
			receipts: []LedgerReceipt{lrec(3, "2024-04-03", "500.00", "")},
			from:     "2024-04-01", to: "2024-04-30",
			financeOnly: []int{2},
			ledgerOnly:  []int64{3},
		},
		{
			name:    "exact dates are paired first",
			finance: []FinanceRow{frow(2, "2024-04-10", "500.00", ""), frow(3, "2024-04-08", "500.00", "")},
			receipts: []LedgerReceipt{
				lrec(1, "2024-04-09", "500.00", ""),
				lrec(2, "2024-04-08", "500.00", ""),
				lrec(3, "2024-04-10", "500.00", ""),
			},
			from: "2024-04-01", to: "2024-04-30",
			want:       []pair{{2, 3, MatchByAmountAndDate}, {3, 2, MatchByAmountAndDate}},
			ledgerOnly: []int64{1},
		},
		{
			name:        "each receipt matches once",
			finance:     []FinanceRow{frow(2, "2024-04-02", "1000.00", "INV-1"), frow(3, "2024-04-02", "1000.00", "INV-1")},
			receipts:    []LedgerReceipt{lrec(7, "2024-04-02", "1000.00", "INV-1")},
			want:        []pair{{2, 7, MatchByReference}},
			financeOnly: []int{3},
		},
		{
			name:    "a shared reference pairs by amount",
			finance: []FinanceRow{frow(2, "2024-04-02", "300.00", "BATCH-7"), frow(3, "2024-04-02", "200.00", "BATCH-7")},
			receipts: []LedgerReceipt{
				lrec(1, "2024-04-02", "200.00", "BATCH-7"),
				lrec(2, "2024-04-02", "300.00", "BATCH-7"),
			},
			want: []pair{{2, 2, MatchByReference}, {3, 1, MatchByReference}},
		},
		{
			name:     "a receipt outside the range can match but is not reported missing",
			finance:  []FinanceRow{frow(2, "2024-04-01", "750.00", "")},
			receipts: []LedgerReceipt{lrec(1, "2024-03-29", "750.00", ""), lrec(2, "2024-03-30", "10.00", ""), lrec(3, "2024-04-01", "20.00", "")},
			from:     "2024-04-01", to: "2024-06-30",
			want:       []pair{{2, 1, MatchByAmountAndDate}},
			ledgerOnly: []int64{3},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to := isoDay("2024-01-01"), isoDay("2024-12-31")
			if c.from != "" {
				from, to = isoDay(c.from), isoDay(c.to)
			}
			matched, financeOnly, ledgerOnly := MatchReceipts(c.finance, c.receipts, from, to)
			if len(matched) != len(c.want) {
				t.Fatalf("matched %+v, want %+v", matched, c.want)
			}
			for i, w := range c.want {
				if m := matched[i]; m.Finance.Row != w.row || m.Receipt.ID != w.id || m.By != w.by {
					t.Errorf("match %d: row %d ↔ receipt %d by %s, want %+v", i, m.Finance.Row, m.Receipt.ID, m.By, w)
				}
			}
			var gotF []int
			for _, f := range financeOnly {
				gotF = append(gotF, f.Row)
			}
			var gotL []int64
			for _, l := range ledgerOnly {
				gotL = append(gotL, l.ID)
			}
			if !equalSlices(gotF, c.financeOnly) || !equalSlices(gotL, c.ledgerOnly) {
				t.Errorf("only in finance %v (want %v), only in ledger %v (want %v)", gotF, c.financeOnly, gotL, c.ledgerOnly)
			}
		})
	}
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMatchSaysWhatDiffers(t *testing.T) {
	m := Match{Finance: frow(2, "2024-04-05", "1000.00", "INV-1"), Receipt: lrec(1, "2024-04-02", "900.00", "inv-1 "), By: MatchByReference}
	if !m.AmountDifference().Equal(pounds("100")) || m.DaysApart() != 3 || m.ReferenceDiffers() || !m.Differs() {
		t.Errorf("difference %s, days %d, reference differs %v", m.AmountDifference(), m.DaysApart(), m.ReferenceDiffers())
	}
	m = Match{Finance: frow(2, "2024-04-02", "900.00", "INV-2"), Receipt: lrec(1, "2024-04-02", "900.00", "INV-1"), By: MatchByAmountAndDate}
	if !m.ReferenceDiffers() || !m.Differs() {
		t.Error("different references not noticed")
	}
	m = Match{Finance: frow(2, "2024-04-02", "900.00", ""), Receipt: lrec(1, "2024-04-02", "900.00", "INV-1"), By: MatchByAmountAndDate}
	if m.Differs() {
		t.Error("a missing finance reference is not a difference")
	}
}

func TestParseFinanceCSVReadsCommonExports(t *testing.T) {
	cases := []struct {
		name string
		data string
	}{
		{"plain headings", "date,amount,reference,payer\n2024-03-31,287500.00,INV-1,Harbour Homes plc\n"},
		{"finance system headings", "Transaction Date,Value,Ref,Customer\n31/03/2024,\"£287,500.00\",INV-1,Harbour Homes plc\n"},
		{"symbols, spaces, a BOM and extra columns", "\ufeffCost centre, Amount (£) ,Posting date,Customer Name,Receipt No.\nS106,\"287,500\",31/3/2024 00:00,Harbour Homes plc,INV-1\n"},
		{"Windows-1252 pound sign and blank lines", "Date,Amount,Reference,Payer\r\n\r\n2024-03-31,\xa3287500,INV-1,Harbour Homes plc\r\n,,,\r\n"},
	}
	for _, c := range cases {
		rows, err := ParseFinanceCSV([]byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(rows) != 1 {
			t.Errorf("%s: %d rows", c.name, len(rows))
			continue
		}
		r := rows[0]
		if !r.Date.Equal(isoDay("2024-03-31")) || !r.Amount.Equal(pounds("287500")) || r.Reference != "INV-1" || r.Payer != "Harbour Homes plc" {
			t.Errorf("%s: read %+v", c.name, r)
		}
	}
	// Windows-1252's own letters (0x80-0x9F, where it differs from
	// Latin-1) decode as Windows shows them.
	rows, err := ParseFinanceCSV([]byte("Date,Amount,Payer\r\n2024-03-31,\xa35,O\x92Neill \x96 \x80 Homes\r\n"))
	if err != nil || len(rows) != 1 || rows[0].Payer != "O’Neill – € Homes" {
		t.Errorf("Windows-1252 payer: %+v (%v)", rows, err)
	}
	// The row number is the file's line, blank lines included.
	rows, err = ParseFinanceCSV([]byte("Date,Amount\n\n2024-01-02,5\n2024-01-03,6\n"))
	if err != nil || len(rows) != 2 || rows[0].Row != 3 || rows[1].Row != 4 {
		t.Errorf("rows %+v (%v)", rows, err)
	}
}

func TestParseFinanceCSVNamesEveryBadRowAndColumn(t *testing.T) {
	data := "Transaction date,Value,Ref,Customer\n" +
		"2024-03-31,100.00,A,X\n" +
		"31/02/2024,100.00,B,X\n" +
		"2024-04-01,12.3.4,C,X\n" +
		"2024-04-01,-50.00,D,X\n" +
		",,E,X\n" +
		"April 1st,1.234,F,X\n"
	_, err := ParseFinanceCSV([]byte(data))
	var errs CSVErrors
	if !errors.As(err, &errs) {
		t.Fatalf("want CSVErrors, got %v", err)
	}
	want := []string{
		"Row 3, Transaction date: “31/02/2024” is not a real date",
		"Row 4, Value: “12.3.4” is not an amount of money",
		"Row 5, Value: “-50.00” is not a receipt",
		"Row 6, Transaction date: the date is missing",
		"Row 6, Value: the amount is missing",
		"Row 7, Transaction date: “April 1st” is not a date",
		"Row 7, Value: “1.234” has more than 2 decimal places",
	}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].String(), w) {
			t.Errorf("error %d is %q, want it to start %q", i, errs[i].String(), w)
		}
	}

	// A hopeless file stops at MaxCSVErrors problems.
	_, err = ParseFinanceCSV([]byte("Date,Amount\n" + strings.Repeat("x,1\n", 500)))
	if !errors.As(err, &errs) || len(errs) != MaxCSVErrors {
		t.Errorf("%d problems listed, want %d", len(errs), MaxCSVErrors)
	}

	for name, data := range map[string]string{
		"empty":          "",
		"no amount":      "Date,Reference\n2024-01-01,A\n",
		"no rows":        "Date,Amount\n",
		"a broken quote": "Date,Amount\n2024-01-01,\"5\"x\"\n",
	} {
		_, err := ParseFinanceCSV([]byte(data))
		if !errors.As(err, &errs) || len(errs) == 0 || errs[0].Row < 1 {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func FuzzParseFinanceCSV(f *testing.F) {
	for _, seed := range []string{
		"date,amount,reference,payer\n2024-03-31,287500.00,INV-1,Harbour Homes plc\n",
		"Transaction Date,Value,Ref,Customer\n31/03/2024,\"£287,500.00\",INV-1,Harbour\n",
		"Date,Amount\n\"2024-01-01\n\",5\n",
		"Date,Amount\n2024-01-01,(5)\n2024-13-01,5\n",
		"\ufeffDate;Amount\n",
		"Date,Amount\n2024-01-01,1e3\n",
		"\xff\xfe,\xa3\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseFinanceCSV(data)
		if err != nil {
			var errs CSVErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v is not a list of row problems", err)
			}
			for _, e := range errs {
				if e.Row < 1 || !strings.HasPrefix(e.String(), "Row ") || e.Message == "" {
					t.Fatalf("error %q does not name its row", e.String())
				}
			}
			if rows != nil {
				t.Fatal("rows returned with errors")
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		last := 1
		for _, r := range rows {
			if r.Row <= last || !r.Amount.IsPositive() || !r.Amount.Equal(r.Amount.Round(2)) || r.Date.IsZero() {
				t.Fatalf("bad row %+v after row %d", r, last)
			}
			last = r.Row
		}
	})
}

func TestReconcileFinanceReportsAndAuditsWithoutChangingTheLedger(t *testing.T) {
	m := newMoneyDB(t)
	ctx := context.Background()
	ob := m.obligation("education", "Education", 120)
	byRef := m.receive(ob, "2024-04-03", "1000.00", "INV-100")
	byAmount := m.receive(ob, "2024-05-10", "2500.00", "")
	missing := m.receive(ob, "2024-06-01", "400.00", "INV-300")
	outside := m.receive(ob, "2023-12-01", "99.00", "")
	reversed := m.receive(ob, "2024-06-15", "777.00", "INV-400")
	var entryID int64
	m.must(m.svc.DB.Pool.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE receipt_id = $1`, reversed).Scan(&entryID))
	clock := m.now
	m.today("2024-06-20") // the service dates a reversal today
	if _, err := m.svc.Reverse(ctx, audit.Actor{Label: "test"}, ob, entryID, "Recorded twice"); err != nil {
		t.Fatal(err)
	}
	m.now = clock
	count := func() (n int) {
		m.must(m.svc.DB.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM receipts) + (SELECT count(*) FROM ledger_entries)`).Scan(&n))
		return n
	}
	before := count()

	data := []byte("Transaction date,Value,Ref,Customer\n" +
		"03/04/2024,\"£1,200.00\",inv-100,Harbour Homes\n" + // by reference, amount differs
		"2024-05-12,2500,BACS-55,Harbour Homes\n" + // by amount, two days later
		"2024-06-20,650.00,BACS-56,Unknown payer\n" + // not in the ledger
		"2025-01-05,10.00,X,Out of range\n")
	from, to := isoDay("2024-04-01"), isoDay("2024-06-30")
	rec, err := m.svc.ReconcileFinance(ctx, audit.Actor{Label: "test"}, ReconcileInput{FileName: "q1.csv", Data: data, From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Rows != 4 || rec.OutsideRange != 1 || len(rec.Matched) != 2 || len(rec.FinanceOnly) != 1 || len(rec.LedgerOnly) != 1 {
		t.Fatalf("rows %d outside %d matched %d finance-only %d ledger-only %d", rec.Rows, rec.OutsideRange, len(rec.Matched), len(rec.FinanceOnly), len(rec.LedgerOnly))
	}
	if m0 := rec.Matched[0]; m0.Receipt.ID != byRef || m0.By != MatchByReference || !m0.AmountDifference().Equal(pounds("200")) {
		t.Errorf("first match %+v", m0)
	}
	if m1 := rec.Matched[1]; m1.Receipt.ID != byAmount || m1.By != MatchByAmountAndDate || m1.DaysApart() != 2 {
		t.Errorf("second match %+v", m1)
	}
	if rec.LedgerOnly[0].ID != missing || rec.FinanceOnly[0].Row != 4 {
		t.Errorf("unmatched: ledger %+v finance %+v", rec.LedgerOnly, rec.FinanceOnly)
	}
	_ = outside // before the range, so neither matched nor reported

	if count() != before {
		t.Error("reconciliation changed the ledger")
	}
	events, err := audit.ForEntity(ctx, m.svc.DB.Pool, "reconciliation", rec.SHA256, 5)
	if err != nil || len(events) != 1 {
		t.Fatalf("audit events %v (%v)", events, err)
	}
	e := events[0]
	if e.Action != "reconciliation.run" || e.After["file"] != "q1.csv" || e.After["sha256"] != rec.SHA256 || len(rec.SHA256) != 64 ||
		!strings.Contains(e.Summary, "2 matched, 1 only in finance, 1 only in the ledger") {
		t.Errorf("audit event %+v", e)
	}

	// Without a range, the file's own first and last dates are used.
	rec, err = m.svc.ReconcileFinance(ctx, audit.Actor{Label: "test"}, ReconcileInput{FileName: "q1.csv", Data: data})
	if err != nil || !rec.From.Equal(isoDay("2024-04-03")) || !rec.To.Equal(isoDay("2025-01-05")) || rec.OutsideRange != 0 {
		t.Errorf("range %s–%s outside %d (%v)", rec.From, rec.To, rec.OutsideRange, err)
	}

	// Bad input is refused before anything is read or recorded.
	_, err = m.svc.ReconcileFinance(ctx, audit.Actor{Label: "test"}, ReconcileInput{FileName: "empty.csv", From: &to, To: &from})
	var ferrs *forms.Errors
	if !errors.As(err, &ferrs) || ferrs.Get("file") == "" || ferrs.Get("to") == "" {
		t.Errorf("want file and range errors, got %v", err)
	}
	_, err = m.svc.ReconcileFinance(ctx, audit.Actor{Label: "test"}, ReconcileInput{FileName: "bad.csv", Data: []byte("Date,Amount\nsoon,lots\n")})
	var cerrs CSVErrors
	if !errors.As(err, &cerrs) || len(cerrs) != 2 {
		t.Errorf("want two row errors, got %v", err)
	}
	if events, _ := audit.ForEntity(ctx, m.svc.DB.Pool, "reconciliation", rec.SHA256, 5); len(events) != 2 {
		t.Errorf("%d audit events, want 2 (one per successful run)", len(events))
	}
}
