package cil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/store"
)

// Surcharges, regulations 80 to 86 (Part 9 Chapter 1; 80-83 and 86 from
// legislation.gov.uk/uksi/2010/948/part/9/chapter/1/2020-11-16 and
// regulation/83, 84 and 85 from councils' summaries because their text
// could not be retrieved):
//
//	80: "A collecting authority may impose a surcharge of £50 on each
//	person liable to pay CIL in respect of a chargeable development if— (a)
//	nobody has assumed liability ...; and (b) the chargeable development
//	has been commenced."
//	81(1): "... it may impose a surcharge of £500 in respect of each of
//	those interests."
//	82(1): "... a surcharge equal to 20 per cent of the chargeable amount
//	payable in respect of D or £2500, whichever is the lower amount."
//	83(1): "where a chargeable development (D) is commenced before the
//	collecting authority has received a valid commencement notice in
//	respect of D, the collecting authority may impose a surcharge equal to
//	20 per cent of the chargeable amount payable in respect of D or £2500,
//	whichever is the lower amount."
//	84 (summary, Castle Point BC): "Surcharge equal to 20% or £2,500 of
//	the chargeable amount, whichever is the lower amount, for failure to
//	notify of a disqualifying event".
//	85 (summary, Castle Point BC): "Surcharge equal to 5% or £200,
//	whichever is the greater amount, on the outstanding liability for late
//	payment after the end of 30 days after the liability is due, further
//	increasing after outstanding after six months and after 12 months".
//	86(2): "a surcharge on P equal to 20 per cent of the relevant amount or
//	£1000, whichever is the lower amount. (3) ... 'relevant amount' means
//	the amount of CIL P is liable to pay".

// SurchargeRegulations lists the surcharges in the order forms show them.
var SurchargeRegulations = []int{80, 81, 82, 83, 84, 85, 86}

// SurchargeLabel names a surcharge by its regulation.
func SurchargeLabel(reg int) string {
	switch reg {
	case 80:
		return "Failure to assume liability (regulation 80): £50"
	case 81:
		return "Apportionment of liability (regulation 81): £500 for each material interest"
	case 82:
		return "Failure to submit a notice of chargeable development (regulation 82): 20% or £2,500, the lower"
	case 83:
		return "Failure to submit a commencement notice (regulation 83): 20% or £2,500, the lower"
	case 84:
		return "Failure to notify a disqualifying event (regulation 84): 20% or £2,500, the lower"
	case 85:
		return "Late payment (regulation 85): 5% of the unpaid amount or £200, the greater"
	case 86:
		return "Failure to comply with an information notice (regulation 86): 20% or £1,000, the lower"
	case 87:
		return "Late payment interest (regulation 87)"
	}
	return "Regulation " + strconv.Itoa(reg)
}

var (
	twentyPercent = decimal.RequireFromString("0.2")
	fivePercent   = decimal.RequireFromString("0.05")
)

// SurchargeAmount is the surcharge of a regulation on base (the chargeable
// amount for 82-84, the unpaid amount for 85, the amount the person is
// liable to pay for 86; 80 and 81 are fixed, 81 per interest in count).
func SurchargeAmount(reg int, base decimal.Decimal, count int) (decimal.Decimal, error) {
	switch reg {
	case 80:
		return decimal.NewFromInt(50), nil
	case 81:
		if count < 1 {
			return decimal.Zero, errors.New("enter how many material interests liability was apportioned between")
		}
		return decimal.NewFromInt(500).Mul(decimal.NewFromInt(int64(count))), nil
	case 82, 83, 84:
		return decimal.Min(base.Mul(twentyPercent).Round(2), decimal.NewFromInt(2500)), nil
	case 85:
		return decimal.Max(base.Mul(fivePercent).Round(2), decimal.NewFromInt(200)), nil
	case 86:
		return decimal.Min(base.Mul(twentyPercent).Round(2), decimal.NewFromInt(1000)), nil
	}
	return decimal.Zero, fmt.Errorf("regulation %d is not a surcharge", reg)
}

