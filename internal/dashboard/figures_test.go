package dashboard

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/testdb"
)

// The dashboard's year money comes from the kept per-year totals and its
// breaches from the delivery-trigger view over the developments with
// market homes: on the demo (which has a breach) and in every financial
// year with money, they equal the standing entries dated in the year and
// homes.TriggerChecks judged one by one.
func TestFiguresEqualTheirComputationFromScratch(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if _, err := seed.DemoAt(ctx, db, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	s := &Service{DB: db, Ledger: &ledger.Service{DB: db, Now: func() time.Time { return now }}}
	d, err := s.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := homes.TriggerChecks(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	breaches := 0
	for _, c := range checks {
		if c.Check.Breach() {
			breaches++
		}
	}
	if breaches == 0 || d.Breaches != breaches {
		t.Errorf("dashboard breaches %d, delivery-trigger checks %d (the demo has one)", d.Breaches, breaches)
	}
	years := 0
	for y := FinancialYear(2015); y <= d.Year; y++ {
		m, err := s.money(ctx, y)
		if err != nil {
			t.Fatal(err)
		}
		var received, spent, returned, interest decimal.Decimal
		if err := db.Pool.QueryRow(ctx, `
			SELECT coalesce(sum(amount) FILTER (WHERE kind = 'receipt'), 0), coalesce(sum(amount) FILTER (WHERE kind = 'spend'), 0),
			       coalesce(sum(amount) FILTER (WHERE kind = 'return'), 0), coalesce(sum(interest) FILTER (WHERE kind = 'return'), 0)
			FROM ledger_effective WHERE entry_date BETWEEN $1 AND $2`, y.Start(), y.End()).Scan(&received, &spent, &returned, &interest); err != nil {
			t.Fatal(err)
		}
		if !m.ReceivedInYear.Equal(received) || !m.SpentInYear.Equal(spent) || !m.ReturnedInYear.Equal(returned) || !m.InterestInYear.Equal(interest) {
			t.Errorf("%s: kept %s/%s/%s/%s, from the ledger %s/%s/%s/%s", y.Label(), m.ReceivedInYear, m.SpentInYear, m.ReturnedInYear,
				m.InterestInYear, received, spent, returned, interest)
		}
		if received.IsPositive() || spent.IsPositive() {
			years++
		}
	}
	if years < 2 {
		t.Errorf("the demo has money in %d financial years: the test compares too little", years)
	}
}
