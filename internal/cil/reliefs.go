package cil

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/listing"
	"github.com/s106monitor/s106/internal/store"
)

// Reliefs and exemptions (Part 6): claimed, granted or refused, and for
// those with a clawback period, withdrawn on a disqualifying event before
// it ends, when the relief "clawed back" becomes payable.
//
// Regulation 2(1), "clawback period" (as substituted by SI 2014/385 reg
// 3(1)(a), legislation.gov.uk/uksi/2014/385/regulation/3/made):
//
//	"'clawback period' means— (a) in relation to the exemption for
//	residential annexes, the period of three years beginning with the date
//	of the compliance certificate relating to the residential annex, (b) in
//	relation to the exemption for self-build housing, the period of three
//	years beginning with the date of the compliance certificate relating to
//	the relevant dwelling, and (c) for all other purposes, the period of
//	seven years beginning with the day on which a chargeable development is
//	commenced"
//
// "Beginning with" counts the first day: a period of three years beginning
// with 10 May 2024 ends on 9 May 2027.
//
// Disqualifying events are those of regulations 42C, 48, 53 and 54D (the
// definition of "disqualifying event" as amended by the same regulation).
// The exemption for residential extensions and the minor development
// exemption have none ("there is no clawback provision in relation to the
// exemption for residential extensions", PAS forum; regulation 42C is for
// annexes only), so they cannot be withdrawn here. Relief for exceptional
// circumstances is withdrawn under regulation 57, whose text could not be
// retrieved; it is given the seven-year period of (c).
//
// Regulation 53(4) (social housing), for the amount: "The relevant person
// is liable to pay an amount of CIL ("the withdrawn amount") equal to the
// difference between the qualifying amount immediately before the
// disqualifying event and the qualifying amount immediately after" — a part
// of the relief may be clawed back; 54D(3)(a) (self-build): "an amount of
// CIL equal to the amount of CIL that would have been payable on
// commencement of the development if the exemption had not been granted".

// Relief kinds.
const (
	ReliefSocialHousing        = "social-housing"
	ReliefCharitable           = "charitable"
	ReliefSelfBuild            = "self-build"
	ReliefResidentialAnnex     = "residential-annex"
	ReliefResidentialExtension = "residential-extension"
	ReliefExceptional          = "exceptional-circumstances"
	ReliefMinorDevelopment     = "minor-development"
)

// ReliefKinds lists the kinds in the order forms show them.
var ReliefKinds = []string{ReliefSocialHousing, ReliefCharitable, ReliefSelfBuild, ReliefResidentialAnnex, ReliefResidentialExtension, ReliefExceptional, ReliefMinorDevelopment}

// ReliefKindLabel names a kind with its regulation.
func ReliefKindLabel(kind string) string {
	switch kind {
	case ReliefSocialHousing:
		return "Social housing relief (regulation 49)"
	case ReliefCharitable:
		return "Charitable relief (regulation 43)"
	case ReliefSelfBuild:
		return "Self-build exemption (regulation 54A)"
	case ReliefResidentialAnnex:
		return "Residential annex exemption (regulation 42A)"
	case ReliefResidentialExtension:
		return "Residential extension exemption (regulation 42A)"
	case ReliefExceptional:
		return "Relief for exceptional circumstances (regulation 55)"
	case ReliefMinorDevelopment:
		return "Minor development exemption (regulation 42)"
	}
	return kind
}

type clawbackStart int

const (
	noClawback clawbackStart = iota
	clawbackFromCommencement
	clawbackFromCompliance
)

// ClawbackFrom says what starts a kind's clawback period.
func ClawbackFrom(kind string) clawbackStart {
	switch kind {
	case ReliefSocialHousing, ReliefCharitable, ReliefExceptional:
		return clawbackFromCommencement
	case ReliefSelfBuild, ReliefResidentialAnnex:
		return clawbackFromCompliance
	}
	return noClawback
}

