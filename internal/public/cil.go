package public

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/store"
)

// CIL is the Community Infrastructure Levy on the public pages (issue 20,
// item 8): collected, passed to each parish council and spent, by
// financial year and parish, beside section 106. Like the rest of this
// package, these structs are the allow-list of what is published: money
// totals and parish councils' names only, never a payer, a development's
// address or a person. It is the council's own levy: Mayoral CIL, which
// the council collects for the Mayor of London, is not included.
type CIL struct {
	ToDate   CILTotals
	S106     MoneyTotals // section 106 money to date, beside the levy
	Years    []CILYear
	Parishes []CILParishYear
}

// CILTotals is the levy's money over a period, from the standing entries
// of its ledger.
type CILTotals struct {
	Collected decimal.Decimal // received from developers (money, or land at its value)
	Repaid    decimal.Decimal // overpayments repaid to developers
	Passed    decimal.Decimal // passed to parish and town councils (regulation 59A)
	Recovered decimal.Decimal // taken back from parish councils (regulation 59E)
	Spent     decimal.Decimal // spent on infrastructure
	Admin     decimal.Decimal // spent on administering the levy (regulation 61)
}

// Held is what the council holds: collected, less repaid, passed to parish
// councils (net of what was recovered), spent and spent on administration.
func (t CILTotals) Held() decimal.Decimal {
	return t.Collected.Sub(t.Repaid).Sub(t.Passed).Add(t.Recovered).Sub(t.Spent).Sub(t.Admin)
}

// CILYear is the levy and section 106 money of one financial year.
type CILYear struct {
	Year int // the calendar year the financial year starts in
	CILTotals
	S106Received decimal.Decimal
	S106Spent    decimal.Decimal
}

// CILParishYear is one parish's levy in one financial year: collected from
// developments in the parish, passed to its council, and what its council
// reported spending (regulation 121B(2)(b); nil: no report recorded).
type CILParishYear struct {
	Parish    string // the parish's name
	Council   string // its council's name
	Year      int
	Collected decimal.Decimal
	Passed    decimal.Decimal
	Spent     *decimal.Decimal
}

// cilFY is the financial year (the calendar year it starts in) of a date.
const cilFY = `extract(year FROM %s - interval '3 months')::int`

// CIL reads the levy's public figures, or nil where the council does not
// charge the levy (no charging schedule, chargeable development or entry),
// whose public pages are then as they were.
func (s *Service) CIL(ctx context.Context) (*CIL, error) {
	var c *CIL
	err := s.snapshot(ctx, func(q store.Querier) error {
		var o Overview
		if err := s.moneyTotals(ctx, q, &o); err != nil {
			return err
		}
		var err error
		c, err = s.cil(ctx, q, o)
		return err
	})
	return c, err
}

// OverviewCIL is CIL for the overview page, which has read the section
// 106 money already (o, from Overview): nil where the council does not
// charge the levy.
func (s *Service) OverviewCIL(ctx context.Context, o Overview) (*CIL, error) {
	var c *CIL
	err := s.snapshot(ctx, func(q store.Querier) (err error) {
		c, err = s.cil(ctx, q, o)
		return err
	})
	return c, err
}

