package cil

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
	"github.com/s106monitor/s106/internal/store"
)

// Demand notices, regulation 69 (as made, legislation.gov.uk/uksi/2010/948/regulation/69/made):
//
//	"(1) The collecting authority must serve a demand notice on each person
//	liable to pay an amount of CIL in respect of a chargeable development.
//	(2) A demand notice must— ... (b) state the date on which it was
//	issued; (c) identify the liability notice to which it relates; (d)
//	state the intended commencement date or, where the collecting authority
//	has determined a deemed commencement date, the deemed commencement
//	date; (e) state the amount payable by the person on whom the notice is
//	served (including any surcharges imposed in respect of or interest
//	applied to the amount) and the day on which payment of the amount is
//	due; (f) where the amount payable is to paid by way of instalments,
//	state the amount of each instalment and the day on which payment of the
//	instalment is due ...
//	(4) The collecting authority must serve a revised demand notice on a
//	person on whom it has served a demand notice if any of the particulars
//	mentioned in paragraph (2)(d), (e) or (f) change ...
//	(5) Where a collecting authority serves a demand notice on a person,
//	any earlier demand notice served on that person in respect of the same
//	chargeable development ceases to have effect."
//
// When the amount is due, regulation 70 (latest text,
// legislation.gov.uk/uksi/2010/948/regulation/70):
//
//	"(1) This regulation applies where— (a) a person has assumed liability
//	to pay CIL in respect of a chargeable development (D); (b) the
//	collecting authority has received a commencement notice in respect of
//	D; and (c) the collecting authority has not determined a deemed
//	commencement date for D. ... (3) ... the London borough council ... has
//	issued an instalment policy on or before the commencement date stated
//	in the commencement notice received under paragraph (1)(b), A is
//	payable in accordance with that instalment policy."
//
// The rest of regulation 70 (where no policy applies) was cut off in the
// stored copy. Councils state it as "Where no Instalment Policy is in
// place, payment is due in full at the end of 60 days after the intended
// commencement date of development" (City of York Council, decision 77289);
// the regulation's words, from the 2010 text as remembered and NOT checked
// against legislation.gov.uk, are "payable in full at the end of the period
// of 60 days beginning with the intended commencement date". A period of
// 60 days "beginning with" a day counts that day as the first, so it ends
// on the 59th day after it: commencement on 1 March 2025 makes the amount
// due on 29 April 2025. Where 70 does not apply, regulation 71: with a
// deemed commencement date the amount is "due in full on the deemed
// commencement date" (71(2), as summarised by Blandy & Blandy, 2019); in
// the remaining cases (a notice but nobody assumed liability) this
// code makes it due in full on the commencement date — regulation 71's other
// paragraphs could not be retrieved, which the report to the lead says.

// Demand bases (cil_demand_notices.basis).
const (
	BasisRecorded   = "recorded"
	BasisPolicy     = "instalment-policy"
	BasisInFull60   = "in-full-60-days"
	BasisDeemed     = "in-full-deemed"
	BasisInFull     = "in-full"
	noPolicyDays    = 60
	chargeKindLevy  = "levy"
	chargeKindSur   = "surcharge"
	chargeKindInter = "interest"
)

// BasisLabel says how a notice's due dates were set.
func BasisLabel(basis string) string {
	switch basis {
	case BasisPolicy:
		return "By instalments under the instalment policy in force at commencement (regulation 70)"
	case BasisInFull60:
		return "In full at the end of the period of 60 days beginning with the intended commencement date (no instalment policy applies)"
	case BasisDeemed:
		return "In full on the deemed commencement date (regulation 71)"
	case BasisInFull:
		return "In full on commencement (regulation 70 does not apply: nobody assumed liability before commencement)"
	}
	return "As recorded"
}

// InFullAfter60Days is the day the whole amount is due where no instalment
// policy applies: the end of the 60 days beginning with commencement.
func InFullAfter60Days(commencement time.Time) time.Time {
	return commencement.AddDate(0, 0, noPolicyDays-1)
}

// PaymentBasis decides how the levy is paid: regulation 70 applies only
// where someone assumed liability, a commencement notice was received and
// the date was not deemed.
func PaymentBasis(c Commencement, assumed bool, policy *Policy) string {
	switch {
	case c.Deemed():
		return BasisDeemed
	case !assumed:
		return BasisInFull
	case policy != nil:
		return BasisPolicy
	}
	return BasisInFull60
}