// HasClawback reports whether a kind can be withdrawn on a disqualifying event.
func HasClawback(kind string) bool { return ClawbackFrom(kind) != noClawback }

// ClawbackEnd is the last day of the clawback period, or nil when it
// cannot yet be known (not commenced; no compliance certificate) or the
// kind has none.
func ClawbackEnd(kind string, commenced, compliance *time.Time) *time.Time {
	var start *time.Time
	years := 0
	switch ClawbackFrom(kind) {
	case clawbackFromCommencement:
		start, years = commenced, 7
	case clawbackFromCompliance:
		start, years = compliance, 3
	}
	if start == nil {
		return nil
	}
	end := start.AddDate(years, 0, -1)
	return &end
}

// ClaimBeforeCommencement reports whether a claim of the kind must be
// received before commencement. 42B(2) (annexes and extensions): "The
// claim must— (a) subject to paragraph (3A), be received by the collecting
// authority before commencement of the chargeable development"; 54B(2)(b)
// (self-build) likewise; and charitable relief, whose regulation 47(2)(a)
// SI 2019/1103 amends in the same words ("Paragraphs (2)(a) and (3) do not
// apply where charitable relief has been granted ..."). Social housing
// relief's claim rule (regulation 51) could not be retrieved, nor
// exceptional circumstances' (57), so those are not checked here; the
// minor development exemption needs no claim.
func ClaimBeforeCommencement(kind string) bool {
	switch kind {
	case ReliefResidentialAnnex, ReliefResidentialExtension, ReliefSelfBuild, ReliefCharitable:
		return true
	}
	return false
}

// Relief decisions.
const (
	DecisionPending = "pending"
	DecisionGranted = "granted"
	DecisionRefused = "refused"
)

// Relief is a claim for a relief or exemption and what became of it.
type Relief struct {
	ID                   int64
	DevelopmentID        int64
	DevelopmentReference string
	Kind                 string
	Claimant             string
	ClaimedOn            time.Time
	Amount               decimal.Decimal
	Decision             string
	DecidedOn            *time.Time
	DecisionReason       string
	ComplianceOn         *time.Time
	ClawbackEnds         *time.Time
	DisqualifyingEventOn *time.Time
	WithdrawnOn          *time.Time
	WithdrawalReason     string
	ClawedBack           *decimal.Decimal
	Note                 string
	Version              int
}

// Standing is the relief that still stands: granted, less any clawed back.
func (r Relief) Standing() decimal.Decimal {
	if r.Decision != DecisionGranted {
		return decimal.Zero
	}
	if r.ClawedBack != nil {
		return r.Amount.Sub(*r.ClawedBack)
	}
	return r.Amount
}

// Status names where the claim stands.
func (r Relief) Status() string {
	switch {
	case r.WithdrawnOn != nil:
		return "Withdrawn"
	case r.Decision == DecisionGranted:
		return "Granted"
	case r.Decision == DecisionRefused:
		return "Refused"
	}
	return "Claimed"
}

// ReliefInput is the claim form.
type ReliefInput struct {
	Kind      string
	Claimant  string
	ClaimedOn *time.Time
	Amount    *decimal.Decimal
	Note      string
}

// ReliefFields lists the claim form's fields in page order.
var ReliefFields = []string{"kind", "claimant", "claimed_on", "amount", "note"}