// Charge is a surcharge or late payment interest imposed.
type Charge struct {
	ID                   int64
	DevelopmentID        int64
	DevelopmentReference string
	DevelopmentDesc      string
	Regulation           int
	ImposedOn            time.Time
	Amount               decimal.Decimal
	Reason               string
	QuashedOn            *time.Time
	QuashReason          string
	DemandNoticeID       *int64
	Calculation          ChargeCalculation
}

// ChargeCalculation is the working a charge's notice prints.
type ChargeCalculation struct {
	Base      string    `json:"base,omitempty"`       // what the percentage was taken of
	BaseValue string    `json:"base_value,omitempty"` // its amount
	Count     int       `json:"count,omitempty"`
	Interest  *Interest `json:"interest,omitempty"`
	Rule      string    `json:"rule"`
}

// SurchargeInput is the surcharge form.
type SurchargeInput struct {
	Regulation int
	ImposedOn  *time.Time
	Reason     string
	Interests  int // 81: material interests
}

// SurchargeFields lists the form's fields in page order.
var SurchargeFields = []string{"regulation", "imposed_on", "interests", "reason"}

// ImposeSurcharge imposes a surcharge, working out its amount from the
// regulation and the development's figures.
func (s *Notices) ImposeSurcharge(ctx context.Context, actor audit.Actor, developmentID int64, in SurchargeInput, errs *forms.Errors) (Charge, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Regulation < 80 || in.Regulation > 86 {
		errs.Add("regulation", "Select the surcharge")
	}
	if in.ImposedOn == nil && errs.Get("imposed_on") == "" {
		errs.Add("imposed_on", "Enter the date the surcharge is imposed")
	}
	if in.Reason == "" {
		errs.Add("reason", "Enter why the surcharge is imposed")
	}
	var ch Charge
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := GetDevelopment(ctx, tx, developmentID); err != nil {
			return err
		}
		calc := ChargeCalculation{Rule: SurchargeLabel(in.Regulation)}
		var base decimal.Decimal
		switch in.Regulation {
		case 82, 84, 86:
			var err error
			if base, err = latestChargeable(ctx, tx, developmentID); errors.Is(err, store.ErrNotFound) {
				errs.Add("regulation", "Issue the liability notice first: the surcharge is a share of the chargeable amount")
			} else if err != nil {
				return err
			}
			calc.Base = "chargeable amount (latest liability notice)"
		case 85:
			// "not received in full after the end of the period of 30 days
			// beginning with the day on which payment is due" (as councils
			// quote 85(1)): the 30 days count the due day, so an amount due
			// on day D can be surcharged from D + 30.
			var err error
			var cutoff *time.Time
			if in.ImposedOn != nil {
				c := in.ImposedOn.AddDate(0, 0, -30)
				cutoff = &c
			}
			if base, err = unpaidDue(ctx, tx, developmentID, cutoff); err != nil {
				return err
			}
			calc.Base = "amount unpaid 30 days after it was due"
			if !base.IsPositive() && !errs.Any() {
				errs.Add("regulation", "Nothing on this development's current demand notices has been unpaid for the 30 days that begin with its due date")
			}
		case 80, 83:
			// 80: "(a) nobody has assumed liability ...; and (b) the
			// chargeable development has been commenced"; 83(1): "commenced
			// before the collecting authority has received a valid
			// commencement notice".
			c, err := currentCommencement(ctx, tx, developmentID)
			if err != nil {
				return err
			}
			if c == nil {
				errs.Add("regulation", "Record the commencement first: this surcharge applies only to a development that has commenced")
				break
			}
			if in.Regulation == 80 {
				ps, err := parties(ctx, tx, developmentID)
				if err != nil {
					return err
				}
				if assumedBy(ps, c.CommencementDate) {
					errs.Add("regulation", "Someone assumed liability before commencement: regulation 80 does not apply")
				}
			} else {
				if c.Kind == CommencementNotice && !c.Late() {
					errs.Add("regulation", "A commencement notice was received before the development commenced: regulation 83 does not apply")
				}
				var err error
				if base, err = latestChargeable(ctx, tx, developmentID); errors.Is(err, store.ErrNotFound) {
					errs.Add("regulation", "Issue the liability notice first: the surcharge is a share of the chargeable amount")
				} else if err != nil {
					return err
				}
				calc.Base = "chargeable amount (latest liability notice)"
			}
		case 81:
			calc.Count = in.Interests
		}
		calc.BaseValue = base.StringFixed(2)
		amount, err := SurchargeAmount(in.Regulation, base, in.Interests)
		if err != nil && in.Regulation >= 80 && in.Regulation <= 86 {
			errs.Add("interests", capitalise(err.Error()))
		}
		if errs.Any() {
			return errs
		}
		if !amount.IsPositive() {
			errs.Add("regulation", "The surcharge works out at £0.00")
			return errs
		}
		ch = Charge{DevelopmentID: developmentID, Regulation: in.Regulation, ImposedOn: *in.ImposedOn, Amount: amount, Reason: in.Reason, Calculation: calc}
		return s.insertCharge(ctx, tx, actor, &ch)
	})
	return ch, wrap("impose surcharge", err)
}

