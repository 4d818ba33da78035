package ledger

import (
	"context"
	"errors"
	"fmt"
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

// Suspense holds overpayments: the part of a payment above what the
// obligation was invoiced for is not money secured by the agreement. It
// has no spend-by deadline and is in no item of the Infrastructure Funding
// Statement until it is assigned to an obligation (becoming a receipt share
// of that payment, dated on the assignment) or refunded to the payer. The
// database keeps each payment's suspense from falling below zero
// (migration 00023).

// splitOverpayment divides a share into what the obligation was invoiced
// for and has not yet received (secured) and the rest (held in suspense).
// An obligation never invoiced takes the whole share: developers may pay
// before being asked. The obligation must be locked.
func splitOverpayment(ctx context.Context, q store.Querier, obligationID int64, amount decimal.Decimal) (secured, over decimal.Decimal, err error) {
	var invoiced, received decimal.Decimal
	err = q.QueryRow(ctx, `
		SELECT coalesce(sum(amount) FILTER (WHERE kind = 'invoice'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'receipt'), 0)
		FROM ledger_effective WHERE obligation_id = $1`, obligationID).Scan(&invoiced, &received)
	if err != nil {
		return amount, decimal.Zero, fmt.Errorf("read invoiced and received: %w", err)
	}
	if invoiced.IsZero() {
		return amount, decimal.Zero, nil
	}
	outstanding := decimal.Max(decimal.Zero, invoiced.Sub(received))
	if amount.LessThanOrEqual(outstanding) {
		return amount, decimal.Zero, nil
	}
	return outstanding, amount.Sub(outstanding), nil
}

// holdInSuspense records the overpaid part of a share.
func holdInSuspense(ctx context.Context, tx pgx.Tx, actor audit.Actor, receiptID, obligationID int64, on time.Time, amount decimal.Decimal, payer string) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO suspense_entries (receipt_id, kind, entry_date, amount, obligation_id, recorded_by)
		VALUES ($1, 'held', $2, $3, $4, $5)`, receiptID, on, amount, obligationID, userOrNil(actor)); err != nil {
		return fmt.Errorf("hold in suspense: %w", err)
	}
	return audit.Record(ctx, tx, actor, "suspense.hold", "receipt", strconv.FormatInt(receiptID, 10),
		"Held "+money.Format(amount)+" from "+payer+" in suspense: more than was invoiced", nil,
		map[string]any{"amount": amount.StringFixed(2), "obligation": obligationID, "date": on.Format("2006-01-02")})
}

func userOrNil(actor audit.Actor) *int64 {
	if actor.UserID == 0 {
		return nil
	}
	id := actor.UserID
	return &id
}

// SuspenseEntry is one movement of a payment's suspense.
type SuspenseEntry struct {
	ID                 int64
	Kind               string // held, refund or assignment
	Date               time.Time
	Amount             decimal.Decimal
	ObligationID       *int64
	AgreementReference string
	PurposeName        string
	Reference          string
	Reason             string
	RecordedBy         string
}

// KindLabel says what the movement was.
func (e SuspenseEntry) KindLabel() string {
	switch e.Kind {
	case "held":
		return "Held: more than was invoiced"
	case "refund":
		return "Refunded to the payer"
	case "assignment":
		return "Assigned to an obligation"
	}
	return e.Kind
}

// SuspenseItem is a payment with money held in suspense now or before.
type SuspenseItem struct {
	ReceiptID  int64
	ReceivedOn time.Time
	Payer      string
	FinanceRef string
	Held       decimal.Decimal
	Balance    decimal.Decimal // still held
	Entries    []SuspenseEntry
}

// Suspense lists every payment that has had money in suspense: those
// still holding some first (oldest first), then those cleared.
func (s *Service) Suspense(ctx context.Context) ([]SuspenseItem, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT r.id, r.received_on, r.payer, r.finance_ref, b.held, b.balance
		FROM suspense_balances b JOIN receipts r ON r.id = b.receipt_id
		ORDER BY b.balance = 0, r.received_on, r.id`)
	if err != nil {
		return nil, fmt.Errorf("list suspense: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SuspenseItem, error) {
		var it SuspenseItem
		err := r.Scan(&it.ReceiptID, &it.ReceivedOn, &it.Payer, &it.FinanceRef, &it.Held, &it.Balance)
		return it, err
	})
	if err != nil || len(items) == 0 {
		return items, err
	}
	rows, err = s.DB.Pool.Query(ctx, `
		SELECT s.receipt_id, s.id, s.kind, s.entry_date, s.amount, s.obligation_id, coalesce(a.reference, ''), coalesce(pu.name, ''),
		       s.reference, s.reason, coalesce(u.name, 'system')
		FROM suspense_entries s
		LEFT JOIN obligations o ON o.id = s.obligation_id
		LEFT JOIN agreements a ON a.id = o.agreement_id
		LEFT JOIN contribution_purposes pu ON pu.code = o.purpose_code
		LEFT JOIN users u ON u.id = s.recorded_by
		ORDER BY s.entry_date, s.id`)
	if err != nil {
		return nil, fmt.Errorf("list suspense entries: %w", err)
	}
	defer rows.Close()
	byReceipt := map[int64]int{}
	for i, it := range items {
		byReceipt[it.ReceiptID] = i
	}
	for rows.Next() {
		var rid int64
		var e SuspenseEntry
		if err := rows.Scan(&rid, &e.ID, &e.Kind, &e.Date, &e.Amount, &e.ObligationID, &e.AgreementReference, &e.PurposeName,
			&e.Reference, &e.Reason, &e.RecordedBy); err != nil {
			return nil, err
		}
		if i, ok := byReceipt[rid]; ok {
			items[i].Entries = append(items[i].Entries, e)
		}
	}
	return items, rows.Err()
}

