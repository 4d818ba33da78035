package cil

import (
	"context"
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Regulation 31 (as made, legislation.gov.uk/uksi/2010/948/regulation/31):
//
//	"(1) A person who wishes to assume liability to pay CIL in respect of a
//	chargeable development must submit an assumption of liability notice to
//	the collecting authority. ...
//	(3) A person who assumes liability in accordance with this regulation is
//	liable on commencement of the chargeable development to pay an amount of
//	CIL equal to the chargeable amount less the amount of any relief granted
//	in respect of the chargeable development.
//	(4) A person is deemed to have assumed liability on the day on which the
//	collecting authority receives a valid assumption of liability notice. ...
//	(7) Other than by way of a transfer of assumed liability, a person may
//	not assume liability to pay CIL in respect of a chargeable development
//	after that development has been commenced."

// Party roles.
const (
	RoleAssumedLiability = "assumed-liability"
	RoleOwner            = "owner"
	RoleRelevantPerson   = "relevant-person"
	RoleAgent            = "agent"
)

// PartyRoles lists the roles in the order forms show them.
var PartyRoles = []string{RoleAssumedLiability, RoleOwner, RoleRelevantPerson, RoleAgent}

// PartyRoleLabel names a role as officers say it.
func PartyRoleLabel(role string) string {
	switch role {
	case RoleAssumedLiability:
		return "Assumed liability (regulation 31)"
	case RoleOwner:
		return "Owner of the relevant land"
	case RoleRelevantPerson:
		return "Relevant person"
	case RoleAgent:
		return "Agent"
	}
	return role
}

// Party is a person named on the development's notices.
type Party struct {
	ID            int64
	DevelopmentID int64
	Role          string
	Name          string
	Address       string
	Email         string
	AssumedOn     *time.Time
	EndedOn       *time.Time
}

// PartyInput is the party form.
type PartyInput struct {
	Role      string
	Name      string
	Address   string
	Email     string
	AssumedOn *time.Time
}

// PartyFields lists the party form's fields in page order.
var PartyFields = []string{"role", "name", "address", "email", "assumed_on"}

// AddParty records a party; one who assumed liability gives the day the
// assumption of liability notice was received (31(4)), which may not be
// after commencement (31(7)).
func (s *Notices) AddParty(ctx context.Context, actor audit.Actor, developmentID int64, in PartyInput, errs *forms.Errors) (Party, error) {
	in.Name, in.Email, in.Address = tidy(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.Address)
	if in.Name == "" {
		errs.Add("name", "Enter the person's or company's name")
	}
	valid := false
	for _, r := range PartyRoles {
		valid = valid || r == in.Role
	}
	if !valid {
		errs.Add("role", "Select the party's role")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			errs.Add("email", "Enter an email address in the correct format, like name@example.com")
		}
	}
	if in.Role == RoleAssumedLiability && in.AssumedOn == nil && errs.Get("assumed_on") == "" {
		errs.Add("assumed_on", "Enter the date the assumption of liability notice was received")
	}
	if in.Role != RoleAssumedLiability {
		in.AssumedOn = nil
	}
	p := Party{DevelopmentID: developmentID, Role: in.Role, Name: in.Name, Address: in.Address, Email: in.Email, AssumedOn: in.AssumedOn}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := GetDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		if in.AssumedOn != nil {
			c, err := currentCommencement(ctx, tx, developmentID)
			if err != nil {
				return err
			}
			// 31(7): no assumption after commencement.
			if c != nil && in.AssumedOn.After(c.CommencementDate) {
				errs.Add("assumed_on", "Liability cannot be assumed after the development commenced on "+fmtDate(c.CommencementDate)+" (regulation 31(7))")
			}
		}
		if errs.Any() {
			return errs
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_parties (cil_development_id, role, name, address, email, assumed_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			developmentID, p.Role, p.Name, p.Address, p.Email, p.AssumedOn).Scan(&p.ID); err != nil {
			return err
		}
		after := map[string]any{"role": PartyRoleLabel(p.Role), "name": p.Name, "address": p.Address, "email": p.Email}
		if p.AssumedOn != nil {
			after["assumed liability on"] = p.AssumedOn.Format("2006-01-02")
		}
		return audit.Record(ctx, tx, actor, "cil_party.create", EntityDevelopment, strconv.FormatInt(developmentID, 10),
			"Recorded "+PartyRoleLabel(p.Role)+": "+p.Name, nil, after)
	})
	return p, wrap("record party", err)
}