func (s *Notices) insertCharge(ctx context.Context, tx pgx.Tx, actor audit.Actor, ch *Charge) error {
	calc, err := json.Marshal(ch.Calculation)
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO cil_charges (cil_development_id, regulation, imposed_on, amount, reason, calculation, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0)) RETURNING id`, ch.DevelopmentID, ch.Regulation, ch.ImposedOn, ch.Amount, ch.Reason, calc, actor.UserID).Scan(&ch.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, "cil_charge.impose", EntityCharge, strconv.FormatInt(ch.ID, 10),
		SurchargeLabel(ch.Regulation)+": £"+ch.Amount.StringFixed(2), nil,
		map[string]any{"regulation": ch.Regulation, "imposed on": ch.ImposedOn.Format("2006-01-02"), "amount": "£" + ch.Amount.StringFixed(2), "reason": ch.Reason})
}

// InterestInput is the late payment interest form.
type InterestInput struct {
	InstalmentID int64
	ReceivedOn   *time.Time // the day the unpaid amount was received (or today's reckoning)
}

// InterestFields lists the form's fields in page order.
var InterestFields = []string{"instalment", "received_on"}

// ChargeInterest works out and imposes late payment interest on an
// instalment of a current demand notice that was not paid on its due day.
func (s *Notices) ChargeInterest(ctx context.Context, actor audit.Actor, developmentID int64, in InterestInput, errs *forms.Errors) (Charge, error) {
	if in.InstalmentID == 0 {
		errs.Add("instalment", "Select the instalment that was paid late")
	}
	if in.ReceivedOn == nil && errs.Get("received_on") == "" {
		errs.Add("received_on", "Enter the date the unpaid amount was received")
	}
	var ch Charge
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		if errs.Any() {
			return errs
		}
		var due time.Time
		var amount, paid decimal.Decimal
		var kind, basis string
		var demandID int64
		err := tx.QueryRow(ctx, `SELECT i.due_on, i.amount, i.kind, d.basis, d.id,
			coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri JOIN cil_ledger_effective e ON e.id = ri.receipt_id AND e.entry_date <= i.due_on
				WHERE ri.instalment_id = i.id), 0)
			FROM cil_instalments i JOIN cil_demand_notices d ON d.id = i.demand_notice_id
			WHERE i.id = $1 AND d.cil_development_id = $2`, in.InstalmentID, developmentID).Scan(&due, &amount, &kind, &basis, &demandID, &paid)
		if errors.Is(err, pgx.ErrNoRows) {
			errs.Add("instalment", "Select an instalment of this development's demand notices")
			return errs
		} else if err != nil {
			return err
		}
		// 87(3): "Late payment interest is not payable on late payment interest."
		if kind == chargeKindInter {
			errs.Add("instalment", "Late payment interest is not payable on late payment interest (regulation 87(3))")
			return errs
		}
		unpaid := amount.Sub(paid)
		if !unpaid.IsPositive() {
			errs.Add("instalment", "This instalment was paid in full by its due date: no interest is payable")
			return errs
		}
		if !in.ReceivedOn.After(due) {
			errs.Add("received_on", "The date received must be after the instalment's due date, "+fmtDate(due))
			return errs
		}
		// 87(5)(b) for an instalment under a policy is the unpaid balance
		// of everything due for the development on that notice (less
		// interest: 87(3)), as it stood on the due day.
		var balance decimal.Decimal
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(i.amount - coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri
				JOIN cil_ledger_effective e ON e.id = ri.receipt_id AND e.entry_date <= $2 WHERE ri.instalment_id = i.id), 0)), 0)
			FROM cil_instalments i WHERE i.demand_notice_id = $1 AND i.kind <> 'interest'`, demandID, due).Scan(&balance); err != nil {
			return err
		}
		relevant := RelevantAmount(basis == BasisPolicy, unpaid, balance)
		rates, err := BaseRates(ctx, tx)
		if err != nil {
			return err
		}
		interest, err := LatePaymentInterest(relevant, due, *in.ReceivedOn, rates)
		if errors.Is(err, ErrNoBaseRate) {
			errs.Add("received_on", capitalise(err.Error())+": record it on the Bank of England base rate page first")
			return errs
		} else if err != nil {
			return err
		}
		if !interest.Total.IsPositive() {
			errs.Add("received_on", "The interest works out at £0.00")
			return errs
		}
		base := "unpaid amount (regulation 87(5)(b))"
		if basis == BasisPolicy {
			base = "unpaid balance of the amount payable (regulation 87(5)(a))"
		}
		ch = Charge{DevelopmentID: developmentID, Regulation: 87, ImposedOn: s.today(), Amount: interest.Total,
			Reason:      fmt.Sprintf("Late payment of an instalment due %s, received %s", fmtDate(due), fmtDate(*in.ReceivedOn)),
			Calculation: ChargeCalculation{Rule: "2.5 percentage points above the Bank of England base rate, simple, for each day from the day after the due day to the day received", Base: base, BaseValue: relevant.StringFixed(2), Interest: &interest}}
		return s.insertCharge(ctx, tx, actor, &ch)
	})
	return ch, wrap("charge interest", err)
}