// SuspenseOf returns one payment's suspense with its movements;
// store.ErrNotFound when the payment never held any.
func (s *Service) SuspenseOf(ctx context.Context, receiptID int64) (SuspenseItem, error) {
	items, err := s.Suspense(ctx)
	if err != nil {
		return SuspenseItem{}, err
	}
	for _, it := range items {
		if it.ReceiptID == receiptID {
			return it, nil
		}
	}
	return SuspenseItem{}, store.ErrNotFound
}

// SuspenseMove is a refund of suspense to the payer (ObligationID 0) or an
// assignment of it to an obligation.
type SuspenseMove struct {
	ObligationID int64 // assignments only
	Date         *time.Time
	Amount       *decimal.Decimal
	Reference    string // refunds: the payment reference
	Reason       string
}

// RefundSuspense pays held money back to the payer.
func (s *Service) RefundSuspense(ctx context.Context, actor audit.Actor, receiptID int64, in SuspenseMove) error {
	return s.moveSuspense(ctx, actor, receiptID, in, false)
}

// AssignSuspense moves held money to an obligation: it becomes a receipt
// share of the payment, dated on the assignment, so its spend-by clock
// starts then and the statement counts it as received then.
func (s *Service) AssignSuspense(ctx context.Context, actor audit.Actor, receiptID int64, in SuspenseMove) error {
	return s.moveSuspense(ctx, actor, receiptID, in, true)
}

