package dashboard

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/ledger"
)

// ReportHorizonMonths is how far ahead the at-risk report looks.
const ReportHorizonMonths = 18

// Quarter is a financial-year quarter: Q1 is April to June, Q4 January to
// March of the next calendar year.
type Quarter struct {
	Year FinancialYear
	Q    int // 1 to 4
}

// QuarterOf is the quarter a date falls in.
func QuarterOf(t time.Time) Quarter {
	y := FinancialYearOf(t)
	months := (t.Year()-int(y))*12 + int(t.Month()) - int(time.April)
	return Quarter{Year: y, Q: months/3 + 1}
}

// Start is the quarter's first day.
func (q Quarter) Start() time.Time { return ledger.AddMonths(q.Year.Start(), (q.Q-1)*3) }

// End is the quarter's last day.
func (q Quarter) End() time.Time { return ledger.AddMonths(q.Start(), 3).AddDate(0, 0, -1) }

// Previous is the quarter before.
func (q Quarter) Previous() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// String is the form the query string takes: "2026-Q3".
func (q Quarter) String() string { return fmt.Sprintf("%d-Q%d", int(q.Year), q.Q) }

// Label is "Q3 2026 to 2027 (October to December 2026)".
func (q Quarter) Label() string {
	return fmt.Sprintf("Q%d %s (%s to %s)", q.Q, q.Year.Label(), q.Start().Format("January"), q.End().Format("January 2006"))
}

var quarterPattern = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)

// ParseQuarter reads "2026-Q3" (financial year 2026 to 2027, October to
// December 2026).
func ParseQuarter(s string) (Quarter, bool) {
	m := quarterPattern.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, false
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	if y < 1990 || y > 2200 {
		return Quarter{}, false
	}
	return Quarter{Year: FinancialYear(y), Q: q}, true
}

// ParamError is a report option that cannot be used: the query parameter
// and what is wrong with it.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// ReportOptions choose the period of a report's actions: a quarter
// ("2026-Q3"; by default the quarter just ended) or a date since which
// everything counts (YYYY-MM-DD, up to today). Since wins when both are
// given.
type ReportOptions struct {
	Quarter string
	Since   string
}

// DueItem is a receipt share with money unspent whose deadline is within
// the report's horizon (or already passed).
type DueItem struct {
	ledger.Share
	RAG                ledger.RAG
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	Description        string
	PurposeName        string
	ServiceArea        string
	Payer              string
}

// Action is an allocation, de-allocation or spend in the report period.
type Action struct {
	EntryID            int64
	Kind               ledger.EntryKind
	Date               time.Time
	Amount             decimal.Decimal
	ObligationID       int64
	ProjectID          int64
	ProjectName        string
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	PurposeName        string
	Reference          string
	Note               string // the evidence of a spend, the note of an allocation
}

// Clawback is money returned to the developer because it was not spent in
// time (a return whose reason mentions clawback).
type Clawback struct {
	EntryID            int64
	Date               time.Time
	Amount             decimal.Decimal
	Interest           decimal.Decimal
	ObligationID       int64
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	PurposeName        string
	Reference          string
	Reason             string
}

// Report is the quarterly at-risk report.
type Report struct {
	Today   time.Time
	Horizon time.Time // today + 18 months
	Quarter Quarter   // the quarter chosen (or just ended)
	// From and To bound the actions and clawbacks reported.
	From, To  time.Time
	SinceDate bool // From was chosen as a date rather than a quarter
	Due       []DueItem
	Actions   []Action
	Clawbacks []Clawback
	// Totals of the sections.
	DueUnspent, OverdueUnspent, Allocated, Spent, ClawedBack decimal.Decimal
}

// Overdue are the due items already past their deadline: the money the
// developer may now ask back.
func (r Report) Overdue() []DueItem {
	var out []DueItem
	for _, d := range r.Due {
		if d.RAG == ledger.RAGOverdue {
			out = append(out, d)
		}
	}
	return out
}

