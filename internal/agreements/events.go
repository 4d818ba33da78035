package agreements

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// EventInput is what an officer records when an obligation's trigger is
// met, or it is delivered or discharged.
type EventInput struct {
	Kind     EventKind
	Date     *time.Time
	Evidence string
	Note     string
}

// RecordableKinds are the events an officer can record for an obligation
// of this kind: money obligations are not "delivered" (the ledger records
// their payment and spend).
func RecordableKinds(k ObligationKind) []EventKind {
	if k.IsMonetary() {
		return []EventKind{EventTriggerMet, EventDischarged}
	}
	return []EventKind{EventTriggerMet, EventDelivered, EventDischarged}
}

// OpenEventKinds are the events that can still be recorded: the
// recordable kinds that have no standing (unreversed) event yet.
func OpenEventKinds(k ObligationKind, events []Event) []EventKind {
	standing := map[EventKind]bool{}
	for _, e := range events {
		if e.Kind != EventReversal && e.ReversedByID == nil {
			standing[e.Kind] = true
		}
	}
	var out []EventKind
	for _, kind := range RecordableKinds(k) {
		if !standing[kind] {
			out = append(out, kind)
		}
	}
	return out
}

// RecordEvent records that an obligation's trigger was met, or that it was
// delivered or discharged. The obligation's status follows from it.
func (s *Service) RecordEvent(ctx context.Context, actor audit.Actor, obligationID int64, in EventInput) (Event, error) {
	errs := &forms.Errors{}
	in.Evidence, in.Note = strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Note)
	today := s.today()
	if in.Date == nil {
		errs.Add("date", "Enter the date")
	} else if in.Date.After(today) {
		errs.Add("date", "The date must be today or in the past")
	}
	if in.Kind == EventTriggerMet && in.Evidence == "" {
		errs.Add("evidence", "Enter the evidence that the trigger was met, such as a commencement notice or building control reference")
	}
	var ev Event
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		o, err := obligationByIDForUpdate(ctx, tx, obligationID)
		if err != nil {
			return err
		}
		allowed := false
		for _, k := range RecordableKinds(o.Kind) {
			if k == in.Kind {
				allowed = true
			}
		}
		if !allowed {
			errs.Add("kind", "This event cannot be recorded for a "+strings.ToLower(o.Kind.Label())+" obligation")
		}
		if in.Date != nil {
			signed, err := obligationAgreementSigned(ctx, tx, o.AgreementID)
			if err != nil {
				return err
			}
			if signed != nil && in.Date.Before(*signed) {
				errs.Add("date", "The date must be on or after the date the agreement was signed ("+signed.Format("2 January 2006")+")")
			}
		}
		if allowed {
			existing, err := effectiveEventOn(ctx, tx, obligationID, in.Kind)
			if err != nil {
				return err
			}
			if existing != nil {
				errs.Add("kind", in.Kind.Label()+" is already recorded on "+existing.Format("2 January 2006")+". Reverse that entry first if it was a mistake.")
			}
		}
		if errs.Any() {
			return errs
		}
		ev, err = insertEvent(ctx, tx, Event{ObligationID: obligationID, Kind: in.Kind, Date: *in.Date, Evidence: in.Evidence, Note: in.Note}, actor.UserID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "obligation.event."+string(in.Kind), "obligation", strconv.FormatInt(obligationID, 10),
			in.Kind.Label()+" on "+in.Date.Format("2 January 2006"), nil,
			map[string]any{"event": in.Kind.Label(), "date": in.Date.Format("2006-01-02"), "evidence": in.Evidence, "note": in.Note})
	})
	return ev, err
}

// ReverseEvent records that an event was a mistake. The event stays in the
// history, struck through; the reversal names it and gives the reason.
func (s *Service) ReverseEvent(ctx context.Context, actor audit.Actor, obligationID, eventID int64, reason string) (Event, error) {
	errs := &forms.Errors{}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs.Add("reason", "Enter why this entry is being reversed")
	}
	var rev Event
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := obligationByIDForUpdate(ctx, tx, obligationID); err != nil {
			return err
		}
		target, err := eventByID(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if target.ObligationID != obligationID {
			return store.ErrNotFound
		}
		if target.Kind == EventReversal {
			errs.Add("reason", "A reversal cannot itself be reversed: record the event again instead")
		} else if target.ReversedByID != nil {
			errs.Add("reason", "This entry has already been reversed")
		}
		if errs.Any() {
			return errs
		}
		today := s.today()
		rev, err = insertEvent(ctx, tx, Event{ObligationID: obligationID, Kind: EventReversal, Date: today, Note: reason, ReversesID: &eventID}, actor.UserID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "obligation.event.reversal", "obligation", strconv.FormatInt(obligationID, 10),
			"Reversed “"+target.Kind.Label()+" on "+target.Date.Format("2 January 2006")+"”: "+reason, nil,
			map[string]any{"reversed": target.Kind.Label() + " on " + target.Date.Format("2006-01-02"), "reason": reason})
	})
	return rev, err
}

// Events returns an obligation's events, oldest first.
func (s *Service) Events(ctx context.Context, obligationID int64) ([]Event, error) {
	return listEvents(ctx, s.DB.Pool, obligationID)
}

// GetEvent returns one event of an obligation.
func (s *Service) GetEvent(ctx context.Context, obligationID, eventID int64) (Event, error) {
	ev, err := eventByID(ctx, s.DB.Pool, eventID)
	if err == nil && ev.ObligationID != obligationID {
		return Event{}, store.ErrNotFound
	}
	return ev, err
}

// Variation is a deed of variation's recorded change to an obligation.
type Variation struct {
	VariationAgreementID int64
	VariationReference   string
	DateSigned           *time.Time
	ChangeSummary        string
	RecordedAt           time.Time
}

// VariationsOfObligation lists the deeds of variation that changed an obligation.
func (s *Service) VariationsOfObligation(ctx context.Context, obligationID int64) ([]Variation, error) {
	return listObligationVariations(ctx, s.DB.Pool, obligationID)
}
