package ledger

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/money"
)

// ReturnInput is money paid back to the developer: a clawback of money not
// spent in time, or an overpayment.
type ReturnInput struct {
	Date      *time.Time
	Amount    *decimal.Decimal
	Interest  *decimal.Decimal // interest paid on top, shown separately
	Reference string
	Reason    string
}

// RecordReturn records money returned to the developer. Only money that is
// received and not allocated can be returned (de-allocate it first).
func (s *Service) RecordReturn(ctx context.Context, actor audit.Actor, obligationID int64, in ReturnInput) (Entry, error) {
	errs := &forms.Errors{}
	in.Reference, in.Reason = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Reason)
	if in.Date == nil {
		errs.Add("date", "Enter the date the money was returned")
	} else if in.Date.After(s.Today()) {
		errs.Add("date", "The date must be today or in the past")
	}
	if in.Amount == nil && errs.Get("amount") == "" {
		errs.Add("amount", "Enter the amount returned")
	}
	if in.Reason == "" {
		errs.Add("reason", "Say why the money is being returned, for example “clawback: not spent by the deadline”")
	}
	var id int64
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		if err := lockObligation(ctx, tx, obligationID); err != nil {
			return err
		}
		kind, err := obligationKind(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if kind != "financial" && kind != "monitoring-fee" {
			errs.Add("amount", "Only money received for a financial contribution or monitoring fee can be returned")
		}
		if errs.Any() {
			return errs
		}
		b, err := balancesOf(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		if avail := b.Unallocated(); in.Amount.GreaterThan(avail) {
			errs.Add("amount", "Only "+money.Format(avail)+" of this obligation's money is received and not allocated; de-allocate money from projects before returning it")
			return errs
		}
		interest := in.Interest
		if interest != nil && interest.IsZero() {
			interest = nil
		}
		if interest == nil {
			zero := decimal.Zero
			interest = &zero
		}
		if id, err = insertEntry(ctx, tx, Entry{ObligationID: obligationID, Kind: KindReturn, Date: *in.Date, Amount: *in.Amount,
			Interest: interest, Reference: in.Reference, Note: in.Reason}, actor.UserID); err != nil {
			return err
		}
		summary := "Returned " + money.Format(*in.Amount) + " to the developer"
		if interest.IsPositive() {
			summary += " with " + money.Format(*interest) + " interest"
		}
		return audit.Record(ctx, tx, actor, "ledger.return", "obligation", strconv.FormatInt(obligationID, 10), summary, nil,
			map[string]any{"amount": in.Amount.StringFixed(2), "interest": interest.StringFixed(2), "date": in.Date.Format("2006-01-02"), "reason": in.Reason, "reference": in.Reference})
	})
	if err != nil {
		return Entry{}, InvariantError(err, "amount")
	}
	return entryByID(ctx, s.DB.Pool, id)
}