// AtRiskReport builds the report. A bad option is a *ParamError.
func (s *Service) AtRiskReport(ctx context.Context, opts ReportOptions) (Report, error) {
	today := s.Ledger.Today()
	r := Report{Today: today, Horizon: ledger.AddMonths(today, ReportHorizonMonths), Quarter: QuarterOf(today).Previous()}
	if opts.Quarter != "" {
		q, ok := ParseQuarter(opts.Quarter)
		if !ok {
			return r, &ParamError{Param: "quarter", Message: "The quarter must be a financial year and quarter, like " + QuarterOf(today).Previous().String() +
				" (Q1 is April to June, Q4 is January to March)"}
		}
		if q.Start().After(today) {
			return r, &ParamError{Param: "quarter", Message: "The quarter " + q.String() + " has not started yet"}
		}
		r.Quarter = q
	}
	r.From, r.To = r.Quarter.Start(), r.Quarter.End()
	if opts.Since != "" {
		since, err := time.Parse("2006-01-02", opts.Since)
		switch {
		case err != nil:
			return r, &ParamError{Param: "since", Message: "The date since must be a real date written as year-month-day, like 2026-04-01"}
		case since.After(today):
			return r, &ParamError{Param: "since", Message: "The date since must be today or in the past"}
		}
		r.From, r.To, r.SinceDate = since, today, true
	}
	var err error
	if r.Due, err = s.dueItems(ctx, today, r.Horizon); err != nil {
		return r, err
	}
	if r.Actions, err = s.actions(ctx, r.From, r.To); err != nil {
		return r, err
	}
	if r.Clawbacks, err = s.clawbacks(ctx, r.From, r.To); err != nil {
		return r, err
	}
	for _, d := range r.Due {
		r.DueUnspent = r.DueUnspent.Add(d.Unspent)
		if d.RAG == ledger.RAGOverdue {
			r.OverdueUnspent = r.OverdueUnspent.Add(d.Unspent)
		}
	}
	for _, a := range r.Actions {
		switch a.Kind {
		case ledger.KindAllocation:
			r.Allocated = r.Allocated.Add(a.Amount)
		case ledger.KindDeallocation:
			r.Allocated = r.Allocated.Sub(a.Amount)
		case ledger.KindSpend:
			r.Spent = r.Spent.Add(a.Amount)
		}
	}
	for _, c := range r.Clawbacks {
		r.ClawedBack = r.ClawedBack.Add(c.Amount)
	}
	return r, nil
}

func (s *Service) dueItems(ctx context.Context, today, horizon time.Time) ([]DueItem, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT s.entry_id, s.obligation_id, s.receipt_id, s.received_on, s.amount, s.deadline, s.unallocated, s.unspent, s.returned,
		       a.id, a.reference, d.name, o.clause_ref, o.description, pu.name, o.service_area, r.payer
		FROM receipt_share_balances s
		JOIN receipts r ON r.id = s.receipt_id
		JOIN obligations o ON o.id = s.obligation_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		WHERE s.unspent > 0 AND s.deadline <= $1
		ORDER BY s.deadline, s.received_on, s.entry_id`, horizon)
	if err != nil {
		return nil, fmt.Errorf("at-risk report due: %w", err)
	}
	defer rows.Close()
	var out []DueItem
	for rows.Next() {
		var d DueItem
		if err := rows.Scan(&d.EntryID, &d.ObligationID, &d.ReceiptID, &d.ReceivedOn, &d.Amount, &d.Deadline, &d.Unallocated, &d.Unspent, &d.Returned,
			&d.AgreementID, &d.AgreementReference, &d.DevelopmentName, &d.ClauseRef, &d.Description, &d.PurposeName, &d.ServiceArea, &d.Payer); err != nil {
			return nil, fmt.Errorf("at-risk report due: %w", err)
		}
		d.RAG = ledger.RateShare(d.Deadline, today, d.Unspent, d.Unallocated)
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Service) actions(ctx context.Context, from, to time.Time) ([]Action, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT e.id, e.kind, e.entry_date, e.amount, e.obligation_id, p.id, p.name, a.id, a.reference, d.name, o.clause_ref, pu.name,
		       e.reference, CASE WHEN e.kind = 'spend' THEN e.evidence ELSE e.note END
		FROM ledger_effective e
		JOIN projects p ON p.id = e.project_id
		JOIN obligations o ON o.id = e.obligation_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		WHERE e.kind IN ('allocation', 'deallocation', 'spend') AND e.entry_date BETWEEN $1 AND $2
		ORDER BY e.entry_date, e.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("at-risk report actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		var kind string
		if err := rows.Scan(&a.EntryID, &kind, &a.Date, &a.Amount, &a.ObligationID, &a.ProjectID, &a.ProjectName, &a.AgreementID, &a.AgreementReference,
			&a.DevelopmentName, &a.ClauseRef, &a.PurposeName, &a.Reference, &a.Note); err != nil {
			return nil, fmt.Errorf("at-risk report actions: %w", err)
		}
		a.Kind = ledger.EntryKind(kind)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Service) clawbacks(ctx context.Context, from, to time.Time) ([]Clawback, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT e.id, e.entry_date, e.amount, coalesce(e.interest, 0), e.obligation_id, a.id, a.reference, d.name, o.clause_ref, pu.name,
		       e.reference, e.note
		FROM ledger_effective e
		JOIN obligations o ON o.id = e.obligation_id
		JOIN contribution_purposes pu ON pu.code = o.purpose_code
		JOIN agreements a ON a.id = o.agreement_id
		JOIN developments d ON d.id = a.development_id
		WHERE e.kind = 'return' AND e.note ILIKE '%clawback%' AND e.entry_date BETWEEN $1 AND $2
		ORDER BY e.entry_date, e.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("at-risk report clawbacks: %w", err)
	}
	defer rows.Close()
	var out []Clawback
	for rows.Next() {
		var c Clawback
		if err := rows.Scan(&c.EntryID, &c.Date, &c.Amount, &c.Interest, &c.ObligationID, &c.AgreementID, &c.AgreementReference,
			&c.DevelopmentName, &c.ClauseRef, &c.PurposeName, &c.Reference, &c.Reason); err != nil {
			return nil, fmt.Errorf("at-risk report clawbacks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
