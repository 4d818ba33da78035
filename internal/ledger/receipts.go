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
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// ShareRows is how many obligation rows the receipt form offers.
const ShareRows = 6

// ShareField names a field of a share row on the receipt form.
func ShareField(row int, part string) string { return "share-" + strconv.Itoa(row) + "-" + part }

// ShareInput is one obligation's part of a payment.
type ShareInput struct {
	Row          int // the form row, for messages
	ObligationID int64
	Amount       *decimal.Decimal
}

// ReceiptInput is a payment from a developer and how it splits across
// obligations.
type ReceiptInput struct {
	ReceivedOn *time.Time
	Payer      string
	FinanceRef string
	Total      *decimal.Decimal
	Note       string
	Shares     []ShareInput
}

// Receipt is a recorded payment with its shares.
type Receipt struct {
	ID         int64
	ReceivedOn time.Time
	Payer      string
	FinanceRef string
	Total      decimal.Decimal
	Note       string
	RecordedBy string
	RecordedAt time.Time
	Shares     []ReceiptShare
	Reversed   bool // every share has been reversed
	// Suspense: the part of the payment above what was invoiced, held
	// until refunded or assigned; Suspense is what is still held.
	Held     decimal.Decimal
	Suspense decimal.Decimal
}

// ReceiptShare is one line of a receipt, with the obligation it paid and
// how that obligation stands against its invoices.
type ReceiptShare struct {
	EntryID            int64
	ObligationID       int64
	AgreementID        int64
	AgreementReference string
	ClauseRef          string
	PurposeName        string
	Amount             decimal.Decimal
	Reversed           bool
	Invoiced           decimal.Decimal // the obligation's invoices in total
	Received           decimal.Decimal // the obligation's receipts in total
	// Paid early (allowed, flagged): by the day it arrived the obligation
	// had no invoice, or its trigger was not met.
	NotInvoiced   bool
	TriggerNotMet bool
}

// PaidEarly reports whether the share came before it was asked for.
func (s ReceiptShare) PaidEarly() bool { return s.NotInvoiced || s.TriggerNotMet }

// EarlyText says why the share was paid early.
func (s ReceiptShare) EarlyText() string {
	switch {
	case s.NotInvoiced && s.TriggerNotMet:
		return "Paid before the trigger was met and before any invoice"
	case s.NotInvoiced:
		return "Paid before any invoice"
	case s.TriggerNotMet:
		return "Paid before the trigger was met"
	}
	return ""
}

// Shortfall is how much less than invoiced the obligation has received
// (negative when overpaid); zero when nothing was invoiced.
func (s ReceiptShare) Shortfall() decimal.Decimal {
	if s.Invoiced.IsZero() {
		return decimal.Zero
	}
	return s.Invoiced.Sub(s.Received)
}

// RecordReceipt records a payment and its split across obligations in one
// transaction. Each share starts that obligation's spend-by clock on the
// date received.
//
// Overpayments are held, not secured: where an obligation has been
// invoiced, the part of its share above what is invoiced and not yet paid
// goes into suspense (no spend-by deadline, in no item of the statement)
// until it is refunded or assigned; see suspense.go.
func (s *Service) RecordReceipt(ctx context.Context, actor audit.Actor, in ReceiptInput) (Receipt, error) {
	errs := &forms.Errors{}
	s.validateReceipt(&in, errs)
	var id int64
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		for _, sh := range in.Shares {
			if sh.ObligationID == 0 {
				continue
			}
			kind, err := obligationKind(ctx, tx, sh.ObligationID)
			if errors.Is(err, store.ErrNotFound) {
				errs.Add(ShareField(sh.Row, "obligation"), fmt.Sprintf("Row %d: choose an obligation from the list", sh.Row))
				continue
			} else if err != nil {
				return err
			}
			if kind != "financial" && kind != "monitoring-fee" {
				errs.Add(ShareField(sh.Row, "obligation"), fmt.Sprintf("Row %d: only financial contributions and monitoring fees receive money", sh.Row))
			}
		}
		if errs.Any() {
			return errs
		}
		// Every obligation of the payment, in id order, before any entry.
		var obligationIDs []int64
		for _, sh := range in.Shares {
			if sh.ObligationID != 0 {
				obligationIDs = append(obligationIDs, sh.ObligationID)
			}
		}
		if err := lockObligations(ctx, tx, obligationIDs); err != nil {
			return err
		}
		var recordedBy *int64
		if actor.UserID != 0 {
			recordedBy = &actor.UserID
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO receipts (received_on, payer, finance_ref, total, note, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			*in.ReceivedOn, in.Payer, in.FinanceRef, *in.Total, in.Note, recordedBy).Scan(&id); err != nil {
			return fmt.Errorf("record receipt: %w", err)
		}
		rid := id
		for _, sh := range in.Shares {
			if sh.ObligationID == 0 {
				continue
			}
			if err := lockObligation(ctx, tx, sh.ObligationID); err != nil {
				return err
			}
			secured, over, err := splitOverpayment(ctx, tx, sh.ObligationID, *sh.Amount)
			if err != nil {
				return err
			}
			if over.IsPositive() {
				if err := holdInSuspense(ctx, tx, actor, rid, sh.ObligationID, *in.ReceivedOn, over, in.Payer); err != nil {
					return err
				}
			}
			if !secured.IsPositive() {
				continue
			}
			sh.Amount = &secured
			if _, err := insertEntry(ctx, tx, Entry{ObligationID: sh.ObligationID, Kind: KindReceipt, Date: *in.ReceivedOn,
				Amount: *sh.Amount, ReceiptID: &rid, Reference: in.FinanceRef, Note: in.Note}, actor.UserID); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, "ledger.receipt", "obligation", strconv.FormatInt(sh.ObligationID, 10),
				"Received "+money.Format(*sh.Amount)+" from "+in.Payer+" on "+in.ReceivedOn.Format("2 January 2006"), nil,
				map[string]any{"receipt": rid, "amount": sh.Amount.StringFixed(2), "received on": in.ReceivedOn.Format("2006-01-02"), "finance reference": in.FinanceRef}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, "receipt.create", "receipt", strconv.FormatInt(rid, 10),
			"Recorded a payment of "+money.Format(*in.Total)+" from "+in.Payer, nil,
			map[string]any{"received on": in.ReceivedOn.Format("2006-01-02"), "payer": in.Payer, "finance reference": in.FinanceRef,
				"total": in.Total.StringFixed(2), "shares": len(in.Shares)})
	})
	if err != nil {
		return Receipt{}, InvariantError(err, "shares")
	}
	return s.GetReceipt(ctx, id)
}

