package cil

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/fy"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// Ledger records the levy's money: receipts against demand notices split
// into their portions, payments to parishes and the Mayor, recoveries,
// administrative expenses, allocation and spend on projects, repayments
// and reversals. Each method validates (returning *forms.Errors), writes
// the entries and their audit events in one transaction, and leaves the
// rules that span rows to the database (84_cil_ledger.sql), whose
// refusals it turns into messages about the field concerned.
type Ledger struct {
	DB  *store.DB
	Now func() time.Time
}

// Today is the council's calendar date as midnight UTC.
func (l *Ledger) Today() time.Time {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	return fy.Today(now)
}

// Entry kinds.
const (
	KindReceipt        = "receipt"
	KindRepayment      = "repayment"
	KindMayorPayment   = "mayor-payment"
	KindParishPayment  = "parish-payment"
	KindParishRecovery = "parish-recovery"
	KindAdmin          = "admin"
	KindAllocation     = "allocation"
	KindDeallocation   = "deallocation"
	KindSpend          = "spend"
	KindReversal       = "reversal"
)

// KindLabel names an entry kind on pages.
func KindLabel(kind string) string {
	switch kind {
	case KindReceipt:
		return "Received"
	case KindRepayment:
		return "Repaid to the payer"
	case KindMayorPayment:
		return "Passed to the Mayor"
	case KindParishPayment:
		return "Passed to the parish"
	case KindParishRecovery:
		return "Recovered from the parish"
	case KindAdmin:
		return "Administrative expenses"
	case KindAllocation:
		return "Allocated"
	case KindDeallocation:
		return "Released from a project"
	case KindSpend:
		return "Spent"
	case KindReversal:
		return "Reversal"
	}
	return kind
}

// PotLabel names a pot on pages.
func PotLabel(pot string) string {
	switch pot {
	case "admin":
		return "Administrative expenses"
	case "neighbourhood":
		return "Neighbourhood portion"
	case "strategic":
		return "Strategic"
	case "mayor":
		return "Mayoral CIL"
	}
	return pot
}

// Portion is one share of a receipt.
type Portion struct {
	Portion    string
	ParishCode string
	Amount     decimal.Decimal
}

// InstalmentPaid is what a receipt paid of one instalment.
type InstalmentPaid struct {
	InstalmentID int64
	Seq          int
	DueOn        time.Time
	Amount       decimal.Decimal
}

// Entry is one row of the levy's ledger with the names a page shows.
type Entry struct {
	ID             int64
	Kind           string
	Date           time.Time
	Amount         decimal.Decimal
	Authority      Authority
	DevelopmentID  *int64
	DevelopmentRef string
	DemandNoticeID *int64
	DemandRef      string
	Method         string
	ParishCode     string
	ParishName     string
	Pot            string
	ProjectID      *int64
	ProjectName    string
	ReversesID     *int64
	ReversedBy     *int64
	Payer          string
	Reference      string
	Evidence       string
	Note           string
	RecordedBy     string
	RecordedAt     time.Time
	Portions       []Portion
	Instalments    []InstalmentPaid
}

// Standing reports whether the entry counts: not a reversal, not reversed.
func (e Entry) Standing() bool { return e.Kind != KindReversal && e.ReversedBy == nil }

// Label is the entry's kind on pages.
func (e Entry) Label() string { return KindLabel(e.Kind) }

const entryColumns = `e.id, e.kind, e.entry_date, e.amount, e.charging_authority, e.cil_development_id, coalesce(d.reference, ''),
	e.demand_notice_id, coalesce(n.reference, ''), coalesce(e.method, ''), coalesce(e.parish_code, ''), coalesce(pa.name, ''),
	coalesce(e.pot, ''), e.project_id, coalesce(pr.name, ''), e.reverses_id, r.id, e.payer, e.reference, e.evidence, e.note,
	coalesce(u.name, 'system'), e.recorded_at`

const entryJoins = `FROM cil_ledger_entries e
	LEFT JOIN cil_developments d ON d.id = e.cil_development_id
	LEFT JOIN cil_demand_notices n ON n.id = e.demand_notice_id
	LEFT JOIN cil_parishes pa ON pa.code = e.parish_code
	LEFT JOIN projects pr ON pr.id = e.project_id
	LEFT JOIN cil_ledger_entries r ON r.reverses_id = e.id
	LEFT JOIN users u ON u.id = e.recorded_by`

