package homes

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/store"
)

// Event is one dated fact in a home's life, as recorded. A reversed event
// stays, with ReversedByID naming the reversal.
type Event struct {
	ID             int64
	HomeID         int64
	Kind           EventKind
	Date           time.Time
	NewTenure      Tenure // tenure-changed only
	ProviderID     *int64 // transferred only
	ProviderName   string
	Evidence       string
	Note           string // the reason, for tenure changes and reversals
	ReversesID     *int64
	ReversedByID   *int64
	ReversalReason string
	RecordedBy     string
	RecordedAt     time.Time
}

// Standing reports whether the event counts: not a reversal and not
// reversed.
func (e Event) Standing() bool { return e.Kind != EventReversal && e.ReversedByID == nil }

// EventInput is what an officer records about a home.
type EventInput struct {
	Kind       EventKind
	Date       *time.Time // parsed by the form layer
	NewTenure  string     // tenure-changed
	ProviderID *int64     // transferred
	Evidence   string
	Note       string
}

// RecordableEventKinds are every kind an officer can record (reversal
// has its own form).
var RecordableEventKinds = append([]EventKind{EventStarted, EventCompleted, EventTransferred, EventOccupied, EventTenureChanged}, ExitKinds...)

// ParseEventKind returns the recordable kind named s, and whether it is one.
func ParseEventKind(s string) (EventKind, bool) {
	for _, k := range RecordableEventKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// NeedsEvidence reports whether the kind must be recorded with evidence.
func (k EventKind) NeedsEvidence() bool {
	return k == EventCompleted || k == EventTransferred || k.IsExit()
}

// needsCompletion reports whether the home must be completed first.
func (k EventKind) needsCompletion() bool {
	switch k {
	case EventTransferred, EventOccupied, EventRightToBuy, EventRightToAcquire, EventStaircased, EventSold:
		return true
	}
	return false
}

// EvidenceHint tells the officer what evidence the kind wants.
func (k EventKind) EvidenceHint() string {
	switch k {
	case EventStarted:
		return "Optional: a commencement notice or building control reference."
	case EventCompleted:
		return "A completion or building control certificate, or the practical completion notice."
	case EventTransferred:
		return "The transfer deed or Land Registry title number."
	case EventOccupied:
		return "Optional: the tenancy or lease start, or the provider's confirmation."
	case EventTenureChanged:
		return "Optional: the provider's notice or the council's approval."
	}
	return "The completion of the sale, the provider's notice, or the council's record of it."
}

func evidenceMessage(k EventKind) string {
	switch k {
	case EventCompleted:
		return "Enter the evidence that the home was completed, such as a completion certificate"
	case EventTransferred:
		return "Enter the evidence of the transfer, such as the transfer deed or title number"
	}
	return "Enter the evidence that the home left the affordable stock, such as the completion of the sale"
}

// homeProgress is what a home's standing events say about it: the date of
// each milestone and exit recorded, and its current tenure.
type homeProgress struct {
	dates  map[EventKind]time.Time
	exit   EventKind
	tenure Tenure
}

func progressOf(h Home, events []Event) homeProgress {
	p := homeProgress{dates: map[EventKind]time.Time{}, tenure: h.CurrentTenure}
	if p.tenure == "" {
		p.tenure = h.Tenure
	}
	for _, e := range events {
		if !e.Standing() {
			continue
		}
		p.dates[e.Kind] = e.Date
		if e.Kind.IsExit() {
			p.exit = e.Kind
		}
	}
	return p
}

// AvailableEventKinds are the kinds that can be recorded on the home now:
// nothing once it has left the stock; each milestone once; transfers,
// occupation and sales only after completion; exits only from affordable
// tenures.
func AvailableEventKinds(h Home, events []Event) []EventKind {
	p := progressOf(h, events)
	if p.exit != "" {
		return nil
	}
	var out []EventKind
	for _, k := range RecordableEventKinds {
		if _, done := p.dates[k]; done && k != EventTenureChanged {
			continue
		}
		if k.needsCompletion() {
			if _, ok := p.dates[EventCompleted]; !ok {
				continue
			}
		}
		if k.IsExit() && !p.tenure.Affordable() {
			continue
		}
		if exitMismatch(k, h.ProviderType, h.ProviderName) != "" {
			continue
		}
		out = append(out, k)
	}
	return out
}

// UPRNBeforeCompletion is the message for completing a home without a
// UPRN, which the database refuses too (home_completed_needs_uprn).
const UPRNBeforeCompletion = "Add the home's UPRN before marking it completed"

func eventDate(t time.Time) string { return t.Format("2 January 2006") }

// validate checks what needs no database and tidies what was typed.
func (in *EventInput) validate(today time.Time) *forms.Errors {
	errs := &forms.Errors{}
	in.Evidence, in.Note, in.NewTenure = strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Note), strings.TrimSpace(in.NewTenure)
	if _, ok := ParseEventKind(string(in.Kind)); !ok {
		errs.Add("kind", "Select what happened to the home")
	}
	if in.Date == nil {
		errs.Add("date", "Enter the date")
	} else if in.Date.After(today) {
		errs.Add("date", "The date must be today or in the past")
	}
	if in.Kind.NeedsEvidence() && in.Evidence == "" {
		errs.Add("evidence", evidenceMessage(in.Kind))
	}
	if len([]rune(in.Evidence)) > 2000 {
		errs.Add("evidence", "Evidence must be 2,000 characters or fewer")
	}
	if len([]rune(in.Note)) > 2000 {
		errs.Add("note", "Note must be 2,000 characters or fewer")
	}
	switch in.Kind {
	case EventTransferred:
		if in.ProviderID == nil {
			errs.Add("provider", "Select the registered provider the home was transferred to")
		}
	case EventTenureChanged:
		if in.NewTenure == "" {
			errs.Add("new_tenure", "Select the new tenure")
		} else if _, ok := ParseTenure(in.NewTenure); !ok {
			errs.Add("new_tenure", "Select a tenure from the list")
		}
		if in.Note == "" {
			errs.Add("note", "Enter the reason for the change of tenure")
		}
	case EventOtherExit:
		if in.Note == "" {
			errs.Add("note", "Describe how the home left the affordable stock")
		}
	}
	return errs
}

