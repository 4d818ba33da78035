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
	"github.com/s106monitor/s106/internal/money"
	"github.com/s106monitor/s106/internal/parse"
	"github.com/s106monitor/s106/internal/store"
)

// EntityParishReport is the audit entity of a parish's annual report.
const EntityParishReport = "cil_parish_report"

// A parish council's annual CIL report, recorded by the officer from what
// the parish published. Regulation 121B: "(1) A parish council must
// prepare a report for any financial year ("the reported year") in which
// it receives CIL receipts. (2) The report must include— (a) the total CIL
// receipts for the reported year; (b) the total CIL expenditure for the
// reported year; ... (e) details of the total amount of— (i) CIL receipts
// for the reported year retained at the end of the reported year; and (ii)
// CIL receipts from previous years retained at the end of the reported
// year" (legislation.gov.uk/uksi/2010/948/regulation/121B/2019-09-01).
// What the parish reports spent is what the five-year alert of regulation
// 59E sets against the money passed to it (internal/alerts/cil.go).
type ParishReport struct {
	ID            int64
	ParishCode    string
	FinancialYear int // the year it starts
	Received      decimal.Decimal
	Spent         decimal.Decimal
	Retained      *decimal.Decimal
	ReportedOn    *time.Time
	Note          string
	Version       int
	ParishName    string // in List only
}

// ParishReportService records parishes' reports.
type ParishReportService struct {
	DB *store.DB
}

// ParishReportInput is a report as typed on the form.
type ParishReportInput struct {
	Parish        string
	FinancialYear string
	Received      string
	Spent         string
	Retained      string
	ReportedOn    *time.Time // read from the date input by the handler
	Note          string
	Version       int // 0 for a new report
}

// Field names of the report form.
const (
	FieldReportParish   = "parish"
	FieldReportYear     = "financial-year"
	FieldReportReceived = "received"
	FieldReportSpent    = "spent"
	FieldReportRetained = "retained"
	FieldReportOn       = "reported-on"
)

func (in ParishReportInput) parse(f *forms.Form) ParishReport {
	f.Set(FieldReportParish, in.Parish)
	f.Set(FieldReportYear, in.FinancialYear)
	f.Set(FieldReportReceived, in.Received)
	f.Set(FieldReportSpent, in.Spent)
	f.Set(FieldReportRetained, in.Retained)
	r := ParishReport{ParishCode: in.Parish, Note: in.Note, ReportedOn: in.ReportedOn, Version: in.Version}
	if in.Parish == "" {
		f.Errors.Add(FieldReportParish, "Select the parish")
	}
	if y := f.Int(FieldReportYear, "Financial year", true, 2010, 2100); y != nil {
		r.FinancialYear = *y
	}
	if m := zeroOrMore(f, FieldReportReceived, "CIL received in the year", true); m != nil {
		r.Received = *m
	}
	if m := zeroOrMore(f, FieldReportSpent, "CIL spent in the year", true); m != nil {
		r.Spent = *m
	}
	r.Retained = zeroOrMore(f, FieldReportRetained, "CIL retained at the end of the year", false)
	return r
}

// zeroOrMore reads an amount a parish reports, which may be £0 (a year it
// spent nothing), by the rules of package parse.
func zeroOrMore(f *forms.Form, name, label string, required bool) *decimal.Decimal {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		if required {
			f.Errors.Add(name, "Enter "+strings.ToLower(label[:1])+label[1:])
		}
		return nil
	}
	d, err := parse.Money(s)
	if err != nil {
		f.Errors.Add(name, err.(*parse.Error).Field(label))
		return nil
	}
	if d.IsNegative() {
		f.Errors.Add(name, label+" must be £0 or more")
		return nil
	}
	if d.GreaterThanOrEqual(money.Max) {
		f.Errors.Add(name, label+" must be less than "+money.MaxLabel+": check for extra zeros")
		return nil
	}
	return &d
}

func (r ParishReport) audit() map[string]any {
	m := map[string]any{"parish": r.ParishCode, "financial year": r.FinancialYear,
		"received": r.Received.StringFixed(2), "spent": r.Spent.StringFixed(2), "note": r.Note}
	if r.Retained != nil {
		m["retained"] = r.Retained.StringFixed(2)
	}
	if r.ReportedOn != nil {
		m["reported on"] = r.ReportedOn.Format("2006-01-02")
	}
	return m
}

// Check reads the input as Save would, without saving: the messages of
// every bad field, or nil.
func (in ParishReportInput) Check() *forms.Errors {
	f := forms.New()
	in.parse(f)
	if f.Errors.Any() {
		return f.Errors
	}
	return nil
}