// ClaimRelief records a claim for a relief or exemption.
func (s *Notices) ClaimRelief(ctx context.Context, actor audit.Actor, developmentID int64, in ReliefInput, errs *forms.Errors) (Relief, error) {
	valid := false
	for _, k := range ReliefKinds {
		valid = valid || k == in.Kind
	}
	if !valid {
		errs.Add("kind", "Select the relief or exemption claimed")
	}
	in.Claimant, in.Note = tidy(in.Claimant), strings.TrimSpace(in.Note)
	if in.Claimant == "" {
		errs.Add("claimant", "Enter who made the claim")
	}
	if in.ClaimedOn == nil && errs.Get("claimed_on") == "" {
		errs.Add("claimed_on", "Enter the date the claim was received")
	} else if in.ClaimedOn != nil && in.ClaimedOn.After(s.today()) {
		errs.Add("claimed_on", "The date the claim was received must be today or in the past")
	}
	if in.Amount == nil && errs.Get("amount") == "" {
		errs.Add("amount", "Enter the amount of relief claimed")
	}
	var r Relief
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		d, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		if in.ClaimedOn != nil && ClaimBeforeCommencement(in.Kind) {
			c, err := currentCommencement(ctx, tx, developmentID)
			if err != nil {
				return err
			}
			if c != nil && !in.ClaimedOn.Before(c.CommencementDate) {
				errs.Add("claimed_on", "The claim must be received before the development commenced on "+fmtDate(c.CommencementDate))
			}
		}
		if errs.Any() {
			return errs
		}
		r = Relief{DevelopmentID: developmentID, DevelopmentReference: d.Reference, Kind: in.Kind, Claimant: in.Claimant, ClaimedOn: *in.ClaimedOn,
			Amount: *in.Amount, Decision: DecisionPending, Note: in.Note, Version: 1}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_reliefs (cil_development_id, kind, claimant, claimed_on, amount, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			developmentID, r.Kind, r.Claimant, r.ClaimedOn, r.Amount, r.Note).Scan(&r.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_relief.claim", EntityRelief, strconv.FormatInt(r.ID, 10),
			"Recorded a claim for "+ReliefKindLabel(r.Kind)+" on "+d.Reference, nil, reliefAuditView(r))
	})
	return r, wrap("record relief claim", err)
}

// DecisionInput is the decision form.
type DecisionInput struct {
	Decision     string
	DecidedOn    *time.Time
	Amount       *decimal.Decimal // the amount granted (may differ from the claim)
	ComplianceOn *time.Time
	Reason       string
}

// DecisionFields lists the decision form's fields in page order.
var DecisionFields = []string{"decision", "decided_on", "granted_amount", "compliance_on", "reason"}

// DecideRelief grants or refuses a claim, or changes a decision's
// details (the compliance certificate's date, once it is issued);
// version is the version the form was based on.
func (s *Notices) DecideRelief(ctx context.Context, actor audit.Actor, id int64, version int, in DecisionInput, errs *forms.Errors) (Relief, error) {
	if in.Decision != DecisionGranted && in.Decision != DecisionRefused {
		errs.Add("decision", "Select whether the relief is granted or refused")
	}
	if in.DecidedOn == nil && errs.Get("decided_on") == "" {
		errs.Add("decided_on", "Enter the date of the decision")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Decision == DecisionRefused && in.Reason == "" {
		errs.Add("reason", "Enter why the claim was refused")
	}
	var after Relief
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := reliefForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		if before.WithdrawnOn != nil {
			errs.Add("decision", "This relief was withdrawn on "+fmtDate(*before.WithdrawnOn)+"; its decision can no longer be changed")
		}
		if in.DecidedOn != nil && in.DecidedOn.Before(before.ClaimedOn) {
			errs.Add("decided_on", "The decision cannot be before the claim was received ("+fmtDate(before.ClaimedOn)+")")
		}
		if in.Decision == DecisionGranted && in.Amount != nil && in.Amount.GreaterThan(before.Amount) {
			errs.Add("granted_amount", "The amount granted cannot be more than the £"+before.Amount.StringFixed(2)+" claimed")
		}
		if errs.Any() {
			return errs
		}
		after = before
		after.Decision, after.DecidedOn, after.DecisionReason, after.ComplianceOn = in.Decision, in.DecidedOn, in.Reason, in.ComplianceOn
		if in.Decision == DecisionGranted && in.Amount != nil {
			after.Amount = *in.Amount
		}
		after.ClawbackEnds = nil
		if in.Decision == DecisionGranted {
			c, err := currentCommencement(ctx, tx, before.DevelopmentID)
			if err != nil {
				return err
			}
			var commenced *time.Time
			if c != nil {
				commenced = &c.CommencementDate
			}
			after.ClawbackEnds = ClawbackEnd(after.Kind, commenced, after.ComplianceOn)
		}
		tag, err := tx.Exec(ctx, `UPDATE cil_reliefs SET decision = $2, decided_on = $3, decision_reason = $4, compliance_on = $5, amount = $6,
			clawback_ends = $7, version = version + 1 WHERE id = $1 AND version = $8`,
			id, after.Decision, after.DecidedOn, after.DecisionReason, after.ComplianceOn, after.Amount, after.ClawbackEnds, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		after.Version++
		verb := "Granted "
		if after.Decision == DecisionRefused {
			verb = "Refused "
		}
		return audit.Record(ctx, tx, actor, "cil_relief.decide", EntityRelief, strconv.FormatInt(id, 10),
			verb+ReliefKindLabel(after.Kind)+" on "+after.DevelopmentReference, reliefAuditView(before), reliefAuditView(after))
	})
	return after, wrap("decide relief", err)
}

