package cil

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

// Regulation 67 (as made, legislation.gov.uk/uksi/2010/948/regulation/67/made):
//
//	"(1) Where planning permission is granted for a chargeable development,
//	a commencement notice must be submitted to the collecting authority no
//	later than the day before the day on which the chargeable development
//	is to be commenced. ...
//	(4) On receiving a valid commencement notice the collecting authority
//	must send an acknowledgment of its receipt to the person who submitted
//	it.
//	(5) Where charitable or social housing relief has been granted in
//	respect of the chargeable development, the acknowledgement must state
//	the date on which the clawback period ends (on the assumption that the
//	chargeable development is commenced on the intended commencement date).
//	(6) Where a collecting authority receives a valid commencement notice
//	any earlier commencement notice received by it in respect of the same
//	chargeable development ceases to have effect.
//	(7) A person who has submitted a commencement notice may withdraw it at
//	any time before the commencement of the chargeable development ..."
//
// Regulation 68 (deemed commencement) could not be retrieved from
// legislation.gov.uk in the stored material. Its effect, as solicitors
// summarise it (Blandy & Blandy, "Determining the Deemed Commencement
// Date", 2019): "If you do not submit the commencement notice then the
// Collecting Authority must determine the day on which a chargeable
// development was commenced", and "Regulation 71(2) provides that where a
// Collecting Authority determines a commencement date the amount of CIL
// payable in respect of that chargeable development is due in full on the
// deemed commencement date".

// Commencement kinds.
const (
	CommencementNotice = "notice"
	CommencementDeemed = "deemed"
)

// Commencement is a commencement notice received, or a deemed commencement
// date the council determined.
type Commencement struct {
	ID               int64
	DevelopmentID    int64
	Kind             string
	ReceivedOn       time.Time // the notice received, or the day the date was determined
	CommencementDate time.Time
	WithdrawnOn      *time.Time
	Note             string
	RecordedAt       time.Time
}

// Deemed reports whether the council determined the date (regulation 68).
func (c Commencement) Deemed() bool { return c.Kind == CommencementDeemed }

// Late reports whether a notice arrived after "the day before the day on
// which the chargeable development is to be commenced" (67(1)).
func (c Commencement) Late() bool {
	return c.Kind == CommencementNotice && !c.ReceivedOn.Before(c.CommencementDate)
}

// CommencementInput is the commencement form.
type CommencementInput struct {
	Kind             string
	ReceivedOn       *time.Time
	CommencementDate *time.Time
	Note             string
}

// CommencementFields lists the form's fields in page order.
var CommencementFields = []string{"kind", "received_on", "commencement_date", "note"}