// QuashCharge records that a surcharge or interest was quashed (on appeal
// or otherwise); it stays on record.
func (s *Notices) QuashCharge(ctx context.Context, actor audit.Actor, id int64, on *time.Time, reason string, errs *forms.Errors) error {
	reason = strings.TrimSpace(reason)
	if on == nil && errs.Get("quashed_on") == "" {
		errs.Add("quashed_on", "Enter the date it was quashed")
	}
	if reason == "" {
		errs.Add("quash_reason", "Enter why it was quashed")
	}
	return wrap("quash charge", s.DB.InTx(ctx, func(tx pgx.Tx) error {
		ch, err := chargeByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if ch.QuashedOn != nil {
			errs.Add("quashed_on", "It was already quashed on "+fmtDate(*ch.QuashedOn))
		}
		if errs.Any() {
			return errs
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_charges SET quashed_on = $2, quash_reason = $3 WHERE id = $1`, id, *on, reason); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_charge.quash", EntityCharge, strconv.FormatInt(id, 10), "Quashed "+SurchargeLabel(ch.Regulation),
			map[string]any{"quashed on": ""}, map[string]any{"quashed on": on.Format("2006-01-02"), "reason": reason})
	}))
}

func latestChargeable(ctx context.Context, q store.Querier, developmentID int64) (decimal.Decimal, error) {
	var v decimal.Decimal
	err := q.QueryRow(ctx, `SELECT l.chargeable_amount FROM cil_liability_notices l WHERE l.cil_development_id = $1 AND l.charging_authority = 'council'
		AND NOT EXISTS (SELECT 1 FROM cil_liability_notices n WHERE n.supersedes_id = l.id) ORDER BY l.issued_on DESC, l.id DESC LIMIT 1`, developmentID).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, store.ErrNotFound
	}
	return v, err
}

// unpaidDue is what fell due on or before day and is unpaid on the
// development's current demand notices.
func unpaidDue(ctx context.Context, q store.Querier, developmentID int64, day *time.Time) (decimal.Decimal, error) {
	var v decimal.Decimal
	if day == nil {
		return v, nil
	}
	err := q.QueryRow(ctx, `SELECT coalesce(sum(i.amount - coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri
			JOIN cil_ledger_effective e ON e.id = ri.receipt_id WHERE ri.instalment_id = i.id), 0)), 0)
		FROM cil_instalments i JOIN cil_demand_notices d ON d.id = i.demand_notice_id
		WHERE d.cil_development_id = $1 AND i.due_on <= $2 AND NOT EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.supersedes_id = d.id)`, developmentID, *day).Scan(&v)
	return v, err
}

const chargeSelect = `SELECT c.id, c.cil_development_id, d.reference, d.description, c.regulation, c.imposed_on, c.amount, c.reason, c.quashed_on, c.quash_reason,
	c.demand_notice_id, c.calculation::text FROM cil_charges c JOIN cil_developments d ON d.id = c.cil_development_id `

func scanCharge(row pgx.CollectableRow) (Charge, error) {
	var c Charge
	var calc string
	if err := row.Scan(&c.ID, &c.DevelopmentID, &c.DevelopmentReference, &c.DevelopmentDesc, &c.Regulation, &c.ImposedOn, &c.Amount, &c.Reason,
		&c.QuashedOn, &c.QuashReason, &c.DemandNoticeID, &calc); err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(calc), &c.Calculation)
}

func developmentCharges(ctx context.Context, q store.Querier, developmentID int64) ([]Charge, error) {
	rows, err := q.Query(ctx, chargeSelect+`WHERE c.cil_development_id = $1 ORDER BY c.imposed_on, c.id`, developmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanCharge)
}

func chargeByID(ctx context.Context, q store.Querier, id int64) (Charge, error) {
	rows, err := q.Query(ctx, chargeSelect+`WHERE c.id = $1`, id)
	if err != nil {
		return Charge{}, err
	}
	cs, err := pgx.CollectRows(rows, scanCharge)
	if err != nil {
		return Charge{}, err
	}
	if len(cs) == 0 {
		return Charge{}, store.ErrNotFound
	}
	return cs[0], nil
}

// Charge reads one surcharge or interest charge.
func (s *Notices) Charge(ctx context.Context, id int64) (Charge, error) {
	return chargeByID(ctx, s.DB.Pool, id)
}

// DevelopmentCharges lists a development's surcharges and interest.
func (s *Notices) DevelopmentCharges(ctx context.Context, developmentID int64) ([]Charge, error) {
	return developmentCharges(ctx, s.DB.Pool, developmentID)
}

// RecordBaseRate records the Bank of England base rate from a day.
func (s *Notices) RecordBaseRate(ctx context.Context, actor audit.Actor, from *time.Time, rate *decimal.Decimal, source string, errs *forms.Errors) error {
	if from == nil && errs.Get("effective_from") == "" {
		errs.Add("effective_from", "Enter the date the rate took effect")
	}
	if rate == nil && errs.Get("rate") == "" {
		errs.Add("rate", "Enter the rate, like 5.25")
	} else if rate != nil && (rate.IsNegative() || rate.GreaterThanOrEqual(decimal.NewFromInt(100))) {
		errs.Add("rate", "The rate must be a percentage from 0 to less than 100")
	}
	if errs.Any() {
		return errs
	}
	return wrap("record base rate", s.DB.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO cil_base_rates (effective_from, rate, source, recorded_by) VALUES ($1, $2, $3, nullif($4, 0))`, *from, *rate, strings.TrimSpace(source), actor.UserID)
		if store.IsUniqueViolation(err, "cil_base_rates_pkey") {
			errs.Add("effective_from", "A rate is already recorded from "+fmtDate(*from))
			return errs
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil_base_rate.create", EntityPolicy, "base-rate-"+from.Format("2006-01-02"),
			"Recorded the Bank of England base rate of "+rate.String()+"% from "+fmtDate(*from), nil, map[string]any{"from": from.Format("2006-01-02"), "rate": rate.String(), "source": source})
	}))
}
