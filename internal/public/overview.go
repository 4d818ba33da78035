package public

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/s106monitor/s106/internal/homes"
	"github.com/s106monitor/s106/internal/store"
)

// Service reads what the public pages show.
type Service struct {
	DB *store.DB
}

// countedAgreement is the SQL condition for an agreement whose money and
// homes count in the borough totals: signed (not a draft) and not
// archived. Withheld agreements count too; only their details are hidden.
const countedAgreement = `a.status <> 'draft' AND a.archived_at IS NULL`

// publicAgreement is the SQL condition for an agreement residents can look
// up: live, completed or discharged, and not archived.
const publicAgreement = `a.status IN ('live', 'completed', 'discharged') AND a.archived_at IS NULL`

// Overview is the borough-wide picture on /public.
type Overview struct {
	Homes        HomeTotals
	LostByRoute  []RouteCount
	HomesTenures []TenureCount
	HomesYears   []YearHomes
	Money        MoneyTotals
	Purposes     []PurposeMoney
	MoneyYears   []YearMoney
}

// HomeTotals counts affordable homes by how far they have got.
type HomeTotals struct {
	Secured             int // affordable homes secured by agreements (what they agreed)
	Recorded            int // affordable homes recorded one by one
	Completed           int // built (whatever happened after)
	Transferred         int // handed to a registered provider
	CurrentlyAffordable int // completed and still in the affordable stock
	Lost                int // left the affordable stock
}

// RouteCount is how many homes left the affordable stock by one route.
type RouteCount struct {
	Route string // e.g. "right-to-buy"
	Homes int
}

// TenureCount is the homes of one tenure.
type TenureCount struct {
	Tenure              string // e.g. "social-rent"
	Recorded            int
	Completed           int
	CurrentlyAffordable int
	Lost                int
}

// YearHomes is what happened to homes in one financial year.
type YearHomes struct {
	Year      int // the calendar year the financial year starts in
	Completed int
	Lost      int
}

// MoneyTotals is the borough's section 106 money.
type MoneyTotals struct {
	Agreed   decimal.Decimal // the base amounts in signed agreements
	Received decimal.Decimal
	Spent    decimal.Decimal
	Returned decimal.Decimal
	Held     decimal.Decimal // received, not yet spent or returned
}

// PurposeMoney is the money for one national purpose.
type PurposeMoney struct {
	Purpose string // the national purpose's name, e.g. "Education"
	MoneyTotals
}

// YearMoney is the money that moved in one financial year.
type YearMoney struct {
	Year     int
	Received decimal.Decimal
	Spent    decimal.Decimal
	Returned decimal.Decimal
}

// Overview computes the borough figures.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	var o Overview
	err := s.snapshot(ctx, func(q store.Querier) error {
		if err := s.homeTotals(ctx, q, &o); err != nil {
			return err
		}
		if err := s.homesSecured(ctx, q, &o); err != nil {
			return err
		}
		return s.moneyTotals(ctx, q, &o)
	})
	return o, err
}

// snapshot runs fn's queries in one read-only snapshot (the figures add
// up with each other) with JIT compilation off: these are a few small
// reads of kept totals, and a plan whose cost is estimated from the
// correlated counts (homesSecured) would otherwise spend longer compiling
// than running (about a second at five times the large council).
func (s *Service) snapshot(ctx context.Context, fn func(q store.Querier) error) error {
	return pgx.BeginTxFunc(ctx, s.DB.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("public figures: %w", err)
		}
		return fn(tx)
	})
}