// checkProvider checks the transfer's provider is on the list.
func checkEventProvider(ctx context.Context, q store.Querier, in EventInput, errs *forms.Errors) error {
	if in.Kind != EventTransferred || in.ProviderID == nil {
		return nil
	}
	p, err := providerByID(ctx, q, *in.ProviderID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.ArchivedAt != nil) {
		errs.Add("provider", "Select a registered provider from the list")
		return nil
	}
	return err
}

// checkOrder checks the event fits the home's life so far, adding
// messages to errs.
func checkOrder(h Home, events []Event, in EventInput, errs *forms.Errors) {
	p := progressOf(h, events)
	if h.ArchivedAt != nil {
		errs.Add("kind", "Plot "+h.Plot+" is archived: restore it before recording what happened to it")
		return
	}
	if p.exit != "" {
		errs.Add("kind", "Plot "+h.Plot+" left the affordable stock on "+eventDate(p.dates[p.exit])+" ("+p.exit.Label()+
			"). Reverse that entry first if it was a mistake.")
		return
	}
	if in.Kind == EventCompleted && h.UPRN == "" {
		errs.Add("uprn", UPRNBeforeCompletion)
	}
	if on, done := p.dates[in.Kind]; done && in.Kind != EventTenureChanged {
		errs.Add("kind", in.Kind.Label()+" is already recorded on "+eventDate(on)+". Reverse that entry first if it was a mistake.")
		return
	}
	completed, isCompleted := p.dates[EventCompleted]
	if in.Kind.needsCompletion() && !isCompleted {
		switch in.Kind {
		case EventTransferred:
			errs.Add("kind", "Record that the home was completed before recording its transfer")
		case EventOccupied:
			errs.Add("kind", "Record that the home was completed before recording that it was occupied")
		default:
			errs.Add("kind", "Record that the home was completed before recording "+strings.ToLower(in.Kind.Label()))
		}
		return
	}
	if in.Kind.IsExit() && !p.tenure.Affordable() {
		errs.Add("kind", "Plot "+h.Plot+" is a market home, so it cannot leave the affordable stock")
		return
	}
	if msg := exitMismatch(in.Kind, h.ProviderType, h.ProviderName); msg != "" {
		errs.Add("kind", msg)
		return
	}
	if in.Date == nil {
		return
	}
	d := *in.Date
	switch {
	case in.Kind == EventStarted && isCompleted && d.After(completed):
		errs.Add("date", "The start on site must be on or before completion ("+eventDate(completed)+")")
	case in.Kind == EventCompleted:
		if started, ok := p.dates[EventStarted]; ok && d.Before(started) {
			errs.Add("date", "Completion must be on or after the start on site ("+eventDate(started)+")")
		}
	case in.Kind.needsCompletion() && d.Before(completed):
		errs.Add("date", "The date must be on or after completion ("+eventDate(completed)+")")
	}
	if in.Kind == EventTenureChanged && in.NewTenure != "" && Tenure(in.NewTenure) == p.tenure {
		errs.Add("new_tenure", "Plot "+h.Plot+" is already "+strings.ToLower(p.tenure.Label())+": select a different tenure")
	}
}

