package ledger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/agreements"
	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/testdb"
)

var actor = audit.Actor{Label: "test"}

// fixture is a database with one agreement signed 1 May 2019 and helpers
// to add obligations to it.
type fixture struct {
	t           *testing.T
	svc         *Service
	register    *agreements.Service
	agreementID int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testdb.New(t)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f := &fixture{t: t, svc: &Service{DB: db, Now: func() time.Time { return now }}}
	f.register = &agreements.Service{DB: db, Now: f.svc.Now}
	ctx, actor := context.Background(), audit.Actor{Label: "test"}
	dev, err := f.register.RecordDevelopment(ctx, actor, agreements.DevelopmentInput{Name: "Mill Lane"})
	if err != nil {
		t.Fatal(err)
	}
	signed := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	ag, err := f.register.RecordAgreement(ctx, actor, agreements.AgreementInput{Reference: "19/00412/S106", DevelopmentID: dev.ID,
		Type: string(agreements.TypeS106), Status: string(agreements.StatusLive), DateSigned: &signed})
	if err != nil {
		t.Fatal(err)
	}
	f.agreementID = ag.ID
	return f
}

// obligation adds a financial obligation, through the register's service;
// series "" means not indexed, spendBy 0 no spend-by period.
func (f *fixture) obligation(purpose, base, series string, spendBy int) int64 {
	f.t.Helper()
	baseDate, days := time.Date(2019, 4, 1, 0, 0, 0, 0, time.UTC), 28
	in := agreements.ObligationInput{Kind: "financial", PurposeCode: purpose, Description: "Pay a contribution", BaseAmount: amt(base),
		Index: series, BaseDate: &baseDate, PaymentDueDays: &days, PaymentDueFrom: "invoice"}
	if spendBy > 0 {
		in.SpendByMonths = &spendBy
	}
	o, err := f.register.RecordObligation(context.Background(), audit.Actor{Label: "test"}, f.agreementID, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return o.ID
}

func (f *fixture) triggerMet(obligationID int64, day string) {
	f.t.Helper()
	if _, err := f.register.RecordEvent(context.Background(), audit.Actor{Label: "test"}, obligationID, agreements.EventInput{
		Kind: agreements.EventTriggerMet, Date: on(day), Evidence: "notice"}); err != nil {
		f.t.Fatal(err)
	}
}

func amt(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
func on(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func (f *fixture) receive(date, total string, shares ...ShareInput) Receipt {
	f.t.Helper()
	r, err := f.svc.RecordReceipt(context.Background(), actor, ReceiptInput{ReceivedOn: on(date), Payer: "Harbour Homes plc", FinanceRef: "FIN-" + date, Total: amt(total), Shares: shares})
	if err != nil {
		f.t.Fatalf("record receipt: %v", err)
	}
	return r
}

func share(row int, obligationID int64, amount string) ShareInput {
	return ShareInput{Row: row, ObligationID: obligationID, Amount: amt(amount)}
}

func (f *fixture) balances(obligationID int64) Balances {
	f.t.Helper()
	b, err := balancesOf(context.Background(), f.svc.DB.Pool, obligationID)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) status(obligationID int64) string {
	f.t.Helper()
	var s string
	if err := f.svc.DB.Pool.QueryRow(context.Background(), `SELECT status FROM obligation_status WHERE obligation_id = $1`, obligationID).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func TestReceiptSplitAcrossObligationsMustSumToTheTotal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	edu := f.obligation("education", "287500", "", 120)
	health := f.obligation("health", "96400", "", 60)

	_, err := f.svc.RecordReceipt(context.Background(), actor, ReceiptInput{ReceivedOn: on("2024-06-03"), Payer: "Harbour Homes plc", Total: amt("300000"),
		Shares: []ShareInput{share(1, edu, "200000"), share(2, health, "96400")}})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("shares") != "The shares add up to £296,400.00 but the payment is £300,000.00: they must be equal" {
		t.Fatalf("want a split-sum message, got %v", err)
	}

	r := f.receive("2024-06-03", "296400", share(1, edu, "200000"), share(2, health, "96400"))
	if len(r.Shares) != 2 || !r.Total.Equal(decimal.RequireFromString("296400")) {
		t.Fatalf("receipt %+v", r)
	}
	if b := f.balances(edu); !b.Received.Equal(decimal.RequireFromString("200000")) {
		t.Fatalf("education received %s", b.Received)
	}
	if f.status(edu) != "paid" {
		t.Fatalf("education status %s, want paid", f.status(edu))
	}
}

func TestReceiptValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	edu := f.obligation("education", "287500", "", 120)
	w, err := f.register.RecordObligation(context.Background(), actor, f.agreementID, agreements.ObligationInput{Kind: "works-in-kind", PurposeCode: "highways", Description: "junction"})
	if err != nil {
		t.Fatal(err)
	}
	works := w.ID
	cases := []struct {
		name  string
		in    ReceiptInput
		field string
		msg   string
	}{
		{"no date", ReceiptInput{Payer: "x", Total: amt("1"), Shares: []ShareInput{share(1, edu, "1")}}, "received_on", "Enter the date the payment was received"},
		{"future", ReceiptInput{ReceivedOn: on("2027-01-01"), Payer: "x", Total: amt("1"), Shares: []ShareInput{share(1, edu, "1")}}, "received_on", "The date received must be today or in the past"},
		{"no payer", ReceiptInput{ReceivedOn: on("2024-01-01"), Total: amt("1"), Shares: []ShareInput{share(1, edu, "1")}}, "payer", "Enter who paid"},
		{"no shares", ReceiptInput{ReceivedOn: on("2024-01-01"), Payer: "x", Total: amt("1")}, "share-1-obligation", "Choose at least one obligation the payment is for"},
		{"amount without obligation", ReceiptInput{ReceivedOn: on("2024-01-01"), Payer: "x", Total: amt("1"), Shares: []ShareInput{{Row: 2, Amount: amt("1")}}}, "share-2-obligation", "Row 2: choose the obligation this amount pays"},
		{"same obligation twice", ReceiptInput{ReceivedOn: on("2024-01-01"), Payer: "x", Total: amt("2"), Shares: []ShareInput{share(1, edu, "1"), share(3, edu, "1")}}, "share-3-obligation", "Row 3: this obligation is already on row 1; put its whole share on one row"},
		{"works in kind", ReceiptInput{ReceivedOn: on("2024-01-01"), Payer: "x", Total: amt("1"), Shares: []ShareInput{share(1, works, "1")}}, "share-1-obligation", "Row 1: only financial contributions and monitoring fees receive money"},
		{"unknown obligation", ReceiptInput{ReceivedOn: on("2024-01-01"), Payer: "x", Total: amt("1"), Shares: []ShareInput{share(1, 999999, "1")}}, "share-1-obligation", "Row 1: choose an obligation from the list"},
	}
	for _, c := range cases {
		_, err := f.svc.RecordReceipt(context.Background(), actor, c.in)
		var errs *forms.Errors
		if !errors.As(err, &errs) || errs.Get(c.field) != c.msg {
			t.Errorf("%s: got %v, want %s: %q", c.name, err, c.field, c.msg)
		}
	}
	var n int
	_ = f.svc.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM receipts`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d receipts written by invalid input", n)
	}
}

func TestDatabaseRefusesASplitThatDoesNotSumEvenIfGoIsBypassed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	edu := f.obligation("education", "287500", "", 120)
	ctx := context.Background()
	tx, err := f.svc.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// SQL on purpose throughout: the database's own constraints, Go bypassed.
	var rid int64
	_ = tx.QueryRow(ctx, `INSERT INTO receipts (received_on, payer, total) VALUES ('2024-01-01', 'x', 100) RETURNING id`).Scan(&rid)
	_, _ = tx.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id) VALUES ($1, 'receipt', '2024-01-01', 90, $2)`, edu, rid)
	if err := tx.Commit(ctx); err == nil {
		t.Fatal("a receipt split into 90 of 100 was committed")
	}
	if _, err := f.svc.DB.Pool.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, receipt_id) VALUES ($1, 'invoice', '2024-01-01', -5, NULL)`, edu); err == nil {
		t.Fatal("a negative amount was accepted")
	}
	f.receive("2024-01-02", "100", share(1, edu, "100"))
	if _, err := f.svc.DB.Pool.Exec(ctx, `UPDATE receipts SET total = 1`); err == nil {
		t.Fatal("a receipt could be updated")
	}
	if _, err := f.svc.DB.Pool.Exec(ctx, `DELETE FROM ledger_entries`); err == nil {
		t.Fatal("ledger entries could be deleted")
	}
}

func TestIndexedInvoiceShowsTheIndexValuesUsed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	edu := f.obligation("education", "287500", "bcis-tpi", 120)
	if _, err := f.svc.IssueInvoice(ctx, actor, edu, InvoiceInput{Date: on("2024-06-01"), CalcDate: on("2024-05-01"), Reference: "INV-1"}); err == nil {
		t.Fatal("invoiced before the trigger was met")
	}
	f.triggerMet(edu, "2024-05-20")
	_, err := f.svc.IssueInvoice(ctx, actor, edu, InvoiceInput{Date: on("2024-06-01"), CalcDate: on("2024-05-01"), Reference: "INV-1"})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("calc_date") != "There is no BCIS All-in Tender Price Index value for the quarter April to June 2019: enter it on the index series page first" {
		t.Fatalf("missing index: %v", err)
	}
	// BCIS is quarterly: May 2024 indexes to the quarter April to June 2024,
	// whose value is still provisional.
	for _, v := range []struct{ month, value, status string }{{"2019-04-01", "324.0", ""}, {"2024-04-01", "391.7", "provisional"}} {
		if _, err := f.svc.RecordIndexValue(ctx, actor, "bcis-tpi", *on(v.month), decimal.RequireFromString(v.value), v.status); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := f.svc.IssueInvoice(ctx, actor, edu, InvoiceInput{Date: on("2024-06-01"), CalcDate: on("2024-05-17"), Reference: "INV-1"})
	if err != nil {
		t.Fatal(err)
	}
	// 287,500 × 391.7 ÷ 324.0 = 347,573.302… → £347,573.30
	if inv.Amount.StringFixed(2) != "347573.30" || inv.BaseIndexValue.String() != "324" || inv.CalcIndexValue.String() != "391.7" ||
		inv.CalcIndexDate.Format("2006-01-02") != "2024-04-01" || inv.CalcIndexStatus != "provisional" || inv.DueDate.Format("2006-01-02") != "2024-06-29" {
		t.Fatalf("invoice %+v", inv)
	}
	if f.status(edu) != "invoiced" {
		t.Fatalf("status %s, want invoiced", f.status(edu))
	}
	// An override needs a reason, and keeps the calculation beside it.
	_, err = f.svc.IssueInvoice(ctx, actor, edu, InvoiceInput{Date: on("2024-06-02"), CalcDate: on("2024-05-01"), Reference: "INV-2", Override: amt("347000")})
	if !errors.As(err, &errs) || errs.Get("override_reason") == "" {
		t.Fatalf("override without reason: %v", err)
	}
	inv2, err := f.svc.IssueInvoice(ctx, actor, edu, InvoiceInput{Date: on("2024-06-02"), CalcDate: on("2024-05-01"), Reference: "INV-2", Override: amt("347000"), OverrideReason: "Agreed with developer's surveyor"})
	if err != nil || inv2.Amount.StringFixed(2) != "347000.00" || inv2.CalculatedAmount.StringFixed(2) != "347573.30" {
		t.Fatalf("override: %v %+v", err, inv2)
	}
	// Part payment then full payment drive the status.
	f.receive("2024-07-01", "100000", share(1, edu, "100000"))
	if f.status(edu) != "part-paid" {
		t.Fatalf("status %s, want part-paid", f.status(edu))
	}
}

func TestReturnOnlyOfUnallocatedMoneyWithInterestShownSeparately(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	edu := f.obligation("education", "100000", "", 60)
	f.receive("2019-06-01", "100000", share(1, edu, "100000"))
	_, err := f.svc.RecordReturn(ctx, actor, edu, ReturnInput{Date: on("2025-06-02"), Amount: amt("100000.01"), Reason: "clawback"})
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("amount") != "Only £100,000.00 of this obligation's money is received and not allocated; de-allocate money from projects before returning it" {
		t.Fatalf("over-return: %v", err)
	}
	e, err := f.svc.RecordReturn(ctx, actor, edu, ReturnInput{Date: on("2025-06-02"), Amount: amt("100000"), Interest: amt("8250.40"), Reason: "Clawback: not spent within 5 years", Reference: "PAY-77"})
	if err != nil || e.Interest.StringFixed(2) != "8250.40" {
		t.Fatalf("return: %v %+v", err, e)
	}
	b := f.balances(edu)
	if !b.Returned.Equal(decimal.RequireFromString("100000")) || b.InterestPaid.StringFixed(2) != "8250.40" || !b.Held().IsZero() {
		t.Fatalf("balances %+v", b)
	}
	if f.status(edu) != "returned" {
		t.Fatalf("status %s, want returned", f.status(edu))
	}
}

func TestReversingAPaymentReversesAllItsSharesAndKeepsThemVisible(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	edu := f.obligation("education", "100000", "", 60)
	health := f.obligation("health", "50000", "", 60)
	r := f.receive("2024-01-10", "150000", share(1, edu, "100000"), share(2, health, "50000"))
	if _, err := f.svc.Reverse(ctx, actor, edu, r.Shares[0].EntryID, ""); err == nil {
		t.Fatal("reversal without a reason")
	}
	revs, err := f.svc.Reverse(ctx, actor, edu, r.Shares[0].EntryID, "Keyed against the wrong development")
	if err != nil || len(revs) != 2 {
		t.Fatalf("reverse: %v (%d reversals)", err, len(revs))
	}
	for _, id := range []int64{edu, health} {
		if b := f.balances(id); !b.Received.IsZero() {
			t.Errorf("obligation %d still shows %s received", id, b.Received)
		}
	}
	l, _ := f.svc.Ledger(ctx, edu)
	if len(l.Lines) != 2 || l.Lines[0].ReversedByID == nil || l.Lines[1].Kind != KindReversal || !l.Lines[1].After.Received.IsZero() {
		t.Fatalf("ledger lines %+v", l.Lines)
	}
	if _, err := f.svc.Reverse(ctx, actor, edu, r.Shares[0].EntryID, "again"); err == nil {
		t.Fatal("reversed twice")
	}
	if _, err := f.svc.Reverse(ctx, actor, edu, revs[0].ID, "undo"); err == nil {
		t.Fatal("reversed a reversal")
	}
	got, _ := f.svc.GetReceipt(ctx, r.ID)
	if !got.Reversed {
		t.Fatal("the receipt should read as reversed")
	}
}

func TestReversalCannotLeaveMoreAllocatedThanReceived(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	edu := f.obligation("education", "100000", "", 60)
	r := f.receive("2024-01-10", "100000", share(1, edu, "100000"))
	p, err := f.svc.CreateProject(ctx, actor, ProjectInput{Name: "School extension", PurposeCode: "education", Status: "approved",
		DecisionDate: on("2024-01-15"), DecisionMaker: "committee", DecisionReference: "PC/2024/001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AllocateToProject(ctx, actor, p.ID, edu, decimal.RequireFromString("60000"), *on("2024-02-01"), "", ""); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Reverse(ctx, actor, edu, r.Shares[0].EntryID, "wrong")
	var errs *forms.Errors
	if !errors.As(err, &errs) || errs.Get("reason") == "" {
		t.Fatalf("reversing an allocated receipt: %v", err)
	}
	if b := f.balances(edu); !b.Received.Equal(decimal.RequireFromString("100000")) {
		t.Fatal("the refused reversal changed the balance")
	}
}

func TestConcurrentReturnsThatWouldOverdrawOnlyOneCommits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	edu := f.obligation("education", "100000", "", 60)
	f.receive("2024-01-10", "100000", share(1, edu, "100000"))
	// Bypass Go's check: two raw transactions each return 60,000.
	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tx, err := f.svc.DB.Pool.Begin(ctx)
			if err != nil {
				results[i] = err
				return
			}
			<-start
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (obligation_id, kind, entry_date, amount, interest) VALUES ($1, 'return', '2025-01-01', 60000, 0)`, edu); err != nil {
				_ = tx.Rollback(ctx)
				results[i] = err
				return
			}
			results[i] = tx.Commit(ctx)
		}(i)
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 2 overdrawing returns committed (%v)", ok, results)
	}
	if b := f.balances(edu); !b.Returned.Equal(decimal.RequireFromString("60000")) {
		t.Fatalf("returned %s", b.Returned)
	}
}

func TestRunningBalancesIgnoreReversedEntries(t *testing.T) {
	t.Parallel()
	rev := int64(9)
	lines := RunningBalances([]Entry{
		{ID: 1, Kind: KindInvoice, Amount: decimal.RequireFromString("100")},
		{ID: 2, Kind: KindReceipt, Amount: decimal.RequireFromString("100")},
		{ID: 3, Kind: KindAllocation, Amount: decimal.RequireFromString("80")},
		{ID: 4, Kind: KindSpend, Amount: decimal.RequireFromString("50"), ReversedByID: &rev},
		{ID: 5, Kind: KindDeallocation, Amount: decimal.RequireFromString("30")},
		{ID: 6, Kind: KindReturn, Amount: decimal.RequireFromString("10"), Interest: amt("1.50")},
		{ID: 9, Kind: KindReversal, Amount: decimal.RequireFromString("50")},
	})
	last := lines[len(lines)-1].After
	if !last.Spent.IsZero() || last.Allocated.String() != "50" || last.Held().String() != "90" || last.InterestPaid.StringFixed(2) != "1.50" {
		t.Fatalf("after all: %+v held %s", last, last.Held())
	}
}