// WithdrawalInput is the withdrawal (clawback) form.
type WithdrawalInput struct {
	EventOn     *time.Time
	WithdrawnOn *time.Time
	Reason      string
	Amount      *decimal.Decimal // clawed back; nil: the whole relief
}

// WithdrawalFields lists the withdrawal form's fields in page order.
var WithdrawalFields = []string{"event_on", "withdrawn_on", "reason", "clawed_back"}

// WithdrawRelief withdraws a granted relief on a disqualifying event that
// occurred before the end of its clawback period (53(1): "This regulation
// applies whenever a disqualifying event occurs before the end of the
// clawback period"; 54D(1) likewise), clawing back the amount given.
func (s *Notices) WithdrawRelief(ctx context.Context, actor audit.Actor, id int64, version int, in WithdrawalInput, errs *forms.Errors) (Relief, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.EventOn == nil && errs.Get("event_on") == "" {
		errs.Add("event_on", "Enter the date of the disqualifying event")
	}
	if in.WithdrawnOn == nil && errs.Get("withdrawn_on") == "" {
		errs.Add("withdrawn_on", "Enter the date the relief is withdrawn")
	}
	if in.Reason == "" {
		errs.Add("reason", "Describe the disqualifying event")
	}
	if in.EventOn != nil && in.WithdrawnOn != nil && in.WithdrawnOn.Before(*in.EventOn) {
		errs.Add("withdrawn_on", "The relief cannot be withdrawn before the disqualifying event")
	}
	var after Relief
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		before, err := reliefForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return store.ErrConflict
		}
		switch {
		case before.Decision != DecisionGranted:
			errs.Add("event_on", "Only a granted relief can be withdrawn")
		case before.WithdrawnOn != nil:
			errs.Add("event_on", "This relief was already withdrawn on "+fmtDate(*before.WithdrawnOn))
		case !HasClawback(before.Kind):
			errs.Add("event_on", "A "+strings.ToLower(ReliefKindLabel(before.Kind))+" has no clawback period and cannot be withdrawn")
		case in.EventOn != nil && in.EventOn.Before(*before.DecidedOn):
			errs.Add("event_on", "The disqualifying event cannot be before the relief was granted on "+fmtDate(*before.DecidedOn))
		case in.EventOn != nil && before.ClawbackEnds != nil && in.EventOn.After(*before.ClawbackEnds):
			errs.Add("event_on", "The clawback period ended on "+fmtDate(*before.ClawbackEnds)+": an event after it does not withdraw the relief")
		}
		if in.Amount == nil {
			a := before.Amount
			in.Amount = &a
		}
		if !in.Amount.IsPositive() || in.Amount.GreaterThan(before.Amount) {
			errs.Add("clawed_back", "The amount clawed back must be more than £0 and no more than the £"+before.Amount.StringFixed(2)+" granted")
		}
		if errs.Any() {
			return errs
		}
		after = before
		after.DisqualifyingEventOn, after.WithdrawnOn, after.WithdrawalReason, after.ClawedBack = in.EventOn, in.WithdrawnOn, in.Reason, in.Amount
		tag, err := tx.Exec(ctx, `UPDATE cil_reliefs SET disqualifying_event_on = $2, withdrawn_on = $3, withdrawal_reason = $4, clawed_back = $5,
			version = version + 1 WHERE id = $1 AND version = $6`, id, after.DisqualifyingEventOn, after.WithdrawnOn, after.WithdrawalReason, after.ClawedBack, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		after.Version++
		return audit.Record(ctx, tx, actor, "cil_relief.withdraw", EntityRelief, strconv.FormatInt(id, 10),
			"Withdrew "+ReliefKindLabel(after.Kind)+" on "+after.DevelopmentReference+", clawing back £"+after.ClawedBack.StringFixed(2),
			reliefAuditView(before), reliefAuditView(after))
	})
	return after, wrap("withdraw relief", err)
}