func scanEntry(row pgx.Row) (Entry, error) {
	var e Entry
	var auth string
	err := row.Scan(&e.ID, &e.Kind, &e.Date, &e.Amount, &auth, &e.DevelopmentID, &e.DevelopmentRef, &e.DemandNoticeID, &e.DemandRef,
		&e.Method, &e.ParishCode, &e.ParishName, &e.Pot, &e.ProjectID, &e.ProjectName, &e.ReversesID, &e.ReversedBy,
		&e.Payer, &e.Reference, &e.Evidence, &e.Note, &e.RecordedBy, &e.RecordedAt)
	e.Authority = Authority(auth)
	return e, err
}

func queryEntries(ctx context.Context, q store.Querier, where string, args ...any) ([]Entry, error) {
	rows, err := q.Query(ctx, `SELECT `+entryColumns+` `+entryJoins+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("cil entries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// GetEntry returns one entry with a receipt's portions and instalments.
func (l *Ledger) GetEntry(ctx context.Context, id int64) (Entry, error) {
	es, err := queryEntries(ctx, l.DB.Pool, `e.id = $1`, id)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, store.ErrNotFound
	}
	e := es[0]
	if e.Kind != KindReceipt {
		return e, nil
	}
	rows, err := l.DB.Pool.Query(ctx, `SELECT portion, coalesce(parish_code, ''), amount FROM cil_receipt_portions WHERE receipt_id = $1
		ORDER BY array_position(ARRAY['admin', 'neighbourhood', 'strategic', 'mayor'], portion)`, id)
	if err != nil {
		return e, err
	}
	e.Portions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Portion, error) {
		var p Portion
		return p, r.Scan(&p.Portion, &p.ParishCode, &p.Amount)
	})
	if err != nil {
		return e, err
	}
	rows, err = l.DB.Pool.Query(ctx, `SELECT i.id, i.seq, i.due_on, ri.amount FROM cil_receipt_instalments ri
		JOIN cil_instalments i ON i.id = ri.instalment_id WHERE ri.receipt_id = $1 ORDER BY i.due_on, i.seq`, id)
	if err != nil {
		return e, err
	}
	e.Instalments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (InstalmentPaid, error) {
		var p InstalmentPaid
		return p, r.Scan(&p.InstalmentID, &p.Seq, &p.DueOn, &p.Amount)
	})
	return e, err
}

// PayableInstalment is one instalment of a demand notice with what the standing
// receipts have paid of it.
type PayableInstalment struct {
	ID     int64
	Seq    int
	Kind   string
	DueOn  time.Time
	Amount decimal.Decimal
	Paid   decimal.Decimal
}

// Outstanding is what is still to pay of the instalment.
func (i PayableInstalment) Outstanding() decimal.Decimal { return i.Amount.Sub(i.Paid) }

// PayableDemand is a demand notice that receipts are recorded against.
type PayableDemand struct {
	ID             int64
	Reference      string
	DevelopmentID  int64
	DevelopmentRef string
	Authority      Authority
	IssuedOn       time.Time
	Amount         decimal.Decimal
	Superseded     bool
	Instalments    []PayableInstalment
}

// Paid is what the standing receipts paid of the notice's instalments.
func (d PayableDemand) Paid() decimal.Decimal {
	sum := decimal.Zero
	for _, i := range d.Instalments {
		sum = sum.Add(i.Paid)
	}
	return sum
}

// Outstanding is what is still to pay of the notice's instalments.
func (d PayableDemand) Outstanding() decimal.Decimal {
	sum := decimal.Zero
	for _, i := range d.Instalments {
		sum = sum.Add(i.Outstanding())
	}
	return sum
}