// CheckReceipt applies the rules that need no database, adding to errs
// (which may hold the form's parse errors already).
func (s *Service) CheckReceipt(in *ReceiptInput, errs *forms.Errors) { s.validateReceipt(in, errs) }

func (s *Service) validateReceipt(in *ReceiptInput, errs *forms.Errors) {
	in.Payer, in.FinanceRef, in.Note = strings.TrimSpace(in.Payer), strings.TrimSpace(in.FinanceRef), strings.TrimSpace(in.Note)
	if in.ReceivedOn == nil {
		if errs.Get("received_on") == "" {
			errs.Add("received_on", "Enter the date the payment was received")
		}
	} else if in.ReceivedOn.After(s.Today()) {
		errs.Add("received_on", "The date received must be today or in the past")
	}
	if in.Payer == "" {
		errs.Add("payer", "Enter who paid")
	}
	if in.Total == nil && errs.Get("total") == "" {
		errs.Add("total", "Enter the total amount received")
	}
	sum := decimal.Zero
	seen := map[int64]int{}
	var kept []ShareInput
	for _, sh := range in.Shares {
		if sh.ObligationID == 0 && sh.Amount == nil {
			continue // a blank row (or one whose amount did not parse, already reported)
		}
		if sh.ObligationID == 0 {
			errs.Add(ShareField(sh.Row, "obligation"), fmt.Sprintf("Row %d: choose the obligation this amount pays", sh.Row))
		}
		if sh.Amount == nil {
			if errs.Get(ShareField(sh.Row, "amount")) == "" {
				errs.Add(ShareField(sh.Row, "amount"), fmt.Sprintf("Row %d: enter the amount for this obligation", sh.Row))
			}
		} else {
			sum = sum.Add(*sh.Amount)
		}
		if sh.ObligationID != 0 {
			if first, dup := seen[sh.ObligationID]; dup {
				errs.Add(ShareField(sh.Row, "obligation"), fmt.Sprintf("Row %d: this obligation is already on row %d; put its whole share on one row", sh.Row, first))
			}
			seen[sh.ObligationID] = sh.Row
		}
		kept = append(kept, sh)
	}
	in.Shares = kept
	if len(kept) == 0 {
		errs.Add(ShareField(1, "obligation"), "Choose at least one obligation the payment is for")
	} else if in.Total != nil && !errs.Any() && !sum.Equal(*in.Total) {
		errs.Add("shares", "The shares add up to "+money.Format(sum)+" but the payment is "+money.Format(*in.Total)+": they must be equal")
	}
}

// GetReceipt returns a receipt with its shares.
func (s *Service) GetReceipt(ctx context.Context, id int64) (Receipt, error) {
	return receiptByID(ctx, s.DB.Pool, id)
}

// PayableObligation is an obligation that can receive money, for the
// receipt form's choices.
type PayableObligation struct {
	ID                 int64
	AgreementID        int64
	AgreementReference string
	DevelopmentName    string
	ClauseRef          string
	PurposeName        string
	BaseAmount         *decimal.Decimal
	Invoiced           decimal.Decimal
	Received           decimal.Decimal
	Status             string
}

// PayableObligations lists monetary obligations that are not archived, of
// one agreement when agreementID is not 0.
func (s *Service) PayableObligations(ctx context.Context, agreementID int64) ([]PayableObligation, error) {
	return payableObligations(ctx, s.DB.Pool, agreementID)
}

// ListReceipts returns one page of receipts, newest first by default.
func (s *Service) ListReceipts(ctx context.Context, p listing.Params) (listing.Page[ReceiptRow], error) {
	items, total, err := listReceipts(ctx, s.DB.Pool, p, true)
	return listing.Page[ReceiptRow]{Items: items, Total: total, Params: p}, err
}

// AllReceipts returns every receipt matching the search (for CSV).
func (s *Service) AllReceipts(ctx context.Context, p listing.Params) ([]ReceiptRow, error) {
	items, _, err := listReceipts(ctx, s.DB.Pool, p, false)
	return items, err
}
