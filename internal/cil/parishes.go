package cil

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/forms"
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/store"
)

// Parish is a parish or town council's area that receives (or whose
// council declines, or that has no council and so does not receive) the
// neighbourhood portion, with its money.
type Parish struct {
	Code                  string
	Name                  string
	CouncilName           string
	ReceivesCIL           bool
	NeighbourhoodPlanFrom *time.Time
	ContactEmail          string
	Version               int
	// From the kept totals of its neighbourhood pot.
	Received  decimal.Decimal // neighbourhood portions of its receipts
	Passed    decimal.Decimal // paid to the parish (59A, 59D)
	Recovered decimal.Decimal // recovered from it (59E)
	Allocated decimal.Decimal // of what the council keeps (59E, 59F)
	Spent     decimal.Decimal
	Due       decimal.Decimal // still to pay the parish
	Overdue   decimal.Decimal // of that, past its 59D date
	Dwellings []Dwellings
}

// Held is what the council holds of the parish's neighbourhood money:
// received and recovered, less what was passed to the parish and spent.
func (p Parish) Held() decimal.Decimal {
	return p.Received.Add(p.Recovered).Sub(p.Passed).Sub(p.Spent)
}

// Dwellings is a parish's number of dwellings in a financial year.
type Dwellings struct {
	FinancialYear int
	Dwellings     int
}

const parishColumns = `p.code, p.name, p.council_name, p.receives_cil, p.neighbourhood_plan_from, p.contact_email, p.version,
	coalesce(t.received, 0), coalesce(t.passed, 0), coalesce(t.recovered, 0), coalesce(t.allocated, 0), coalesce(t.spent, 0),
	coalesce((SELECT sum(outstanding) FROM cil_parish_dues d WHERE d.parish_code = p.code), 0),
	coalesce((SELECT sum(outstanding) FROM cil_parish_dues d WHERE d.parish_code = p.code AND d.due_on < $1), 0)`

func scanParish(row pgx.Row) (Parish, error) {
	var p Parish
	err := row.Scan(&p.Code, &p.Name, &p.CouncilName, &p.ReceivesCIL, &p.NeighbourhoodPlanFrom, &p.ContactEmail, &p.Version,
		&p.Received, &p.Passed, &p.Recovered, &p.Allocated, &p.Spent, &p.Due, &p.Overdue)
	return p, err
}

// Parishes lists every parish with its money, by name.
func (l *Ledger) Parishes(ctx context.Context) ([]Parish, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT `+parishColumns+` FROM cil_parishes p
		LEFT JOIN cil_pot_totals t ON t.pot = 'neighbourhood' AND t.parish_code = p.code ORDER BY lower(p.name), p.code`, l.Today())
	if err != nil {
		return nil, fmt.Errorf("parishes: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Parish, error) { return scanParish(r) })
}

// GetParish returns one parish with its money and dwellings.
func (l *Ledger) GetParish(ctx context.Context, code string) (Parish, error) {
	p, err := scanParish(l.DB.Pool.QueryRow(ctx, `SELECT `+parishColumns+` FROM cil_parishes p
		LEFT JOIN cil_pot_totals t ON t.pot = 'neighbourhood' AND t.parish_code = p.code WHERE p.code = $2`, l.Today(), code))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, store.ErrNotFound
	} else if err != nil {
		return p, fmt.Errorf("parish %s: %w", code, err)
	}
	rows, err := l.DB.Pool.Query(ctx, `SELECT financial_year, dwellings FROM cil_parish_dwellings WHERE parish_code = $1 ORDER BY financial_year DESC`, code)
	if err != nil {
		return p, err
	}
	p.Dwellings, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dwellings, error) {
		var d Dwellings
		return d, r.Scan(&d.FinancialYear, &d.Dwellings)
	})
	return p, err
}

// ParishEntries lists the ledger entries of a parish, newest first.
func (l *Ledger) ParishEntries(ctx context.Context, code string) ([]Entry, error) {
	return queryEntries(ctx, l.DB.Pool, `e.parish_code = $1 OR e.reverses_id IN (SELECT id FROM cil_ledger_entries WHERE parish_code = $1)
		ORDER BY e.entry_date DESC, e.id DESC`, code)
}

// ParishInput is the parish form.
type ParishInput struct {
	Code                  string
	Name                  string
	CouncilName           string
	ReceivesCIL           bool
	NeighbourhoodPlanFrom *time.Time
	ContactEmail          string
	Version               int // for an edit
}

var parishCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)

// Check applies the parish form's rules, adding to errs (which may hold
// the form's parse errors already).
func (in *ParishInput) Check(errs *forms.Errors, isNew bool) {
	in.Code, in.Name, in.CouncilName, in.ContactEmail = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.CouncilName), strings.TrimSpace(in.ContactEmail)
	if isNew {
		if in.Code == "" {
			errs.Add("code", "Enter the parish's code, for example its ONS code E04000001")
		} else if !parishCode.MatchString(in.Code) || len(in.Code) > 40 {
			errs.Add("code", "The code must be letters, numbers and hyphens, for example E04000001")
		}
	}
	if in.Name == "" {
		errs.Add("name", "Enter the parish's name")
	}
	if in.ContactEmail != "" && !strings.Contains(in.ContactEmail, "@") {
		errs.Add("contact_email", "Enter an email address in the correct format, like clerk@example.org")
	}
}

// CreateParish adds a parish.
func (l *Ledger) CreateParish(ctx context.Context, actor audit.Actor, in ParishInput) error {
	errs := &forms.Errors{}
	in.Check(errs, true)
	if errs.Any() {
		return errs
	}
	err := l.DB.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO cil_parishes (code, name, council_name, receives_cil, neighbourhood_plan_from, contact_email)
			VALUES ($1, $2, $3, $4, $5, $6)`, in.Code, in.Name, in.CouncilName, in.ReceivesCIL, in.NeighbourhoodPlanFrom, in.ContactEmail); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil.parish.create", EntityParish, in.Code, "Added parish "+in.Name, nil, parishAudit(in))
	})
	if store.IsUniqueViolation(err, "") {
		errs.Add("code", "A parish with this code exists already")
		return errs
	}
	return err
}