// Demands returns the demand notices of a development (every one when
// developmentID is 0 and open is true: those with something to pay), with
// their instalments and what is paid of each.
func Demands(ctx context.Context, q store.Querier, developmentID int64, open bool) ([]PayableDemand, error) {
	rows, err := q.Query(ctx, `
		SELECT n.id, n.reference, n.cil_development_id, d.reference, n.charging_authority, n.issued_on, n.amount,
		       EXISTS (SELECT 1 FROM cil_demand_notices s WHERE s.supersedes_id = n.id),
		       i.id, i.seq, i.kind, i.due_on, i.amount,
		       coalesce((SELECT sum(ri.amount) FROM cil_receipt_instalments ri JOIN cil_ledger_effective e ON e.id = ri.receipt_id
		                 WHERE ri.instalment_id = i.id), 0)
		FROM cil_demand_notices n
		JOIN cil_developments d ON d.id = n.cil_development_id
		LEFT JOIN cil_instalments i ON i.demand_notice_id = n.id
		WHERE ($1 = 0 OR n.cil_development_id = $1)
		ORDER BY d.reference, n.issued_on, n.id, i.due_on, i.seq`, developmentID)
	if err != nil {
		return nil, fmt.Errorf("demand notices: %w", err)
	}
	defer rows.Close()
	var out []PayableDemand
	for rows.Next() {
		var d PayableDemand
		var auth string
		var iid *int64
		var seq *int
		var kind *string
		var due *time.Time
		var amt *decimal.Decimal
		var paid decimal.Decimal
		if err := rows.Scan(&d.ID, &d.Reference, &d.DevelopmentID, &d.DevelopmentRef, &auth, &d.IssuedOn, &d.Amount, &d.Superseded,
			&iid, &seq, &kind, &due, &amt, &paid); err != nil {
			return nil, err
		}
		d.Authority = Authority(auth)
		if len(out) == 0 || out[len(out)-1].ID != d.ID {
			out = append(out, d)
		}
		if iid != nil {
			last := &out[len(out)-1]
			last.Instalments = append(last.Instalments, PayableInstalment{ID: *iid, Seq: *seq, Kind: *kind, DueOn: *due, Amount: *amt, Paid: paid})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if open {
		kept := out[:0]
		for _, d := range out {
			if !d.Superseded && d.Outstanding().IsPositive() {
				kept = append(kept, d)
			}
		}
		out = kept
	}
	return out, nil
}

// ReceiptInput is the record-a-receipt form.
type ReceiptInput struct {
	DemandNoticeID int64
	ReceivedOn     *time.Time
	Amount         *decimal.Decimal
	Method         string // money (default), land, infrastructure
	Payer          string
	Reference      string
	Note           string
	// Pays is what the officer says the receipt pays of each instalment;
	// empty: the oldest due first.
	Pays map[int64]*decimal.Decimal
	// Admin and Neighbourhood override the proposed portions when set.
	Admin, Neighbourhood *decimal.Decimal
}

// CheckReceipt applies the rules that need no database, adding to errs
// (which may hold the form's parse errors already: a field with one gets
// no second).
func (l *Ledger) CheckReceipt(in *ReceiptInput, errs *forms.Errors) {
	in.Payer, in.Reference, in.Note = strings.TrimSpace(in.Payer), strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	if in.Method == "" {
		in.Method = "money"
	}
	add := func(field, msg string) {
		if errs.Get(field) == "" {
			errs.Add(field, msg)
		}
	}
	if in.DemandNoticeID == 0 {
		add("demand", "Choose the demand notice the payment is for")
	}
	if in.ReceivedOn == nil {
		add("received_on", "Enter the date the payment was received")
	} else if in.ReceivedOn.After(l.Today()) {
		add("received_on", "The date received must be today or in the past")
	}
	if in.Amount == nil {
		add("amount", "Enter the amount received")
	} else if !in.Amount.IsPositive() {
		add("amount", "The amount received must be more than £0")
	}
	if in.Payer == "" {
		add("payer", "Enter who paid")
	}
	if in.Method != "money" && in.Method != "land" && in.Method != "infrastructure" {
		add("method", "Choose how it was paid")
	}
}

// InstalmentField is the form field of what a receipt pays of an instalment.
func InstalmentField(id int64) string { return "pays-" + strconv.FormatInt(id, 10) }

// RecordReceipt records a receipt against a demand notice: what it pays
// of the notice's instalments (the oldest due first unless the officer
// says otherwise) and its portions, all in one transaction.
func (l *Ledger) RecordReceipt(ctx context.Context, actor audit.Actor, in ReceiptInput) (int64, error) {
	errs := &forms.Errors{}
	l.CheckReceipt(&in, errs)
	if errs.Any() {
		return 0, errs
	}
	var id int64
	err := l.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		var devID int64
		var auth string
		if err := tx.QueryRow(ctx, `SELECT cil_development_id, charging_authority FROM cil_demand_notices WHERE id = $1`, in.DemandNoticeID).Scan(&devID, &auth); errors.Is(err, pgx.ErrNoRows) {
			errs.Add("demand", "Choose the demand notice the payment is for")
			return errs
		} else if err != nil {
			return err
		}
		// Receipts of one development take turns: what each pays of the
		// instalments is worked out from what the last one committed.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cil_developments WHERE id = $1 FOR NO KEY UPDATE`, devID); err != nil {
			return err
		}
		demands, err := Demands(ctx, tx, devID, false)
		if err != nil {
			return err
		}
		var demand PayableDemand
		for _, d := range demands {
			if d.ID == in.DemandNoticeID {
				demand = d
			}
		}
		pays, perr := payInstalments(demand, *in.Amount, in.Pays)
		if perr != nil {
			errs.Merge(perr)
		}
		split, err := ProposeSplit(ctx, tx, devID, Authority(auth), *in.Amount, *in.ReceivedOn)
		if err != nil {
			return err
		}
		if err := applyOverrides(&split, in, errs); err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		var recordedBy *int64
		if actor.UserID != 0 {
			recordedBy = &actor.UserID
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, demand_notice_id, method, payer, reference, note, recorded_by)
			VALUES ('receipt', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			*in.ReceivedOn, *in.Amount, auth, devID, in.DemandNoticeID, in.Method, in.Payer, in.Reference, in.Note, recordedBy).Scan(&id); err != nil {
			return fmt.Errorf("record cil receipt: %w", err)
		}
		portions := split.Portions()
		for _, p := range portions {
			var parish *string
			if p.ParishCode != "" {
				parish = &p.ParishCode
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_portions (receipt_id, portion, parish_code, amount) VALUES ($1, $2, $3, $4)`,
				id, p.Portion, parish, p.Amount); err != nil {
				return fmt.Errorf("record cil receipt portion: %w", err)
			}
		}
		paid := map[string]any{}
		for _, p := range pays {
			if _, err := tx.Exec(ctx, `INSERT INTO cil_receipt_instalments (receipt_id, instalment_id, amount) VALUES ($1, $2, $3)`,
				id, p.InstalmentID, p.Amount); err != nil {
				return fmt.Errorf("record cil receipt instalment: %w", err)
			}
			paid["instalment "+strconv.Itoa(p.Seq)] = p.Amount.StringFixed(2)
		}
		after := map[string]any{"demand notice": demand.Reference, "development": demand.DevelopmentRef, "received on": in.ReceivedOn.Format("2006-01-02"),
			"amount": in.Amount.StringFixed(2), "method": in.Method, "payer": in.Payer, "reference": in.Reference, "note": in.Note}
		for _, p := range portions {
			after[p.Portion+" portion"] = p.Amount.StringFixed(2)
		}
		for k, v := range paid {
			after[k] = v
		}
		return audit.Record(ctx, tx, actor, "cil.receipt", EntityEntry, strconv.FormatInt(id, 10),
			"Received "+money.Format(*in.Amount)+" from "+in.Payer+" against demand notice "+demand.Reference, nil, after)
	})
	if err != nil {
		return 0, invariantError(err)
	}
	return id, nil
}

// Portions lists the split's non-zero portions as rows to write (the
// strategic and Mayor's portions even when zero is not written; a receipt
// of the council's always has its admin and strategic rows).
func (s Split) Portions() []Portion {
	if s.Authority == AuthorityMayor {
		return []Portion{{Portion: "mayor", Amount: s.Mayor}}
	}
	out := []Portion{{Portion: "admin", Amount: s.Admin}}
	if s.Parish != "" {
		out = append(out, Portion{Portion: "neighbourhood", ParishCode: s.Parish, Amount: s.Neighbourhood})
	}
	return append(out, Portion{Portion: "strategic", Amount: s.Strategic})
}

// applyOverrides puts the officer's admin and neighbourhood figures in
// place of the proposed ones, within the regulations' limits.
func applyOverrides(s *Split, in ReceiptInput, errs *forms.Errors) error {
	amount := *in.Amount
	if s.Authority == AuthorityMayor {
		return nil
	}
	if in.Admin != nil {
		if in.Admin.IsNegative() || in.Admin.GreaterThan(amount.Mul(AdminShare).Round(2)) {
			errs.Add("admin", "The administrative portion must be between £0 and 5 per cent of the receipt ("+money.Format(amount.Mul(AdminShare).Round(2))+")")
		} else {
			s.Admin = *in.Admin
		}
	}
	if in.Neighbourhood != nil {
		switch {
		case s.Parish == "" && !in.Neighbourhood.IsZero():
			errs.Add("neighbourhood", "The development is in no parish, so there is no neighbourhood portion")
		case in.Neighbourhood.IsNegative() || in.Neighbourhood.GreaterThan(amount.Mul(NeighbourhoodPlanShare).Round(2)):
			errs.Add("neighbourhood", "The neighbourhood portion must be between £0 and 25 per cent of the receipt ("+money.Format(amount.Mul(NeighbourhoodPlanShare).Round(2))+")")
		default:
			s.Neighbourhood = *in.Neighbourhood
		}
	} else if s.Parish != "" && s.Share.Equal(NeighbourhoodShare) && s.Cap == nil {
		errs.Add("neighbourhood", "Record the dwellings of "+s.ParishName+" for "+fy.Of(*in.ReceivedOn).Label()+" (for the cap of regulation 59A(7)), or enter the neighbourhood portion yourself")
	}
	s.Strategic = amount.Sub(s.Admin).Sub(s.Neighbourhood)
	return nil
}

// payInstalments sets what a receipt of amount pays of the demand's
// instalments: the officer's figures, or else the oldest due first.
func payInstalments(d PayableDemand, amount decimal.Decimal, typed map[int64]*decimal.Decimal) ([]InstalmentPaid, *forms.Errors) {
	errs := &forms.Errors{}
	insts := append([]PayableInstalment(nil), d.Instalments...)
	sort.SliceStable(insts, func(i, j int) bool {
		if !insts[i].DueOn.Equal(insts[j].DueOn) {
			return insts[i].DueOn.Before(insts[j].DueOn)
		}
		return insts[i].Seq < insts[j].Seq
	})
	var out []InstalmentPaid
	officer := false
	for _, v := range typed {
		if v != nil {
			officer = true
		}
	}
	if officer {
		sum := decimal.Zero
		for _, i := range insts {
			v := typed[i.ID]
			if v == nil || v.IsZero() {
				continue
			}
			field := InstalmentField(i.ID)
			if v.IsNegative() {
				errs.Add(field, fmt.Sprintf("Instalment %d: the amount cannot be negative", i.Seq))
				continue
			}
			if v.GreaterThan(i.Outstanding()) {
				errs.Add(field, fmt.Sprintf("Instalment %d: only %s is still to pay of it", i.Seq, money.Format(i.Outstanding())))
				continue
			}
			sum = sum.Add(*v)
			out = append(out, InstalmentPaid{InstalmentID: i.ID, Seq: i.Seq, DueOn: i.DueOn, Amount: *v})
		}
		if sum.GreaterThan(amount) {
			errs.Add("instalments", "The instalments add up to "+money.Format(sum)+", more than the "+money.Format(amount)+" received")
		}
		if errs.Any() {
			return out, errs
		}
		return out, nil
	}
	left := amount
	for _, i := range insts {
		if !left.IsPositive() {
			break
		}
		pay := decimal.Min(left, i.Outstanding())
		if pay.IsPositive() {
			out = append(out, InstalmentPaid{InstalmentID: i.ID, Seq: i.Seq, DueOn: i.DueOn, Amount: pay})
			left = left.Sub(pay)
		}
	}
	return out, nil
}

// EntryInput is a ledger entry other than a receipt or reversal.
type EntryInput struct {
	Kind          string
	Date          *time.Time
	Amount        *decimal.Decimal
	ParishCode    string // parish-payment, parish-recovery; allocation etc. from a parish's pot
	Pot           string // allocation, deallocation, spend: strategic or neighbourhood
	ProjectID     int64
	DevelopmentID int64  // repayment
	Authority     string // repayment: council or mayor
	Reference     string
	Note          string
}

// RecordEntry records a payment to a parish or the Mayor, a recovery from a
// parish, administrative expenses, an allocation, de-allocation or spend,
// or a repayment. The database refuses one that takes a pot beyond what it
// received; the message says what the pot holds.
func (l *Ledger) RecordEntry(ctx context.Context, actor audit.Actor, in EntryInput) (int64, error) {
	errs := &forms.Errors{}
	authority := l.CheckEntry(&in, errs)
	if errs.Any() {
		return 0, errs
	}
	nullable := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	nullID := func(id int64) *int64 {
		if id == 0 {
			return nil
		}
		return &id
	}
	var recordedBy *int64
	if actor.UserID != 0 {
		recordedBy = &actor.UserID
	}
	var id int64
	err := l.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, cil_development_id, parish_code, pot, project_id, reference, note, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			in.Kind, *in.Date, *in.Amount, authority, nullID(in.DevelopmentID), nullable(in.ParishCode), nullable(in.Pot), nullID(in.ProjectID),
			in.Reference, in.Note, recordedBy).Scan(&id); err != nil {
			return err
		}
		after := map[string]any{"kind": in.Kind, "date": in.Date.Format("2006-01-02"), "amount": in.Amount.StringFixed(2),
			"parish": in.ParishCode, "pot": in.Pot, "reference": in.Reference, "note": in.Note}
		if in.ProjectID != 0 {
			after["project"] = in.ProjectID
		}
		if in.DevelopmentID != 0 {
			after["development"] = in.DevelopmentID
		}
		return audit.Record(ctx, tx, actor, "cil."+in.Kind, EntityEntry, strconv.FormatInt(id, 10),
			KindLabel(in.Kind)+": "+money.Format(*in.Amount), nil, after)
	})
	if err != nil {
		return 0, l.sayWhatThePotHolds(ctx, in, authority, invariantError(err))
	}
	return id, nil
}

// sayWhatThePotHolds adds to a refusal for going beyond a pot what the
// entry's pot can still give.
func (l *Ledger) sayWhatThePotHolds(ctx context.Context, in EntryInput, authority string, err error) error {
	var errs *forms.Errors
	if !errors.As(err, &errs) || !strings.HasPrefix(errs.Get("amount"), "That is more than the pot holds") {
		return err
	}
	pot, parish := in.Pot, in.ParishCode
	switch in.Kind {
	case KindParishPayment, KindParishRecovery:
		pot = "neighbourhood"
	case KindAdmin:
		pot = "admin"
	case KindMayorPayment:
		pot = "mayor"
	case KindRepayment:
		pot = "strategic"
		if authority == "mayor" {
			pot = "mayor"
		}
	}
	if pot != "neighbourhood" {
		parish = ""
	}
	pots, perr := l.Pots(ctx)
	if perr != nil {
		return err
	}
	left := decimal.Zero
	for _, p := range pots {
		if p.Pot == pot && p.ParishCode == parish {
			left = p.Unallocated()
		}
	}
	out := &forms.Errors{}
	out.Add("amount", "That is more than the pot holds: "+strings.ToLower(PotLabel(pot))+" has "+money.Format(left)+
		" not yet passed on, applied, repaid or allocated")
	return out
}

// CheckEntry applies the rules that need no database to an entry,
// adding to errs (which may hold the form's parse errors already), and
// returns the charging authority the entry is for.
func (l *Ledger) CheckEntry(in *EntryInput, errs *forms.Errors) string {
	add := func(field, msg string) {
		if errs.Get(field) == "" {
			errs.Add(field, msg)
		}
	}
	in.Reference, in.Note, in.ParishCode = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note), strings.TrimSpace(in.ParishCode)
	authority := "council"
	switch in.Kind {
	case KindParishPayment, KindParishRecovery:
		if in.ParishCode == "" {
			add("parish", "Choose the parish")
		}
		in.Pot, in.ProjectID, in.DevelopmentID = "", 0, 0
	case KindAdmin:
		in.Pot, in.ProjectID, in.DevelopmentID, in.ParishCode = "", 0, 0, ""
	case KindMayorPayment:
		authority = "mayor"
		in.Pot, in.ProjectID, in.DevelopmentID, in.ParishCode = "", 0, 0, ""
	case KindRepayment:
		if in.DevelopmentID == 0 {
			add("development", "Choose the development whose payer is repaid")
		}
		if in.Authority == "mayor" {
			authority = "mayor"
		}
		in.Pot, in.ProjectID, in.ParishCode = "", 0, ""
	case KindAllocation, KindDeallocation, KindSpend:
		if in.ProjectID == 0 {
			add("project", "Choose the project")
		}
		switch in.Pot {
		case "strategic":
			in.ParishCode = ""
		case "neighbourhood":
			if in.ParishCode == "" {
				add("pot_parish", "Choose the parish whose neighbourhood money the council keeps")
			}
		default:
			add("pot", "Choose the pot the money comes from")
		}
		in.DevelopmentID = 0
	default:
		add("kind", "Choose what kind of entry this is")
	}
	if in.Date == nil {
		add("date", "Enter the date")
	} else if in.Date.After(l.Today()) {
		add("date", "The date must be today or in the past")
	}
	if in.Amount == nil {
		add("amount", "Enter the amount")
	} else if !in.Amount.IsPositive() {
		add("amount", "The amount must be more than £0")
	}
	return authority
}

// Reverse records the reversal of a standing entry, naming it, with the
// reason. A receipt's reversal takes its portions out of their pots; the
// database refuses it where that money was passed on or allocated.
func (l *Ledger) Reverse(ctx context.Context, actor audit.Actor, entryID int64, on *time.Time, reason string) (int64, error) {
	errs := &forms.Errors{}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs.Add("note", "Say why the entry is reversed")
	}
	if on == nil {
		if errs.Get("date") == "" {
			errs.Add("date", "Enter the date of the reversal")
		}
	} else if on.After(l.Today()) {
		errs.Add("date", "The date must be today or in the past")
	}
	e, err := l.GetEntry(ctx, entryID)
	if err != nil {
		return 0, err
	}
	if !e.Standing() {
		errs.Add("note", "This entry is a reversal or has been reversed already")
	}
	if errs.Any() {
		return 0, errs
	}
	var recordedBy *int64
	if actor.UserID != 0 {
		recordedBy = &actor.UserID
	}
	var id int64
	err = l.DB.InTxRetry(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO cil_ledger_entries (kind, entry_date, amount, charging_authority, reverses_id, note, recorded_by)
			VALUES ('reversal', $1, $2, $3, $4, $5, $6) RETURNING id`,
			*on, e.Amount, string(e.Authority), e.ID, reason, recordedBy).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil.reversal", EntityEntry, strconv.FormatInt(e.ID, 10),
			"Reversed "+strings.ToLower(e.Label())+" of "+money.Format(e.Amount)+": "+reason,
			map[string]any{"standing": "yes"}, map[string]any{"standing": "no", "reversal": id, "reason": reason})
	})
	if err != nil {
		if store.IsUniqueViolation(err, "") {
			errs.Add("note", "This entry has been reversed already")
			return 0, errs
		}
		return 0, invariantError(err)
	}
	return id, nil
}

