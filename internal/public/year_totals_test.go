package public_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/audit"
	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/ledger"
	"github.com/s106monitor/s106/internal/public"
	"github.com/s106monitor/s106/internal/seed"
	"github.com/s106monitor/s106/internal/store"
	"github.com/s106monitor/s106/internal/testdb"
)

// The public overview reads kept totals (ledger_year_totals and
// development_home_totals, internal/store/schema/95_year_totals.sql). After
// receipts, spends, returns, reversals, home events and their reversals,
// written one at a time and then by concurrent writers to the same
// obligations and developments, the kept rows equal a computation from
// scratch (year_totals_drift is empty) and the overview equals the one the
// whole ledger and every home's history give (overviewFromScratch, the
// queries it used before the kept totals).
func TestYearTotalsStayEqualToAComputationFromScratch(t *testing.T) {
	ctx := context.Background()
	url := testdb.URL(t)
	db := testdb.Open(t, url)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if _, err := seed.DemoAt(ctx, db, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	svc := &public.Service{DB: db}
	check := func(when string) {
		t.Helper()
		var drift int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM year_totals_drift`).Scan(&drift); err != nil {
			t.Fatal(err)
		}
		if drift != 0 {
			t.Fatalf("%s: %d kept year totals differ from a computation from scratch", when, drift)
		}
		got, err := svc.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := overviewFromScratch(t, ctx, db)
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Fatalf("%s: the overview from kept totals differs from the one from scratch:\n kept:    %s\n scratch: %s", when, g, w)
		}
	}
	check("after the demo")

	led := &ledger.Service{DB: db, Now: func() time.Time { return now }}
	hs := &homes.Service{DB: db}
	actor := audit.Actor{Label: "test"}

	var obligations []int64
	rows, err := db.Pool.Query(ctx, `
		SELECT o.id FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		WHERE o.kind = 'financial' AND o.archived_at IS NULL AND a.status <> 'draft' AND a.archived_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.obligation_id = o.id AND e.kind = 'invoice')
		ORDER BY o.id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	if obligations, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(obligations) < 2 {
		t.Fatalf("financial obligations of the demo: %v, %v", obligations, err)
	}
	// Six new affordable homes on a development of a counted agreement.
	var developmentID int64
	if err := db.Pool.QueryRow(ctx, `
		SELECT h.development_id FROM homes h JOIN agreements a ON a.development_id = h.development_id
		WHERE h.tenure <> 'market' AND a.status <> 'draft' AND a.archived_at IS NULL ORDER BY h.id LIMIT 1`).Scan(&developmentID); err != nil {
		t.Fatal(err)
	}
	six, start, bedrooms := 6, 900, 2
	made, err := hs.GenerateHomes(ctx, actor, developmentID, homes.GenerateInput{Count: &six, Prefix: "Test plot ", Start: &start,
		Home: homes.HomeInput{Tenure: "social-rent", Bedrooms: &bedrooms}})
	if err != nil {
		t.Fatal(err)
	}
	var homeIDs []int64
	for _, h := range made {
		homeIDs = append(homeIDs, h.ID)
	}
	// A home is completed only with its UPRN.
	if _, err := db.Pool.Exec(ctx, `UPDATE homes SET uprn = (100000000000 + id)::text WHERE id = ANY ($1)`, homeIDs); err != nil {
		t.Fatal(err)
	}
	check("after homes were added")

	receive := func(obligationID int64, on time.Time, amount string) (int64, error) {
		a := decimal.RequireFromString(amount)
		r, err := led.RecordReceipt(ctx, actor, ledger.ReceiptInput{ReceivedOn: &on, Payer: "Vale Homes", Total: &a,
			Shares: []ledger.ShareInput{{Row: 1, ObligationID: obligationID, Amount: &a}}})
		if err != nil {
			return 0, err
		}
		var entryID int64
		err = db.Pool.QueryRow(ctx, `SELECT id FROM ledger_entries WHERE receipt_id = $1 AND kind = 'receipt'`, r.ID).Scan(&entryID)
		return entryID, err
	}
	complete := func(homeID int64, on time.Time) (int64, error) {
		ev, err := hs.RecordHomeEvent(ctx, actor, homeID, homes.EventInput{Kind: homes.EventCompleted, Date: &on, Evidence: "completion certificate"})
		return ev.ID, err
	}

	// One at a time: a receipt in a new year, one in a year with money
	// already, a return, and the first receipt reversed; a home completed,
	// another completed and the completion reversed, a third archived.
	first, err := receive(obligations[0], time.Date(2012, 6, 1, 0, 0, 0, 0, time.UTC), "1234.56")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receive(obligations[1], time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), "500.00"); err != nil {
		t.Fatal(err)
	}
	check("after receipts")
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := led.RecordReturn(ctx, actor, obligations[1], ledger.ReturnInput{Date: &day, Amount: decimalp("100.00"), Reason: "not needed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := led.Reverse(ctx, actor, obligations[0], first, "wrong obligation"); err != nil {
		t.Fatal(err)
	}
	check("after a return and a reversal")
	if _, err := complete(homeIDs[0], time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ev, err := complete(homeIDs[1], time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.ReverseHomeEvent(ctx, actor, homeIDs[1], ev, "recorded against the wrong plot"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE homes SET archived_at = now() WHERE id = $1`, homeIDs[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE homes SET tenure = 'shared-ownership' WHERE id = $1 AND tenure <> 'shared-ownership'`, homeIDs[3]); err != nil {
		t.Fatal(err)
	}
	check("after home events, a reversal, an archived home and a changed tenure")

	// Concurrent writers: each records receipts on the same obligations in
	// the same years, reverses one of them, and completes a home of the
	// same developments.
	const writers = 6
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range 3 {
				id, err := receive(obligations[i%2], time.Date(2020+i, 7, 1+w, 0, 0, 0, 0, time.UTC), fmt.Sprintf("%d.%02d", 10+w, i))
				if err != nil {
					errs <- err
					return
				}
				if i == 1 {
					if _, err := led.Reverse(ctx, actor, obligations[i%2], id, "duplicate"); err != nil {
						errs <- err
						return
					}
				}
			}
			if w+4 < len(homeIDs) {
				if _, err := complete(homeIDs[w+4], time.Date(2026, 4, 1+w, 0, 0, 0, 0, time.UTC)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check("after concurrent writers")

	// refresh_all_derived_totals rebuilds them to the same rows.
	var before, after string
	snapshot := `SELECT string_agg(format('%s', t), ';' ORDER BY t::text) FROM (
		SELECT obligation_id, fy, entries, received, spent, returned, interest FROM ledger_year_totals WHERE entries > 0) t`
	if err := db.Pool.QueryRow(ctx, snapshot).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := testdb.Open(t, testdb.As(t, url, testdb.Owner)).Pool.Exec(ctx, `SELECT refresh_all_derived_totals()`); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, snapshot).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before != after || before == "" {
		t.Fatalf("refresh_all_derived_totals rebuilt other year totals (%d bytes before, %d after)", len(before), len(after))
	}
	check("after refresh_all_derived_totals")
}

func decimalp(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// overviewFromScratch is the overview as it was computed before the kept
// totals: every counted home's history and every standing entry read
// afresh.
func overviewFromScratch(t *testing.T, ctx context.Context, db *store.DB) public.Overview {
	t.Helper()
	var o public.Overview
	const counted = `a.status <> 'draft' AND a.archived_at IS NULL`
	rows, err := db.Pool.Query(ctx, `
		WITH counted_developments AS (SELECT DISTINCT a.development_id FROM agreements a WHERE `+counted+`)
		SELECT h.tenure, coalesce(st.exit_route, ''),
		       (extract(year FROM st.completed_on - interval '3 months'))::int,
		       (extract(year FROM st.exited_on - interval '3 months'))::int,
		       st.transferred_on IS NOT NULL, st.current_tenure <> 'market', count(*)::int
		FROM homes h
		JOIN counted_developments cd ON cd.development_id = h.development_id
		JOIN home_state st ON st.home_id = h.id
		WHERE h.archived_at IS NULL AND h.tenure <> 'market'
		GROUP BY 1, 2, 3, 4, 5, 6`)
	if err != nil {
		t.Fatal(err)
	}
	tenures := map[string]*public.TenureCount{}
	routes := map[string]int{}
	years := map[int]*public.YearHomes{}
	year := func(y int) *public.YearHomes {
		if years[y] == nil {
			years[y] = &public.YearHomes{Year: y}
		}
		return years[y]
	}
	var tenure, route string
	var completedFY, exitedFY *int
	var transferred, affordable bool
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&tenure, &route, &completedFY, &exitedFY, &transferred, &affordable, &n}, func() error {
		tc := tenures[tenure]
		if tc == nil {
			tc = &public.TenureCount{Tenure: tenure}
			tenures[tenure] = tc
		}
		tc.Recorded += n
		o.Homes.Recorded += n
		if completedFY != nil {
			tc.Completed += n
			o.Homes.Completed += n
			year(*completedFY).Completed += n
			if route == "" && affordable {
				tc.CurrentlyAffordable += n
				o.Homes.CurrentlyAffordable += n
			}
		}
		if transferred {
			o.Homes.Transferred += n
		}
		if route != "" {
			tc.Lost += n
			o.Homes.Lost += n
			routes[route] += n
			if exitedFY != nil {
				year(*exitedFY).Lost += n
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tn := range homes.TenureList() {
		if c := tenures[string(tn)]; c != nil {
			o.HomesTenures = append(o.HomesTenures, *c)
		}
	}
	for _, k := range homes.ExitKinds {
		if n := routes[string(k)]; n > 0 {
			o.LostByRoute = append(o.LostByRoute, public.RouteCount{Route: string(k), Homes: n})
		}
	}
	for _, y := range years {
		o.HomesYears = append(o.HomesYears, *y)
	}
	slices.SortFunc(o.HomesYears, func(a, b public.YearHomes) int { return a.Year - b.Year })

	// Secured is not kept: read as the overview reads it.
	var live public.Overview
	if live, err = (&public.Service{DB: db}).Overview(ctx); err != nil {
		t.Fatal(err)
	}
	o.Homes.Secured = live.Homes.Secured

	const co = `SELECT o.id, o.base_amount, coalesce(np.name, p.name) AS purpose
		FROM obligations o JOIN agreements a ON a.id = o.agreement_id
		JOIN contribution_purposes p ON p.code = o.purpose_code
		LEFT JOIN contribution_purposes np ON np.code = p.parent_code
		WHERE o.archived_at IS NULL AND ` + counted
	purposes := map[string]*public.PurposeMoney{}
	purpose := func(name string) *public.PurposeMoney {
		if purposes[name] == nil {
			purposes[name] = &public.PurposeMoney{Purpose: name}
		}
		return purposes[name]
	}
	rows, err = db.Pool.Query(ctx, `WITH co AS (`+co+`) SELECT purpose, sum(base_amount) FROM co WHERE base_amount IS NOT NULL GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var name, kind string
	var amount decimal.Decimal
	if _, err := pgx.ForEachRow(rows, []any{&name, &amount}, func() error {
		purpose(name).Agreed = amount
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err = db.Pool.Query(ctx, `
		WITH co AS (`+co+`)
		SELECT co.purpose, (extract(year FROM e.entry_date - interval '3 months'))::int, e.kind, sum(e.amount)
		FROM ledger_effective e JOIN co ON co.id = e.obligation_id
		WHERE e.kind IN ('receipt', 'spend', 'return')
		GROUP BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	moneyYears := map[int]*public.YearMoney{}
	var fy int
	if _, err := pgx.ForEachRow(rows, []any{&name, &fy, &kind, &amount}, func() error {
		p, y := purpose(name), moneyYears[fy]
		if y == nil {
			y = &public.YearMoney{Year: fy}
			moneyYears[fy] = y
		}
		switch kind {
		case "receipt":
			p.Received, y.Received = p.Received.Add(amount), y.Received.Add(amount)
		case "spend":
			p.Spent, y.Spent = p.Spent.Add(amount), y.Spent.Add(amount)
		case "return":
			p.Returned, y.Returned = p.Returned.Add(amount), y.Returned.Add(amount)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range purposes {
		p.Held = p.Received.Sub(p.Spent).Sub(p.Returned)
		o.Purposes = append(o.Purposes, *p)
		o.Money.Agreed = o.Money.Agreed.Add(p.Agreed)
		o.Money.Received = o.Money.Received.Add(p.Received)
		o.Money.Spent = o.Money.Spent.Add(p.Spent)
		o.Money.Returned = o.Money.Returned.Add(p.Returned)
		o.Money.Held = o.Money.Held.Add(p.Held)
	}
	slices.SortFunc(o.Purposes, func(a, b public.PurposeMoney) int { return strings.Compare(a.Purpose, b.Purpose) })
	for _, y := range moneyYears {
		o.MoneyYears = append(o.MoneyYears, *y)
	}
	slices.SortFunc(o.MoneyYears, func(a, b public.YearMoney) int { return a.Year - b.Year })
	return o
}