// UpdateParish changes a parish, refusing an edit based on an old version.
func (l *Ledger) UpdateParish(ctx context.Context, actor audit.Actor, code string, in ParishInput) error {
	errs := &forms.Errors{}
	in.Check(errs, false)
	if errs.Any() {
		return errs
	}
	return l.DB.InTx(ctx, func(tx pgx.Tx) error {
		var before ParishInput
		err := tx.QueryRow(ctx, `SELECT code, name, council_name, receives_cil, neighbourhood_plan_from, contact_email, version
			FROM cil_parishes WHERE code = $1 FOR UPDATE`, code).Scan(&before.Code, &before.Name, &before.CouncilName, &before.ReceivesCIL,
			&before.NeighbourhoodPlanFrom, &before.ContactEmail, &before.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		if before.Version != in.Version {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_parishes SET name = $2, council_name = $3, receives_cil = $4, neighbourhood_plan_from = $5,
			contact_email = $6, version = version + 1 WHERE code = $1`, code, in.Name, in.CouncilName, in.ReceivesCIL, in.NeighbourhoodPlanFrom, in.ContactEmail); err != nil {
			return err
		}
		in.Code = code
		return audit.Record(ctx, tx, actor, "cil.parish.update", EntityParish, code, "Changed parish "+in.Name, parishAudit(before), parishAudit(in))
	})
}

func parishAudit(in ParishInput) map[string]any {
	plan := ""
	if in.NeighbourhoodPlanFrom != nil {
		plan = in.NeighbourhoodPlanFrom.Format("2006-01-02")
	}
	return map[string]any{"code": in.Code, "name": in.Name, "council": in.CouncilName, "receives the levy": in.ReceivesCIL,
		"neighbourhood plan from": plan, "contact email": in.ContactEmail}
}

// SetDwellings records the parish's dwellings for a financial year (the
// cap of 59A(7) counts "£100 per dwelling in the area of the local
// council"; the number is the council tax base's).
func (l *Ledger) SetDwellings(ctx context.Context, actor audit.Actor, code string, year, dwellings *int) error {
	errs := &forms.Errors{}
	if year == nil && errs.Get("financial_year") == "" {
		errs.Add("financial_year", "Enter the financial year, for example 2025 for 2025 to 2026")
	}
	if dwellings == nil && errs.Get("dwellings") == "" {
		errs.Add("dwellings", "Enter the number of dwellings")
	}
	if errs.Any() {
		return errs
	}
	return l.DB.InTx(ctx, func(tx pgx.Tx) error {
		var before *int
		_ = tx.QueryRow(ctx, `SELECT dwellings FROM cil_parish_dwellings WHERE parish_code = $1 AND financial_year = $2`, code, *year).Scan(&before)
		if _, err := tx.Exec(ctx, `INSERT INTO cil_parish_dwellings (parish_code, financial_year, dwellings) VALUES ($1, $2, $3)
			ON CONFLICT (parish_code, financial_year) DO UPDATE SET dwellings = excluded.dwellings`, code, *year, *dwellings); err != nil {
			return err
		}
		var b any
		if before != nil {
			b = map[string]any{"dwellings": *before}
		}
		return audit.Record(ctx, tx, actor, "cil.parish.dwellings", EntityParish, code,
			fmt.Sprintf("Dwellings for %d to %d: %d", *year, *year+1, *dwellings), b, map[string]any{"financial year": *year, "dwellings": *dwellings})
	})
}

// RecoveryNotice is a notice served on a parish to repay neighbourhood
// money it did not apply in time (59E).
type RecoveryNotice struct {
	ID       int64
	ServedOn time.Time
	Amount   decimal.Decimal
	Reason   string
}

// RecoveryNotices lists the notices served on a parish.
func (l *Ledger) RecoveryNotices(ctx context.Context, code string) ([]RecoveryNotice, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT id, served_on, amount, reason FROM cil_recovery_notices WHERE parish_code = $1 ORDER BY served_on DESC, id DESC`, code)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RecoveryNotice, error) {
		var n RecoveryNotice
		return n, r.Scan(&n.ID, &n.ServedOn, &n.Amount, &n.Reason)
	})
}

// ServeRecoveryNotice records a notice requiring a parish to repay
// neighbourhood money (59E: from memory, unchecked here, where the parish
// "has not applied the CIL receipts passed to it within five years of
// receipt"). It can ask for no more than the parish was passed and has not
// repaid.
func (l *Ledger) ServeRecoveryNotice(ctx context.Context, actor audit.Actor, code string, on *time.Time, amount *decimal.Decimal, reason string) error {
	errs := &forms.Errors{}
	reason = strings.TrimSpace(reason)
	if on == nil && errs.Get("served_on") == "" {
		errs.Add("served_on", "Enter the date the notice was served")
	} else if on != nil && on.After(l.Today()) {
		errs.Add("served_on", "The date served must be today or in the past")
	}
	if amount == nil && errs.Get("notice_amount") == "" {
		errs.Add("notice_amount", "Enter the amount the notice asks for")
	} else if amount != nil && !amount.IsPositive() {
		errs.Add("notice_amount", "The amount must be more than £0")
	}
	if reason == "" {
		errs.Add("reason", "Say why the money is recovered")
	}
	if errs.Any() {
		return errs
	}
	return l.DB.InTx(ctx, func(tx pgx.Tx) error {
		var held decimal.Decimal
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT passed - recovered FROM cil_pot_totals WHERE pot = 'neighbourhood' AND parish_code = $1), 0)`, code).Scan(&held); err != nil {
			return err
		}
		if amount.GreaterThan(held) {
			errs.Add("notice_amount", "The parish has been passed "+money.Format(held)+" that it has not repaid: the notice cannot ask for more")
			return errs
		}
		var id int64
		var by *int64
		if actor.UserID != 0 {
			by = &actor.UserID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO cil_recovery_notices (parish_code, served_on, amount, reason, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			code, *on, *amount, reason, by).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil.recovery-notice", EntityParish, code, "Served a recovery notice for "+money.Format(*amount),
			nil, map[string]any{"notice": id, "served on": on.Format("2006-01-02"), "amount": amount.StringFixed(2), "reason": reason})
	})
}

// Due is what a parish is owed for one half-year's receipts and by when
// (59D).
type Due struct {
	ParishCode  string
	ParishName  string
	PeriodStart time.Time
	PeriodEnd   time.Time
	DueOn       time.Time
	Amount      decimal.Decimal
	Outstanding decimal.Decimal
}

// Overdue reports whether money is still owed after its date.
func (d Due) Overdue(today time.Time) bool {
	return d.Outstanding.IsPositive() && d.DueOn.Before(today)
}

// Dues lists what each parish (or the one given) is owed per half-year,
// latest date first: only what is still to pay when outstanding is true,
// and only what falls due on or before dueBy when it is not nil.
func (l *Ledger) Dues(ctx context.Context, parish string, outstanding bool, dueBy *time.Time) ([]Due, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT d.parish_code, p.name, d.period_start, d.period_end, d.due_on, d.due, d.outstanding
		FROM cil_parish_dues d JOIN cil_parishes p ON p.code = d.parish_code
		WHERE ($1 = '' OR d.parish_code = $1) AND (NOT $2 OR d.outstanding > 0) AND ($3::date IS NULL OR d.due_on <= $3)
		ORDER BY d.due_on DESC, lower(p.name)`, parish, outstanding, dueBy)
	if err != nil {
		return nil, fmt.Errorf("parish dues: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Due, error) {
		var d Due
		return d, r.Scan(&d.ParishCode, &d.ParishName, &d.PeriodStart, &d.PeriodEnd, &d.DueOn, &d.Amount, &d.Outstanding)
	})
}