// ParishName is a parish on the report form's list.
type ParishName struct{ Code, Name string }

// Parishes lists the parishes, by name, for the report form.
func (s *ParishReportService) Parishes(ctx context.Context) ([]ParishName, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT code, name FROM cil_parishes ORDER BY name, code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ParishName, error) {
		var p ParishName
		return p, row.Scan(&p.Code, &p.Name)
	})
}

// Save records a new report (id 0) or corrects one at the version it was
// read at (else store.ErrConflict). Bad input is a *forms.Errors naming
// each field; a second report for the same parish and year is refused on
// the year field.
func (s *ParishReportService) Save(ctx context.Context, actor audit.Actor, id int64, in ParishReportInput) (int64, error) {
	f := forms.New()
	r := in.parse(f)
	if err := f.Errors.OrNil(); err != nil {
		return 0, err
	}
	err := s.DB.InTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cil_parishes WHERE code = $1)`, r.ParishCode).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			f.Errors.Add(FieldReportParish, "Select a parish from the list")
			return f.Errors
		}
		var dup bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cil_parish_reports WHERE parish_code = $1 AND financial_year = $2 AND id <> $3)`,
			r.ParishCode, r.FinancialYear, id).Scan(&dup); err != nil {
			return err
		}
		if dup {
			f.Errors.Add(FieldReportYear, "A report for this parish and financial year is already recorded: correct that one")
			return f.Errors
		}
		if id == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO cil_parish_reports (parish_code, financial_year, received, spent, retained, reported_on, note, recorded_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, 0)) RETURNING id`,
				r.ParishCode, r.FinancialYear, r.Received, r.Spent, r.Retained, r.ReportedOn, r.Note, actor.UserID).Scan(&id); err != nil {
				return err
			}
			return audit.Record(ctx, tx, actor, "cil-parish-report.create", EntityParishReport, strconv.FormatInt(id, 10),
				fmt.Sprintf("Recorded the CIL report of parish %s for %d", r.ParishCode, r.FinancialYear), nil, r.audit())
		}
		before, err := getParishReport(ctx, tx, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if before.Version != in.Version {
			return store.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE cil_parish_reports SET parish_code = $2, financial_year = $3, received = $4, spent = $5, retained = $6,
			reported_on = $7, note = $8, recorded_by = nullif($9, 0), updated_at = now(), version = version + 1 WHERE id = $1`,
			id, r.ParishCode, r.FinancialYear, r.Received, r.Spent, r.Retained, r.ReportedOn, r.Note, actor.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "cil-parish-report.update", EntityParishReport, strconv.FormatInt(id, 10),
			fmt.Sprintf("Corrected the CIL report of parish %s for %d", r.ParishCode, r.FinancialYear), before.audit(), r.audit())
	})
	return id, err
}

// GetParishReport reads one report (store.ErrNotFound when there is none).
func (s *ParishReportService) Get(ctx context.Context, id int64) (ParishReport, error) {
	return getParishReport(ctx, s.DB.Pool, id, "")
}

const parishReportColumns = `r.id, r.parish_code, r.financial_year, r.received, r.spent, r.retained, r.reported_on, r.note, r.version`

func scanParishReport(row pgx.CollectableRow) (ParishReport, error) {
	var r ParishReport
	err := row.Scan(&r.ID, &r.ParishCode, &r.FinancialYear, &r.Received, &r.Spent, &r.Retained, &r.ReportedOn, &r.Note, &r.Version)
	return r, err
}

func getParishReport(ctx context.Context, q store.Querier, id int64, lock string) (ParishReport, error) {
	rows, err := q.Query(ctx, `SELECT `+parishReportColumns+` FROM cil_parish_reports r WHERE r.id = $1`+lock, id)
	if err != nil {
		return ParishReport{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanParishReport)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, store.ErrNotFound
	}
	return r, err
}

// List is every report, of one parish when parish is not empty, newest
// year first, with the parish's name.
func (s *ParishReportService) List(ctx context.Context, parish string) ([]ParishReport, error) {
	rows, err := s.DB.Pool.Query(ctx, `SELECT `+parishReportColumns+`, p.name FROM cil_parish_reports r JOIN cil_parishes p ON p.code = r.parish_code
		WHERE $1 = '' OR r.parish_code = $1 ORDER BY r.financial_year DESC, p.name, r.parish_code`, parish)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (ParishReport, error) {
		var r ParishReport
		err := row.Scan(&r.ID, &r.ParishCode, &r.FinancialYear, &r.Received, &r.Spent, &r.Retained, &r.ReportedOn, &r.Note, &r.Version, &r.ParishName)
		return r, err
	})
}