// cil is the levy's figures beside o's section 106 money.
func (s *Service) cil(ctx context.Context, q store.Querier, o Overview) (*CIL, error) {
	var charges bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cil_schedules) OR EXISTS (SELECT 1 FROM cil_developments)
		OR EXISTS (SELECT 1 FROM cil_ledger_entries)`).Scan(&charges); err != nil {
		return nil, fmt.Errorf("public cil: %w", err)
	}
	if !charges {
		return nil, nil
	}
	var c CIL
	c.S106 = o.Money
	years := map[int]*CILYear{}
	year := func(y int) *CILYear {
		if years[y] == nil {
			years[y] = &CILYear{Year: y}
		}
		return years[y]
	}
	for _, y := range o.MoneyYears {
		year(y.Year).S106Received, year(y.Year).S106Spent = y.Received, y.Spent
	}
	rows, err := q.Query(ctx, `
		SELECT `+fmt.Sprintf(cilFY, "e.entry_date")+`,
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'repayment'), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'parish-payment'), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'parish-recovery'), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'spend'), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'admin'), 0)
		FROM cil_ledger_effective e
		WHERE e.charging_authority = 'council' AND e.kind IN ('receipt', 'repayment', 'parish-payment', 'parish-recovery', 'spend', 'admin')
		GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("public cil years: %w", err)
	}
	var y int
	var t CILTotals
	if _, err := pgx.ForEachRow(rows, []any{&y, &t.Collected, &t.Repaid, &t.Passed, &t.Recovered, &t.Spent, &t.Admin}, func() error {
		year(y).CILTotals = t
		c.ToDate.Collected = c.ToDate.Collected.Add(t.Collected)
		c.ToDate.Repaid = c.ToDate.Repaid.Add(t.Repaid)
		c.ToDate.Passed = c.ToDate.Passed.Add(t.Passed)
		c.ToDate.Recovered = c.ToDate.Recovered.Add(t.Recovered)
		c.ToDate.Spent = c.ToDate.Spent.Add(t.Spent)
		c.ToDate.Admin = c.ToDate.Admin.Add(t.Admin)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("public cil years: %w", err)
	}
	for fy := range years {
		c.Years = append(c.Years, *years[fy])
	}
	slices.SortFunc(c.Years, func(a, b CILYear) int { return a.Year - b.Year })
	if c.Parishes, err = cilParishes(ctx, q); err != nil {
		return nil, err
	}
	return &c, nil
}

// cilParishes is each parish's levy by financial year: collected from the
// developments in the parish (its receipts), passed to the parish council
// (less nothing: recoveries are shown in the borough's totals), and what
// the council reported spending in its annual report.
func cilParishes(ctx context.Context, q store.Querier) ([]CILParishYear, error) {
	rows, err := q.Query(ctx, `
		WITH money AS (
			SELECT coalesce(e.parish_code, d.parish_code) AS parish_code, `+fmt.Sprintf(cilFY, "e.entry_date")+` AS year,
			       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'receipt'), 0) AS collected,
			       coalesce(sum(e.amount) FILTER (WHERE e.kind = 'parish-payment'), 0) AS passed
			FROM cil_ledger_effective e
			LEFT JOIN cil_developments d ON d.id = e.cil_development_id AND e.kind = 'receipt'
			WHERE e.charging_authority = 'council' AND (e.kind = 'parish-payment' OR (e.kind = 'receipt' AND d.parish_code IS NOT NULL))
			GROUP BY 1, 2
		)
		SELECT p.name, p.council_name, coalesce(m.year, r.financial_year),
		       coalesce(m.collected, 0), coalesce(m.passed, 0), r.spent
		FROM money m
		FULL JOIN cil_parish_reports r ON r.parish_code = m.parish_code AND r.financial_year = m.year
		JOIN cil_parishes p ON p.code = coalesce(m.parish_code, r.parish_code)
		ORDER BY p.name, p.code, 3`)
	if err != nil {
		return nil, fmt.Errorf("public cil parishes: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (CILParishYear, error) {
		var p CILParishYear
		err := row.Scan(&p.Parish, &p.Council, &p.Year, &p.Collected, &p.Passed, &p.Spent)
		return p, err
	})
}

// CILParish is the levy of the parish named name (matched as its address
// is written, Slug), by financial year; nil where none was collected in it,
// passed to it or reported by it.
func (s *Service) CILParish(ctx context.Context, name string) ([]CILParishYear, error) {
	var rows []CILParishYear
	all, err := cilParishes(ctx, s.DB.Pool)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if Slug(p.Parish) == Slug(name) {
			rows = append(rows, p)
		}
	}
	return rows, nil
}