// homeTotals reads the counted affordable homes grouped by what the
// overview reports (tenure, exit route, the years they were completed and
// lost, whether transferred and still affordable), and adds the groups up
// in Go. The groups are kept per development (development_home_totals,
// internal/store/schema/95_year_totals.sql: the homes as home_state has
// them), so this reads a few rows per counted development rather than
// every home's history. Counted homes are affordable, not archived, on a
// development with a signed agreement.
func (s *Service) homeTotals(ctx context.Context, q store.Querier, o *Overview) error {
	rows, err := q.Query(ctx, `
		WITH counted_developments AS (
			SELECT DISTINCT a.development_id FROM agreements a WHERE `+countedAgreement+`
		)
		SELECT t.tenure, t.exit_route, t.completed_fy, t.exited_fy, t.transferred, t.affordable_tenure, sum(t.homes)::int
		FROM development_home_totals t
		JOIN counted_developments cd ON cd.development_id = t.development_id
		WHERE t.tenure <> 'market'
		GROUP BY 1, 2, 3, 4, 5, 6`)
	if err != nil {
		return fmt.Errorf("public home totals: %w", err)
	}
	tenures := map[string]*TenureCount{}
	routes := map[string]int{}
	years := map[int]*YearHomes{}
	year := func(y int) *YearHomes {
		if years[y] == nil {
			years[y] = &YearHomes{Year: y}
		}
		return years[y]
	}
	var tenure, route string
	var completedFY, exitedFY *int
	var transferred, affordableTenure bool
	var n int
	_, err = pgx.ForEachRow(rows, []any{&tenure, &route, &completedFY, &exitedFY, &transferred, &affordableTenure, &n}, func() error {
		t := tenures[tenure]
		if t == nil {
			t = &TenureCount{Tenure: tenure}
			tenures[tenure] = t
		}
		t.Recorded += n
		o.Homes.Recorded += n
		if completedFY != nil {
			t.Completed += n
			o.Homes.Completed += n
			year(*completedFY).Completed += n
			if route == "" && affordableTenure {
				t.CurrentlyAffordable += n
				o.Homes.CurrentlyAffordable += n
			}
		}
		if transferred {
			o.Homes.Transferred += n
		}
		if route != "" {
			t.Lost += n
			o.Homes.Lost += n
			routes[route] += n
			if exitedFY != nil {
				year(*exitedFY).Lost += n
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("public home totals: %w", err)
	}
	for _, t := range homes.TenureList() {
		if c := tenures[string(t)]; c != nil {
			o.HomesTenures = append(o.HomesTenures, *c)
		}
	}
	for _, k := range homes.ExitKinds {
		if n := routes[string(k)]; n > 0 {
			o.LostByRoute = append(o.LostByRoute, RouteCount{Route: string(k), Homes: n})
		}
	}
	for _, y := range years {
		o.HomesYears = append(o.HomesYears, *y)
	}
	slices.SortFunc(o.HomesYears, func(a, b YearHomes) int { return a.Year - b.Year })
	return nil
}

// homesSecured counts the affordable homes the counted agreements secured:
// what each live affordable-housing obligation agreed
// (obligation_agreed_homes: the mix's number, else its schedule, else the
// obligation's units), not the homes recorded so far. An obligation that
// records no number counts the homes recorded against it.
func (s *Service) homesSecured(ctx context.Context, q store.Querier, o *Overview) error {
	err := q.QueryRow(ctx, `
		SELECT coalesce(sum(CASE WHEN ag.agreed > 0 THEN ag.agreed
		                         ELSE (SELECT count(*) FROM homes h WHERE h.obligation_id = ag.obligation_id
		                               AND h.archived_at IS NULL AND h.tenure <> 'market') END), 0)::int
		FROM obligation_agreed_homes ag
		JOIN obligations o ON o.id = ag.obligation_id
		JOIN agreements a ON a.id = o.agreement_id
		WHERE o.archived_at IS NULL AND `+countedAgreement).Scan(&o.Homes.Secured)
	if err != nil {
		return fmt.Errorf("public homes secured: %w", err)
	}
	return nil
}

// countedObligations are the obligations of counted agreements, with the
// national purpose they report under.
const countedObligations = `
	SELECT o.id, o.base_amount, coalesce(np.name, p.name) AS purpose
	FROM obligations o
	JOIN agreements a ON a.id = o.agreement_id
	JOIN contribution_purposes p ON p.code = o.purpose_code
	LEFT JOIN contribution_purposes np ON np.code = p.parent_code
	WHERE o.archived_at IS NULL AND ` + countedAgreement

// moneyTotals reads the amounts agreed by purpose, then every standing
// receipt, spend and return once, grouped by purpose, financial year and
// kind, and adds them up in Go for both tables.
func (s *Service) moneyTotals(ctx context.Context, q store.Querier, o *Overview) error {
	purposes := map[string]*PurposeMoney{}
	purpose := func(name string) *PurposeMoney {
		if purposes[name] == nil {
			purposes[name] = &PurposeMoney{Purpose: name}
		}
		return purposes[name]
	}
	rows, err := q.Query(ctx, `
		WITH co AS (`+countedObligations+`)
		SELECT purpose, sum(base_amount) FROM co WHERE base_amount IS NOT NULL GROUP BY 1`)
	if err != nil {
		return fmt.Errorf("public money agreed: %w", err)
	}
	var name string
	var amount decimal.Decimal
	if _, err := pgx.ForEachRow(rows, []any{&name, &amount}, func() error {
		purpose(name).Agreed = amount
		return nil
	}); err != nil {
		return fmt.Errorf("public money agreed: %w", err)
	}
	// The standing receipts, spends and returns, kept per obligation and
	// financial year (ledger_year_totals, 95_year_totals.sql); a year
	// whose entries were all reversed (entries = 0) is no year.
	rows, err = q.Query(ctx, `
		WITH co AS (`+countedObligations+`)
		SELECT co.purpose, t.fy, sum(t.received), sum(t.spent), sum(t.returned)
		FROM ledger_year_totals t JOIN co ON co.id = t.obligation_id
		WHERE t.entries > 0
		GROUP BY 1, 2`)
	if err != nil {
		return fmt.Errorf("public money: %w", err)
	}
	years := map[int]*YearMoney{}
	var fy int
	var received, spent, returned decimal.Decimal
	if _, err := pgx.ForEachRow(rows, []any{&name, &fy, &received, &spent, &returned}, func() error {
		p, y := purpose(name), years[fy]
		if y == nil {
			y = &YearMoney{Year: fy}
			years[fy] = y
		}
		p.Received, y.Received = p.Received.Add(received), y.Received.Add(received)
		p.Spent, y.Spent = p.Spent.Add(spent), y.Spent.Add(spent)
		p.Returned, y.Returned = p.Returned.Add(returned), y.Returned.Add(returned)
		return nil
	}); err != nil {
		return fmt.Errorf("public money: %w", err)
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
	slices.SortFunc(o.Purposes, func(a, b PurposeMoney) int { return strings.Compare(a.Purpose, b.Purpose) })
	for _, y := range years {
		o.MoneyYears = append(o.MoneyYears, *y)
	}
	slices.SortFunc(o.MoneyYears, func(a, b YearMoney) int { return a.Year - b.Year })
	return nil
}

// DataVersion is a cheap fingerprint of everything the public pages show:
// the database's data_version row (migration 00011), which goes up at the
// commit of every audited change and every ledger, home or obligation
// event, in commit order — unlike newest ids, which a transaction that
// started first but committed last would not move.
type DataVersion struct {
	Key      string    // changes whenever the data may have
	Modified time.Time // the newest change, to the second
}

// Version reads the data version in one round trip.
func (s *Service) Version(ctx context.Context) (DataVersion, error) {
	var v DataVersion
	var n int64
	if err := s.DB.Pool.QueryRow(ctx, `SELECT version, changed_at FROM data_version`).Scan(&n, &v.Modified); err != nil {
		return v, fmt.Errorf("public data version: %w", err)
	}
	v.Modified = v.Modified.UTC().Truncate(time.Second)
	v.Key = fmt.Sprintf("%d-%d", n, v.Modified.Unix())
	return v, nil
}
