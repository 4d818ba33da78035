package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/store"
)

// demoIndexSource marks the demo's index values: they are invented for the
// demonstration and must never be mistaken for official statistics.
const demoIndexSource = "demo data: fictional values, not official statistics"

var demoIndexValues = []struct {
	series string
	month  time.Time
	value  string
}{
	{"bcis-tpi", *day(2019, 4, 1), "324.0"},
	{"bcis-tpi", *day(2022, 1, 1), "352.0"}, // BCIS is quarterly: the quarter January to March 2022
	{"cpi", *day(2019, 10, 1), "108.3"},
	{"cpi", *day(2022, 1, 1), "114.9"},
	{"cpi", *day(2023, 8, 1), "130.9"},
	{"cpi", *day(2024, 3, 1), "132.2"},
	{"rpi", *day(2021, 9, 1), "304.1"},
	{"rpi", *day(2023, 5, 1), "372.4"},
}

// obligationByClause finds a demo obligation by agreement and clause.
func obligationByClause(ctx context.Context, db *store.DB, agreementRef, clause string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT o.id FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE a.reference = $1 AND o.clause_ref = $2`,
		agreementRef, clause).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo obligation %s %s: %w", agreementRef, clause, err)
	}
	return id, nil
}

// loadDemoLedger gives the demo register its money: indexed invoices,
// payments (one split across two obligations), a project with allocations
// and spend, and money whose spend-by deadline is near.
func loadDemoLedger(ctx context.Context, db *store.DB, now func() time.Time) error {
	var done bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM receipts)`).Scan(&done); err != nil || done {
		return err
	}
	svc := &ledger.Service{DB: db, Now: now}
	for _, iv := range demoIndexValues {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO index_values (series_code, period, value, source) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			iv.series, iv.month, iv.value, demoIndexSource); err != nil {
			return fmt.Errorf("demo index values: %w", err)
		}
	}
	edu, err := obligationByClause(ctx, db, "19/00412/S106", "Sch 3 para 1.1")
	if err != nil {
		return err
	}
	health, err := obligationByClause(ctx, db, "19/00412/S106", "Sch 3 para 4")
	if err != nil {
		return err
	}
	fee, err := obligationByClause(ctx, db, "19/00412/S106", "cl. 9.2")
	if err != nil {
		return err
	}
	transport, err := obligationByClause(ctx, db, "21/01177/S106", "Sch 2 para 1")
	if err != nil {
		return err
	}

	invoice := func(obligationID int64, date, calc *time.Time, ref string) (decimal.Decimal, error) {
		e, err := svc.IssueInvoice(ctx, seedActor, obligationID, ledger.InvoiceInput{Date: date, CalcDate: calc, Reference: ref})
		if err != nil {
			return decimal.Zero, fmt.Errorf("demo invoice %s: %w", ref, err)
		}
		return e.Amount, nil
	}
	eduAmount, err := invoice(edu, day(2022, 3, 10), day(2022, 3, 1), "INV-22-0310")
	if err != nil {
		return err
	}
	healthAmount, err := invoice(health, day(2022, 2, 1), day(2022, 1, 1), "INV-22-0201")
	if err != nil {
		return err
	}
	transportAmount, err := invoice(transport, day(2023, 5, 20), day(2023, 5, 1), "INV-23-0520")
	if err != nil {
		return err
	}
	if _, err := invoice(fee, day(2019, 11, 15), day(2019, 11, 1), "INV-19-1115"); err != nil {
		return err
	}
	playArea, err := obligationByClause(ctx, db, "23/00321/UU", "para 3")
	if err != nil {
		return err
	}
	if _, err := invoice(playArea, day(2024, 3, 15), day(2024, 3, 1), "INV-24-0315"); err != nil {
		return err
	}

	receive := func(date *time.Time, payer, ref string, shares ...ledger.ShareInput) error {
		total := decimal.Zero
		for i := range shares {
			shares[i].Row = i + 1
			total = total.Add(*shares[i].Amount)
		}
		_, err := svc.RecordReceipt(ctx, seedActor, ledger.ReceiptInput{ReceivedOn: date, Payer: payer, FinanceRef: ref, Total: &total, Shares: shares})
		if err != nil {
			return fmt.Errorf("demo receipt %s: %w", ref, err)
		}
		return nil
	}
	feeAmount := decimal.RequireFromString("4500")
	if err := receive(day(2019, 12, 2), "Harbour Homes plc", "AR-19-4410", ledger.ShareInput{ObligationID: fee, Amount: &feeAmount}); err != nil {
		return err
	}
	// One payment split across the education and healthcare contributions.
	if err := receive(day(2022, 2, 14), "Harbour Homes plc", "AR-22-0917",
		ledger.ShareInput{ObligationID: edu, Amount: &eduAmount}, ledger.ShareInput{ObligationID: health, Amount: &healthAmount}); err != nil {
		return err
	}
	partial := transportAmount.Sub(decimal.RequireFromString("25000"))
	if err := receive(day(2023, 6, 30), "Castlegate Living Limited", "AR-23-1288", ledger.ShareInput{ObligationID: transport, Amount: &partial}); err != nil {
		return err
	}

	school, err := svc.CreateProject(ctx, seedActor, ledger.ProjectInput{Name: "Ashford Vale Primary expansion", Description: "Two new classrooms and a hall extension (42 places).",
		ServiceArea: "Education", PurposeCode: "education", ExpectedSpendDate: day(2025, 8, 31), Status: "in-progress",
		DecisionDate: day(2022, 5, 14), DecisionMaker: "cabinet-member", DecisionBy: "Cabinet Member for Education", DecisionReference: "CMD/2022/031"})
	if err != nil {
		return fmt.Errorf("demo project: %w", err)
	}
	bus, err := svc.CreateProject(ctx, seedActor, ledger.ProjectInput{Name: "Station Road bus priority", Description: "Bus lane and signal priority on Station Road.",
		ServiceArea: "Transport Planning", PurposeCode: "transport-and-travel", ExpectedSpendDate: day(2027, 3, 31), Status: "approved",
		DecisionDate: day(2023, 1, 19), DecisionMaker: "committee", DecisionBy: "Planning Committee", DecisionReference: "PC/2023/007"})
	if err != nil {
		return fmt.Errorf("demo project: %w", err)
	}
	if _, err := svc.AllocateToProject(ctx, seedActor, school.ID, edu, decimal.RequireFromString("500000"), *day(2022, 6, 1), "Cabinet approval 14 May 2022", ""); err != nil {
		return fmt.Errorf("demo allocation: %w", err)
	}
	if _, err := svc.SpendOnProject(ctx, seedActor, school.ID, decimal.RequireFromString("320000"), *day(2023, 9, 29), "Contractor valuation 4, certificate AVP-004", "PO-77120"); err != nil {
		return fmt.Errorf("demo spend: %w", err)
	}
	if _, err := svc.AllocateToProject(ctx, seedActor, bus.ID, transport, decimal.RequireFromString("150000"), *day(2024, 2, 1), "Transport capital programme 2024/25", ""); err != nil {
		return fmt.Errorf("demo allocation: %w", err)
	}
	return nil
}