// LevySchedule is the levy's instalments on a basis.
func LevySchedule(basis string, levy decimal.Decimal, commencement time.Time, policy *Policy) ([]ScheduledInstalment, error) {
	if !levy.IsPositive() {
		return nil, nil
	}
	switch basis {
	case BasisPolicy:
		return policy.Schedule(levy, commencement)
	case BasisInFull60:
		return []ScheduledInstalment{{Seq: 1, Kind: chargeKindLevy, Due: InFullAfter60Days(commencement), Amount: levy}}, nil
	}
	return []ScheduledInstalment{{Seq: 1, Kind: chargeKindLevy, Due: commencement, Amount: levy}}, nil
}

// DemandInput is the demand notice form.
type DemandInput struct {
	LiabilityNoticeID int64
	PartyID           int64 // 0: none named
	Reference         string
	IssuedOn          *time.Time
	Note              string
}

// DemandFields lists the demand form's fields in page order.
var DemandFields = []string{"liability_notice", "party", "reference", "issued_on", "note"}

// DemandLiability is what a demand notice says of its liability notice.
type DemandLiability struct {
	ID               int64
	Reference        string
	Authority        Authority
	IssuedOn         time.Time
	ChargeableAmount decimal.Decimal
	Superseded       bool
}

// LiabilityNotices lists the development's liability notices, latest first.
func (s *Notices) LiabilityNotices(ctx context.Context, developmentID int64) ([]DemandLiability, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT l.id, l.reference, l.charging_authority, l.issued_on, l.chargeable_amount,
		EXISTS (SELECT 1 FROM cil_liability_notices n WHERE n.supersedes_id = l.id)
		FROM cil_liability_notices l WHERE l.cil_development_id = $1 ORDER BY l.issued_on DESC, l.id DESC`, developmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DemandLiability, error) {
		var l DemandLiability
		err := r.Scan(&l.ID, &l.Reference, &l.Authority, &l.IssuedOn, &l.ChargeableAmount, &l.Superseded)
		return l, err
	})
}

// IssueDemand issues a demand notice for the development: the levy (the
// chargeable amount less the relief that stands, 31(3)) in instalments on
// the basis of regulation 70 or 71, and the surcharges and interest
// imposed and not quashed (69(2)(e)), superseding the person's earlier
// notice (69(5)).
func (s *Notices) IssueDemand(ctx context.Context, actor audit.Actor, developmentID int64, in DemandInput, errs *forms.Errors) (Demand, error) {
	in.Reference, in.Note = tidy(in.Reference), strings.TrimSpace(in.Note)
	if in.Reference == "" {
		errs.Add("reference", "Enter the demand notice's reference")
	}
	if in.LiabilityNoticeID == 0 {
		errs.Add("liability_notice", "Select the liability notice the demand relates to")
	}
	if in.IssuedOn == nil && errs.Get("issued_on") == "" {
		errs.Add("issued_on", "Enter the date the demand notice is issued")
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		dev, err := GetDevelopment(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		// One notice at a time per development, so two officers cannot
		// both supersede the same notice.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR UPDATE`, developmentID); err != nil {
			return err
		}
		var l DemandLiability
		if in.LiabilityNoticeID != 0 {
			err := tx.QueryRow(ctx, `SELECT id, reference, charging_authority, issued_on, chargeable_amount FROM cil_liability_notices
				WHERE id = $1 AND cil_development_id = $2`, in.LiabilityNoticeID, developmentID).Scan(&l.ID, &l.Reference, &l.Authority, &l.IssuedOn, &l.ChargeableAmount)
			if errors.Is(err, pgx.ErrNoRows) {
				errs.Add("liability_notice", "Select a liability notice of this development")
			} else if err != nil {
				return err
			}
		}
		c, err := currentCommencement(ctx, tx, developmentID)
		if err != nil {
			return err
		}
		if c == nil {
			errs.Add("issued_on", "Record the commencement notice, or determine a deemed commencement date, before issuing a demand notice: the notice must state it (regulation 69(2)(d))")
		}
		if in.PartyID != 0 {
			ps, err := parties(ctx, tx, developmentID)
			if err != nil {
				return err
			}
			found := false
			for _, p := range ps {
				found = found || p.ID == in.PartyID
			}
			if !found {
				errs.Add("party", "Select a party of this development")
			}
		}
		if in.IssuedOn != nil && l.ID != 0 && in.IssuedOn.Before(l.IssuedOn) {
			errs.Add("issued_on", "A demand notice cannot be issued before its liability notice ("+fmtDate(l.IssuedOn)+")")
		}
		if errs.Any() {
			return errs
		}
		plan, err := planDemand(ctx, tx, developmentID, l, *c, *in.IssuedOn)
		if err != nil {
			return err
		}
		if len(plan.Instalments) == 0 {
			errs.Add("liability_notice", "Nothing is payable: the relief granted covers the whole chargeable amount and no surcharge or interest stands")
			return errs
		}
		var supersedes *int64
		var prev int64
		err = tx.QueryRow(ctx, `SELECT d.id FROM cil_demand_notices d WHERE d.cil_development_id = $1 AND d.charging_authority = $2
			AND d.party_id IS NOT DISTINCT FROM $3 AND NOT EXISTS (SELECT 1 FROM cil_demand_notices n WHERE n.supersedes_id = d.id)
			ORDER BY d.issued_on DESC, d.id DESC LIMIT 1`, developmentID, l.Authority, partyArg(in.PartyID)).Scan(&prev)
		if err == nil {
			supersedes = &prev
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO cil_demand_notices (cil_development_id, liability_notice_id, party_id, charging_authority, reference, issued_on,
			commencement_date, amount, supersedes_id, basis, policy_id, note, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, 0)) RETURNING id`,
			developmentID, l.ID, partyArg(in.PartyID), l.Authority, in.Reference, *in.IssuedOn, c.CommencementDate, plan.Amount, supersedes,
			plan.Basis, plan.policyID(), in.Note, actor.UserID).Scan(&id)
		if store.IsUniqueViolation(err, "cil_demand_notices_reference_key") {
			errs.Add("reference", "Another demand notice already has the reference "+in.Reference)
			return errs
		} else if err != nil {
			return err
		}
		for _, i := range plan.Instalments {
			if _, err := tx.Exec(ctx, `INSERT INTO cil_instalments (demand_notice_id, seq, kind, due_on, amount) VALUES ($1, $2, $3, $4, $5)`,
				id, i.Seq, i.Kind, i.Due, i.Amount); err != nil {
				return err
			}
		}
		if plan.Charges.IsPositive() {
			if _, err := tx.Exec(ctx, `UPDATE cil_charges SET demand_notice_id = $2 WHERE cil_development_id = $1 AND quashed_on IS NULL`, developmentID, id); err != nil {
				return err
			}
		}
		after := map[string]any{"development": dev.Reference, "reference": in.Reference, "issued on": in.IssuedOn.Format("2006-01-02"),
			"commencement": c.CommencementDate.Format("2006-01-02"), "amount": "£" + plan.Amount.StringFixed(2), "basis": BasisLabel(plan.Basis),
			"instalments": instalmentsText(plan.Instalments)}
		summary := "Issued demand notice " + in.Reference + " for £" + plan.Amount.StringFixed(2)
		if supersedes != nil {
			after["supersedes"] = strconv.FormatInt(*supersedes, 10)
			summary += ", superseding an earlier notice"
		}
		return audit.Record(ctx, tx, actor, "cil_demand.issue", EntityNotice, "demand-"+strconv.FormatInt(id, 10), summary, nil, after)
	})
	if err != nil {
		return Demand{}, wrap("issue demand notice", err)
	}
	return s.Demand(ctx, id)
}

func partyArg(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func instalmentsText(is []ScheduledInstalment) string {
	var parts []string
	for _, i := range is {
		parts = append(parts, fmt.Sprintf("%d. %s £%s due %s", i.Seq, i.Kind, i.Amount.StringFixed(2), i.Due.Format("2006-01-02")))
	}
	return strings.Join(parts, "; ")
}

// DemandPlan is what a demand notice will state.
type DemandPlan struct {
	Basis       string
	Policy      *Policy
	Chargeable  decimal.Decimal
	Relief      decimal.Decimal
	Levy        decimal.Decimal
	Charges     decimal.Decimal
	Amount      decimal.Decimal
	Instalments []ScheduledInstalment
}

func (p DemandPlan) policyID() *int64 {
	if p.Basis == BasisPolicy && p.Policy != nil {
		return &p.Policy.ID
	}
	return nil
}

func planDemand(ctx context.Context, tx pgx.Tx, developmentID int64, l DemandLiability, c Commencement, issued time.Time) (DemandPlan, error) {
	plan := DemandPlan{Chargeable: l.ChargeableAmount}
	rs, err := reliefs(ctx, tx, "WHERE r.cil_development_id = $1", developmentID)
	if err != nil {
		return plan, err
	}
	for _, r := range rs {
		plan.Relief = plan.Relief.Add(r.Standing())
	}
	plan.Levy = decimal.Max(decimal.Zero, plan.Chargeable.Sub(plan.Relief))
	ps, err := parties(ctx, tx, developmentID)
	if err != nil {
		return plan, err
	}
	if plan.Policy, err = PolicyInForce(ctx, tx, l.Authority, c.CommencementDate); err != nil {
		return plan, err
	}
	plan.Basis = PaymentBasis(c, assumedBy(ps, c.CommencementDate), plan.Policy)
	if plan.Instalments, err = LevySchedule(plan.Basis, plan.Levy, c.CommencementDate, plan.Policy); err != nil {
		return plan, err
	}
	// Surcharges and interest are the council's, as collecting authority:
	// they go on its notice, not the Mayor's.
	var charges []Charge
	if l.Authority == AuthorityCouncil {
		if charges, err = developmentCharges(ctx, tx, developmentID); err != nil {
			return plan, err
		}
	}
	for _, ch := range charges {
		if ch.QuashedOn != nil {
			continue
		}
		kind := chargeKindSur
		if ch.Regulation == 87 {
			kind = chargeKindInter
		}
		plan.Instalments = append(plan.Instalments, ScheduledInstalment{Seq: len(plan.Instalments) + 1, Kind: kind, Due: issued, Amount: ch.Amount})
		plan.Charges = plan.Charges.Add(ch.Amount)
	}
	plan.Amount = decimal.Zero
	for _, i := range plan.Instalments {
		plan.Amount = plan.Amount.Add(i.Amount)
	}
	return plan, nil
}

// Instalment is one instalment of a demand notice and what was paid on it.
type Instalment struct {
	ID     int64
	Seq    int
	Kind   string
	Due    time.Time
	Amount decimal.Decimal
	Paid   decimal.Decimal
}

// Unpaid is what is left to pay.
func (i Instalment) Unpaid() decimal.Decimal { return i.Amount.Sub(i.Paid) }

// Demand is a demand notice as its list and print page show it.
type Demand struct {
	ID                   int64
	DevelopmentID        int64
	DevelopmentReference string
	DevelopmentDesc      string
	DevelopmentAddress   string
	LiabilityNoticeID    int64
	LiabilityReference   string
	LiabilityIssuedOn    time.Time
	Chargeable           decimal.Decimal // the liability notice's chargeable amount
	PartyName            string
	PartyAddress         string
	Authority            Authority
	Reference            string
	IssuedOn             time.Time
	CommencementDate     time.Time
	Deemed               bool
	Amount               decimal.Decimal
	Basis                string
	PolicyName           string
	SupersedesID         *int64
	SupersedesReference  string
	SupersededByID       *int64
	Note                 string
	Paid                 decimal.Decimal
	Overdue              decimal.Decimal
	NextDue              *time.Time
	Instalments          []Instalment
}

// KindTotal sums the instalments of a kind (levy, surcharge, interest).
func (d Demand) KindTotal(kind string) decimal.Decimal {
	sum := decimal.Zero
	for _, i := range d.Instalments {
		if i.Kind == kind {
			sum = sum.Add(i.Amount)
		}
	}
	return sum
}

// ReliefDeducted is the relief the notice took off the chargeable amount
// (31(3): "the chargeable amount less the amount of any relief granted").
func (d Demand) ReliefDeducted() decimal.Decimal {
	return decimal.Max(decimal.Zero, d.Chargeable.Sub(d.KindTotal(chargeKindLevy)))
}

// Current reports whether no later notice superseded it.
func (d Demand) Current() bool { return d.SupersededByID == nil }

// Outstanding is what is left to pay.
func (d Demand) Outstanding() decimal.Decimal { return d.Amount.Sub(d.Paid) }

// demandSelect reads demand notices with their payments, as of $1 (today).
const demandSelect = `SELECT * ` + demandFrom

// demandFrom is demandSelect's FROM: every notice as the row q.
const demandFrom = `FROM (
	SELECT d.id, d.cil_development_id, dev.reference AS dev_reference, dev.description, dev.address, d.liability_notice_id, l.reference AS liability_reference,
		l.issued_on AS liability_issued, l.chargeable_amount, coalesce(p.name, '') AS party_name, coalesce(p.address, '') AS party_address, d.charging_authority,
		d.reference, d.issued_on, d.commencement_date,
		coalesce((SELECT c.kind = 'deemed' FROM cil_commencements c WHERE c.cil_development_id = d.cil_development_id AND c.commencement_date = d.commencement_date
			AND c.withdrawn_on IS NULL ORDER BY c.received_on DESC, c.id DESC LIMIT 1), false) AS deemed,
		d.amount, d.basis, coalesce(pol.name, '') AS policy_name, d.supersedes_id, coalesce(prev.reference, '') AS supersedes_reference,
		next.id AS superseded_by, d.note,
		coalesce(k.paid, 0) AS paid,
		-- Overdue changes with the day, so it is not kept: a notice is
		-- overdue when its kept next due day is before today, and then its
		-- instalments' kept paid give the amount (87_cil_demand_list.sql).
		CASE WHEN k.next_due < $1 THEN (SELECT sum(i.amount - ip.paid) FROM cil_instalments i JOIN cil_instalment_paid ip ON ip.instalment_id = i.id
			WHERE i.demand_notice_id = d.id AND ip.paid < i.amount AND i.due_on < $1) ELSE 0 END AS overdue,
		k.next_due
	FROM cil_demand_notices d
	LEFT JOIN cil_demand_list_keys k ON k.demand_notice_id = d.id
	JOIN cil_developments dev ON dev.id = d.cil_development_id
	JOIN cil_liability_notices l ON l.id = d.liability_notice_id
	LEFT JOIN cil_parties p ON p.id = d.party_id
	LEFT JOIN cil_instalment_policies pol ON pol.id = d.policy_id
	LEFT JOIN cil_demand_notices prev ON prev.id = d.supersedes_id
	LEFT JOIN cil_demand_notices next ON next.supersedes_id = d.id
) q `

func scanDemand(row pgx.CollectableRow) (Demand, error) { return scanDemandWith(row) }

// scanDemandWith scans a row of demandSelect and extra columns after it.
func scanDemandWith(row pgx.Row, extra ...any) (Demand, error) {
	var d Demand
	err := row.Scan(append([]any{&d.ID, &d.DevelopmentID, &d.DevelopmentReference, &d.DevelopmentDesc, &d.DevelopmentAddress, &d.LiabilityNoticeID, &d.LiabilityReference,
		&d.LiabilityIssuedOn, &d.Chargeable, &d.PartyName, &d.PartyAddress, &d.Authority, &d.Reference, &d.IssuedOn, &d.CommencementDate, &d.Deemed,
		&d.Amount, &d.Basis, &d.PolicyName, &d.SupersedesID, &d.SupersedesReference, &d.SupersededByID, &d.Note, &d.Paid, &d.Overdue, &d.NextDue}, extra...)...)
	return d, err
}

// Demand reads one demand notice with its instalments.
func (s *Notices) Demand(ctx context.Context, id int64) (Demand, error) {
	rows, err := s.DB.Pool.Query(ctx, demandSelect+`WHERE q.id = $2`, s.today(), id)
	if err != nil {
		return Demand{}, err
	}
	ds, err := pgx.CollectRows(rows, scanDemand)
	if err != nil {
		return Demand{}, err
	}
	if len(ds) == 0 {
		return Demand{}, store.ErrNotFound
	}
	d := ds[0]
	rows, err = s.DB.Pool.Query(ctx, `SELECT i.id, i.seq, i.kind, i.due_on, i.amount, coalesce(ip.paid, 0)
		FROM cil_instalments i LEFT JOIN cil_instalment_paid ip ON ip.instalment_id = i.id WHERE i.demand_notice_id = $1 ORDER BY i.seq`, id)
	if err != nil {
		return d, err
	}
	d.Instalments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Instalment, error) {
		var i Instalment
		err := r.Scan(&i.ID, &i.Seq, &i.Kind, &i.Due, &i.Amount, &i.Paid)
		return i, err
	})
	return d, err
}

// DevelopmentDemands lists a development's demand notices, latest first.
func (s *Notices) DevelopmentDemands(ctx context.Context, developmentID int64) ([]Demand, error) {
	rows, err := s.DB.Pool.Query(ctx, demandSelect+`WHERE q.cil_development_id = $2 ORDER BY q.issued_on DESC, q.id DESC`, s.today(), developmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDemand)
}

// DemandSorts are the demand notices list's sort keys.
var DemandSorts = map[string]listing.Key{
	"issued":      {SQL: "q.issued_on", Type: "date"},
	"reference":   {SQL: "lower(q.reference)", Type: "text"},
	"development": {SQL: "lower(q.dev_reference)", Type: "text"},
	"amount":      {SQL: "q.amount", Type: "numeric"},
	"due":         {SQL: "q.next_due", Type: "date", Nullable: true, NullsLast: true},
	"overdue":     {SQL: "q.overdue", Type: "numeric"},
}

// demandKeyset is the list's order for p: its sort key, then the id, in
// one direction (a keyset's keys compare as one row).
func demandKeyset(p listing.Params) listing.Keyset {
	k, ok := DemandSorts[p.Sort]
	if !ok {
		k = DemandSorts["issued"]
	}
	return listing.Keyset{Keys: []listing.Key{k, {SQL: "q.id", Type: "bigint"}}, Desc: p.Desc}
}

func demandWhere(p listing.Params, today time.Time) *listing.Where {
	w := &listing.Where{}
	w.Arg(today) // $1 of demandSelect
	if p.Search != "" {
		like := listing.Like(p.Search)
		w.Add("(q.reference ILIKE ? OR q.dev_reference ILIKE ? OR q.description ILIKE ? OR q.party_name ILIKE ?)", like, like, like, like)
	}
	switch p.Get("status") {
	case "", "current":
		w.Add("q.superseded_by IS NULL")
	case "superseded":
		w.Add("q.superseded_by IS NOT NULL")
	}
	switch p.Get("due") {
	case "overdue":
		w.Add("q.next_due < ?", today)
	case "30":
		w.Add("q.next_due >= ? AND q.next_due <= ?", today, today.AddDate(0, 0, 30))
	case "unpaid":
		w.Add("q.next_due IS NOT NULL")
	case "paid":
		w.Add("q.next_due IS NULL")
	}
	if a := p.Get("authority"); a == string(AuthorityCouncil) || a == string(AuthorityMayor) {
		w.Add("q.charging_authority = ?", a)
	}
	return w
}

// ListDemands is one page of the demand notices list, paged by keyset and
// counted only up to p.CountLimit when one is set (issue 22: 7,500
// chargeable developments' notices at five times the large council were
// counted and sorted in full for each page of fifty).
func (s *Notices) ListDemands(ctx context.Context, p listing.Params) (listing.Page[Demand], error) {
	w := demandWhere(p, s.today())
	var n int
	if err := s.DB.Pool.QueryRow(ctx, listing.CappedCount(` FROM (`+demandSelect+w.SQL()+`) c`, p.CountLimit), w.Args...).Scan(&n); err != nil {
		return listing.Page[Demand]{Params: p}, err
	}
	total, more := listing.Counted(n, p.CountLimit)
	k := demandKeyset(p)
	return listing.ReadCounted(p, k, w, total, more, func(lq listing.Query) ([]Demand, [][]string, error) {
		page := *lq.Where
		page.Args = append([]any(nil), lq.Where.Args...)
		rows, err := s.DB.Pool.Query(ctx, `SELECT q.*, `+k.CursorColumn()+` `+demandFrom+page.SQL()+` ORDER BY `+lq.OrderBy+
			` LIMIT `+page.Arg(lq.Limit)+` OFFSET `+page.Arg(lq.Offset), page.Args...)
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		var out []Demand
		var positions [][]string
		for rows.Next() {
			var pos []string
			d, err := scanDemandWith(rows, &pos)
			if err != nil {
				return nil, nil, err
			}
			out, positions = append(out, d), append(positions, pos)
		}
		return out, positions, rows.Err()
	})
}

// ExportDemands is every demand notice the list's filters select, in the
// list's order.
func (s *Notices) ExportDemands(ctx context.Context, p listing.Params) ([]Demand, error) {
	w := demandWhere(p, s.today())
	rows, err := s.DB.Pool.Query(ctx, demandSelect+w.SQL()+` ORDER BY `+demandKeyset(p).OrderBy(false), w.Args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDemand)
}