// ParishPayments lists the payments to parishes (and their reversals),
// newest first.
func (l *Ledger) ParishPayments(ctx context.Context) ([]Entry, error) {
	return queryEntries(ctx, l.DB.Pool, `e.kind = 'parish-payment' OR e.reverses_id IN (SELECT id FROM cil_ledger_entries WHERE kind = 'parish-payment')
		ORDER BY e.entry_date DESC, e.id DESC`)
}

// Pot is one pot's kept totals.
type Pot struct {
	Pot        string
	ParishCode string
	ParishName string
	Received   decimal.Decimal
	Passed     decimal.Decimal
	Recovered  decimal.Decimal
	Applied    decimal.Decimal
	Repaid     decimal.Decimal
	Allocated  decimal.Decimal
	Spent      decimal.Decimal
}

// Unallocated is what the pot holds that is not passed on, applied, repaid
// or allocated: what can still be allocated or paid from it.
func (p Pot) Unallocated() decimal.Decimal {
	return p.Received.Add(p.Recovered).Sub(p.Passed).Sub(p.Applied).Sub(p.Repaid).Sub(p.Allocated)
}

// Pots lists every pot's totals.
func (l *Ledger) Pots(ctx context.Context) ([]Pot, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT t.pot, t.parish_code, coalesce(p.name, ''), t.received, t.passed, t.recovered, t.applied, t.repaid, t.allocated, t.spent
		FROM cil_pot_totals t LEFT JOIN cil_parishes p ON p.code = t.parish_code
		ORDER BY array_position(ARRAY['strategic', 'neighbourhood', 'admin', 'mayor'], t.pot), lower(coalesce(p.name, ''))`)
	if err != nil {
		return nil, fmt.Errorf("cil pots: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Pot, error) {
		var p Pot
		return p, r.Scan(&p.Pot, &p.ParishCode, &p.ParishName, &p.Received, &p.Passed, &p.Recovered, &p.Applied, &p.Repaid, &p.Allocated, &p.Spent)
	})
}

// ProjectMoney is what the levy allocated to and spent on a project from
// one pot.
type ProjectMoney struct {
	ProjectID   int64
	ProjectName string
	Pot         string
	ParishCode  string
	ParishName  string
	Allocated   decimal.Decimal
	Spent       decimal.Decimal
}

// ProjectsMoney lists the levy's money per project and pot.
func (l *Ledger) ProjectsMoney(ctx context.Context) ([]ProjectMoney, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT t.project_id, pr.name, t.pot, t.parish_code, coalesce(p.name, ''), t.allocated, t.spent
		FROM cil_project_totals t JOIN projects pr ON pr.id = t.project_id LEFT JOIN cil_parishes p ON p.code = t.parish_code
		WHERE t.allocated <> 0 OR t.spent <> 0
		ORDER BY lower(pr.name), t.pot, t.parish_code`)
	if err != nil {
		return nil, fmt.Errorf("cil projects: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectMoney, error) {
		var m ProjectMoney
		return m, r.Scan(&m.ProjectID, &m.ProjectName, &m.Pot, &m.ParishCode, &m.ParishName, &m.Allocated, &m.Spent)
	})
}

// Option is a choice in a form's list.
type Option struct{ Value, Label string }

// ProjectOptions lists the projects money can be allocated to.
func (l *Ledger) ProjectOptions(ctx context.Context) ([]Option, error) {
	return l.options(ctx, `SELECT id, name FROM projects WHERE archived_at IS NULL AND status <> 'cancelled' ORDER BY lower(name)`)
}

// DevelopmentOptions lists the chargeable developments.
func (l *Ledger) DevelopmentOptions(ctx context.Context) ([]Option, error) {
	return l.options(ctx, `SELECT id, reference || ' · ' || description FROM cil_developments ORDER BY reference`)
}

// ParishOptions lists the parishes.
func (l *Ledger) ParishOptions(ctx context.Context) ([]Option, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT code, name FROM cil_parishes ORDER BY lower(name), code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Option, error) {
		var o Option
		return o, r.Scan(&o.Value, &o.Label)
	})
}

// options reads (id, label) rows into choices.
func (l *Ledger) options(ctx context.Context, sql string) ([]Option, error) {
	rows, err := l.DB.Pool.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Option, error) {
		var id int64
		var o Option
		err := r.Scan(&id, &o.Label)
		o.Value = strconv.FormatInt(id, 10)
		return o, err
	})
}
