package dashboard

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
)

// CILMoney is the Community Infrastructure Levy beside section 106 on the
// managers' dashboard (issue 20, item 6): the council's own levy, summed
// from the standing entries of its ledger (cil_ledger_effective). Mayoral
// CIL, which the council collects for the Mayor of London and passes on,
// is not the council's money and is left out (regulation 121A(4) keeps it
// out of the council's statement too).
type CILMoney struct {
	Received  decimal.Decimal // receipts (money, land, infrastructure at its value)
	Repaid    decimal.Decimal // overpayments repaid
	Passed    decimal.Decimal // the neighbourhood portion passed to parishes (59A, 59D)
	Recovered decimal.Decimal // taken back from parishes (59E)
	Spent     decimal.Decimal // spent on projects, from either pot
	Admin     decimal.Decimal // applied to administrative expenses (61)
}

// Held is what the council still holds: received, less repaid, passed to
// parishes (net of what it recovered), spent and applied to administrative
// expenses.
func (m CILMoney) Held() decimal.Decimal {
	return m.Received.Sub(m.Repaid).Sub(m.Passed).Add(m.Recovered).Sub(m.Spent).Sub(m.Admin)
}

// CILFigures are the levy's figures for the financial year and to date.
type CILFigures struct {
	Year   CILMoney
	ToDate CILMoney
}

// cil reads the levy's figures, or nil where the council does not charge
// the levy (no charging schedule, chargeable development or entry), so
// that council's dashboard is as it was.
func (s *Service) cil(ctx context.Context, y FinancialYear) (*CILFigures, error) {
	var charges bool
	var f CILFigures
	sums := func(m *CILMoney) []any {
		return []any{&m.Received, &m.Repaid, &m.Passed, &m.Recovered, &m.Spent, &m.Admin}
	}
	dest := append([]any{&charges}, append(sums(&f.ToDate), sums(&f.Year)...)...)
	err := s.DB.Pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM cil_schedules) OR EXISTS (SELECT 1 FROM cil_developments) OR EXISTS (SELECT 1 FROM cil_ledger_entries),
		       `+cilSums("true")+`, `+cilSums("e.entry_date BETWEEN $1 AND $2")+`
		FROM cil_ledger_effective e
		WHERE e.charging_authority = 'council'`, y.Start(), y.End()).Scan(dest...)
	if err != nil {
		return nil, fmt.Errorf("dashboard cil: %w", err)
	}
	if !charges {
		return nil, nil
	}
	return &f, nil
}

// cilSums are the six sums of CILMoney over the entries where cond holds.
func cilSums(cond string) string {
	sum := func(kind string) string {
		return `coalesce(sum(e.amount) FILTER (WHERE e.kind = '` + kind + `' AND ` + cond + `), 0)`
	}
	return sum("receipt") + ", " + sum("repayment") + ", " + sum("parish-payment") + ", " +
		sum("parish-recovery") + ", " + sum("spend") + ", " + sum("admin")
}