// Parties lists the development's parties.
func (s *Notices) Parties(ctx context.Context, developmentID int64) ([]Party, error) {
	return parties(ctx, s.DB.Pool, developmentID)
}

func parties(ctx context.Context, q store.Querier, developmentID int64) ([]Party, error) {
	rows, err := q.Query(ctx, `SELECT id, cil_development_id, role, name, address, email, assumed_on, ended_on
		FROM cil_parties WHERE cil_development_id = $1 ORDER BY role <> 'assumed-liability', id`, developmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Party, error) {
		var p Party
		err := r.Scan(&p.ID, &p.DevelopmentID, &p.Role, &p.Name, &p.Address, &p.Email, &p.AssumedOn, &p.EndedOn)
		return p, err
	})
}

// assumedOn reports whether someone had assumed liability, and not
// withdrawn, by day.
func assumedBy(ps []Party, day time.Time) bool {
	for _, p := range ps {
		if p.Role == RoleAssumedLiability && p.AssumedOn != nil && !p.AssumedOn.After(day) && (p.EndedOn == nil || p.EndedOn.After(day)) {
			return true
		}
	}
	return false
}

// WithdrawAssumption records that a person withdrew their assumption of
// liability: 31(6) "A person may withdraw an assumption of liability at any
// time before commencement of the chargeable development by giving notice
// of the withdrawal in writing to the collecting authority."
func (s *Notices) WithdrawAssumption(ctx context.Context, actor audit.Actor, partyID int64, on *time.Time, errs *forms.Errors) (Party, error) {
	if on == nil && errs.Get("ended_on") == "" {
		errs.Add("ended_on", "Enter the date the withdrawal was received")
	}
	var p Party
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id, cil_development_id, role, name, address, email, assumed_on, ended_on FROM cil_parties WHERE id = $1 FOR UPDATE`, partyID).
			Scan(&p.ID, &p.DevelopmentID, &p.Role, &p.Name, &p.Address, &p.Email, &p.AssumedOn, &p.EndedOn)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		c, err := currentCommencement(ctx, tx, p.DevelopmentID)
		if err != nil {
			return err
		}
		switch {
		case p.Role != RoleAssumedLiability:
			errs.Add("ended_on", p.Name+" did not assume liability")
		case p.EndedOn != nil:
			errs.Add("ended_on", p.Name+"'s assumption of liability already ended on "+fmtDate(*p.EndedOn))
		case on != nil && on.Before(*p.AssumedOn):
			errs.Add("ended_on", "The withdrawal cannot be before liability was assumed on "+fmtDate(*p.AssumedOn))
		case on != nil && c != nil && !on.Before(c.CommencementDate):
			errs.Add("ended_on", "Liability can be withdrawn only before commencement, which was on "+fmtDate(c.CommencementDate)+" (regulation 31(6))")
		}
		if errs.Any() {
			return errs
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_parties SET ended_on = $2, version = version + 1 WHERE id = $1`, p.ID, *on); err != nil {
			return err
		}
		p.EndedOn = on
		return audit.Record(ctx, tx, actor, "cil_party.withdraw", EntityDevelopment, strconv.FormatInt(p.DevelopmentID, 10),
			p.Name+" withdrew the assumption of liability", map[string]any{"assumption ended": ""}, map[string]any{"assumption ended": on.Format("2006-01-02")})
	})
	return p, wrap("withdraw assumption of liability", err)
}

// Party reads one party.
func (s *Notices) Party(ctx context.Context, id int64) (Party, error) {
	var p Party
	err := s.DB.Pool.QueryRow(ctx, `SELECT id, cil_development_id, role, name, address, email, assumed_on, ended_on FROM cil_parties WHERE id = $1`, id).
		Scan(&p.ID, &p.DevelopmentID, &p.Role, &p.Name, &p.Address, &p.Email, &p.AssumedOn, &p.EndedOn)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, store.ErrNotFound
	}
	return p, err
}