// invariantError turns the database's refusals into messages on the
// form's fields; any other error is returned as it is.
func invariantError(err error) error {
	var verrs *forms.Errors
	if errors.As(err, &verrs) {
		return verrs
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "23514" {
		return err
	}
	errs := &forms.Errors{}
	switch pg.ConstraintName {
	case "cil_pot_within_received":
		errs.Add("amount", "That is more than the pot holds: nothing can be passed on, applied, repaid or allocated beyond what it received")
	case "cil_pot_spent_within_allocated", "cil_project_spent_within_allocated":
		errs.Add("amount", "That is more than was allocated: allocate the money to the project before it is spent")
	case "cil_pot_allocated_not_negative", "cil_project_allocated_not_negative":
		errs.Add("amount", "That releases more than is allocated to the project")
	case "cil_pot_recovered_within_passed":
		errs.Add("amount", "That is more than was passed to the parish: only money passed to it can be recovered")
	case "cil_parish_money_is_the_parishs":
		errs.Add("amount", "That is more than the council holds of this parish's money: its neighbourhood portion is the parish's, and only what was recovered from it (regulation 59E) is the council's to allocate")
	case "cil_parish_receives":
		errs.Add("parish", "This parish does not receive the levy: the council keeps its portion (regulation 59F)")
	case "cil_repaid_within_received":
		errs.Add("amount", "That is more than was received for the development")
	case "cil_instalment_not_overpaid", "cil_receipt_instalments_within_receipt":
		errs.Add("instalments", "Someone else recorded a payment of these instalments first: check what is still to pay and try again")
	case "cil_portions_admin_cap":
		errs.Add("admin", "The administrative portion is more than 5 per cent of the receipt")
	case "cil_portions_neighbourhood_cap":
		errs.Add("neighbourhood", "The neighbourhood portion is more than 25 per cent of the receipt")
	default:
		errs.Add("amount", "The ledger refused this entry: "+pg.Message)
	}
	return errs
}