// RecordCommencement records a commencement notice or a deemed
// commencement date. A later notice supersedes the earlier (67(6)); the
// clawback periods of reliefs that run from commencement are set from it.
func (s *Notices) RecordCommencement(ctx context.Context, actor audit.Actor, developmentID int64, in CommencementInput, errs *forms.Errors) (Commencement, error) {
	if in.Kind != CommencementNotice && in.Kind != CommencementDeemed {
		errs.Add("kind", "Select whether a commencement notice was received or the council is deeming the date")
	}
	if in.ReceivedOn == nil && errs.Get("received_on") == "" {
		errs.Add("received_on", "Enter the date the notice was received or the date was determined")
	}
	if in.CommencementDate == nil && errs.Get("commencement_date") == "" {
		errs.Add("commencement_date", "Enter the commencement date")
	}
	if in.ReceivedOn != nil && in.ReceivedOn.After(s.today()) {
		errs.Add("received_on", "The date received must be today or in the past")
	}
	if in.Kind == CommencementDeemed && in.CommencementDate != nil && in.ReceivedOn != nil && in.CommencementDate.After(*in.ReceivedOn) {
		errs.Add("commencement_date", "A deemed commencement date is the day the development was found to have commenced, so it cannot be after the day it was determined")
	}
	in.Note = strings.TrimSpace(in.Note)
	var c Commencement
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		d, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		if in.CommencementDate != nil && in.CommencementDate.Before(d.PermissionDate) {
			errs.Add("commencement_date", "The commencement date cannot be before planning permission first permitted the development ("+fmtDate(d.PermissionDate)+")")
		}
		if errs.Any() {
			return errs
		}
		c = Commencement{DevelopmentID: developmentID, Kind: in.Kind, ReceivedOn: *in.ReceivedOn, CommencementDate: *in.CommencementDate, Note: in.Note}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_commencements (cil_development_id, kind, received_on, commencement_date, note, recorded_by)
			VALUES ($1, $2, $3, $4, $5, nullif($6, 0)) RETURNING id, recorded_at`, developmentID, c.Kind, c.ReceivedOn, c.CommencementDate, c.Note, actor.UserID).
			Scan(&c.ID, &c.RecordedAt); err != nil {
			return err
		}
		if err := setClawbackEnds(ctx, tx, developmentID, &c.CommencementDate); err != nil {
			return err
		}
		what := "Recorded commencement notice"
		if c.Deemed() {
			what = "Determined deemed commencement date"
		}
		return audit.Record(ctx, tx, actor, "cil_commencement.create", EntityNotice, "commencement-"+strconv.FormatInt(c.ID, 10),
			what+" for "+d.Reference+": "+fmtDate(c.CommencementDate), nil,
			map[string]any{"development": d.Reference, "kind": c.Kind, "received on": c.ReceivedOn.Format("2006-01-02"),
				"commencement date": c.CommencementDate.Format("2006-01-02"), "note": c.Note})
	})
	return c, wrap("record commencement", err)
}

// currentCommencement is the development's commencement that has effect:
// the latest received (67(6): the earlier ones "cease to have effect"),
// unless it was withdrawn (67(7)), which does not revive an earlier one
// (that takes a notice under 67(6A), (6B), not recorded here); nil when none.
func currentCommencement(ctx context.Context, q store.Querier, developmentID int64) (*Commencement, error) {
	cs, err := commencements(ctx, q, "WHERE cil_development_id = $1", developmentID)
	if err != nil || len(cs) == 0 || cs[0].WithdrawnOn != nil {
		return nil, err
	}
	return &cs[0], nil
}

// WithdrawCommencement records that a commencement notice was withdrawn,
// which 67(7) allows "at any time before the commencement of the
// chargeable development to which it relates".
func (s *Notices) WithdrawCommencement(ctx context.Context, actor audit.Actor, id int64, on *time.Time, errs *forms.Errors) (Commencement, error) {
	if on == nil && errs.Get("withdrawn_on") == "" {
		errs.Add("withdrawn_on", "Enter the date the notice was withdrawn")
	}
	var c Commencement
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_commencements WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		cs, err := commencements(ctx, tx, "WHERE id = $1", id)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return store.ErrNotFound
		}
		c = cs[0]
		switch {
		case c.Deemed():
			errs.Add("withdrawn_on", "A deemed commencement date is the council's determination, not a notice: it cannot be withdrawn")
		case c.WithdrawnOn != nil:
			errs.Add("withdrawn_on", "The notice was already withdrawn on "+fmtDate(*c.WithdrawnOn))
		case on != nil && !on.Before(c.CommencementDate):
			errs.Add("withdrawn_on", "A commencement notice can be withdrawn only before the commencement date it states, "+fmtDate(c.CommencementDate)+" (regulation 67(7))")
		case on != nil && on.Before(c.ReceivedOn):
			errs.Add("withdrawn_on", "The notice cannot be withdrawn before it was received on "+fmtDate(c.ReceivedOn))
		}
		if errs.Any() {
			return errs
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_commencements SET withdrawn_on = $2 WHERE id = $1`, id, *on); err != nil {
			return err
		}
		c.WithdrawnOn = on
		return audit.Record(ctx, tx, actor, "cil_commencement.withdraw", EntityNotice, "commencement-"+strconv.FormatInt(id, 10),
			"Commencement notice for "+fmtDate(c.CommencementDate)+" withdrawn", map[string]any{"withdrawn on": ""},
			map[string]any{"withdrawn on": on.Format("2006-01-02")})
	})
	return c, wrap("withdraw commencement notice", err)
}

// Commencements lists the development's commencement records, latest first.
func (s *Notices) Commencements(ctx context.Context, developmentID int64) ([]Commencement, error) {
	return commencements(ctx, s.DB.Pool, "WHERE cil_development_id = $1", developmentID)
}

// Commencement reads one commencement record.
func (s *Notices) Commencement(ctx context.Context, id int64) (Commencement, error) {
	cs, err := commencements(ctx, s.DB.Pool, "WHERE id = $1", id)
	if err != nil {
		return Commencement{}, err
	}
	if len(cs) == 0 {
		return Commencement{}, store.ErrNotFound
	}
	return cs[0], nil
}

func commencements(ctx context.Context, q store.Querier, where string, args ...any) ([]Commencement, error) {
	rows, err := q.Query(ctx, `SELECT id, cil_development_id, kind, received_on, commencement_date, withdrawn_on, note, recorded_at
		FROM cil_commencements `+where+` ORDER BY received_on DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Commencement, error) {
		var c Commencement
		err := r.Scan(&c.ID, &c.DevelopmentID, &c.Kind, &c.ReceivedOn, &c.CommencementDate, &c.WithdrawnOn, &c.Note, &c.RecordedAt)
		return c, err
	})
}

// Acknowledgement is what the acknowledgement of a commencement notice
// states (67(4), (5)).
type Acknowledgement struct {
	Commencement Commencement
	Development  Development
	// Reliefs granted whose clawback period runs from commencement, with
	// the day each period ends.
	Reliefs []Relief
}

// Acknowledge gathers the acknowledgement of a commencement record.
func (s *Notices) Acknowledge(ctx context.Context, id int64) (Acknowledgement, error) {
	c, err := s.Commencement(ctx, id)
	if err != nil {
		return Acknowledgement{}, err
	}
	a := Acknowledgement{Commencement: c}
	if a.Development, err = GetDevelopment(ctx, s.DB.Pool, c.DevelopmentID); err != nil {
		return a, err
	}
	rs, err := reliefs(ctx, s.DB.Pool, "WHERE r.cil_development_id = $1 AND r.decision = 'granted'", c.DevelopmentID)
	if err != nil {
		return a, err
	}
	for _, r := range rs {
		if ClawbackFrom(r.Kind) == clawbackFromCommencement {
			end := ClawbackEnd(r.Kind, &c.CommencementDate, r.ComplianceOn)
			r.ClawbackEnds = end
			a.Reliefs = append(a.Reliefs, r)
		}
	}
	return a, nil
}