// eventAuditView is what the audit trail keeps of an event.
func eventAuditView(in EventInput, provider string) map[string]any {
	m := map[string]any{"event": in.Kind.Label(), "date": in.Date.Format("2006-01-02"), "evidence": in.Evidence, "note": in.Note}
	if in.Kind == EventTenureChanged {
		m["new tenure"] = Tenure(in.NewTenure).Label()
	}
	if in.Kind == EventTransferred {
		m["registered provider"] = provider
	}
	return m
}

// writeEvent inserts a checked event and its audit event.
func writeEvent(ctx context.Context, tx pgx.Tx, actor audit.Actor, h Home, in EventInput) (int64, error) {
	id, err := insertHomeEvent(ctx, tx, h.ID, in, nil, actor.UserID)
	if err != nil {
		if store.IsCheckViolation(err, "home_completed_needs_uprn") {
			errs := &forms.Errors{}
			errs.Add("uprn", UPRNBeforeCompletion)
			return 0, errs
		}
		return 0, err
	}
	pname, err := providerName(ctx, tx, in.ProviderID)
	if err != nil {
		return 0, err
	}
	summary := "Plot " + h.Plot + ": " + in.Kind.Label() + " on " + eventDate(*in.Date)
	if in.Kind == EventTransferred {
		summary += " to " + pname
	}
	if in.Kind == EventTenureChanged {
		summary += " to " + strings.ToLower(Tenure(in.NewTenure).Label())
	}
	return id, audit.Record(ctx, tx, actor, "home.event."+string(in.Kind), EntityHome, strconv.FormatInt(h.ID, 10), summary,
		nil, eventAuditView(in, pname))
}

// RecordHomeEvent records what happened to a home. Its state and tenure
// follow from its events.
func (s *Service) RecordHomeEvent(ctx context.Context, actor audit.Actor, homeID int64, in EventInput) (Event, error) {
	var ev Event
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		ev, err = recordHomeEventTx(ctx, tx, actor, homeID, in, fy.Today(s.now()))
		return err
	})
	if err != nil {
		return Event{}, wrapErr("record home event", err)
	}
	return ev, nil
}

// ReverseHomeEvent records that an event was a mistake. The event stays,
// struck through; the reversal names it and gives the reason, and the
// home's state and tenure are worked out again without it.
func (s *Service) ReverseHomeEvent(ctx context.Context, actor audit.Actor, homeID, eventID int64, reason string) (Event, error) {
	errs := &forms.Errors{}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs.Add("reason", "Enter why this entry is being reversed")
	} else if len([]rune(reason)) > 2000 {
		errs.Add("reason", "Reason must be 2,000 characters or fewer")
	}
	var rev Event
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockHome(ctx, tx, homeID); err != nil {
			return err
		}
		h, err := homeByID(ctx, tx, homeID)
		if err != nil {
			return err
		}
		events, err := listHomeEvents(ctx, tx, homeID)
		if err != nil {
			return err
		}
		var target *Event
		for i := range events {
			if events[i].ID == eventID {
				target = &events[i]
			}
		}
		if target == nil {
			return store.ErrNotFound
		}
		switch {
		case target.Kind == EventReversal:
			errs.Add("reason", "A reversal cannot itself be reversed: record the event again instead")
		case target.ReversedByID != nil:
			errs.Add("reason", "This entry has already been reversed")
		case target.Kind == EventCompleted:
			p := progressOf(h, events)
			var later []string
			for _, k := range []EventKind{EventTransferred, EventOccupied, EventRightToBuy, EventRightToAcquire, EventStaircased, EventSold} {
				if _, ok := p.dates[k]; ok {
					later = append(later, strings.ToLower(k.Label()))
				}
			}
			if len(later) > 0 {
				errs.Add("reason", "Reverse the later entries first ("+strings.Join(later, ", ")+"): they need the home to be completed")
			}
		}
		if errs.Any() {
			return errs
		}
		now := fy.Today(s.now())
		id, err := insertHomeEvent(ctx, tx, homeID, EventInput{Kind: EventReversal, Date: &now, Note: reason}, &eventID, actor.UserID)
		if err != nil {
			return err
		}
		what := target.Kind.Label() + " on " + eventDate(target.Date)
		if err := audit.Record(ctx, tx, actor, "home.event.reversal", EntityHome, strconv.FormatInt(homeID, 10),
			"Plot "+h.Plot+": reversed “"+what+"”: "+reason, nil,
			map[string]any{"reversed": target.Kind.Label() + " on " + target.Date.Format("2006-01-02"), "reason": reason}); err != nil {
			return err
		}
		rev, err = homeEventByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return Event{}, wrapErr("reverse home event", err)
	}
	return rev, nil
}

