package ledger

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// InvoiceTerms are the obligation terms an invoice is calculated from.
type InvoiceTerms struct {
	ObligationID   int64
	Kind           string
	BaseAmount     *decimal.Decimal
	IndexSeries    string
	BaseDate       *time.Time
	BaseIndexValue *decimal.Decimal
	PaymentDueDays *int
	PaymentDueFrom string
	TriggerMetOn   *time.Time
}

// Calculation is how an invoice amount is worked out.
type Calculation struct {
	BaseAmount     decimal.Decimal
	IndexSeries    string // "" when not index-linked
	BaseIndexDate  *time.Time
	BaseIndexValue decimal.Decimal
	CalcIndexDate  time.Time
	CalcIndexValue decimal.Decimal
	// CalcIndexStatus is how final the value indexed to was: forecast,
	// provisional or firm (BCIS values firm up over time).
	CalcIndexStatus string
	Amount          decimal.Decimal
}

// Indexed reports whether the calculation used an index.
func (c Calculation) Indexed() bool { return c.IndexSeries != "" }

// Calculate works out the indexed amount of an obligation for the index
// month containing calcDate: base × index(calc) ÷ index(base). A missing
// index value is a *MissingIndexError.
func (s *Service) Calculate(ctx context.Context, obligationID int64, calcDate time.Time) (Calculation, error) {
	terms, err := invoiceTerms(ctx, s.DB.Pool, obligationID)
	if err != nil {
		return Calculation{}, err
	}
	return calculate(ctx, s.DB.Pool, terms, calcDate)
}

func calculate(ctx context.Context, q store.Querier, t InvoiceTerms, calcDate time.Time) (Calculation, error) {
	if t.BaseAmount == nil {
		return Calculation{}, errors.New("the obligation has no base amount: record it on the obligation first")
	}
	c := Calculation{BaseAmount: *t.BaseAmount, Amount: *t.BaseAmount, CalcIndexDate: MonthOf(calcDate)}
	if t.IndexSeries == "" {
		return c, nil
	}
	c.IndexSeries = t.IndexSeries
	if t.BaseIndexValue != nil {
		c.BaseIndexValue = *t.BaseIndexValue
	} else {
		if t.BaseDate == nil {
			return c, errors.New("the obligation has no base date or base index value for indexation")
		}
		base, err := ReadIndex(ctx, q, t.IndexSeries, *t.BaseDate)
		c.BaseIndexDate = &base.Period
		if err != nil {
			return c, err
		}
		c.BaseIndexValue = base.Value
	}
	// Never index to a period before the base date: the deed indexes from it.
	if t.BaseDate != nil && calcDate.Before(*t.BaseDate) {
		calcDate = *t.BaseDate
	}
	calc, err := ReadIndex(ctx, q, t.IndexSeries, calcDate)
	c.CalcIndexDate = calc.Period
	if err != nil {
		return c, err
	}
	c.CalcIndexValue, c.CalcIndexStatus = calc.Value, calc.Status
	c.Amount = IndexedAmount(c.BaseAmount, c.BaseIndexValue, c.CalcIndexValue)
	return c, nil
}

// InvoiceInput is what an officer confirms when issuing an invoice.
type InvoiceInput struct {
	Date           *time.Time       // the invoice date
	CalcDate       *time.Time       // any day in the index month to calculate at
	Override       *decimal.Decimal // an amount other than the calculated one
	OverrideReason string
	Reference      string // the council's invoice number
	Note           string
}

// IssueInvoice records an invoice with its calculated (or overridden, with
// a reason) amount and the index values used.
func (s *Service) IssueInvoice(ctx context.Context, actor audit.Actor, obligationID int64, in InvoiceInput) (Entry, error) {
	errs := &forms.Errors{}
	in.OverrideReason, in.Reference, in.Note = strings.TrimSpace(in.OverrideReason), strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	if in.Date == nil {
		errs.Add("date", "Enter the invoice date")
	} else if in.Date.After(s.Today()) {
		errs.Add("date", "The invoice date must be today or in the past")
	}
	if in.CalcDate == nil {
		errs.Add("calc_date", "Enter the month to index to")
	}
	if in.Reference == "" {
		errs.Add("reference", "Enter the invoice number")
	}
	if in.Override != nil && in.OverrideReason == "" {
		errs.Add("override_reason", "Say why the invoice is not for the calculated amount")
	}
	var id int64
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		if err := lockObligation(ctx, tx, obligationID); err != nil {
			return err
		}
		terms, err := invoiceTerms(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if terms.Kind != "financial" && terms.Kind != "monitoring-fee" {
			errs.Add("date", "Only financial contributions and monitoring fees are invoiced")
			return errs
		}
		if terms.TriggerMetOn == nil {
			errs.Add("date", "Record that the trigger was met before issuing an invoice")
		}
		if errs.Any() {
			return errs
		}
		calc, err := calculate(ctx, tx, terms, *in.CalcDate)
		var missing *MissingIndexError
		if errors.As(err, &missing) {
			errs.Add("calc_date", missing.Error())
			return errs
		} else if err != nil {
			errs.Add("calc_date", err.Error())
			return errs
		}
		e := Entry{ObligationID: obligationID, Kind: KindInvoice, Date: *in.Date, Amount: calc.Amount, Reference: in.Reference, Note: in.Note,
			BaseAmount: &calc.BaseAmount}
		if calc.Indexed() {
			e.IndexSeries, e.BaseIndexDate, e.BaseIndexValue = calc.IndexSeries, calc.BaseIndexDate, &calc.BaseIndexValue
			e.CalcIndexDate, e.CalcIndexValue, e.CalcIndexStatus = &calc.CalcIndexDate, &calc.CalcIndexValue, calc.CalcIndexStatus
		}
		calculated := calc.Amount
		e.CalculatedAmount = &calculated
		if in.Override != nil && !in.Override.Equal(calc.Amount) {
			e.Amount, e.OverrideReason = *in.Override, in.OverrideReason
		}
		if terms.PaymentDueDays != nil {
			from := in.Date
			if terms.PaymentDueFrom == "trigger" {
				from = terms.TriggerMetOn
			}
			due := from.AddDate(0, 0, *terms.PaymentDueDays)
			e.DueDate = &due
		}
		if id, err = insertEntry(ctx, tx, e, actor.UserID); err != nil {
			return err
		}
		after := map[string]any{"invoice": in.Reference, "amount": e.Amount.StringFixed(2), "calculated": calc.Amount.StringFixed(2), "date": in.Date.Format("2006-01-02")}
		summary := "Invoiced " + money.Format(e.Amount) + " (" + in.Reference + ")"
		if calc.Indexed() {
			after["index"] = calc.IndexSeries + " " + calc.BaseIndexValue.String() + " → " + calc.CalcIndexValue.String()
		}
		if e.OverrideReason != "" {
			after["override reason"] = e.OverrideReason
			summary += ", overriding the calculated " + money.Format(calc.Amount)
		}
		return audit.Record(ctx, tx, actor, "ledger.invoice", "obligation", strconv.FormatInt(obligationID, 10), summary, nil, after)
	})
	if err != nil {
		return Entry{}, err
	}
	return entryByID(ctx, s.DB.Pool, id)
}
