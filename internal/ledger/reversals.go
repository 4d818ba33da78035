package ledger

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// Reverse records that a ledger entry was a mistake. The entry stays,
// struck through; a reversal entry names it with the reason. Reversing a
// payment reverses all its shares (a wrong split is corrected by reversing
// the payment and recording it again). The database refuses a reversal
// that would leave more allocated or spent than received.
func (s *Service) Reverse(ctx context.Context, actor audit.Actor, obligationID, entryID int64, reason string) ([]Entry, error) {
	errs := &forms.Errors{}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs.Add("reason", "Enter why this entry is being reversed")
	}
	var ids []int64
	err := s.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		target, err := entryByID(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if target.ObligationID != obligationID {
			return store.ErrNotFound
		}
		switch {
		case target.Kind == KindReversal:
			errs.Add("reason", "A reversal cannot itself be reversed: record the entry again instead")
		case target.ReversedByID != nil:
			errs.Add("reason", "This entry has already been reversed")
		}
		if errs.Any() {
			return errs
		}
		targets := []Entry{target}
		if target.Kind == KindReceipt {
			if targets, err = entriesOf(ctx, tx, `e.receipt_id = $1 AND e.kind = 'receipt' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_id = e.id)`, *target.ReceiptID); err != nil {
				return err
			}
		}
		// Every obligation the reversal touches, in id order, before any
		// entry (a payment's shares come in entry order).
		obligationIDs := make([]int64, len(targets))
		for i, t := range targets {
			obligationIDs[i] = t.ObligationID
		}
		if err := lockObligations(ctx, tx, obligationIDs); err != nil {
			return err
		}
		today := s.Today()
		ids = ids[:0] // run again after a lost race
		for _, t := range targets {
			tid := t.ID
			id, err := insertEntry(ctx, tx, Entry{ObligationID: t.ObligationID, Kind: KindReversal, Date: today, Amount: t.Amount,
				ReversesID: &tid, Note: reason}, actor.UserID)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if err := audit.Record(ctx, tx, actor, "ledger.reversal", "obligation", strconv.FormatInt(t.ObligationID, 10),
				"Reversed “"+t.Kind.Label()+" "+money.Format(t.Amount)+" on "+t.Date.Format("2 January 2006")+"”: "+reason, nil,
				map[string]any{"reversed": t.Kind.Label() + " " + t.Amount.StringFixed(2) + " on " + t.Date.Format("2006-01-02"), "reason": reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, InvariantError(err, "reason")
	}
	var out []Entry
	for _, id := range ids {
		e, err := entryByID(ctx, s.DB.Pool, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// GetEntry returns one entry of an obligation's ledger.
func (s *Service) GetEntry(ctx context.Context, obligationID, entryID int64) (Entry, error) {
	e, err := entryByID(ctx, s.DB.Pool, entryID)
	if err == nil && e.ObligationID != obligationID {
		return Entry{}, store.ErrNotFound
	}
	return e, err
}