// recordHomeEventTx is RecordHomeEvent in the caller's transaction.
func recordHomeEventTx(ctx context.Context, tx pgx.Tx, actor audit.Actor, homeID int64, in EventInput, today time.Time) (Event, error) {
	errs := in.validate(today)
	if err := lockHome(ctx, tx, homeID); err != nil {
		return Event{}, err
	}
	h, err := homeByID(ctx, tx, homeID)
	if err != nil {
		return Event{}, err
	}
	events, err := listHomeEvents(ctx, tx, homeID)
	if err != nil {
		return Event{}, err
	}
	if errs.Get("kind") == "" {
		checkOrder(h, events, in, errs)
	}
	if err := checkEventProvider(ctx, tx, in, errs); err != nil {
		return Event{}, err
	}
	if errs.Any() {
		return Event{}, errs
	}
	id, err := writeEvent(ctx, tx, actor, h, in)
	if err != nil {
		return Event{}, err
	}
	return homeEventByID(ctx, tx, id)
}

// HomeEvents returns a home's events, oldest first.
func (s *Service) HomeEvents(ctx context.Context, homeID int64) ([]Event, error) {
	return listHomeEvents(ctx, s.DB.Pool, homeID)
}

// HomeEvent returns one event of a home.
func (s *Service) HomeEvent(ctx context.Context, homeID, eventID int64) (Event, error) {
	ev, err := homeEventByID(ctx, s.DB.Pool, eventID)
	if err == nil && ev.HomeID != homeID {
		return Event{}, store.ErrNotFound
	}
	return ev, err
}

// BulkActions are the events that can be recorded for many homes at once.
var BulkActions = []EventKind{EventCompleted, EventTransferred}

// BulkRefusal is a home that cannot take a bulk event, and why.
type BulkRefusal struct {
	HomeID  int64
	Plot    string
	Reasons []string
}

// BulkRefusals lists the homes that stopped a bulk event; nothing was
// written.
type BulkRefusals []BulkRefusal

func (b BulkRefusals) Error() string {
	var parts []string
	for _, r := range b {
		parts = append(parts, "plot "+r.Plot+": "+strings.Join(r.Reasons, "; "))
	}
	return "homes refused: " + strings.Join(parts, ", ")
}

// BulkHomeEvent records the same event, on one date, for each selected
// home of a development: all of them or none. Problems with the event
// itself come back as *forms.Errors; homes that cannot take it as
// BulkRefusals naming each plot.
func (s *Service) BulkHomeEvent(ctx context.Context, actor audit.Actor, developmentID int64, homeIDs []int64, in EventInput) (int, error) {
	errs := &forms.Errors{}
	checked := in.validate(fy.Today(s.now()))
	if in.Kind != EventCompleted && in.Kind != EventTransferred {
		errs.Add("action", "Select whether the homes were completed or transferred")
		errs.Merge(onlyEventFields(checked, "date"))
	} else {
		errs.Merge(checked)
	}
	if len(homeIDs) == 0 {
		errs.Add("home", "Select the homes to mark")
	}
	var refusals BulkRefusals
	written := map[int64]bool{}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		if err := checkEventProvider(ctx, tx, in, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		var todo []Home
		for _, id := range homeIDs {
			if written[id] {
				continue
			}
			written[id] = true
			h, err := homeByID(ctx, tx, id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && h.DevelopmentID != developmentID) {
				errs.Add("home", "Select homes of this development")
				return errs
			}
			if err != nil {
				return err
			}
			if err := lockHome(ctx, tx, id); err != nil {
				return err
			}
			events, err := listHomeEvents(ctx, tx, id)
			if err != nil {
				return err
			}
			herrs := &forms.Errors{}
			checkOrder(h, events, in, herrs)
			if herrs.Any() {
				r := BulkRefusal{HomeID: h.ID, Plot: h.Plot}
				for _, f := range herrs.Fields() {
					r.Reasons = append(r.Reasons, herrs.Get(f))
				}
				refusals = append(refusals, r)
			}
			todo = append(todo, h)
		}
		if len(refusals) > 0 {
			return refusals
		}
		for _, h := range todo {
			if _, err := writeEvent(ctx, tx, actor, h, in); err != nil {
				var ferrs *forms.Errors
				if errors.As(err, &ferrs) {
					return BulkRefusals{{HomeID: h.ID, Plot: h.Plot, Reasons: []string{ferrs.Get(ferrs.Fields()[0])}}}
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		var br BulkRefusals
		if errors.As(err, &br) {
			return 0, br
		}
		return 0, wrapErr("record events for homes", err)
	}
	return len(written), nil
}

// onlyEventFields keeps the messages of the named fields.
func onlyEventFields(errs *forms.Errors, fields ...string) *forms.Errors {
	out := &forms.Errors{}
	for _, f := range fields {
		if m := errs.Get(f); m != "" {
			out.Add(f, m)
		}
	}
	return out
}