// setClawbackEnds sets the clawback period's end on the development's
// granted reliefs whose period runs from commencement.
func setClawbackEnds(ctx context.Context, tx pgx.Tx, developmentID int64, commenced *time.Time) error {
	rs, err := reliefs(ctx, tx, "WHERE r.cil_development_id = $1 AND r.decision = 'granted' AND r.withdrawn_on IS NULL", developmentID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if ClawbackFrom(r.Kind) != clawbackFromCommencement {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_reliefs SET clawback_ends = $2 WHERE id = $1`, r.ID, ClawbackEnd(r.Kind, commenced, nil)); err != nil {
			return err
		}
	}
	return nil
}

func reliefAuditView(r Relief) map[string]any {
	m := map[string]any{"kind": ReliefKindLabel(r.Kind), "claimant": r.Claimant, "claimed on": r.ClaimedOn.Format("2006-01-02"),
		"amount": "£" + r.Amount.StringFixed(2), "decision": r.Decision, "note": r.Note}
	put := func(k string, t *time.Time) {
		if t != nil {
			m[k] = t.Format("2006-01-02")
		}
	}
	put("decided on", r.DecidedOn)
	put("compliance certificate", r.ComplianceOn)
	put("clawback period ends", r.ClawbackEnds)
	put("disqualifying event on", r.DisqualifyingEventOn)
	put("withdrawn on", r.WithdrawnOn)
	if r.DecisionReason != "" {
		m["reason for decision"] = r.DecisionReason
	}
	if r.WithdrawalReason != "" {
		m["disqualifying event"] = r.WithdrawalReason
	}
	if r.ClawedBack != nil {
		m["clawed back"] = "£" + r.ClawedBack.StringFixed(2)
	}
	return m
}

const reliefColumns = `r.id, r.cil_development_id, d.reference, r.kind, r.claimant, r.claimed_on, r.amount, r.decision, r.decided_on, r.decision_reason,
	r.compliance_on, r.clawback_ends, r.disqualifying_event_on, r.withdrawn_on, r.withdrawal_reason, r.clawed_back, r.note, r.version`

func scanRelief(row pgx.CollectableRow) (Relief, error) {
	var r Relief
	err := row.Scan(&r.ID, &r.DevelopmentID, &r.DevelopmentReference, &r.Kind, &r.Claimant, &r.ClaimedOn, &r.Amount, &r.Decision, &r.DecidedOn,
		&r.DecisionReason, &r.ComplianceOn, &r.ClawbackEnds, &r.DisqualifyingEventOn, &r.WithdrawnOn, &r.WithdrawalReason, &r.ClawedBack, &r.Note, &r.Version)
	return r, err
}

func reliefs(ctx context.Context, q store.Querier, where string, args ...any) ([]Relief, error) {
	if !strings.Contains(where, "ORDER BY") && !strings.Contains(where, "FOR UPDATE") {
		where += " ORDER BY r.claimed_on, r.id"
	}
	rows, err := q.Query(ctx, `SELECT `+reliefColumns+` FROM cil_reliefs r JOIN cil_developments d ON d.id = r.cil_development_id `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanRelief)
}

func reliefForUpdate(ctx context.Context, tx pgx.Tx, id int64) (Relief, error) {
	rs, err := reliefs(ctx, tx, "WHERE r.id = $1 FOR UPDATE OF r", id)
	if err != nil {
		return Relief{}, err
	}
	if len(rs) == 0 {
		return Relief{}, store.ErrNotFound
	}
	return rs[0], nil
}

// Relief reads one relief.
func (s *Notices) Relief(ctx context.Context, id int64) (Relief, error) {
	rs, err := reliefs(ctx, s.DB.Pool, "WHERE r.id = $1", id)
	if err != nil {
		return Relief{}, err
	}
	if len(rs) == 0 {
		return Relief{}, store.ErrNotFound
	}
	return rs[0], nil
}

// DevelopmentReliefs lists a development's reliefs.
func (s *Notices) DevelopmentReliefs(ctx context.Context, developmentID int64) ([]Relief, error) {
	return reliefs(ctx, s.DB.Pool, "WHERE r.cil_development_id = $1", developmentID)
}

// ReliefSorts are the reliefs list's sort keys.
var ReliefSorts = map[string]string{
	"claimed":     "r.claimed_on",
	"development": "lower(d.reference)",
	"kind":        "r.kind",
	"amount":      "r.amount",
	"clawback":    "r.clawback_ends",
}

func reliefWhere(p listing.Params) *listing.Where {
	w := &listing.Where{}
	if p.Search != "" {
		like := listing.Like(p.Search)
		w.Add("(d.reference ILIKE ? OR r.claimant ILIKE ? OR d.description ILIKE ?)", like, like, like)
	}
	if k := p.Get("kind"); k != "" {
		w.Add("r.kind = ?", k)
	}
	switch p.Get("status") {
	case "claimed":
		w.Add("r.decision = 'pending'")
	case "granted":
		w.Add("r.decision = 'granted' AND r.withdrawn_on IS NULL")
	case "refused":
		w.Add("r.decision = 'refused'")
	case "withdrawn":
		w.Add("r.withdrawn_on IS NOT NULL")
	case "at-risk":
		// Granted and still inside its clawback period (or not yet started).
		w.Add("r.decision = 'granted' AND r.withdrawn_on IS NULL AND r.kind IN ('social-housing', 'charitable', 'exceptional-circumstances', 'self-build', 'residential-annex') AND (r.clawback_ends IS NULL OR r.clawback_ends >= current_date)")
	}
	return w
}

// ListReliefs is one page of the reliefs list.
func (s *Notices) ListReliefs(ctx context.Context, p listing.Params) (listing.Page[Relief], error) {
	w := reliefWhere(p)
	page := listing.Page[Relief]{Params: p}
	if err := s.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM cil_reliefs r JOIN cil_developments d ON d.id = r.cil_development_id `+w.SQL(), w.Args...).Scan(&page.Total); err != nil {
		return page, err
	}
	order := ReliefSorts[p.Sort] + " " + p.Direction() + " NULLS LAST, r.id"
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+reliefColumns+` FROM cil_reliefs r JOIN cil_developments d ON d.id = r.cil_development_id `+w.SQL()+
		` ORDER BY `+order+` LIMIT `+w.Arg(p.PerPage)+` OFFSET `+w.Arg(p.Offset()), w.Args...)
	if err != nil {
		return page, err
	}
	page.Items, err = pgx.CollectRows(rows, scanRelief)
	return page, err
}

// ExportReliefs is every relief the list's filters select, in its order.
func (s *Notices) ExportReliefs(ctx context.Context, p listing.Params) ([]Relief, error) {
	w := reliefWhere(p)
	return reliefs(ctx, s.DB.Pool, w.SQL()+" ORDER BY "+ReliefSorts[p.Sort]+" "+p.Direction()+" NULLS LAST, r.id", w.Args...)
}