func (s *Service) moveSuspense(ctx context.Context, actor audit.Actor, receiptID int64, in SuspenseMove, assign bool) error {
	errs := &forms.Errors{}
	in.Reference, in.Reason = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Reason)
	if in.Amount == nil {
		if errs.Get("amount") == "" {
			errs.Add("amount", "Enter the amount")
		}
	} else if !in.Amount.IsPositive() {
		errs.Add("amount", "Amount must be more than £0")
	}
	if in.Date == nil {
		if errs.Get("date") == "" {
			errs.Add("date", "Enter the date")
		}
	} else if in.Date.After(s.Today()) {
		errs.Add("date", "The date must be today or in the past")
	}
	if assign && in.ObligationID == 0 {
		errs.Add("obligation", "Select the obligation to assign the money to")
	}
	switch {
	case in.Reason == "":
		errs.Add("reason", "Enter why the money is refunded or assigned")
	case len([]rune(in.Reason)) > 2000:
		errs.Add("reason", "Reason must be 2,000 characters or fewer")
	}
	if len([]rune(in.Reference)) > 100 {
		errs.Add("reference", "Reference must be 100 characters or fewer")
	}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var payer string
		var balance decimal.Decimal
		var heldSince *time.Time
		// The same per-payment lock the database's suspense check takes,
		// so two movements of one payment's suspense go one at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('suspense'), hashtext($1::bigint::text))`, receiptID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			SELECT r.payer, coalesce(b.balance, 0), b.held_since
			FROM receipts r LEFT JOIN suspense_balances b ON b.receipt_id = r.id
			WHERE r.id = $1`, receiptID).Scan(&payer, &balance, &heldSince)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if in.Amount != nil && in.Amount.GreaterThan(balance) {
			errs.Add("amount", "Only "+money.Format(balance)+" of this payment is held in suspense")
		}
		if in.Date != nil && heldSince != nil && in.Date.Before(*heldSince) {
			errs.Add("date", "The date cannot be before the money was held, "+heldSince.Format("2 January 2006"))
		}
		var ob obligationMoney
		if assign && in.ObligationID != 0 {
			ob, err = obligationForMoney(ctx, tx, in.ObligationID)
			if errors.Is(err, store.ErrNotFound) {
				errs.Add("obligation", "Select an obligation from the list")
			} else if err != nil {
				return err
			} else if !ob.Monetary {
				errs.Add("obligation", "Only a financial contribution or monitoring fee can receive money")
			}
		}
		if errs.Any() {
			return errs
		}
		if !assign {
			if _, err := tx.Exec(ctx, `INSERT INTO suspense_entries (receipt_id, kind, entry_date, amount, reference, reason, recorded_by)
				VALUES ($1, 'refund', $2, $3, $4, $5, $6)`, receiptID, *in.Date, *in.Amount, in.Reference, in.Reason, userOrNil(actor)); err != nil {
				return fmt.Errorf("refund suspense: %w", err)
			}
			return audit.Record(ctx, tx, actor, "suspense.refund", "receipt", strconv.FormatInt(receiptID, 10),
				"Refunded "+money.Format(*in.Amount)+" held in suspense to "+payer, nil,
				map[string]any{"amount": in.Amount.StringFixed(2), "date": in.Date.Format("2006-01-02"), "reference": in.Reference, "reason": in.Reason})
		}
		if err := lockObligation(ctx, tx, in.ObligationID); err != nil {
			return err
		}
		rid := receiptID
		entryID, err := insertEntry(ctx, tx, Entry{ObligationID: in.ObligationID, Kind: KindReceipt, Date: *in.Date, Amount: *in.Amount,
			ReceiptID: &rid, Note: "Assigned from suspense: " + in.Reason}, actor.UserID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO suspense_entries (receipt_id, kind, entry_date, amount, obligation_id, ledger_entry_id, reason, recorded_by)
			VALUES ($1, 'assignment', $2, $3, $4, $5, $6, $7)`, receiptID, *in.Date, *in.Amount, in.ObligationID, entryID, in.Reason, userOrNil(actor)); err != nil {
			return fmt.Errorf("assign suspense: %w", err)
		}
		summary := "Assigned " + money.Format(*in.Amount) + " held in suspense to " + ob.label()
		view := map[string]any{"amount": in.Amount.StringFixed(2), "date": in.Date.Format("2006-01-02"), "obligation": ob.label(), "reason": in.Reason}
		if err := audit.Record(ctx, tx, actor, "suspense.assign", "receipt", strconv.FormatInt(receiptID, 10), summary, nil, view); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "ledger.receipt", "obligation", strconv.FormatInt(in.ObligationID, 10), summary, nil, view)
	})
	if err != nil {
		return wrapProjectErr("move suspense", InvariantError(err, "amount"))
	}
	return nil
}
